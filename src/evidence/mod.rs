//! Evidence by the learned harmonic mean (McEwen et al. 2021,
//! arXiv:2111.12720, eqs. 8–9; Polanska et al. 2024, arXiv:2405.05969):
//! with posterior draws θᵢ of the unnormalised posterior `p(θ) = L(θ) π(θ)`
//! and a normalised density φ concentrated inside the posterior,
//! `ρ̂ = (1/N) Σᵢ φ(θᵢ) / p(θᵢ)` estimates `1/Z`.
//!
//! φ is a flow trained on one part of the chains and then concentrated by
//! scaling its base variance by the temperature `T < 1` (default 0.8); ρ̂ is
//! averaged over the other chains. The error is that of the mean of the
//! per-chain averages (which keeps within-chain correlation out of the
//! error), propagated to `log Z = −log ρ̂` as `σ(ρ̂)/ρ̂`.

use crate::flows::{train_flow, CouplingFlow, FlowConfig, FlowError, TrainConfig};
use crate::samplers::run::SampleSet;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Errors of the evidence estimator.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// Too few chains or draws, or bad settings.
    #[error("invalid {name}: {msg}")]
    Invalid {
        /// The setting or input.
        name: String,
        /// What is wrong.
        msg: String,
    },
    /// From the flow.
    #[error(transparent)]
    Flow(#[from] FlowError),
}

/// Settings of [`learned_harmonic_mean`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EvidenceConfig {
    /// Temperature T scaling the flow's base variance (0 < T ≤ 1).
    pub temperature: f64,
    /// Fraction of the chains used to train the flow.
    pub train_fraction: f64,
    /// Flow architecture.
    pub flow: FlowConfig,
    /// Flow training.
    pub train: TrainConfig,
    /// At most this many training rows (thinned evenly).
    pub max_train: usize,
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        EvidenceConfig {
            temperature: 0.8,
            train_fraction: 0.5,
            flow: FlowConfig {
                n_layers: 4,
                hidden: vec![32, 32],
                max_log_scale: 3.0,
                ..Default::default()
            },
            train: TrainConfig {
                epochs: 40,
                batch_size: 1000,
                ..Default::default()
            },
            max_train: 20_000,
        }
    }
}

/// The evidence estimate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvidenceResult {
    /// `log Z` (natural log).
    pub log_z: f64,
    /// One-σ error of `log Z`.
    pub log_z_err: f64,
    /// Chains used to train the flow.
    pub n_train_chains: usize,
    /// Chains used for the estimate.
    pub n_infer_chains: usize,
    /// Draws used for the estimate.
    pub n_infer_draws: usize,
}

/// `log Z` from posterior draws `set` (with their unnormalised log
/// posterior values `set.logp`).
pub fn learned_harmonic_mean<R: Rng>(
    set: &SampleSet,
    config: &EvidenceConfig,
    rng: &mut R,
) -> Result<EvidenceResult, EvidenceError> {
    let (m, n, d) = (set.n_chains, set.n_draws, set.dim);
    let invalid = |name: &str, msg: String| EvidenceError::Invalid {
        name: name.into(),
        msg,
    };
    if !(config.temperature > 0.0 && config.temperature <= 1.0) {
        return Err(invalid(
            "temperature",
            format!("{} is not in (0, 1]", config.temperature),
        ));
    }
    let n_train = ((m as f64) * config.train_fraction).round() as usize;
    if m < 4 || n_train < 1 || m - n_train < 2 || n < 2 {
        return Err(invalid(
            "samples",
            format!("{m} chains of {n} draws are too few to split"),
        ));
    }
    // training rows: chains 0..n_train, thinned to max_train
    let rows = n_train * n;
    let stride = rows.div_ceil(config.max_train.max(1)).max(1);
    let train: Vec<f64> = (0..rows)
        .step_by(stride)
        .flat_map(|r| set.samples[r * d..(r + 1) * d].iter().copied())
        .collect();
    let mut flow = CouplingFlow::new(d, config.flow.clone(), rng)?;
    train_flow(&mut flow, &train, &config.train, None, rng)?;
    flow.base_var = config.temperature;
    // inference: remaining chains
    let mut chain_log_means = Vec::with_capacity(m - n_train);
    let mut all = Vec::with_capacity((m - n_train) * n);
    for c in n_train..m {
        let xs = &set.samples[c * n * d..(c + 1) * n * d];
        let lq = flow.log_prob(xs)?;
        let terms: Vec<f64> = lq
            .iter()
            .zip(&set.logp[c * n..(c + 1) * n])
            .map(|(q, p)| q - p)
            .collect();
        chain_log_means.push(log_mean_exp(&terms));
        all.extend(terms);
    }
    let log_rho = log_mean_exp(&all);
    // relative error from the spread of per-chain means
    let k = chain_log_means.len() as f64;
    let rel: Vec<f64> = chain_log_means.iter().map(|l| (l - log_rho).exp()).collect();
    let mean_rel = rel.iter().sum::<f64>() / k;
    let var = rel.iter().map(|r| (r - mean_rel).powi(2)).sum::<f64>() / (k - 1.0);
    Ok(EvidenceResult {
        log_z: -log_rho,
        log_z_err: (var / k).sqrt(),
        n_train_chains: n_train,
        n_infer_chains: m - n_train,
        n_infer_draws: all.len(),
    })
}

/// `log((1/N) Σ exp(vᵢ))`, stable; non-finite terms count as zero.
fn log_mean_exp(v: &[f64]) -> f64 {
    let mx = v
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    if !mx.is_finite() {
        return f64::NEG_INFINITY;
    }
    let s: f64 = v.iter().filter(|x| x.is_finite()).map(|x| (x - mx).exp()).sum();
    mx + (s / v.len() as f64).ln()
}
