//! The posterior of the 11 aligned-spin parameters in unconstrained
//! coordinates z ∈ ℝ¹¹, as the samplers see it: each z_i maps to its
//! parameter through the inverse prior CDF of σ(z_i) ([`BbhPrior::from_real`]),
//! so that prior × Jacobian = Π σ'(z_i) and
//! `log p(z) = ln Λ(θ(z)) + Σ ln σ'(z_i)` (ln Λ: the log-likelihood ratio
//! against noise). Values and exact gradients come from one `Dual<11>` pass.

use crate::gw::likelihood::{GwLikelihood, N_PARAMS};
use crate::gw::relative_binning::RelativeBinning;
use crate::prior::{to_likelihood_order, BbhPrior};
use crate::samplers::density::batch_size;
use crate::samplers::{LogDensity, SamplerError};
use ferrax_autodiff::{Dual, Scalar};

/// Which likelihood the posterior uses.
#[derive(Debug, Clone)]
pub enum PeLikelihood {
    /// The full frequency-domain likelihood.
    Full(GwLikelihood),
    /// The relative-binning approximation.
    RelativeBinning(RelativeBinning),
}

impl PeLikelihood {
    /// ln Λ at `p` (likelihood order, absolute GPS time) on any scalar.
    pub fn log_likelihood_ratio<T: Scalar>(&self, p: &[T; N_PARAMS]) -> T {
        match self {
            PeLikelihood::Full(l) => l.log_likelihood_ratio_generic(p),
            PeLikelihood::RelativeBinning(r) => r.log_likelihood_ratio_generic(p),
        }
    }
}

/// The posterior in unconstrained coordinates.
#[derive(Debug, Clone)]
pub struct PeDensity {
    /// The likelihood.
    pub likelihood: PeLikelihood,
    /// The prior; its time component is relative to `trigger_time`.
    pub prior: BbhPrior,
    /// GPS time [s] added to the sampled time offset.
    pub trigger_time: f64,
    /// Worker threads (≥ 1).
    pub threads: usize,
}

/// ln σ'(z) = −|z| − 2 ln(1 + e^−|z|), stable for any z.
fn log_sigmoid_derivative<T: Scalar>(z: T) -> T {
    let az = z.abs();
    -az - (-az).exp().log1p() * 2.0
}

impl PeDensity {
    /// Sampled parameters (order of [`crate::prior::BBH_SAMPLED_NAMES`],
    /// time relative to the trigger) at unconstrained `z`.
    pub fn sampled(&self, z: &[f64; N_PARAMS]) -> [f64; N_PARAMS] {
        self.prior.from_real(z).0
    }

    /// Likelihood-order parameters (absolute GPS time) at sampled `x`.
    pub fn likelihood_params<T: Scalar>(&self, x: &[T; N_PARAMS]) -> [T; N_PARAMS] {
        let mut p = to_likelihood_order(x);
        p[10] = p[10] + self.trigger_time;
        p
    }

    /// log p(z) and its gradient at one point; −∞ (zero gradient) where the
    /// likelihood is not finite.
    pub fn value_and_grad(&self, z: &[f64; N_PARAMS]) -> (f64, [f64; N_PARAMS]) {
        let zd: [Dual<N_PARAMS>; N_PARAMS] = Dual::variables(z);
        let (x, _) = self.prior.from_real(&zd);
        let ll = self.likelihood.log_likelihood_ratio(&self.likelihood_params(&x));
        let v = zd.iter().fold(ll, |acc, &zi| acc + log_sigmoid_derivative(zi));
        if v.re.is_finite() && v.eps.iter().all(|g| g.is_finite()) {
            (v.re, v.eps)
        } else {
            (f64::NEG_INFINITY, [0.0; N_PARAMS])
        }
    }
}

impl LogDensity for PeDensity {
    fn dim(&self) -> usize {
        N_PARAMS
    }

    fn log_density_and_grad(
        &self,
        x: &[f64],
        logp: &mut [f64],
        grad: &mut [f64],
    ) -> Result<(), SamplerError> {
        let n = batch_size(N_PARAMS, x, logp, Some(grad))?;
        let per = n.div_ceil(self.threads.max(1)).max(1);
        let work = |xs: &[f64], lps: &mut [f64], gs: &mut [f64]| {
            for (i, lp) in lps.iter_mut().enumerate() {
                let mut z = [0.0; N_PARAMS];
                z.copy_from_slice(&xs[i * N_PARAMS..(i + 1) * N_PARAMS]);
                let (v, g) = self.value_and_grad(&z);
                *lp = v;
                gs[i * N_PARAMS..(i + 1) * N_PARAMS].copy_from_slice(&g);
            }
        };
        if self.threads <= 1 || n < 2 {
            work(x, logp, grad);
            return Ok(());
        }
        let work = &work;
        std::thread::scope(|s| {
            for ((xs, lps), gs) in x
                .chunks(per * N_PARAMS)
                .zip(logp.chunks_mut(per))
                .zip(grad.chunks_mut(per * N_PARAMS))
            {
                s.spawn(move || work(xs, lps, gs));
            }
        });
        Ok(())
    }
}
