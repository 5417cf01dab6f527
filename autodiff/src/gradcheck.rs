//! Gradient checking against finite differences (a public utility).

use crate::error::{AdError, Result};
use crate::functional::{value_and_grads, IntoTensorResult};
use crate::tensor::Tensor;

/// Settings of [`check_gradients`].
#[derive(Clone, Debug)]
pub struct GradCheckOptions {
    /// Relative step: h = step · max(1, |x|).
    pub step: f64,
    /// Components with |gradient| below `floor · max(1, max|gradient|)` are
    /// compared absolutely against that floor: with the default 1e-4, a
    /// relative tolerance of 1e-6 allows 1e-10 absolute error on components
    /// that are zero, about the round-off of the finite differences.
    pub floor: f64,
}

impl Default for GradCheckOptions {
    fn default() -> Self {
        GradCheckOptions {
            step: 1e-4,
            floor: 1e-4,
        }
    }
}

/// Outcome of a gradient check.
#[derive(Clone, Debug)]
pub struct GradCheckReport {
    /// Largest relative error |analytic − numeric| / max(|analytic|, |numeric|, floor).
    pub max_rel_error: f64,
    /// (input, flat element) where it occurs.
    pub worst: (usize, usize),
    /// Analytic gradient there.
    pub analytic: f64,
    /// Finite-difference gradient there.
    pub numeric: f64,
}

/// Compares reverse-mode gradients of `f` at `xs` with fourth-order central
/// differences, component by component. A non-scalar output is contracted
/// with fixed pseudo-random weights first, so the check covers every output.
pub fn check_gradients<F, R>(f: F, xs: &[Tensor], opts: &GradCheckOptions) -> Result<GradCheckReport>
where
    F: Fn(&[Tensor]) -> R,
    R: IntoTensorResult,
{
    let contract = |ps: &[Tensor]| -> Result<Tensor> {
        let y = f(ps).into_result()?;
        if y.numel() == 1 {
            return Ok(y.sum_all());
        }
        let w: Vec<f64> = (0..y.numel())
            .map(|i| 0.5 + ((i as f64 * 0.754_877_666).fract()))
            .collect();
        let w = Tensor::from_vec(w, y.shape())?;
        Ok((&y * &w).sum_all())
    };
    let (_, analytic) = value_and_grads(contract, xs)?;
    let gmax = analytic
        .iter()
        .map(|g| g.to_vec().map(|v| v.iter().fold(0.0f64, |m, x| m.max(x.abs()))))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .fold(0.0f64, f64::max);
    let floor = opts.floor * gmax.max(1.0);
    let mut report = GradCheckReport {
        max_rel_error: 0.0,
        worst: (0, 0),
        analytic: 0.0,
        numeric: 0.0,
    };
    let eval = |ps: &[Tensor]| -> Result<f64> { contract(ps)?.item() };
    for (i, x) in xs.iter().enumerate() {
        let base = x.to_vec()?;
        let a = analytic[i].to_vec()?;
        for j in 0..base.len() {
            let h = opts.step * base[j].abs().max(1.0);
            let at = |d: f64| -> Result<f64> {
                let mut v = base.clone();
                v[j] += d;
                let mut ps = xs.to_vec();
                ps[i] = Tensor::from_vec(v, x.shape())?;
                eval(&ps)
            };
            let num = (-at(2.0 * h)? + 8.0 * at(h)? - 8.0 * at(-h)? + at(-2.0 * h)?) / (12.0 * h);
            if !num.is_finite() {
                return Err(AdError::NonFinite {
                    op: "check_gradients",
                    index: j,
                    shapes: vec![x.0.shape.clone()],
                });
            }
            let err = (a[j] - num).abs() / a[j].abs().max(num.abs()).max(floor);
            if err > report.max_rel_error || !err.is_finite() {
                report = GradCheckReport {
                    max_rel_error: err,
                    worst: (i, j),
                    analytic: a[j],
                    numeric: num,
                };
            }
        }
    }
    Ok(report)
}
