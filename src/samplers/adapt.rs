//! Step-size adaptation by dual averaging (Hoffman & Gelman 2014, JMLR 15,
//! Algorithm 5, eq. 6 with γ = 0.05, t₀ = 10, κ = 0.75) and the diagonal
//! mass matrix from within-chain variances (regularised as in Stan:
//! `n/(n+5) var + 1e-3 · 5/(n+5)`), or the dense one from the pooled
//! within-chain covariance, shrunk towards its diagonal.

use serde::{Deserialize, Serialize};

/// Dual-averaging state for the log step size.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DualAveraging {
    /// Target mean acceptance probability.
    pub target: f64,
    mu: f64,
    h_bar: f64,
    log_eps_bar: f64,
    t: f64,
}

impl DualAveraging {
    /// Starts adapting from step size `eps0` towards acceptance `target`.
    pub fn new(eps0: f64, target: f64) -> Self {
        DualAveraging {
            target,
            mu: (10.0 * eps0).ln(),
            h_bar: 0.0,
            log_eps_bar: eps0.ln(),
            t: 0.0,
        }
    }
    /// Records one step's mean acceptance probability; returns the next step size.
    pub fn update(&mut self, accept_prob: f64) -> f64 {
        let (gamma, t0, kappa) = (0.05, 10.0, 0.75);
        self.t += 1.0;
        let w = 1.0 / (self.t + t0);
        self.h_bar = (1.0 - w) * self.h_bar + w * (self.target - accept_prob);
        let log_eps = self.mu - self.t.sqrt() / gamma * self.h_bar;
        let eta = self.t.powf(-kappa);
        self.log_eps_bar = eta * log_eps + (1.0 - eta) * self.log_eps_bar;
        log_eps.exp()
    }
    /// The averaged step size to use once adaptation ends.
    pub fn final_step_size(&self) -> f64 {
        self.log_eps_bar.exp()
    }
}

/// Diagonal inverse mass matrix from positions `x` laid out
/// `[n_steps][n_chains][dim]`: the mean over chains of the within-chain
/// variance, regularised towards 1e-3.
pub fn within_chain_variance(x: &[f64], n_steps: usize, n_chains: usize, dim: usize) -> Vec<f64> {
    let mut out = vec![0.0; dim];
    if n_steps < 2 {
        return vec![1.0; dim];
    }
    for c in 0..n_chains {
        for (j, o) in out.iter_mut().enumerate() {
            let at = |t: usize| x[(t * n_chains + c) * dim + j];
            let mean = (0..n_steps).map(at).sum::<f64>() / n_steps as f64;
            let var = (0..n_steps).map(|t| (at(t) - mean).powi(2)).sum::<f64>() / (n_steps - 1) as f64;
            *o += var / n_chains as f64;
        }
    }
    let n = (n_steps * n_chains) as f64;
    out.iter()
        .map(|&v| {
            let r = (n / (n + 5.0)) * v + 1e-3 * (5.0 / (n + 5.0));
            if r.is_finite() && r > 0.0 {
                r
            } else {
                1.0
            }
        })
        .collect()
}

/// Weight λ of the shrinkage of the pooled covariance towards its diagonal,
/// `Σ = (1 − λ) S + λ diag(S)` (Ledoit & Wolf 2004, J. Multivar. Anal. 88,
/// 365, with a fixed target weight): keeps `Σ` well conditioned when
/// `n_chains × n_steps` positions hardly exceed the dimension.
pub const DENSE_SHRINKAGE: f64 = 0.05;

/// Dense inverse mass matrix `[dim, dim]` (row-major) from positions `x`
/// laid out `[n_steps][n_chains][dim]`: the pooled within-chain covariance
/// `S = Σ_c Σ_t (x_ct − x̄_c)(x_ct − x̄_c)ᵀ / (n_chains (n_steps − 1))`
/// (each chain about its own mean, so that chains in separate modes do not
/// inflate it), shrunk towards its diagonal by [`DENSE_SHRINKAGE`], and its
/// diagonal regularised as in [`within_chain_variance`]. `None` when fewer
/// than two steps are given or the result is not finite.
pub fn pooled_covariance(x: &[f64], n_steps: usize, n_chains: usize, dim: usize) -> Option<Vec<f64>> {
    if n_steps < 2 || n_chains == 0 || x.len() < n_steps * n_chains * dim {
        return None;
    }
    let mut cov = vec![0.0; dim * dim];
    let mut dev = vec![0.0; n_steps * dim];
    for c in 0..n_chains {
        let at = |t: usize, j: usize| x[(t * n_chains + c) * dim + j];
        for j in 0..dim {
            let mean = (0..n_steps).map(|t| at(t, j)).sum::<f64>() / n_steps as f64;
            for t in 0..n_steps {
                dev[t * dim + j] = at(t, j) - mean;
            }
        }
        for t in 0..n_steps {
            let r = &dev[t * dim..(t + 1) * dim];
            for i in 0..dim {
                for j in 0..=i {
                    cov[i * dim + j] += r[i] * r[j];
                }
            }
        }
    }
    let norm = (n_chains * (n_steps - 1)) as f64;
    let n = (n_steps * n_chains) as f64;
    let lam = DENSE_SHRINKAGE;
    for i in 0..dim {
        for j in 0..=i {
            let s = cov[i * dim + j] / norm;
            let v = if i == j {
                (n / (n + 5.0)) * s + 1e-3 * (5.0 / (n + 5.0))
            } else {
                (1.0 - lam) * (n / (n + 5.0)) * s
            };
            cov[i * dim + j] = v;
            cov[j * dim + i] = v;
        }
    }
    if cov.iter().all(|v| v.is_finite()) && (0..dim).all(|i| cov[i * dim + i] > 0.0) {
        Some(cov)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dual_averaging_finds_the_step_size() {
        // acceptance falls with step size: a(eps) = exp(-eps); target 0.574 => eps = 0.555
        let mut da = DualAveraging::new(1.0, 0.574);
        let mut eps: f64 = 1.0;
        for _ in 0..2000 {
            eps = da.update((-eps).exp());
        }
        assert!(
            (da.final_step_size() - 0.5551).abs() < 0.01,
            "{}",
            da.final_step_size()
        );
        assert!(eps > 0.0);
    }

    #[test]
    fn pooled_covariance_ignores_between_chain_offsets() {
        // two chains far apart, each alternating ±(1, 1) about its own mean:
        // within-chain covariance [[1, 1], [1, 1]] · n/(n−1)
        let (n_steps, n_chains, dim) = (4, 2, 2);
        let mut x = Vec::new();
        for t in 0..n_steps {
            let s = if t % 2 == 0 { 1.0 } else { -1.0 };
            x.extend_from_slice(&[s, s, 100.0 + s, -50.0 + s]);
        }
        let cov = pooled_covariance(&x, n_steps, n_chains, dim).unwrap();
        let n = 8.0;
        let s = 4.0 / 3.0 * n / (n + 5.0);
        assert!((cov[0] - (s + 1e-3 * 5.0 / (n + 5.0))).abs() < 1e-12, "{cov:?}");
        assert!((cov[1] - (1.0 - DENSE_SHRINKAGE) * s).abs() < 1e-12, "{cov:?}");
        assert_eq!(cov[1], cov[2]);
        assert!(pooled_covariance(&x, 1, n_chains, dim).is_none());
    }
}
