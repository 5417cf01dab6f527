//! Allocation-free monotonic rational-quadratic spline (Durkan, Bekasov,
//! Murray & Papamakarios 2019, "Neural Spline Flows", NeurIPS: eqs. 4–5 for
//! the map, eq. 6 for its derivative, Appendix A.3 for the inverse) on
//! `[−bound, bound]` with `K ≤ 16` bins and identity tails, in plain `f64`,
//! with a hand-written reverse-mode derivative for training.
//!
//! Raw parameters per element (`3K − 1`, the layout of
//! [`crate::flows::spline`]): `K` unnormalised widths, `K` unnormalised
//! heights, `K − 1` unconstrained interior derivatives. Widths and heights are
//! `(m + (1 − K m) softmax(·)) · 2 bound` (m = 1e-3); interior derivatives are
//! `m + softplus(r + c)` with `c = ln(e^{1−m} − 1)`, so that zero raw
//! parameters give the identity map; the end derivatives are 1 (C¹ tails).

// `!(x > 0.0)` deliberately rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

/// Largest supported number of bins.
pub const MAX_BINS: usize = 16;
const MIN_BIN: f64 = 1e-3;
const MIN_DERIV: f64 = 1e-3;

/// Offset `c` of the derivative parameters: `softplus(c) = 1 − MIN_DERIV`,
/// `c = ln(e^{0.999} − 1)`.
const DERIV_OFFSET: f64 = 0.539_742_417_236_952_2;

fn deriv_offset() -> f64 {
    DERIV_OFFSET
}

/// The arithmetic [`estrin14`] and [`estrin18`] need, on one `f64` or on
/// a vector of them.
trait Arith: Copy {
    /// `v` in every lane.
    fn splat(v: f64) -> Self;
    /// Lane-wise `self · o`.
    fn mul(self, o: Self) -> Self;
    /// Lane-wise `self · a + b`: two roundings on `f64` (no fused
    /// multiply–add, so results do not depend on the CPU), one on the
    /// AVX2 + FMA vectors.
    fn mul_add(self, a: Self, b: Self) -> Self;
}

impl Arith for f64 {
    #[inline(always)]
    fn splat(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        self * o
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        self * a + b
    }
}

/// `c_i + c_{i+1} x`, the first level of Estrin's scheme.
#[inline(always)]
fn pair<V: Arith>(x: V, c: &[f64], i: usize) -> V {
    V::splat(c[i + 1]).mul_add(x, V::splat(c[i]))
}

/// `Σ_{i<14} c_i x^i` by Estrin's scheme (Knuth, TAOCP vol. 2, §4.6.4):
/// pairs `c_{2j} + c_{2j+1} x`, then pairs of those with `x²`, `x⁴`, `x⁸`,
/// so the dependency chain is 8 operations deep instead of Horner's 26 and
/// independent evaluations overlap in the processor. One fixed order of
/// operations for every [`Arith`] type.
#[inline(always)]
fn estrin14<V: Arith>(x: V, c: &[f64; 14]) -> V {
    let x2 = x.mul(x);
    let x4 = x2.mul(x2);
    let x8 = x4.mul(x4);
    let q0 = pair(x, c, 2).mul_add(x2, pair(x, c, 0));
    let q1 = pair(x, c, 6).mul_add(x2, pair(x, c, 4));
    let q2 = pair(x, c, 10).mul_add(x2, pair(x, c, 8));
    let q3 = pair(x, c, 12);
    q3.mul_add(x4, q2).mul_add(x8, q1.mul_add(x4, q0))
}

/// `Σ_{i<18} c_i x^i` by Estrin's scheme (as [`estrin14`], one level more).
#[inline(always)]
fn estrin18<V: Arith>(x: V, c: &[f64; 18]) -> V {
    let x2 = x.mul(x);
    let x4 = x2.mul(x2);
    let x8 = x4.mul(x4);
    let x16 = x8.mul(x8);
    let q0 = pair(x, c, 2).mul_add(x2, pair(x, c, 0));
    let q1 = pair(x, c, 6).mul_add(x2, pair(x, c, 4));
    let q2 = pair(x, c, 10).mul_add(x2, pair(x, c, 8));
    let q3 = pair(x, c, 14).mul_add(x2, pair(x, c, 12));
    let q4 = pair(x, c, 16);
    let low = q3.mul_add(x4, q2).mul_add(x8, q1.mul_add(x4, q0));
    q4.mul_add(x16, low)
}

/// `ln(1 + e^x)`, branch-free: `max(x, 0) + ln(1 + t)` with `t = e^{−|x|}`
/// ([`exp_nonpos`]) and `ln(1 + t) = 2 atanh(s)`, `s = t / (2 + t) ≤ 1/3`,
/// summed to `s^35` (truncation < 2e-18 relative) by [`estrin18`].
#[inline(always)]
fn softplus(x: f64) -> f64 {
    let t = exp_nonpos(-x.abs());
    let s = t / (2.0 + t);
    let p = estrin18(s * s, &ATANH_SERIES);
    x.max(0.0) + 2.0 * s * p
}

/// `1 / (2m + 1)` for `m = 0..=17`: the series `atanh(s) = Σ s^{2m+1} / (2m + 1)`.
const ATANH_SERIES: [f64; 18] = [
    1.0,
    1.0 / 3.0,
    1.0 / 5.0,
    1.0 / 7.0,
    1.0 / 9.0,
    1.0 / 11.0,
    1.0 / 13.0,
    1.0 / 15.0,
    1.0 / 17.0,
    1.0 / 19.0,
    1.0 / 21.0,
    1.0 / 23.0,
    1.0 / 25.0,
    1.0 / 27.0,
    1.0 / 29.0,
    1.0 / 31.0,
    1.0 / 33.0,
    1.0 / 35.0,
];

/// `1 / (1 + e^{−x})`, the derivative of [`softplus`].
#[inline(always)]
fn sigmoid(x: f64) -> f64 {
    let t = exp_nonpos(-x.abs());
    if x >= 0.0 {
        1.0 / (1.0 + t)
    } else {
        t / (1.0 + t)
    }
}

/// `1/n!` for `n = 0..=13`.
const INV_FACT: [f64; 14] = [
    1.0,
    1.0,
    0.5,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

/// `e^x` for `x ≤ 0`, within 2 ulp of the correctly rounded value for
/// `x ≥ −708` (smaller `x` give `e^{−708}` ≈ 3e-308 instead of a smaller
/// number, which a softmax cannot tell apart from 0). Branch-free so that
/// loops over it vectorise: Cody–Waite reduction `x = k ln 2 + r`,
/// `|r| ≤ ln 2 / 2` (the split `ln 2` of fdlibm), the degree-13 Taylor
/// polynomial of `e^r` (truncation < 1e-17 relative; evaluated by
/// [`estrin14`]), times `2^k` built from
/// its bits. `k` comes from the round-to-nearest of `x log2 e + 1.5 · 2^52`.
#[inline(always)]
pub fn exp_nonpos(x: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0;
    const LN2_HI: f64 = 0.693_147_180_369_123_8;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    let x = x.clamp(-708.0, 0.0);
    let t = x * std::f64::consts::LOG2_E + MAGIC;
    let kf = t - MAGIC;
    let r = (x - kf * LN2_HI) - kf * LN2_LO;
    let p = estrin14(r, &INV_FACT);
    let k = t.to_bits() as i64 - MAGIC.to_bits() as i64;
    p * f64::from_bits(((k + 1023) << 52) as u64)
}

/// Softmax of `raw` into `sm`, and cumulative knots `(m + (1 − K m) sm) · 2B`
/// from `−B` into `knots` (`K + 1` values, the last set to `B` exactly).
#[inline]
fn knots(raw: &[f64], bound: f64, sm: &mut [f64], knots: &mut [f64]) {
    let k = raw.len();
    let mx = raw.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    for i in 0..k {
        sm[i] = exp_nonpos(raw[i] - mx);
    }
    let mut s = 0.0;
    for i in 0..k {
        s += sm[i];
    }
    let scale = (1.0 - MIN_BIN * k as f64) * 2.0 * bound;
    let inv_s = 1.0 / s;
    let mut acc = -bound;
    knots[0] = acc;
    for i in 0..k {
        sm[i] *= inv_s;
        acc += MIN_BIN * 2.0 * bound + scale * sm[i];
        knots[i + 1] = acc;
    }
    knots[k] = bound;
}

/// Interior derivative `δ` from its raw parameter.
#[inline]
fn deriv(r: f64) -> f64 {
    MIN_DERIV + softplus(r + deriv_offset())
}

/// The bin quantities at one point: knot positions, widths and derivatives.
struct Bin {
    b: usize,
    xb: f64,
    w: f64,
    yb: f64,
    h: f64,
    d0: f64,
    d1: f64,
}

fn derivs_at(raw_d: &[f64], k: usize, b: usize) -> (f64, f64) {
    let d0 = if b == 0 { 1.0 } else { deriv(raw_d[b - 1]) };
    let d1 = if b + 1 == k { 1.0 } else { deriv(raw_d[b]) };
    (d0, d1)
}

/// Forward map `y(x)` and `log dy/dx` of one element with raw parameters
/// `raw` (`3K − 1` values).
pub fn forward(x: f64, raw: &[f64], bound: f64) -> (f64, f64) {
    if !(x > -bound && x < bound) {
        return (x, 0.0);
    }
    let k = (raw.len() + 1) / 3;
    let (mut smw, mut smh) = ([0.0; MAX_BINS], [0.0; MAX_BINS]);
    let (mut xs, mut ys) = ([0.0; MAX_BINS + 1], [0.0; MAX_BINS + 1]);
    knots(&raw[..k], bound, &mut smw, &mut xs);
    knots(&raw[k..2 * k], bound, &mut smh, &mut ys);
    let b = (1..=k).find(|&i| x < xs[i]).unwrap_or(k) - 1;
    let (d0, d1) = derivs_at(&raw[2 * k..], k, b);
    let bin = Bin {
        b,
        xb: xs[b],
        w: xs[b + 1] - xs[b],
        yb: ys[b],
        h: ys[b + 1] - ys[b],
        d0,
        d1,
    };
    let (y, l, _) = eval(x, &bin);
    (y, l)
}

/// Partial derivatives of `(y, L = log dy/dx)` with respect to the local
/// quantities `(x, x_b, w, y_b, h, δ_b, δ_{b+1})`.
struct Partials {
    y: [f64; 7],
    l: [f64; 7],
}

/// Eqs. 4 and 6 of Durkan et al. (2019) inside bin `b`, with partials.
#[inline]
fn eval(x: f64, bin: &Bin) -> (f64, f64, Partials) {
    let Bin {
        xb, w, yb, h, d0, d1, ..
    } = *bin;
    let s = h / w;
    let xi = (x - xb) / w;
    let om = 1.0 - xi;
    let xo = xi * om;
    let a = s * xi * xi + d0 * xo;
    let dd = s + (d1 + d0 - 2.0 * s) * xo;
    let y = yb + h * a / dd;
    let nn = d1 * xi * xi + 2.0 * s * xo + d0 * om * om;
    let l = 2.0 * s.ln() + nn.ln() - 2.0 * dd.ln();
    // partials w.r.t. (xi, s, d0, d1) and h (direct)
    let da_dxi = 2.0 * s * xi + d0 * (1.0 - 2.0 * xi);
    let dd_dxi = (d1 + d0 - 2.0 * s) * (1.0 - 2.0 * xi);
    let dd_ds = 1.0 - 2.0 * xo;
    let y_a = h / dd;
    let y_d = -h * a / (dd * dd);
    let y_xi = y_a * da_dxi + y_d * dd_dxi;
    let y_s = y_a * xi * xi + y_d * dd_ds;
    let y_d0 = y_a * xo + y_d * xo;
    let y_d1 = y_d * xo;
    let y_h = a / dd;
    let l_xi = (2.0 * d1 * xi + 2.0 * s * (1.0 - 2.0 * xi) - 2.0 * d0 * om) / nn - 2.0 * dd_dxi / dd;
    let l_s = 2.0 / s + 2.0 * xo / nn - 2.0 * dd_ds / dd;
    let l_d0 = om * om / nn - 2.0 * xo / dd;
    let l_d1 = xi * xi / nn - 2.0 * xo / dd;
    // s = h / w, xi = (x − x_b) / w
    let chain = |g_xi: f64, g_s: f64, g_h: f64, g_yb: f64, g_d0: f64, g_d1: f64| -> [f64; 7] {
        [
            g_xi / w,
            -g_xi / w,
            -g_xi * xi / w - g_s * h / (w * w),
            g_yb,
            g_h + g_s / w,
            g_d0,
            g_d1,
        ]
    };
    let p = Partials {
        y: chain(y_xi, y_s, y_h, 1.0, y_d0, y_d1),
        l: chain(l_xi, l_s, 0.0, 0.0, l_d0, l_d1),
    };
    (y, l, p)
}

/// Forward map of one element and the reverse-mode derivative of
/// `g_y · y + g_l · log dy/dx`: returns `(y, log dy/dx, ∂/∂x)` and adds the
/// derivatives with respect to the raw parameters into `graw`.
pub fn forward_backward(
    x: f64,
    raw: &[f64],
    bound: f64,
    g_y: f64,
    g_l: f64,
    graw: &mut [f64],
) -> (f64, f64, f64) {
    if !(x > -bound && x < bound) {
        return (x, 0.0, g_y);
    }
    let k = (raw.len() + 1) / 3;
    let (mut smw, mut smh) = ([0.0; MAX_BINS], [0.0; MAX_BINS]);
    let (mut xs, mut ys) = ([0.0; MAX_BINS + 1], [0.0; MAX_BINS + 1]);
    knots(&raw[..k], bound, &mut smw, &mut xs);
    knots(&raw[k..2 * k], bound, &mut smh, &mut ys);
    let b = (1..=k).find(|&i| x < xs[i]).unwrap_or(k) - 1;
    let (d0, d1) = derivs_at(&raw[2 * k..], k, b);
    let bin = Bin {
        b,
        xb: xs[b],
        w: xs[b + 1] - xs[b],
        yb: ys[b],
        h: ys[b + 1] - ys[b],
        d0,
        d1,
    };
    let (y, l, p) = eval(x, &bin);
    let g: [f64; 7] = std::array::from_fn(|i| g_y * p.y[i] + g_l * p.l[i]);
    let scale = (1.0 - MIN_BIN * k as f64) * 2.0 * bound;
    // widths W_i: x_b = −B + Σ_{i<b} W_i, w = W_b; likewise heights
    let softmax_back = |sm: &[f64], g_knot: f64, g_width: f64, out: &mut [f64]| {
        // g_W_i = g_knot for i < b, g_width for i = b, 0 above
        let mut dot = 0.0;
        for i in 0..=b {
            let gw = if i < b { g_knot } else { g_width };
            dot += sm[i] * gw;
        }
        for i in 0..k {
            let gw = if i < b {
                g_knot
            } else if i == b {
                g_width
            } else {
                0.0
            };
            out[i] += scale * sm[i] * (gw - dot);
        }
    };
    softmax_back(&smw[..k], g[1], g[2], &mut graw[..k]);
    softmax_back(&smh[..k], g[3], g[4], &mut graw[k..2 * k]);
    let c = deriv_offset();
    if bin.b > 0 {
        graw[2 * k + bin.b - 1] += g[5] * sigmoid(raw[2 * k + bin.b - 1] + c);
    }
    if bin.b + 1 < k {
        graw[2 * k + bin.b] += g[6] * sigmoid(raw[2 * k + bin.b] + c);
    }
    (y, l, g[0])
}

/// Inverse map `x(y)` of one element (Appendix A.3 of Durkan et al. 2019:
/// the root of a quadratic in ξ, in its numerically stable form).
pub fn inverse(y: f64, raw: &[f64], bound: f64) -> f64 {
    if !(y > -bound && y < bound) {
        return y;
    }
    let k = (raw.len() + 1) / 3;
    let (mut smw, mut smh) = ([0.0; MAX_BINS], [0.0; MAX_BINS]);
    let (mut xs, mut ys) = ([0.0; MAX_BINS + 1], [0.0; MAX_BINS + 1]);
    knots(&raw[k..2 * k], bound, &mut smh, &mut ys);
    let b = (1..=k).find(|&i| y < ys[i]).unwrap_or(k) - 1;
    knots(&raw[..k], bound, &mut smw, &mut xs);
    let (d0, d1) = derivs_at(&raw[2 * k..], k, b);
    let w = xs[b + 1] - xs[b];
    let h = ys[b + 1] - ys[b];
    let s = h / w;
    let dy = y - ys[b];
    let c2 = d1 + d0 - 2.0 * s;
    let a = h * (s - d0) + dy * c2;
    let bb = h * d0 - dy * c2;
    let c = -s * dy;
    let disc = (bb * bb - 4.0 * a * c).max(0.0);
    let xi = (2.0 * c / (-bb - disc.sqrt())).clamp(0.0, 1.0);
    xs[b] + xi * w
}

/// [`inverse`] of the `y.len()` elements of `y` in place, element `e` with
/// raw parameters in columns: parameter `i` at `raw[i · stride + e]` (the
/// layout of the conditioner output of [`crate::compress::SplineFlow`]
/// in its column form), `bins` bins. The results equal those of [`inverse`]
/// to round-off (≤ 1e-13; tested): groups of four elements go through the
/// same operations in the same order on AVX2 vectors (where the CPU has
/// AVX2 and FMA), except that the polynomials of the exponential and the
/// softplus use fused multiply–adds; two groups interleaved, with the bin
/// found branch-free as the number of knots at or below `y` and the bin's
/// knots, widths and derivatives picked by blends; the remaining elements
/// (and other CPUs) go through [`inverse`], bit for bit the same on every
/// CPU.
pub fn inverse_columns(y: &mut [f64], raw: &[f64], stride: usize, bins: usize, bound: f64) {
    let p = 3 * bins - 1;
    assert!((2..=MAX_BINS).contains(&bins), "bins {bins} outside 2..=16");
    assert!(
        stride >= y.len() && raw.len() >= (p - 1) * stride + y.len(),
        "raw columns too short"
    );
    #[allow(unused_mut)]
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX2 and FMA; the asserts above keep every load of
            // columns 0..p at elements 0..y.len() inside `raw`.
            done = unsafe { avx2::inverse_columns(y, raw, stride, bins, bound) };
        }
    }
    let mut buf = [0.0; 3 * MAX_BINS - 1];
    for (e, v) in y.iter_mut().enumerate().skip(done) {
        for (i, b) in buf[..p].iter_mut().enumerate() {
            *b = raw[i * stride + e];
        }
        *v = inverse(*v, &buf[..p], bound);
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2;

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(k: usize, seed: f64) -> Vec<f64> {
        (0..3 * k - 1)
            .map(|i| (seed * (i as f64 + 1.0)).sin() * 1.5)
            .collect()
    }

    /// Same map as the tape spline of `crate::flows::spline` once the
    /// derivative offset is accounted for.
    #[test]
    fn matches_flows_spline() {
        for k in [4, 8, 16] {
            let r = raw(k, 0.37);
            let mut shifted = r.clone();
            for v in &mut shifted[2 * k..] {
                *v += deriv_offset();
            }
            for i in 0..101 {
                let x = -5.5 + 11.0 * i as f64 / 100.0;
                let (y, l) = forward(x, &r, 5.0);
                let (y2, l2) = crate::flows::spline::rq_forward(x, &shifted, k, 5.0);
                assert!((y - y2).abs() < 1e-12 && (l - l2).abs() < 1e-11, "k {k} x {x}");
            }
        }
    }

    /// The column-wise inversion gives the scalar one to round-off, inside
    /// and outside the interval (and at the knots), for several bin counts
    /// and lengths that are not multiples of the vector width.
    #[test]
    fn column_inverse_equals_scalar() {
        for k in [2, 5, 8, 16] {
            let p = 3 * k - 1;
            let n = 301;
            let stride = n + 3;
            let raw: Vec<f64> = (0..p * stride).map(|i| 2.0 * (0.37 * i as f64).sin()).collect();
            let mut y: Vec<f64> = (0..n).map(|i| -5.5 + 11.0 * i as f64 / (n - 1) as f64).collect();
            // exact knots and the interval's ends
            let el = |e: usize| (0..p).map(|i| raw[i * stride + e]).collect::<Vec<_>>();
            let (mut sm, mut ys) = ([0.0; MAX_BINS], [0.0; MAX_BINS + 1]);
            knots(&el(7)[k..2 * k], 5.0, &mut sm, &mut ys);
            y[7] = ys[1];
            y[8] = -5.0;
            y[9] = 5.0;
            y[10] = f64::NAN;
            let mut yc = y.clone();
            inverse_columns(&mut yc, &raw, stride, k, 5.0);
            for (e, (&a, &b)) in y.iter().zip(&yc).enumerate() {
                let s = inverse(a, &el(e), 5.0);
                // the same operations, the exponential and softplus polynomials fused
                assert!(
                    (s - b).abs() <= 1e-13 || (s.is_nan() && b.is_nan()),
                    "k {k} y {a}: {s} vs {b}"
                );
            }
        }
    }

    /// The branch-free exponential against the system `exp` on `[−708, 0]`.
    #[test]
    fn fast_exp_matches_libm() {
        let mut worst: f64 = 0.0;
        for i in 0..=200_000 {
            let x = -708.0 * (i as f64 / 200_000.0).powi(3);
            let (a, b) = (exp_nonpos(x), x.exp());
            worst = worst.max((a - b).abs() / b);
        }
        assert!(worst < 4.5e-16, "worst relative error {worst}");
        assert_eq!(exp_nonpos(0.0), 1.0);
        let (mut ws, mut wg): (f64, f64) = (0.0, 0.0);
        for i in 0..=8000 {
            let x = -40.0 + 80.0 * i as f64 / 8000.0;
            let sp = if x > 30.0 { x } else { x.exp().ln_1p() };
            ws = ws.max((softplus(x) - sp).abs() / sp);
            let sg = 1.0 / (1.0 + (-x).exp());
            wg = wg.max((sigmoid(x) - sg).abs() / sg);
        }
        assert!(ws < 1e-14 && wg < 1e-15, "softplus {ws}, sigmoid {wg}");
        assert!(exp_nonpos(-1e9) > 0.0 && exp_nonpos(-1e9) < 1e-300);
    }

    #[test]
    fn derivative_offset_constant() {
        assert!((softplus(DERIV_OFFSET) - (1.0 - MIN_DERIV)).abs() < 1e-15);
    }

    #[test]
    fn zero_parameters_give_identity() {
        let r = vec![0.0; 23];
        for x in [-3.9, -0.2, 0.0, 1.7, 3.99] {
            let (y, l) = forward(x, &r, 4.0);
            assert!((y - x).abs() < 1e-13 && l.abs() < 1e-12, "{x}: {y} {l}");
        }
    }

    #[test]
    fn inverse_of_forward() {
        let r = raw(8, 0.9);
        for i in 0..401 {
            let x = -6.0 + 12.0 * i as f64 / 400.0;
            let (y, _) = forward(x, &r, 5.0);
            assert!((inverse(y, &r, 5.0) - x).abs() < 1e-11, "x {x}");
        }
    }

    /// Hand-written reverse-mode derivatives against central differences, for
    /// `x`, every raw parameter, and both outputs.
    #[test]
    fn backward_matches_finite_differences() {
        let (k, bound) = (8, 3.0);
        let r = raw(k, 1.3);
        for &x in &[-2.7, -1.2, 0.05, 0.3, 1.9, 2.95, 3.5] {
            for (gy, gl) in [(1.0, 0.0), (0.0, 1.0), (0.7, -1.3)] {
                let mut graw = vec![0.0; r.len()];
                let (_, _, gx) = forward_backward(x, &r, bound, gy, gl, &mut graw);
                let f = |x: f64, r: &[f64]| {
                    let (y, l) = forward(x, r, bound);
                    gy * y + gl * l
                };
                let h = 1e-6;
                let fd = (f(x + h, &r) - f(x - h, &r)) / (2.0 * h);
                assert!((gx - fd).abs() < 1e-6 * (1.0 + fd.abs()), "x {x}: {gx} vs {fd}");
                for i in 0..r.len() {
                    let (mut a, mut b) = (r.clone(), r.clone());
                    a[i] += h;
                    b[i] -= h;
                    let fd = (f(x, &a) - f(x, &b)) / (2.0 * h);
                    assert!(
                        (graw[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
                        "x {x} raw {i}: {} vs {fd}",
                        graw[i]
                    );
                }
            }
        }
    }
}
