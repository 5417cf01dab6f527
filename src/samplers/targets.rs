//! Benchmark log-densities described by JSON specs, e.g.
//! `{"kind": "gaussian", "mean": [0, 1], "cov": [[1, 0.5], [0.5, 2]]}` with an
//! optional `"prior_box": {"lower": [...], "upper": [...]}` that multiplies
//! the density by a normalised uniform prior on the box (the log-density
//! becomes `log L − Σ log(upper − lower)` inside, `−∞` outside).
//!
//! Formulas (all unnormalised unless stated):
//! * `gaussian`: `−½ (x−μ)ᵀ Σ⁻¹ (x−μ)`.
//! * `gaussian_mixture` (normalised): `log Σ_k w_k N(x; m_k, C_k)`.
//! * `rosenbrock` (hybrid/star form, Pagani et al. 2022 with block length 2):
//!   `−a (x₀ − μ)² − b Σ_{j≥1} (x_j − x₀²)²`.
//! * `funnel` (Neal 2003): `v = x₀`, `−v²/(2σ_v²) − ½ e^{−v} Σ_{i≥1} x_i² − (d−1) v / 2`.
//! * `dual_moon`: `−½((‖x‖−2)/0.1)² + log(e^{−½((x₀−3)/0.8)²} + e^{−½((x₀+3)/0.8)²})
//!   + log(e^{−½((x₁−3)/0.6)²} + e^{−½((x₁+3)/0.6)²})` (2-D).

// `!(x > 0.0)` deliberately rejects NaN; index loops mirror the formulas.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

use super::density::batch_size;
use super::{LogDensity, SamplerError};
use serde::{Deserialize, Serialize};

/// A uniform prior on an axis-aligned box.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PriorBox {
    /// Lower bounds, one per dimension.
    pub lower: Vec<f64>,
    /// Upper bounds, one per dimension.
    pub upper: Vec<f64>,
}

/// The model part of a target spec, tagged by `"kind"`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelSpec {
    /// Unnormalised Gaussian quadratic form.
    Gaussian {
        /// Mean μ.
        mean: Vec<f64>,
        /// Covariance Σ (symmetric positive definite).
        cov: Vec<Vec<f64>>,
    },
    /// Normalised mixture of Gaussians.
    GaussianMixture {
        /// Mixture weights (normalised internally).
        weights: Vec<f64>,
        /// Component means.
        means: Vec<Vec<f64>>,
        /// Component covariances.
        covs: Vec<Vec<Vec<f64>>>,
    },
    /// Hybrid (star) Rosenbrock.
    Rosenbrock {
        /// Dimension (≥ 2).
        dim: usize,
        /// Coefficient a of the root term.
        a: f64,
        /// Coefficient b of the banana terms.
        b: f64,
        /// Location μ of the root coordinate.
        mu: f64,
    },
    /// Neal's funnel.
    Funnel {
        /// Dimension (≥ 2).
        dim: usize,
        /// Standard deviation of the neck coordinate v.
        sigma_v: f64,
    },
    /// The 2-D dual moon.
    DualMoon,
}

/// A target spec: a model and an optional uniform prior box.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TargetSpec {
    /// The model.
    #[serde(flatten)]
    pub model: ModelSpec,
    /// Optional uniform prior box.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior_box: Option<PriorBox>,
}

/// A Gaussian prepared for evaluation: mean, precision, and the log
/// normalisation `−½(d log 2π + log|C|)`.
#[derive(Debug, Clone)]
struct PreparedGaussian {
    mean: Vec<f64>,
    precision: Vec<f64>,
    log_norm: f64,
}

impl PreparedGaussian {
    fn new(mean: &[f64], cov: &[Vec<f64>], key: &str) -> Result<Self, SamplerError> {
        let d = mean.len();
        if d == 0 || cov.len() != d || cov.iter().any(|r| r.len() != d) {
            return Err(SamplerError::invalid(key, format!("covariance must be {d}x{d}")));
        }
        let flat: Vec<f64> = cov.iter().flatten().copied().collect();
        if flat.iter().chain(mean).any(|v| !v.is_finite()) {
            return Err(SamplerError::invalid(key, "non-finite entries"));
        }
        let l = cholesky(&flat, d)
            .ok_or_else(|| SamplerError::invalid(key, "covariance is not positive definite"))?;
        let log_det = 2.0 * (0..d).map(|i| l[i * d + i].ln()).sum::<f64>();
        // precision = L^-T L^-1 via solving for unit vectors
        let mut precision = vec![0.0; d * d];
        for c in 0..d {
            let mut e = vec![0.0; d];
            e[c] = 1.0;
            let col = cholesky_solve(&l, d, &e);
            for r in 0..d {
                precision[r * d + c] = col[r];
            }
        }
        Ok(PreparedGaussian {
            mean: mean.to_vec(),
            precision,
            log_norm: -0.5 * (d as f64 * (2.0 * std::f64::consts::PI).ln() + log_det),
        })
    }
    /// `−½ rᵀ P r` with gradient `−P r`, `r = x − μ`.
    fn quad(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        let d = self.mean.len();
        let mut q = 0.0;
        for i in 0..d {
            let mut pr = 0.0;
            for j in 0..d {
                pr += self.precision[i * d + j] * (x[j] - self.mean[j]);
            }
            grad[i] = -pr;
            q += (x[i] - self.mean[i]) * pr;
        }
        -0.5 * q
    }
}

/// Cholesky factor (lower, row-major) of a symmetric positive-definite matrix.
pub fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let s = a[i * d + j] - (0..j).map(|k| l[i * d + k] * l[j * d + k]).sum::<f64>();
            if i == j {
                if !(s > 0.0) {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// Inverse of a lower-triangular `[d, d]` row-major matrix (forward
/// substitution, column by column).
pub fn lower_inverse(l: &[f64], d: usize) -> Vec<f64> {
    let mut inv = vec![0.0; d * d];
    for c in 0..d {
        for r in 0..d {
            let mut v = if r == c { 1.0 } else { 0.0 };
            for k in 0..r {
                v -= l[r * d + k] * inv[k * d + c];
            }
            inv[r * d + c] = v / l[r * d + r];
        }
    }
    inv
}

/// Solves `L Lᵀ x = b` for the Cholesky factor `l`.
pub fn cholesky_solve(l: &[f64], d: usize, b: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; d];
    for i in 0..d {
        y[i] = (b[i] - (0..i).map(|k| l[i * d + k] * y[k]).sum::<f64>()) / l[i * d + i];
    }
    let mut x = vec![0.0; d];
    for i in (0..d).rev() {
        x[i] = (y[i] - (i + 1..d).map(|k| l[k * d + i] * x[k]).sum::<f64>()) / l[i * d + i];
    }
    x
}

#[derive(Debug, Clone)]
enum Model {
    Gaussian(PreparedGaussian),
    Mixture {
        log_w: Vec<f64>,
        comps: Vec<PreparedGaussian>,
    },
    Rosenbrock {
        dim: usize,
        a: f64,
        b: f64,
        mu: f64,
    },
    Funnel {
        dim: usize,
        sigma_v: f64,
    },
    DualMoon,
}

/// A target built from a [`TargetSpec`], ready to evaluate.
#[derive(Debug, Clone)]
pub struct Target {
    model: Model,
    dim: usize,
    prior_box: Option<(Vec<f64>, Vec<f64>, f64)>,
}

impl Target {
    /// Validates a spec and prepares it (Cholesky factors etc.).
    pub fn from_spec(spec: &TargetSpec) -> Result<Self, SamplerError> {
        let (model, dim) = match &spec.model {
            ModelSpec::Gaussian { mean, cov } => (
                Model::Gaussian(PreparedGaussian::new(mean, cov, "cov")?),
                mean.len(),
            ),
            ModelSpec::GaussianMixture { weights, means, covs } => {
                if weights.is_empty() || weights.len() != means.len() || weights.len() != covs.len() {
                    return Err(SamplerError::invalid(
                        "weights",
                        "weights, means and covs need the same length",
                    ));
                }
                if weights.iter().any(|w| !(*w > 0.0) || !w.is_finite()) {
                    return Err(SamplerError::invalid("weights", "weights must be positive"));
                }
                let d = means[0].len();
                if means.iter().any(|m| m.len() != d) {
                    return Err(SamplerError::invalid("means", "all means need the same length"));
                }
                let total: f64 = weights.iter().sum();
                let comps = means
                    .iter()
                    .zip(covs)
                    .enumerate()
                    .map(|(k, (m, c))| PreparedGaussian::new(m, c, &format!("covs[{k}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                (
                    Model::Mixture {
                        log_w: weights.iter().map(|w| (w / total).ln()).collect(),
                        comps,
                    },
                    d,
                )
            }
            ModelSpec::Rosenbrock { dim, a, b, mu } => {
                if *dim < 2 || !(*a > 0.0) || !(*b > 0.0) || !mu.is_finite() {
                    return Err(SamplerError::invalid(
                        "rosenbrock",
                        "needs dim >= 2, a > 0, b > 0, finite mu",
                    ));
                }
                (
                    Model::Rosenbrock {
                        dim: *dim,
                        a: *a,
                        b: *b,
                        mu: *mu,
                    },
                    *dim,
                )
            }
            ModelSpec::Funnel { dim, sigma_v } => {
                if *dim < 2 || !(*sigma_v > 0.0) {
                    return Err(SamplerError::invalid("funnel", "needs dim >= 2 and sigma_v > 0"));
                }
                (
                    Model::Funnel {
                        dim: *dim,
                        sigma_v: *sigma_v,
                    },
                    *dim,
                )
            }
            ModelSpec::DualMoon => (Model::DualMoon, 2),
        };
        let prior_box = match &spec.prior_box {
            None => None,
            Some(pb) => {
                if pb.lower.len() != dim || pb.upper.len() != dim {
                    return Err(SamplerError::invalid(
                        "prior_box",
                        format!("lower and upper need {dim} values"),
                    ));
                }
                if pb
                    .lower
                    .iter()
                    .zip(&pb.upper)
                    .any(|(l, u)| !(u > l) || !l.is_finite() || !u.is_finite())
                {
                    return Err(SamplerError::invalid("prior_box", "needs finite lower < upper"));
                }
                let log_vol: f64 = pb.lower.iter().zip(&pb.upper).map(|(l, u)| (u - l).ln()).sum();
                Some((pb.lower.clone(), pb.upper.clone(), -log_vol))
            }
        };
        Ok(Target {
            model,
            dim,
            prior_box,
        })
    }

    /// Parses a JSON spec.
    pub fn from_json(text: &str) -> Result<Self, SamplerError> {
        let spec: TargetSpec =
            serde_json::from_str(text).map_err(|e| SamplerError::invalid("spec", e.to_string()))?;
        Self::from_spec(&spec)
    }

    /// Mixture responsibilities `r_k(x) = w_k N_k(x) / Σ_j w_j N_j(x)` at one
    /// point, or `None` when the target is not a mixture.
    pub fn responsibilities(&self, x: &[f64]) -> Option<Vec<f64>> {
        let Model::Mixture { log_w, comps } = &self.model else {
            return None;
        };
        let mut g = vec![0.0; self.dim];
        let lt: Vec<f64> = log_w
            .iter()
            .zip(comps)
            .map(|(lw, c)| lw + c.log_norm + c.quad(x, &mut g))
            .collect();
        let m = lt.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let s: f64 = lt.iter().map(|v| (v - m).exp()).sum();
        Some(lt.iter().map(|v| (v - m).exp() / s).collect())
    }

    /// `log p(x)` and its gradient at one point.
    pub fn eval(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let d = self.dim;
        let mut lp = match &self.model {
            Model::Gaussian(gs) => gs.quad(x, g),
            Model::Mixture { log_w, comps } => {
                let mut tmp = vec![0.0; d];
                let mut terms = Vec::with_capacity(comps.len());
                let mut grads = Vec::with_capacity(comps.len());
                for (lw, c) in log_w.iter().zip(comps) {
                    terms.push(lw + c.log_norm + c.quad(x, &mut tmp));
                    grads.push(tmp.clone());
                }
                let m = terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let s: f64 = terms.iter().map(|v| (v - m).exp()).sum();
                g.iter_mut().for_each(|v| *v = 0.0);
                for (t, gk) in terms.iter().zip(&grads) {
                    let r = (t - m).exp() / s;
                    for j in 0..d {
                        g[j] += r * gk[j];
                    }
                }
                m + s.ln()
            }
            Model::Rosenbrock { dim, a, b, mu } => {
                let x0 = x[0];
                let mut lp = -a * (x0 - mu).powi(2);
                g[0] = -2.0 * a * (x0 - mu);
                for j in 1..*dim {
                    let r = x[j] - x0 * x0;
                    lp -= b * r * r;
                    g[j] = -2.0 * b * r;
                    g[0] += 4.0 * b * r * x0;
                }
                lp
            }
            Model::Funnel { dim, sigma_v } => {
                let v = x[0];
                let s2: f64 = x[1..*dim].iter().map(|xi| xi * xi).sum();
                let ev = (-v).exp();
                let half = 0.5 * (*dim as f64 - 1.0);
                g[0] = -v / (sigma_v * sigma_v) + 0.5 * ev * s2 - half;
                for i in 1..*dim {
                    g[i] = -ev * x[i];
                }
                -v * v / (2.0 * sigma_v * sigma_v) - 0.5 * ev * s2 - half * v
            }
            Model::DualMoon => {
                let r = (x[0] * x[0] + x[1] * x[1]).sqrt();
                let ring = -0.5 * ((r - 2.0) / 0.1).powi(2);
                let dr = -(r - 2.0) / 0.01;
                let (rx0, rx1) = if r > 0.0 { (x[0] / r, x[1] / r) } else { (0.0, 0.0) };
                let two_bumps = |u: f64, s: f64| -> (f64, f64) {
                    let a = -0.5 * ((u - 3.0) / s).powi(2);
                    let b = -0.5 * ((u + 3.0) / s).powi(2);
                    let m = a.max(b);
                    let (ea, eb) = ((a - m).exp(), (b - m).exp());
                    let val = m + (ea + eb).ln();
                    let grad = (ea * (-(u - 3.0) / (s * s)) + eb * (-(u + 3.0) / (s * s))) / (ea + eb);
                    (val, grad)
                };
                let (v0, d0) = two_bumps(x[0], 0.8);
                let (v1, d1) = two_bumps(x[1], 0.6);
                g[0] = dr * rx0 + d0;
                g[1] = dr * rx1 + d1;
                ring + v0 + v1
            }
        };
        if let Some((lo, hi, log_prior)) = &self.prior_box {
            if x.iter()
                .zip(lo.iter().zip(hi))
                .any(|(v, (l, h))| !(v >= l && v <= h))
            {
                g.iter_mut().for_each(|v| *v = 0.0);
                return f64::NEG_INFINITY;
            }
            lp += log_prior;
        }
        lp
    }
}

impl LogDensity for Target {
    fn dim(&self) -> usize {
        self.dim
    }
    fn log_density_and_grad(
        &self,
        x: &[f64],
        logp: &mut [f64],
        grad: &mut [f64],
    ) -> Result<(), SamplerError> {
        let n = batch_size(self.dim, x, logp, Some(grad))?;
        let d = self.dim;
        for i in 0..n {
            logp[i] = self.eval(&x[i * d..(i + 1) * d], &mut grad[i * d..(i + 1) * d]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fd_check(t: &Target, x: &[f64]) {
        let d = x.len();
        let mut g = vec![0.0; d];
        t.eval(x, &mut g);
        let mut scratch = vec![0.0; d];
        for j in 0..d {
            let h = 1e-6 * (1.0 + x[j].abs());
            let mut xp = x.to_vec();
            xp[j] += h;
            let fp = t.eval(&xp, &mut scratch);
            xp[j] -= 2.0 * h;
            let fm = t.eval(&xp, &mut scratch);
            let fd = (fp - fm) / (2.0 * h);
            assert!(
                (fd - g[j]).abs() < 1e-5 * (1.0 + fd.abs()),
                "dim {j}: fd {fd} vs {}",
                g[j]
            );
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let specs = [
            r#"{"kind":"gaussian","mean":[1,-1,0.5],"cov":[[1,0.5,0.1],[0.5,2,0.3],[0.1,0.3,0.7]]}"#,
            r#"{"kind":"gaussian_mixture","weights":[0.3,0.7],"means":[[-1,0],[2,1]],"covs":[[[1,0.2],[0.2,0.5]],[[0.6,0],[0,1.3]]]}"#,
            r#"{"kind":"rosenbrock","dim":4,"a":0.5,"b":5,"mu":1}"#,
            r#"{"kind":"funnel","dim":5,"sigma_v":3}"#,
            r#"{"kind":"dual_moon"}"#,
        ];
        for s in specs {
            let t = Target::from_json(s).unwrap();
            let x: Vec<f64> = (0..t.dim())
                .map(|i| 0.3 + 0.4 * i as f64 - 0.1 * (i * i) as f64)
                .collect();
            fd_check(&t, &x);
        }
    }

    #[test]
    fn values_match_the_formulas() {
        // dual moon at (2, 0): ring 0, log(e^{-0.5(1/0.8)^2} + e^{-0.5(5/0.8)^2}) + log(2 e^{-0.5 (3/0.6)^2})
        let t = Target::from_json(r#"{"kind":"dual_moon"}"#).unwrap();
        let mut g = [0.0; 2];
        let want = ((-0.5f64 * (1.0 / 0.8f64).powi(2)).exp() + (-0.5f64 * (5.0 / 0.8f64).powi(2)).exp()).ln()
            + (2.0 * (-0.5f64 * 25.0).exp()).ln();
        assert!((t.eval(&[2.0, 0.0], &mut g) - want).abs() < 1e-12);
        // normalised mixture of one unit Gaussian: log N(0; 0, I_2) = -log 2π
        let t = Target::from_json(
            r#"{"kind":"gaussian_mixture","weights":[2],"means":[[0,0]],"covs":[[[1,0],[0,1]]]}"#,
        )
        .unwrap();
        assert!((t.eval(&[0.0, 0.0], &mut g) + (2.0 * std::f64::consts::PI).ln()).abs() < 1e-14);
        // prior box
        let t = Target::from_json(
            r#"{"kind":"gaussian","mean":[0],"cov":[[1]],"prior_box":{"lower":[-10],"upper":[10]}}"#,
        )
        .unwrap();
        let mut g1 = [0.0];
        assert!((t.eval(&[1.0], &mut g1) - (-0.5 - 20f64.ln())).abs() < 1e-14);
        assert_eq!(t.eval(&[11.0], &mut g1), f64::NEG_INFINITY);
    }

    #[test]
    fn bad_specs_name_the_key() {
        for (s, key) in [
            (r#"{"kind":"gaussian","mean":[0,0],"cov":[[1,2],[2,1]]}"#, "cov"),
            (
                r#"{"kind":"gaussian","mean":[0],"cov":[[1]],"prior_box":{"lower":[1],"upper":[0]}}"#,
                "prior_box",
            ),
            (
                r#"{"kind":"gaussian_mixture","weights":[1,-1],"means":[[0],[1]],"covs":[[[1]],[[1]]]}"#,
                "weights",
            ),
            (r#"{"kind":"banana"}"#, "spec"),
        ] {
            let e = Target::from_json(s).unwrap_err().to_string();
            assert!(e.contains(key), "{e}");
        }
    }
}
