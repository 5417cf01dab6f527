//! Posterior summaries of a [`SampleSet`]: means, standard deviations,
//! quantiles, ESS and R̂ per parameter.

use super::diagnostics::{ess_mean, split_rhat};
use super::run::SampleSet;
use serde::{Deserialize, Serialize};

/// Per-parameter summary of the draws.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    /// Posterior means.
    pub mean: Vec<f64>,
    /// Posterior standard deviations.
    pub std: Vec<f64>,
    /// 5 %, 50 % and 95 % quantiles per parameter.
    pub quantiles: Vec<[f64; 3]>,
    /// Effective sample size of the mean per parameter.
    pub ess: Vec<f64>,
    /// Split-R̂ per parameter.
    pub rhat: Vec<f64>,
    /// Smallest ESS.
    pub ess_min: f64,
    /// Median ESS.
    pub ess_median: f64,
    /// Largest R̂.
    pub rhat_max: f64,
    /// Mean acceptance rate.
    pub acceptance: f64,
}

/// Summarises all draws of `set`.
pub fn summarize(set: &SampleSet) -> Summary {
    let (m, n, d) = (set.n_chains, set.n_draws, set.dim);
    let mut s = Summary {
        mean: vec![],
        std: vec![],
        quantiles: vec![],
        ess: vec![],
        rhat: vec![],
        ess_min: f64::NAN,
        ess_median: f64::NAN,
        rhat_max: f64::NAN,
        acceptance: set.acceptance,
    };
    for j in 0..d {
        let col = set.param(j);
        let k = col.len().max(1) as f64;
        let mean = col.iter().sum::<f64>() / k;
        let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (k - 1.0).max(1.0);
        let mut sorted = col.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        let q = |p: f64| {
            if sorted.is_empty() {
                f64::NAN
            } else {
                let pos = p * (sorted.len() - 1) as f64;
                let (lo, f) = (pos.floor() as usize, pos - pos.floor());
                sorted[lo] + f * (sorted[(lo + 1).min(sorted.len() - 1)] - sorted[lo])
            }
        };
        s.mean.push(mean);
        s.std.push(var.sqrt());
        s.quantiles.push([q(0.05), q(0.5), q(0.95)]);
        s.ess.push(ess_mean(&col, m, n));
        s.rhat.push(split_rhat(&col, m, n));
    }
    let mut e: Vec<f64> = s.ess.iter().copied().filter(|v| v.is_finite()).collect();
    e.sort_by(|a, b| a.total_cmp(b));
    if !e.is_empty() {
        s.ess_min = e[0];
        s.ess_median = e[e.len() / 2];
    }
    s.rhat_max = s.rhat.iter().copied().fold(f64::NAN, f64::max);
    s
}
