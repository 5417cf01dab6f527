//! Running a local kernel over many chains: warm-up with step-size and
//! mass-matrix adaptation, then sampling.

// `!(x > 0.0)` deliberately rejects NaN; index loops mirror the formulas.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

use super::adapt::{within_chain_variance, DualAveraging};
use super::kernels::{Chains, KernelKind, LocalKernel};
use super::{LogDensity, SamplerError};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Settings of [`run_local`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocalRunConfig {
    /// The kernel.
    pub kernel: KernelKind,
    /// Warm-up steps (adaptation; discarded).
    pub n_warmup: usize,
    /// Kept draws per chain (after thinning).
    pub n_draws: usize,
    /// Steps between kept draws.
    pub thin: usize,
    /// Initial step size.
    pub step_size: f64,
    /// Adapt the diagonal mass matrix during warm-up.
    pub adapt_mass: bool,
}

impl Default for LocalRunConfig {
    fn default() -> Self {
        LocalRunConfig {
            kernel: KernelKind::Mala,
            n_warmup: 1000,
            n_draws: 1000,
            thin: 1,
            step_size: 0.1,
            adapt_mass: true,
        }
    }
}

/// Draws of many chains.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SampleSet {
    /// Number of chains.
    pub n_chains: usize,
    /// Draws per chain.
    pub n_draws: usize,
    /// Parameters.
    pub dim: usize,
    /// Positions `[n_chains, n_draws, dim]`.
    pub samples: Vec<f64>,
    /// `log p` `[n_chains, n_draws]`.
    pub logp: Vec<f64>,
    /// Mean acceptance rate of the kept steps.
    pub acceptance: f64,
    /// Total log-density (+gradient) evaluations, summed over chains.
    pub n_logdensity_evals: u64,
}

impl SampleSet {
    /// An empty set for `n_chains` chains of `dim` parameters.
    pub fn new(n_chains: usize, dim: usize) -> Self {
        SampleSet {
            n_chains,
            n_draws: 0,
            dim,
            samples: Vec::new(),
            logp: Vec::new(),
            acceptance: 0.0,
            n_logdensity_evals: 0,
        }
    }

    /// Builds a set from draws recorded step-major `[n_draws][n_chains][dim]`.
    pub fn from_step_major(x: &[f64], logp: &[f64], n_draws: usize, n_chains: usize, dim: usize) -> Self {
        let mut samples = vec![0.0; x.len()];
        let mut lp = vec![0.0; logp.len()];
        for t in 0..n_draws {
            for c in 0..n_chains {
                let src = (t * n_chains + c) * dim;
                let dst = (c * n_draws + t) * dim;
                samples[dst..dst + dim].copy_from_slice(&x[src..src + dim]);
                lp[c * n_draws + t] = logp[t * n_chains + c];
            }
        }
        SampleSet {
            n_chains,
            n_draws,
            dim,
            samples,
            logp: lp,
            acceptance: 0.0,
            n_logdensity_evals: 0,
        }
    }

    /// The draws of parameter `j` as `[n_chains, n_draws]`.
    pub fn param(&self, j: usize) -> Vec<f64> {
        self.samples.iter().skip(j).step_by(self.dim).copied().collect()
    }
}

/// Runs `config` from the starts `x0` (`[n_chains, dim]`).
pub fn run_local<D: LogDensity + ?Sized, R: Rng>(
    density: &D,
    x0: Vec<f64>,
    config: &LocalRunConfig,
    rng: &mut R,
) -> Result<(SampleSet, LocalKernel), SamplerError> {
    if !(config.step_size > 0.0) {
        return Err(SamplerError::invalid("step_size", "must be positive"));
    }
    let mut chains = Chains::new(density, x0)?;
    let (n, d) = (chains.n_chains, chains.dim);
    let mut kernel = LocalKernel::new(config.kernel, config.step_size, d);
    let mut evals = n as u64;
    let target = config.kernel.target_acceptance();
    let mut da = DualAveraging::new(kernel.step_size, target);
    let window = (config.n_warmup / 4, 3 * config.n_warmup / 4);
    let mut hist: Vec<f64> = Vec::new();
    for t in 0..config.n_warmup {
        let st = kernel.step(density, &mut chains, rng)?;
        evals += (st.n_evals * n) as u64;
        kernel.step_size = da.update(st.mean_accept_prob);
        if config.adapt_mass && t >= window.0 && t < window.1 {
            hist.extend_from_slice(&chains.x);
            if t + 1 == window.1 {
                kernel.set_diagonal_inv_mass(within_chain_variance(&hist, hist.len() / (n * d), n, d));
                hist.clear();
                da = DualAveraging::new(kernel.step_size, target);
            }
        }
    }
    if config.n_warmup > 0 {
        kernel.step_size = da.final_step_size();
    }
    let thin = config.thin.max(1);
    let mut xs = Vec::with_capacity(config.n_draws * n * d);
    let mut lps = Vec::with_capacity(config.n_draws * n);
    let mut accepted = 0usize;
    for _ in 0..config.n_draws {
        for _ in 0..thin {
            let st = kernel.step(density, &mut chains, rng)?;
            evals += (st.n_evals * n) as u64;
            accepted += st.n_accepted;
        }
        xs.extend_from_slice(&chains.x);
        lps.extend_from_slice(&chains.logp);
    }
    let mut set = SampleSet::from_step_major(&xs, &lps, config.n_draws, n, d);
    set.acceptance = accepted as f64 / (config.n_draws * thin * n).max(1) as f64;
    set.n_logdensity_evals = evals;
    Ok((set, kernel))
}
