//! Local MCMC kernels applied to all chains at once: MALA (Roberts & Tweedie
//! 1996), HMC with a leapfrog integrator (Neal 2011, eq. 5.18–5.20) and a
//! Gaussian random walk, all preconditioned by an inverse mass matrix `Σ`
//! (an estimate of the posterior covariance): diagonal, `Σ = diag(inv_mass)`,
//! or dense, `Σ = L Lᵀ` with its Cholesky factor `L` (Girolami & Calderhead
//! 2011, JRSS B 73, 123, eq. 9 with a constant metric `G = Σ⁻¹`).

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

/// A local kernel with its tuning: a global step size and an inverse mass
/// matrix shared by all chains.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LocalKernel {
    /// The kernel.
    pub kind: KernelKind,
    /// Step size ε (dimensionless, in units of the preconditioner `L`).
    pub step_size: f64,
    /// Diagonal of the inverse mass matrix (parameter variances, in the
    /// squared units of the parameters), `[dim]`.
    pub inv_mass: Vec<f64>,
    /// Lower Cholesky factor `L` of a dense inverse mass matrix `Σ = L Lᵀ`,
    /// row-major `[dim, dim]` (units of the parameters); empty when the
    /// diagonal `inv_mass` is used.
    pub inv_mass_chol: Vec<f64>,
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
            inv_mass_chol: Vec::new(),
        }
    }

    /// Uses the dense inverse mass matrix `cov` (`[dim, dim]`, row-major,
    /// symmetric positive definite; an estimate of the posterior covariance).
    pub fn set_dense_inv_mass(&mut self, cov: &[f64]) -> Result<(), SamplerError> {
        let d = self.inv_mass.len();
        if cov.len() != d * d {
            return Err(SamplerError::Shape(format!(
                "dense inverse mass of length {} for dim {d}",
                cov.len()
            )));
        }
        let l = super::targets::cholesky(cov, d)
            .ok_or_else(|| SamplerError::invalid("inv_mass", "covariance is not positive definite"))?;
        self.inv_mass = (0..d).map(|i| cov[i * d + i]).collect();
        self.inv_mass_chol = l;
        Ok(())
    }

    /// Uses the diagonal inverse mass matrix `var` (`[dim]`).
    pub fn set_diagonal_inv_mass(&mut self, var: Vec<f64>) {
        self.inv_mass = var;
        self.inv_mass_chol.clear();
    }

    fn dense(&self) -> bool {
        !self.inv_mass_chol.is_empty()
    }

    /// `out = L z` (`Σ^{1/2} z` for a diagonal `Σ`): a draw from N(0, Σ) for `z ~ N(0, I)`.
    fn mul_l(&self, z: &[f64], out: &mut [f64]) {
        let d = z.len();
        if self.dense() {
            let l = &self.inv_mass_chol;
            for i in 0..d {
                out[i] = (0..=i).map(|k| l[i * d + k] * z[k]).sum();
            }
        } else {
            for i in 0..d {
                out[i] = self.inv_mass[i].sqrt() * z[i];
            }
        }
    }

    /// `out = Lᵀ v`.
    fn mul_lt(&self, v: &[f64], out: &mut [f64]) {
        let d = v.len();
        if self.dense() {
            let l = &self.inv_mass_chol;
            for i in 0..d {
                out[i] = (i..d).map(|k| l[k * d + i] * v[k]).sum();
            }
        } else {
            for i in 0..d {
                out[i] = self.inv_mass[i].sqrt() * v[i];
            }
        }
    }

    /// `out = Σ g = L Lᵀ g`.
    fn mul_sigma(&self, g: &[f64], out: &mut [f64]) {
        let mut t = vec![0.0; g.len()];
        self.mul_lt(g, &mut t);
        self.mul_l(&t, out);
    }

    /// `w = L⁻¹ r` (forward substitution), so that `rᵀ Σ⁻¹ r = |w|²`.
    fn solve_l(&self, r: &[f64], w: &mut [f64]) {
        let d = r.len();
        if self.dense() {
            let l = &self.inv_mass_chol;
            for i in 0..d {
                let s: f64 = (0..i).map(|k| l[i * d + k] * w[k]).sum();
                w[i] = (r[i] - s) / l[i * d + i];
            }
        } else {
            for i in 0..d {
                w[i] = r[i] / self.inv_mass[i].sqrt();
            }
        }
    }

    /// `p = L⁻ᵀ z` (back substitution): a momentum drawn from N(0, Σ⁻¹).
    fn solve_lt(&self, z: &[f64], p: &mut [f64]) {
        let d = z.len();
        if self.dense() {
            let l = &self.inv_mass_chol;
            for i in (0..d).rev() {
                let s: f64 = (i + 1..d).map(|k| l[k * d + i] * p[k]).sum();
                p[i] = (z[i] - s) / l[i * d + i];
            }
        } else {
            for i in 0..d {
                p[i] = z[i] / self.inv_mass[i].sqrt();
            }
        }
    }

    /// One step of all chains; updates `chains` in place.
    pub fn step<D: LogDensity + ?Sized, R: Rng>(
        &self,
        density: &D,
        chains: &mut Chains,
        rng: &mut R,
    ) -> Result<StepStats, SamplerError> {
        if self.inv_mass.len() != chains.dim
            || (self.dense() && self.inv_mass_chol.len() != chains.dim * chains.dim)
        {
            return Err(SamplerError::Shape(format!(
                "inverse mass of length {} (dense factor {}) for dim {}",
                self.inv_mass.len(),
                self.inv_mass_chol.len(),
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

    /// MALA: `y = x + ε²/2 Σ∇log p(x) + ε L z`, `z ~ N(0, I)`, with the
    /// Metropolis–Hastings correction for the asymmetric Langevin proposal,
    /// `log q(b | a) = −|L⁻¹(b − a − ε²/2 Σ∇log p(a))|² / (2ε²)` (Roberts &
    /// Tweedie 1996; Girolami & Calderhead 2011, eq. 9–10).
    fn mala<D: LogDensity + ?Sized, R: Rng>(
        &self,
        density: &D,
        chains: &mut Chains,
        rng: &mut R,
    ) -> Result<StepStats, SamplerError> {
        let (n, d, eps) = (chains.n_chains, chains.dim, self.step_size);
        let h = 0.5 * eps * eps;
        let mut prop = Proposal::new(n, d);
        let (mut z, mut lz, mut sg) = (vec![0.0; d], vec![0.0; d], vec![0.0; d]);
        for i in 0..n {
            let r = i * d..(i + 1) * d;
            for zj in z.iter_mut() {
                *zj = rng.sample(StandardNormal);
            }
            self.mul_l(&z, &mut lz);
            self.mul_sigma(&chains.grad[r.clone()], &mut sg);
            for j in 0..d {
                let k = i * d + j;
                prop.x[k] = chains.x[k] + h * sg[j] + eps * lz[j];
            }
        }
        density.log_density_and_grad(&prop.x, &mut prop.logp, &mut prop.grad)?;
        // log q(b | a) = -|b - a - h Σ g(a)|²_{Σ⁻¹} / (4h)
        let log_q = |to: &[f64], from: &[f64], g: &[f64]| -> f64 {
            let mut sg = vec![0.0; d];
            self.mul_sigma(g, &mut sg);
            let r: Vec<f64> = (0..d).map(|j| to[j] - from[j] - h * sg[j]).collect();
            let mut w = vec![0.0; d];
            self.solve_l(&r, &mut w);
            -w.iter().map(|v| v * v).sum::<f64>() / (4.0 * h)
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

    /// HMC: momentum `p ~ N(0, Σ⁻¹)` (`p = L⁻ᵀ z`), kinetic energy
    /// `½ pᵀ Σ p = ½ |Lᵀ p|²`, `n_leapfrog` leapfrog steps of size ε
    /// (`x ← x + ε Σ p`), accept with `exp(-ΔH)`.
    fn hmc<D: LogDensity + ?Sized, R: Rng>(
        &self,
        density: &D,
        chains: &mut Chains,
        rng: &mut R,
        n_leapfrog: usize,
    ) -> Result<StepStats, SamplerError> {
        let (n, d, eps) = (chains.n_chains, chains.dim, self.step_size);
        let mut p = vec![0.0; n * d];
        let mut z = vec![0.0; d];
        for i in 0..n {
            for zj in z.iter_mut() {
                *zj = rng.sample(StandardNormal);
            }
            self.solve_lt(&z, &mut p[i * d..(i + 1) * d]);
        }
        let kinetic = |p: &[f64], i: usize| -> f64 {
            let mut t = vec![0.0; d];
            self.mul_lt(&p[i * d..(i + 1) * d], &mut t);
            0.5 * t.iter().map(|v| v * v).sum::<f64>()
        };
        let h0: Vec<f64> = (0..n).map(|i| -chains.logp[i] + kinetic(&p, i)).collect();
        let mut prop = Proposal::new(n, d);
        prop.x.copy_from_slice(&chains.x);
        prop.grad.copy_from_slice(&chains.grad);
        let mut sp = vec![0.0; d];
        for _ in 0..n_leapfrog {
            for k in 0..n * d {
                p[k] += 0.5 * eps * prop.grad[k];
            }
            for i in 0..n {
                self.mul_sigma(&p[i * d..(i + 1) * d], &mut sp);
                for j in 0..d {
                    prop.x[i * d + j] += eps * sp[j];
                }
            }
            density.log_density_and_grad(&prop.x, &mut prop.logp, &mut prop.grad)?;
            for k in 0..n * d {
                p[k] += 0.5 * eps * prop.grad[k];
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

    /// Random walk: `y = x + ε L z`, symmetric.
    fn random_walk<D: LogDensity + ?Sized, R: Rng>(
        &self,
        density: &D,
        chains: &mut Chains,
        rng: &mut R,
    ) -> Result<StepStats, SamplerError> {
        let (n, d, eps) = (chains.n_chains, chains.dim, self.step_size);
        let mut prop = Proposal::new(n, d);
        let (mut z, mut lz) = (vec![0.0; d], vec![0.0; d]);
        for i in 0..n {
            for zj in z.iter_mut() {
                *zj = rng.sample(StandardNormal);
            }
            self.mul_l(&z, &mut lz);
            for j in 0..d {
                prop.x[i * d + j] = chains.x[i * d + j] + eps * lz[j];
            }
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
