//! Maps from a parameter's support to the real line, so that a flow fitted
//! in the mapped coordinates never draws outside the support:
//! `y = ln(x − a)` on `(a, ∞)`, `y = ln(b − x)` on `(−∞, b)`, and
//! `y = logit((x − a)/(b − a)) = ln(x − a) − ln(b − x)` on `(a, b)`.
//! Densities pick up `ln|dy/dx|`: `−ln(x − a)`, `−ln(b − x)` and
//! `ln(b − a) − ln(x − a) − ln(b − x)` respectively.

use serde::{Deserialize, Serialize};

/// The map of one parameter to the real line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BoundTransform {
    /// Unbounded: `y = x`.
    Identity,
    /// `x > lower`: `y = ln(x − lower)`.
    LogLower {
        /// Lower bound `a` (parameter units).
        lower: f64,
    },
    /// `x < upper`: `y = ln(upper − x)`.
    LogUpper {
        /// Upper bound `b` (parameter units).
        upper: f64,
    },
    /// `lower < x < upper`: `y = logit((x − a)/(b − a))`.
    Logit {
        /// Lower bound `a` (parameter units).
        lower: f64,
        /// Upper bound `b` (parameter units).
        upper: f64,
    },
}

impl BoundTransform {
    /// The transform for optional bounds `(lower, upper)`; `None` where they
    /// are not finite and ordered.
    pub fn from_bounds(lower: Option<f64>, upper: Option<f64>) -> Option<Self> {
        match (lower, upper) {
            (None, None) => Some(BoundTransform::Identity),
            (Some(a), None) if a.is_finite() => Some(BoundTransform::LogLower { lower: a }),
            (None, Some(b)) if b.is_finite() => Some(BoundTransform::LogUpper { upper: b }),
            (Some(a), Some(b)) if a.is_finite() && b.is_finite() && a < b => {
                Some(BoundTransform::Logit { lower: a, upper: b })
            }
            _ => None,
        }
    }

    /// The bounds `(lower, upper)` of the support.
    pub fn bounds(&self) -> (Option<f64>, Option<f64>) {
        match *self {
            BoundTransform::Identity => (None, None),
            BoundTransform::LogLower { lower } => (Some(lower), None),
            BoundTransform::LogUpper { upper } => (None, Some(upper)),
            BoundTransform::Logit { lower, upper } => (Some(lower), Some(upper)),
        }
    }

    /// A short name (`identity`, `log`, `log_upper`, `logit`).
    pub fn name(&self) -> &'static str {
        match self {
            BoundTransform::Identity => "identity",
            BoundTransform::LogLower { .. } => "log",
            BoundTransform::LogUpper { .. } => "log_upper",
            BoundTransform::Logit { .. } => "logit",
        }
    }

    /// Whether `x` lies strictly inside the support.
    pub fn contains(&self, x: f64) -> bool {
        let (a, b) = self.bounds();
        x.is_finite() && a.is_none_or(|a| x > a) && b.is_none_or(|b| x < b)
    }

    /// `y(x)` (unbounded coordinate); not finite outside the support.
    pub fn forward(&self, x: f64) -> f64 {
        match *self {
            BoundTransform::Identity => x,
            BoundTransform::LogLower { lower } => (x - lower).ln(),
            BoundTransform::LogUpper { upper } => (upper - x).ln(),
            BoundTransform::Logit { lower, upper } => (x - lower).ln() - (upper - x).ln(),
        }
    }

    /// `ln|dy/dx|` at `x`.
    pub fn log_jacobian(&self, x: f64) -> f64 {
        match *self {
            BoundTransform::Identity => 0.0,
            BoundTransform::LogLower { lower } => -(x - lower).ln(),
            BoundTransform::LogUpper { upper } => -(upper - x).ln(),
            BoundTransform::Logit { lower, upper } => {
                (upper - lower).ln() - (x - lower).ln() - (upper - x).ln()
            }
        }
    }

    /// `x(y)`; always inside the closed support (the logistic is evaluated
    /// in its overflow-free form).
    pub fn inverse(&self, y: f64) -> f64 {
        match *self {
            BoundTransform::Identity => y,
            BoundTransform::LogLower { lower } => lower + y.exp(),
            BoundTransform::LogUpper { upper } => upper - y.exp(),
            BoundTransform::Logit { lower, upper } => {
                let s = if y >= 0.0 {
                    1.0 / (1.0 + (-y).exp())
                } else {
                    let e = y.exp();
                    e / (1.0 + e)
                };
                (lower + (upper - lower) * s).clamp(lower, upper)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<(BoundTransform, Vec<f64>)> {
        vec![
            (BoundTransform::Identity, vec![-3.0, 0.0, 7.5]),
            (BoundTransform::LogLower { lower: 1.0 }, vec![1.001, 2.0, 300.0]),
            (BoundTransform::LogUpper { upper: 16.0 }, vec![-4.0, 12.0, 15.999]),
            (
                BoundTransform::Logit {
                    lower: 0.125,
                    upper: 1.0,
                },
                vec![0.13, 0.5, 0.9999],
            ),
        ]
    }

    #[test]
    fn inverse_of_forward_and_support() {
        for (t, xs) in all() {
            for x in xs {
                assert!(t.contains(x));
                let back = t.inverse(t.forward(x));
                assert!((back - x).abs() < 1e-9 * (1.0 + x.abs()), "{t:?} {x} {back}");
            }
            for y in [-800.0, -40.0, 0.0, 40.0, 800.0] {
                let x = t.inverse(y);
                let (a, b) = t.bounds();
                assert!(
                    a.is_none_or(|a| x >= a) && b.is_none_or(|b| x <= b),
                    "{t:?} {y} -> {x}"
                );
            }
        }
    }

    /// `ln|dy/dx|` against a central difference of the map.
    #[test]
    fn log_jacobian_matches_finite_difference() {
        for (t, xs) in all() {
            for x in xs {
                let h = 1e-7 * (1.0 + x.abs()) * if x > 0.999 && x < 1.0 { 1e-3 } else { 1.0 };
                let h = match t.bounds() {
                    (Some(a), _) if x - a < 10.0 * h => (x - a) / 10.0,
                    (_, Some(b)) if b - x < 10.0 * h => (b - x) / 10.0,
                    _ => h,
                };
                let fd = (t.forward(x + h) - t.forward(x - h)) / (2.0 * h);
                let lj = t.log_jacobian(x);
                assert!(
                    (fd.abs().ln() - lj).abs() < 1e-6,
                    "{t:?} at {x}: {} vs {lj}",
                    fd.ln()
                );
            }
        }
    }

    #[test]
    fn from_bounds_rejects_bad_ranges() {
        assert!(BoundTransform::from_bounds(Some(1.0), Some(1.0)).is_none());
        assert!(BoundTransform::from_bounds(Some(f64::NAN), None).is_none());
        assert_eq!(
            BoundTransform::from_bounds(Some(0.0), None),
            Some(BoundTransform::LogLower { lower: 0.0 })
        );
    }
}
