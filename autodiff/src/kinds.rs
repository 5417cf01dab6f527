//! Element-wise operation kinds and their local derivatives: the single
//! place where each function and its derivative are written. Kernels on every
//! device, the VJPs and the JVPs all call these.

use crate::real::{sigmoid_f64, softplus_f64};

/// A one-input element-wise function (constants baked in).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnaryKind {
    /// −x
    Neg,
    /// eˣ
    Exp,
    /// ln x
    Ln,
    /// ln(1+x)
    Log1p,
    /// eˣ − 1
    Expm1,
    /// √x
    Sqrt,
    /// sin x
    Sin,
    /// cos x
    Cos,
    /// tan x
    Tan,
    /// atan x
    Atan,
    /// tanh x
    Tanh,
    /// 1/(1+e⁻ˣ)
    Sigmoid,
    /// ln(1+eˣ)
    Softplus,
    /// |x|
    Abs,
    /// 1/x
    Recip,
    /// x²
    Square,
    /// xⁿ
    Powi(i32),
    /// xᵖ
    Powf(f64),
    /// x + c
    AddScalar(f64),
    /// c·x
    MulScalar(f64),
    /// clamp(x, lo, hi)
    Clamp(f64, f64),
}

impl UnaryKind {
    /// Short name used in error messages.
    pub fn name(self) -> &'static str {
        use UnaryKind::*;
        match self {
            Neg => "neg",
            Exp => "exp",
            Ln => "ln",
            Log1p => "log1p",
            Expm1 => "expm1",
            Sqrt => "sqrt",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Atan => "atan",
            Tanh => "tanh",
            Sigmoid => "sigmoid",
            Softplus => "softplus",
            Abs => "abs",
            Recip => "recip",
            Square => "square",
            Powi(_) => "powi",
            Powf(_) => "powf",
            AddScalar(_) => "add_scalar",
            MulScalar(_) => "mul_scalar",
            Clamp(..) => "clamp",
        }
    }

    /// f(x).
    #[inline(always)]
    pub fn apply(self, x: f64) -> f64 {
        use UnaryKind::*;
        match self {
            Neg => -x,
            Exp => x.exp(),
            Ln => x.ln(),
            Log1p => x.ln_1p(),
            Expm1 => x.exp_m1(),
            Sqrt => x.sqrt(),
            Sin => x.sin(),
            Cos => x.cos(),
            Tan => x.tan(),
            Atan => x.atan(),
            Tanh => x.tanh(),
            Sigmoid => sigmoid_f64(x),
            Softplus => softplus_f64(x),
            Abs => x.abs(),
            Recip => 1.0 / x,
            Square => x * x,
            Powi(n) => x.powi(n),
            Powf(p) => x.powf(p),
            AddScalar(c) => x + c,
            MulScalar(c) => c * x,
            Clamp(lo, hi) => x.max(lo).min(hi),
        }
    }

    /// f'(x), given the input `x` and the output `y = f(x)`.
    #[inline(always)]
    pub fn derivative(self, x: f64, y: f64) -> f64 {
        use UnaryKind::*;
        match self {
            Neg => -1.0,
            Exp => y,
            Ln => 1.0 / x,
            Log1p => 1.0 / (1.0 + x),
            Expm1 => y + 1.0,
            Sqrt => 0.5 / y,
            Sin => x.cos(),
            Cos => -x.sin(),
            Tan => 1.0 + y * y,
            Atan => 1.0 / (1.0 + x * x),
            Tanh => 1.0 - y * y,
            Sigmoid => y * (1.0 - y),
            Softplus => sigmoid_f64(x),
            Abs => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            Recip => -y * y,
            Square => 2.0 * x,
            Powi(0) => 0.0,
            Powi(n) => n as f64 * x.powi(n - 1),
            Powf(p) => {
                if p == 0.0 {
                    0.0
                } else {
                    p * x.powf(p - 1.0)
                }
            }
            AddScalar(_) => 1.0,
            MulScalar(c) => c,
            Clamp(lo, hi) => {
                if x >= lo && x <= hi {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    /// Whether the op is linear (its tangent is the op applied to the tangent).
    pub fn is_affine(self) -> bool {
        matches!(
            self,
            UnaryKind::Neg | UnaryKind::AddScalar(_) | UnaryKind::MulScalar(_)
        )
    }
}

/// A two-input element-wise function (broadcasting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryKind {
    /// a + b
    Add,
    /// a − b
    Sub,
    /// a · b
    Mul,
    /// a / b
    Div,
    /// aᵇ
    Pow,
    /// atan2(a, b) (a is y)
    Atan2,
    /// min(a, b) (ties go to a)
    Min,
    /// max(a, b) (ties go to a)
    Max,
}

impl BinaryKind {
    /// Short name used in error messages.
    pub fn name(self) -> &'static str {
        use BinaryKind::*;
        match self {
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            Div => "div",
            Pow => "pow",
            Atan2 => "atan2",
            Min => "minimum",
            Max => "maximum",
        }
    }
    /// f(a, b).
    #[inline(always)]
    pub fn apply(self, a: f64, b: f64) -> f64 {
        use BinaryKind::*;
        match self {
            Add => a + b,
            Sub => a - b,
            Mul => a * b,
            Div => a / b,
            Pow => a.powf(b),
            Atan2 => a.atan2(b),
            Min => {
                if b < a {
                    b
                } else {
                    a
                }
            }
            Max => {
                if b > a {
                    b
                } else {
                    a
                }
            }
        }
    }
    /// (∂f/∂a, ∂f/∂b) at (a, b) with output y.
    #[inline(always)]
    pub fn derivatives(self, a: f64, b: f64, y: f64) -> (f64, f64) {
        use BinaryKind::*;
        match self {
            Add => (1.0, 1.0),
            Sub => (1.0, -1.0),
            Mul => (b, a),
            Div => (1.0 / b, -y / b),
            Pow => {
                let da = if b == 0.0 { 0.0 } else { b * a.powf(b - 1.0) };
                let db = if a > 0.0 { y * a.ln() } else { 0.0 };
                (da, db)
            }
            Atan2 => {
                let r2 = a * a + b * b;
                (b / r2, -a / r2)
            }
            Min => {
                if b < a {
                    (0.0, 1.0)
                } else {
                    (1.0, 0.0)
                }
            }
            Max => {
                if b > a {
                    (0.0, 1.0)
                } else {
                    (1.0, 0.0)
                }
            }
        }
    }
}

/// An element-wise comparison producing a 0/1 mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpKind {
    /// a < b
    Lt,
    /// a ≤ b
    Le,
    /// a > b
    Gt,
    /// a ≥ b
    Ge,
    /// a == b
    Eq,
}

impl CmpKind {
    /// 1.0 where the comparison holds, else 0.0.
    #[inline(always)]
    pub fn apply(self, a: f64, b: f64) -> f64 {
        let t = match self {
            CmpKind::Lt => a < b,
            CmpKind::Le => a <= b,
            CmpKind::Gt => a > b,
            CmpKind::Ge => a >= b,
            CmpKind::Eq => a == b,
        };
        if t {
            1.0
        } else {
            0.0
        }
    }
}
