//! Accuracy of a surrogate against reference light curves, in AB magnitudes.

use super::afterglow::log_flux_to_mag;
use crate::compress::fidelity::quantile_sorted;
use serde::{Deserialize, Serialize};

/// Absolute errors of a surrogate [AB mag] against reference light curves.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    /// Light curves compared.
    pub n_curves: usize,
    /// Grid points with true AB magnitude ≤ the bright limit.
    pub n_bright: usize,
    /// The bright limit [AB mag] (30 by default).
    pub bright_limit_mag: f64,
    /// Median |Δm| over the bright points.
    pub median_bright: f64,
    /// 95th percentile of |Δm| over the bright points.
    pub p95_bright: f64,
    /// Largest |Δm| over the bright points.
    pub max_bright: f64,
    /// Median |Δm| over all points.
    pub median_all: f64,
    /// 95th percentile of |Δm| over all points.
    pub p95_all: f64,
}

/// Accuracy of predictions `pred` against `y_ref` (both log10 mJy,
/// `n × bands × times`) in AB magnitudes; "bright" points have a reference
/// magnitude ≤ `bright_limit_mag`.
pub fn accuracy_of(pred: &[f64], y_ref: &[f64], n: usize, bright_limit_mag: f64) -> Accuracy {
    let mut all = Vec::with_capacity(pred.len());
    let mut bright = Vec::new();
    for (p, r) in pred.iter().zip(y_ref) {
        let e = 2.5 * (p - r).abs();
        all.push(e);
        if log_flux_to_mag(*r) <= bright_limit_mag {
            bright.push(e);
        }
    }
    let q = |v: &mut Vec<f64>, f: f64| -> f64 {
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_by(|a, b| a.total_cmp(b));
        quantile_sorted(v, f)
    };
    Accuracy {
        n_curves: n,
        n_bright: bright.len(),
        bright_limit_mag,
        median_bright: q(&mut bright, 0.5),
        p95_bright: q(&mut bright, 0.95),
        max_bright: q(&mut bright, 1.0),
        median_all: q(&mut all, 0.5),
        p95_all: q(&mut all, 0.95),
    }
}
