//! CUDA C source for the element-wise kernels, generated from the op kinds.
//!
//! [`unary_exprs`], [`binary_exprs`] and [`compare_expr`] are the one place
//! where each kind of `crate::kinds` is written in CUDA C; they mirror
//! `apply` and `derivative` there term by term (same operations in the same
//! order, so with `--fmad=false` the arithmetic rounds as on the CPU; only
//! the transcendental functions come from CUDA's libdevice). Constants of a
//! kind (`Powi(n)`, `Powf(p)`, `AddScalar(c)`, `MulScalar(c)`, `Clamp(lo,
//! hi)`) are kernel parameters `ci`, `c0`, `c1`, so one kernel serves every
//! value. Kernels are named after the kind (`unary_sin`, `binary_scale_pow`)
//! and compiled once per process.

use crate::kinds::{BinaryKind, CmpKind, UnaryKind};

/// Definitions shared by every kernel module: index types, the `Layout`
/// struct (see `layout.rs`) and device helpers mirroring `crate::real`.
pub const PRELUDE: &str = r#"
typedef unsigned long long u64;
#define FX_MAX_RANK 8
struct Layout {
    unsigned int rank;
    unsigned int pad;
    u64 shape[FX_MAX_RANK];
    u64 s0[FX_MAX_RANK];
    u64 s1[FX_MAX_RANK];
    u64 s2[FX_MAX_RANK];
};

/* Offsets of flat index o under the three stride sets of L. */
__device__ __forceinline__ void fx_offsets(const Layout& L, u64 o, u64* a, u64* b, u64* c) {
    u64 oa = 0, ob = 0, oc = 0;
    for (int d = (int)L.rank - 1; d >= 0; --d) {
        u64 len = L.shape[d];
        u64 q = o % len;
        o /= len;
        oa += q * L.s0[d];
        ob += q * L.s1[d];
        oc += q * L.s2[d];
    }
    *a = oa; *b = ob; *c = oc;
}

__device__ __forceinline__ u64 fx_index() {
    return (u64)blockIdx.x * (u64)blockDim.x + (u64)threadIdx.x;
}

/* x^n by binary powering, as f64::powi. */
__device__ __forceinline__ double fx_powi(double a, int b) {
    int recip = b < 0;
    double r = 1.0;
    while (1) {
        if (b & 1) r *= a;
        b /= 2;
        if (b == 0) break;
        a *= a;
    }
    return recip ? 1.0 / r : r;
}

/* Logistic sigmoid, as crate::real::sigmoid_f64. */
__device__ __forceinline__ double fx_sigmoid(double x) {
    if (x >= 0.0) {
        return 1.0 / (1.0 + exp(-x));
    }
    double e = exp(x);
    return e / (1.0 + e);
}

/* ln(1+e^x), as crate::real::softplus_f64. */
__device__ __forceinline__ double fx_softplus(double x) {
    if (x > 30.0) return x + exp(-x);
    if (x < -30.0) return exp(x);
    return log1p(exp(x));
}

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 600
__device__ double fx_atomic_add(double* address, double val) {
    unsigned long long* p = (unsigned long long*)address;
    unsigned long long old = *p, assumed;
    do {
        assumed = old;
        old = atomicCAS(p, assumed, __double_as_longlong(val + __longlong_as_double(assumed)));
    } while (assumed != old);
    return __longlong_as_double(old);
}
#else
__device__ __forceinline__ double fx_atomic_add(double* address, double val) {
    return atomicAdd(address, val);
}
#endif
"#;

/// CUDA expressions of f(x) and f'(x) (in terms of `x`, `y = f(x)` and the
/// constants `c0`, `c1`, `ci`), mirroring [`UnaryKind::apply`] and
/// [`UnaryKind::derivative`].
pub fn unary_exprs(k: UnaryKind) -> (&'static str, &'static str) {
    use UnaryKind::*;
    match k {
        Neg => ("-x", "-1.0"),
        Exp => ("exp(x)", "y"),
        Ln => ("log(x)", "1.0 / x"),
        Log1p => ("log1p(x)", "1.0 / (1.0 + x)"),
        Expm1 => ("expm1(x)", "y + 1.0"),
        Sqrt => ("sqrt(x)", "0.5 / y"),
        Sin => ("sin(x)", "cos(x)"),
        Cos => ("cos(x)", "-sin(x)"),
        Tan => ("tan(x)", "1.0 + y * y"),
        Atan => ("atan(x)", "1.0 / (1.0 + x * x)"),
        Tanh => ("tanh(x)", "1.0 - y * y"),
        Sigmoid => ("fx_sigmoid(x)", "y * (1.0 - y)"),
        Softplus => ("fx_softplus(x)", "fx_sigmoid(x)"),
        Abs => ("fabs(x)", "(x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0))"),
        Recip => ("1.0 / x", "-y * y"),
        Square => ("x * x", "2.0 * x"),
        Powi(_) => (
            "fx_powi(x, ci)",
            "(ci == 0 ? 0.0 : (double)ci * fx_powi(x, ci - 1))",
        ),
        Powf(_) => ("pow(x, c0)", "(c0 == 0.0 ? 0.0 : c0 * pow(x, c0 - 1.0))"),
        AddScalar(_) => ("x + c0", "1.0"),
        MulScalar(_) => ("c0 * x", "c0"),
        Clamp(..) => ("fmin(fmax(x, c0), c1)", "((x >= c0 && x <= c1) ? 1.0 : 0.0)"),
    }
}

/// The constants of a unary kind as kernel parameters `(c0, c1, ci)`.
pub fn unary_params(k: UnaryKind) -> (f64, f64, i32) {
    use UnaryKind::*;
    match k {
        Powi(n) => (0.0, 0.0, n),
        Powf(p) => (p, 0.0, 0),
        AddScalar(c) | MulScalar(c) => (c, 0.0, 0),
        Clamp(lo, hi) => (lo, hi, 0),
        _ => (0.0, 0.0, 0),
    }
}

/// CUDA expressions of f(a, b), ∂f/∂a and ∂f/∂b (in terms of `a`, `b` and
/// `y = f(a, b)`), mirroring [`BinaryKind::apply`] and
/// [`BinaryKind::derivatives`].
pub fn binary_exprs(k: BinaryKind) -> (&'static str, &'static str, &'static str) {
    use BinaryKind::*;
    match k {
        Add => ("a + b", "1.0", "1.0"),
        Sub => ("a - b", "1.0", "-1.0"),
        Mul => ("a * b", "b", "a"),
        Div => ("a / b", "1.0 / b", "-y / b"),
        Pow => (
            "pow(a, b)",
            "(b == 0.0 ? 0.0 : b * pow(a, b - 1.0))",
            "(a > 0.0 ? y * log(a) : 0.0)",
        ),
        Atan2 => ("atan2(a, b)", "b / (a * a + b * b)", "-a / (a * a + b * b)"),
        Min => ("(b < a ? b : a)", "(b < a ? 0.0 : 1.0)", "(b < a ? 1.0 : 0.0)"),
        Max => ("(b > a ? b : a)", "(b > a ? 0.0 : 1.0)", "(b > a ? 1.0 : 0.0)"),
    }
}

/// CUDA condition of a comparison, mirroring [`CmpKind::apply`].
pub fn compare_expr(k: CmpKind) -> &'static str {
    match k {
        CmpKind::Lt => "a < b",
        CmpKind::Le => "a <= b",
        CmpKind::Gt => "a > b",
        CmpKind::Ge => "a >= b",
        CmpKind::Eq => "a == b",
    }
}

/// Name fragment of a comparison kind.
pub fn compare_name(k: CmpKind) -> &'static str {
    match k {
        CmpKind::Lt => "lt",
        CmpKind::Le => "le",
        CmpKind::Gt => "gt",
        CmpKind::Ge => "ge",
        CmpKind::Eq => "eq",
    }
}

/// Kernel name of f(x) for `k`.
pub fn unary_name(k: UnaryKind) -> String {
    format!("unary_{}", k.name())
}

/// Kernel name of g·f'(x) for `k`.
pub fn unary_scale_name(k: UnaryKind) -> String {
    format!("unary_scale_{}", k.name())
}

/// Kernel name of f(a, b) for `k`.
pub fn binary_name(k: BinaryKind) -> String {
    format!("binary_{}", k.name())
}

/// Kernel name of the partial VJPs of `k`.
pub fn binary_scale_name(k: BinaryKind) -> String {
    format!("binary_scale_{}", k.name())
}

/// Kernel name of the comparison `k`.
pub fn compare_kernel_name(k: CmpKind) -> String {
    format!("compare_{}", compare_name(k))
}

/// y[i] = f(x[i]).
pub fn unary_source(k: UnaryKind) -> String {
    let (f, _) = unary_exprs(k);
    format!(
        r#"{PRELUDE}
extern "C" __global__ void {name}(const double* xp, double* yp, u64 n, double c0, double c1, int ci) {{
    u64 i = fx_index();
    if (i < n) {{
        double x = xp[i];
        yp[i] = {f};
    }}
}}
"#,
        name = unary_name(k)
    )
}

/// out[i] = g[i] · f'(x[i]) given y = f(x).
pub fn unary_scale_source(k: UnaryKind) -> String {
    let (_, d) = unary_exprs(k);
    format!(
        r#"{PRELUDE}
extern "C" __global__ void {name}(const double* xp, const double* yp, const double* gp, double* out,
                                  u64 n, double c0, double c1, int ci) {{
    u64 i = fx_index();
    if (i < n) {{
        double x = xp[i];
        double y = yp[i];
        out[i] = gp[i] * ({d});
    }}
}}
"#,
        name = unary_scale_name(k)
    )
}

/// Offsets of a and b: contiguous (or one-element) unless `general`.
const BINARY_OFFSETS: &str = r#"
        u64 ia, ib, ic;
        if (general) {
            fx_offsets(L, i, &ia, &ib, &ic);
        } else {
            ia = (na == 1) ? 0 : i;
            ib = (nb == 1) ? 0 : i;
        }
        double a = ap[ia];
        double b = bp[ib];"#;

/// out[i] = f(a, b) with broadcasting.
pub fn binary_source(k: BinaryKind) -> String {
    let (f, _, _) = binary_exprs(k);
    format!(
        r#"{PRELUDE}
extern "C" __global__ void {name}(const double* ap, const double* bp, double* out, u64 n, u64 na, u64 nb,
                                  int general, Layout L) {{
    u64 i = fx_index();
    if (i < n) {{{BINARY_OFFSETS}
        out[i] = {f};
    }}
}}
"#,
        name = binary_name(k)
    )
}

/// ga[i] = g[i]·∂f/∂a, gb[i] = g[i]·∂f/∂b (output-shaped; a null pointer
/// skips that side).
pub fn binary_scale_source(k: BinaryKind) -> String {
    let (_, da, db) = binary_exprs(k);
    format!(
        r#"{PRELUDE}
extern "C" __global__ void {name}(const double* ap, const double* bp, const double* yp, const double* gp,
                                  double* ga, double* gb, u64 n, u64 na, u64 nb, int general, Layout L) {{
    u64 i = fx_index();
    if (i < n) {{{BINARY_OFFSETS}
        double y = yp[i];
        double g = gp[i];
        if (ga) ga[i] = g * ({da});
        if (gb) gb[i] = g * ({db});
    }}
}}
"#,
        name = binary_scale_name(k)
    )
}

/// out[i] = 1 where the comparison holds, else 0, with broadcasting.
pub fn compare_source(k: CmpKind) -> String {
    let c = compare_expr(k);
    format!(
        r#"{PRELUDE}
extern "C" __global__ void {name}(const double* ap, const double* bp, double* out, u64 n, u64 na, u64 nb,
                                  int general, Layout L) {{
    u64 i = fx_index();
    if (i < n) {{{BINARY_OFFSETS}
        out[i] = ({c}) ? 1.0 : 0.0;
    }}
}}
"#,
        name = compare_kernel_name(k)
    )
}

/// Every unary kind (with sample constants), for exhaustive checks.
pub fn all_unary_kinds() -> Vec<UnaryKind> {
    use UnaryKind::*;
    vec![
        Neg,
        Exp,
        Ln,
        Log1p,
        Expm1,
        Sqrt,
        Sin,
        Cos,
        Tan,
        Atan,
        Tanh,
        Sigmoid,
        Softplus,
        Abs,
        Recip,
        Square,
        Powi(3),
        Powf(1.5),
        AddScalar(2.0),
        MulScalar(3.0),
        Clamp(-1.0, 1.0),
    ]
}

/// Every binary kind.
pub fn all_binary_kinds() -> Vec<BinaryKind> {
    use BinaryKind::*;
    vec![Add, Sub, Mul, Div, Pow, Atan2, Min, Max]
}

/// Every comparison kind.
pub fn all_compare_kinds() -> Vec<CmpKind> {
    use CmpKind::*;
    vec![Lt, Le, Gt, Ge, Eq]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn kernel_names_are_unique_and_sources_name_their_kernel() {
        let mut names = HashSet::new();
        for k in all_unary_kinds() {
            for (n, s) in [
                (unary_name(k), unary_source(k)),
                (unary_scale_name(k), unary_scale_source(k)),
            ] {
                assert!(s.contains(&format!("void {n}(")), "{n}");
                assert!(names.insert(n));
            }
        }
        for k in all_binary_kinds() {
            for (n, s) in [
                (binary_name(k), binary_source(k)),
                (binary_scale_name(k), binary_scale_source(k)),
            ] {
                assert!(s.contains(&format!("void {n}(")), "{n}");
                assert!(names.insert(n));
            }
        }
        for k in all_compare_kinds() {
            let (n, s) = (compare_kernel_name(k), compare_source(k));
            assert!(s.contains(&format!("void {n}(")), "{n}");
            assert!(names.insert(n));
        }
    }

    #[test]
    fn constants_become_parameters() {
        assert_eq!(unary_params(UnaryKind::Powi(-3)), (0.0, 0.0, -3));
        assert_eq!(unary_params(UnaryKind::Clamp(-1.0, 2.0)), (-1.0, 2.0, 0));
        assert_eq!(unary_params(UnaryKind::MulScalar(0.5)), (0.5, 0.0, 0));
        // the same kernel serves every constant
        assert_eq!(
            unary_source(UnaryKind::Powf(1.5)),
            unary_source(UnaryKind::Powf(-2.0))
        );
    }
}
