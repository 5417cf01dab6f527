//! Local MCMC kernels applied to all chains at once: MALA (Roberts & Tweedie
//! 1996), HMC with a leapfrog integrator (Neal 2011, eq. 5.18–5.20) and a
//! Gaussian random walk, all preconditioned by a diagonal inverse mass
//! matrix `Σ = diag(inv_mass)` (an estimate of the posterior variances).

// `!(x > 0.0)` deliberately rejects NaN; index loops mirror the formulas.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

use super::{LogDensity, SamplerError};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// The state of `n_chains` chains: positions, log-densities and gradients
/// (row-major `[n_chains, dim]`). The gradient is cached so that MALA costs
/// one value+gradient evaluation per step.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Chains {
    /// Number of chains.
    pub n_chains: usize,
    /// Parameters per chain.
    pub dim: usize,
    /// Positions `[n_chains, dim]`.
    pub x: Vec<f64>,
    /// `log p(x)` per chain.
    pub logp: Vec<f64>,
    /// `∇ log p(x)` `[n_chains, dim]`.
    pub grad: Vec<f64>,
}

impl Chains {
    /// Chains started at `x0` (`[n_chains, dim]`); evaluates the density
    /// once. Every start must have a finite log-density.
    pub fn new<D: LogDensity + ?Sized>(density: &D, x0: Vec<f64>) -> Result<Self, SamplerError> {
        let dim = density.dim();
        if dim == 0 || x0.is_empty() || x0.len() % dim != 0 {
            return Err(SamplerError::Shape(format!(
                "{} start values for dim {dim}",
                x0.len()
            )));
        }
        let n = x0.len() / dim;
        let mut logp = vec![0.0; n];
        let mut grad = vec![0.0; x0.len()];
        density.log_density_and_grad(&x0, &mut logp, &mut grad)?;
        if let Some(i) = logp.iter().position(|v| !v.is_finite()) {
            return Err(SamplerError::NotFinite(format!(
                "start of chain {i} at {:?}",
                &x0[i * dim..(i + 1) * dim]
            )));
        }
        Ok(Chains {
            n_chains: n,
            dim,
            x: x0,
            logp,
            grad,
        })
    }
}

/// Which local kernel.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub enum KernelKind {
    /// Metropolis-adjusted Langevin algorithm.
    Mala,
    /// Hamiltonian Monte Carlo with `n_leapfrog` leapfrog steps per proposal.
    Hmc {
        /// Leapfrog steps per trajectory.
        n_leapfrog: usize,
    },
    /// Gaussian random walk Metropolis.
    RandomWalk,
}

impl KernelKind {
    /// The acceptance rate the step size is tuned to: 0.574 for MALA
    /// (Roberts & Rosenthal 1998), 0.65 for HMC (Beskos et al. 2013), 0.234
    /// for the random walk (Roberts et al. 1997).
    pub fn target_acceptance(&self) -> f64 {
        match self {
            KernelKind::Mala => 0.574,
            KernelKind::Hmc { .. } => 0.65,
            KernelKind::RandomWalk => 0.234,
        }
    }
    /// Log-density evaluations per step and chain.
    pub fn evals_per_step(&self) -> usize {
        match self {
            KernelKind::Hmc { n_leapfrog } => *n_leapfrog,
            _ => 1,
        }
    }
}

/// A local kernel with its tuning: a global step size and a diagonal
/// inverse mass matrix shared by all chains.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LocalKernel {
    /// The kernel.
    pub kind: KernelKind,
    /// Step size ε (dimensionless, in units of `sqrt(inv_mass)`).
    pub step_size: f64,
    /// Diagonal inverse mass matrix (parameter variances), `[dim]`.
    pub inv_mass: Vec<f64>,
}

/// Per-step statistics of a kernel application.
#[derive(Debug, Clone, Default)]
pub struct StepStats {
    /// Mean over chains of the Metropolis acceptance probability `min(1, α)`.
    pub mean_accept_prob: f64,
    /// Number of accepted proposals.
    pub n_accepted: usize,
    /// Log-density (+gradient) evaluations per chain.
    pub n_evals: usize,
}

impl LocalKernel {
    /// A kernel with unit inverse mass and `step_size`, for `dim` parameters.
    pub fn new(kind: KernelKind, step_size: f64, dim: usize) -> Self {
        LocalKernel {
            kind,
            step_size,
            inv_mass: vec![1.0; dim],
        }
    }

    /// One step of all chains; updates `chains` in place.
    pub fn step<D: LogDensity + ?Sized, R: Rng>(
        &self,
        density: &D,
        chains: &mut Chains,
        rng: &mut R,
    ) -> Result<StepStats, SamplerError> {
        if self.inv_mass.len() != chains.dim {
            return Err(SamplerError::Shape(format!(
                "inverse mass of length {} for dim {}",
                self.inv_mass.len(),
                chains.dim
            )));
        }
        match self.kind {
            KernelKind::Mala => self.mala(density, chains, rng),
            KernelKind::Hmc { n_leapfrog } => self.hmc(density, chains, rng, n_leapfrog.max(1)),
            KernelKind::RandomWalk => self.random_walk(density, chains, rng),
        }
    }

    fn accept<R: Rng>(chains: &mut Chains, prop: &Proposal, log_alpha: &[f64], rng: &mut R) -> StepStats {
        let d = chains.dim;
        let mut st = StepStats::default();
        for (i, &la) in log_alpha.iter().enumerate() {
            let la = if la.is_nan() { f64::NEG_INFINITY } else { la };
            st.mean_accept_prob += la.min(0.0).exp();
            let u: f64 = rng.gen();
            if u.ln() < la {
                st.n_accepted += 1;
                chains.x[i * d..(i + 1) * d].copy_from_slice(&prop.x[i * d..(i + 1) * d]);
                chains.grad[i * d..(i + 1) * d].copy_from_slice(&prop.grad[i * d..(i + 1) * d]);
                chains.logp[i] = prop.logp[i];
            }
        }
        st.mean_accept_prob /= log_alpha.len().max(1) as f64;
        st
    }

    /// MALA: `y = x + ε²/2 Σ∇log p(x) + ε Σ^{1/2} z`, with the Metropolis–Hastings
    /// correction for the asymmetric Langevin proposal.
    fn mala<D: LogDensity + ?Sized, R: Rng>(
        &self,
        density: &D,
        chains: &mut Chains,
        rng: &mut R,
    ) -> Result<StepStats, SamplerError> {
        let (n, d, eps) = (chains.n_chains, chains.dim, self.step_size);
        let h = 0.5 * eps * eps;
        let mut prop = Proposal::new(n, d);
        for i in 0..n {
            for j in 0..d {
                let k = i * d + j;
                let z: f64 = rng.sample(StandardNormal);
                prop.x[k] =
                    chains.x[k] + h * self.inv_mass[j] * chains.grad[k] + eps * self.inv_mass[j].sqrt() * z;
            }
        }
        density.log_density_and_grad(&prop.x, &mut prop.logp, &mut prop.grad)?;
        // log q(b | a) = -|b - a - h Σ g(a)|²_{Σ⁻¹} / (4h)
        let log_q = |to: &[f64], from: &[f64], g: &[f64]| -> f64 {
            let mut s = 0.0;
            for j in 0..d {
                let r = to[j] - from[j] - h * self.inv_mass[j] * g[j];
                s += r * r / self.inv_mass[j];
            }
            -s / (4.0 * h)
        };
        let log_alpha: Vec<f64> = (0..n)
            .map(|i| {
                let r = i * d..(i + 1) * d;
                if !prop.logp[i].is_finite() {
                    return f64::NEG_INFINITY;
                }
                prop.logp[i] - chains.logp[i]
                    + log_q(&chains.x[r.clone()], &prop.x[r.clone()], &prop.grad[r.clone()])
                    - log_q(&prop.x[r.clone()], &chains.x[r.clone()], &chains.grad[r])
            })
            .collect();
        let mut st = Self::accept(chains, &prop, &log_alpha, rng);
        st.n_evals = 1;
        Ok(st)
    }

    /// HMC: momentum `p ~ N(0, Σ⁻¹)`, `n_leapfrog` leapfrog steps of size ε,
    /// accept with `exp(-ΔH)`.
    fn hmc<D: LogDensity + ?Sized, R: Rng>(
        &self,
        density: &D,
        chains: &mut Chains,
        rng: &mut R,
        n_leapfrog: usize,
    ) -> Result<StepStats, SamplerError> {
        let (n, d, eps) = (chains.n_chains, chains.dim, self.step_size);
        let mut p = vec![0.0; n * d];
        for i in 0..n {
            for j in 0..d {
                let z: f64 = rng.sample(StandardNormal);
                p[i * d + j] = z / self.inv_mass[j].sqrt();
            }
        }
        let kinetic = |p: &[f64], i: usize| -> f64 {
            (0..d)
                .map(|j| 0.5 * p[i * d + j].powi(2) * self.inv_mass[j])
                .sum()
        };
        let h0: Vec<f64> = (0..n).map(|i| -chains.logp[i] + kinetic(&p, i)).collect();
        let mut prop = Proposal::new(n, d);
        prop.x.copy_from_slice(&chains.x);
        prop.grad.copy_from_slice(&chains.grad);
        for _ in 0..n_leapfrog {
            for i in 0..n * d {
                p[i] += 0.5 * eps * prop.grad[i];
                prop.x[i] += eps * self.inv_mass[i % d] * p[i];
            }
            density.log_density_and_grad(&prop.x, &mut prop.logp, &mut prop.grad)?;
            for i in 0..n * d {
                p[i] += 0.5 * eps * prop.grad[i];
            }
        }
        let log_alpha: Vec<f64> = (0..n)
            .map(|i| {
                if !prop.logp[i].is_finite() {
                    return f64::NEG_INFINITY;
                }
                h0[i] - (-prop.logp[i] + kinetic(&p, i))
            })
            .collect();
        let mut st = Self::accept(chains, &prop, &log_alpha, rng);
        st.n_evals = n_leapfrog;
        Ok(st)
    }

    /// Random walk: `y = x + ε Σ^{1/2} z`, symmetric.
    fn random_walk<D: LogDensity + ?Sized, R: Rng>(
        &self,
        density: &D,
        chains: &mut Chains,
        rng: &mut R,
    ) -> Result<StepStats, SamplerError> {
        let (n, d, eps) = (chains.n_chains, chains.dim, self.step_size);
        let mut prop = Proposal::new(n, d);
        for i in 0..n * d {
            let z: f64 = rng.sample(StandardNormal);
            prop.x[i] = chains.x[i] + eps * self.inv_mass[i % d].sqrt() * z;
        }
        density.log_density_and_grad(&prop.x, &mut prop.logp, &mut prop.grad)?;
        let log_alpha: Vec<f64> = (0..n)
            .map(|i| {
                if prop.logp[i].is_finite() {
                    prop.logp[i] - chains.logp[i]
                } else {
                    f64::NEG_INFINITY
                }
            })
            .collect();
        let mut st = Self::accept(chains, &prop, &log_alpha, rng);
        st.n_evals = 1;
        Ok(st)
    }
}

struct Proposal {
    x: Vec<f64>,
    logp: Vec<f64>,
    grad: Vec<f64>,
}

impl Proposal {
    fn new(n: usize, d: usize) -> Self {
        Proposal {
            x: vec![0.0; n * d],
            logp: vec![0.0; n],
            grad: vec![0.0; n * d],
        }
    }
}
