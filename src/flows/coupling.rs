//! Masked coupling flows: a stack of coupling layers with alternating masks,
//! each an affine map (RealNVP; Dinh, Sohl-Dickstein & Bengio 2017, eqs.
//! 6–9) or a rational-quadratic spline per coordinate (Durkan et al. 2019,
//! see [`super::spline`]), on standardised data
//! `u = L⁻¹ (x − shift)` (`L L^T` the data covariance, or its diagonal), with a
//! Gaussian base `N(0, base_var · I)`.
//!
//! Layer `l` with mask `m` (1 = passed through) maps `u → v`:
//! `v = m ⊙ u + (1 − m) ⊙ (u ⊙ exp(s(m ⊙ u)) + t(m ⊙ u))`,
//! `log|det ∂v/∂u| = Σ_j (1 − m_j) s_j`, where `(s, t)` come from one MLP
//! with ReLU (or `tanh`) hidden activations and `s = c · tanh(s_raw / c)` (c =
//! `max_log_scale`) for stability. The density is
//! `log q(x) = log N(z; 0, base_var I) + Σ_layers log|det| − Σ_j log L_jj`.
//! The spline variant replaces the affine map of the unmasked coordinates
//! by a spline whose `3K − 1` parameters per coordinate the MLP outputs.

// `!(x > 0.0)` deliberately rejects NaN; index loops mirror the formulas.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

use super::FlowError;
use ferrax_autodiff::Tensor;
use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// One parameter array with its shape.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Param {
    /// Shape (`[in, out]` weights, `[out]` biases).
    pub shape: Vec<usize>,
    /// Values, row-major.
    pub data: Vec<f64>,
}

/// Architecture of a [`CouplingFlow`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FlowConfig {
    /// Number of coupling layers.
    pub n_layers: usize,
    /// Hidden layer widths of each conditioner MLP.
    pub hidden: Vec<usize>,
    /// Bound `c` on the log-scale, `s = c tanh(s_raw / c)`.
    pub max_log_scale: f64,
    /// Hidden-layer activation.
    #[serde(default)]
    pub activation: Activation,
    /// Standardise with the full data covariance (whitening) rather than
    /// per-dimension standard deviations.
    #[serde(default = "default_true")]
    pub whiten: bool,
    /// The coupling transform.
    #[serde(default)]
    pub transform: Transform,
    /// Which coordinates each layer passes through.
    #[serde(default)]
    pub masks: MaskScheme,
    /// Feed the conditioner MLPs the squares of the passed-through
    /// (standardised) coordinates besides the coordinates themselves: the
    /// first layer computes `W₁ u + W_q u² + b₁`. A ReLU network is piecewise
    /// linear in its inputs and extrapolates linearly beyond its training
    /// data; with `u²` among the inputs it extrapolates quadratic ridges such
    /// as Rosenbrock's `x_j ≈ x₀²` into the tails the chains have not reached.
    #[serde(default)]
    pub quadratic_features: bool,
}

/// How the coupling layers split the coordinates into passed-through
/// (conditioning) and transformed ones.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub enum MaskScheme {
    /// Layer `l` passes the coordinates `j` with `j + l` odd (RealNVP's
    /// checkerboard). Coordinates of equal parity never condition each
    /// other directly.
    #[default]
    Alternating,
    /// Layers `2b` and `2b + 1` split the coordinates by bit `b` (cyclically
    /// over the `⌈log₂ dim⌉` bits) of their index, the second with the sides
    /// swapped ([`crate::compress::flow::default_masks`]): with
    /// `2⌈log₂ dim⌉` layers every coordinate is transformed conditioned on
    /// every other one in some layer. A conditional structure such as
    /// `x_j | x₀` for all `j` (Rosenbrock, Neal's funnel) then is one affine
    /// coupling per bit.
    BitSplit,
}

/// The elementwise transform of a coupling layer.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub enum Transform {
    /// `u · exp(s) + t` (RealNVP).
    #[default]
    Affine,
    /// Rational-quadratic spline with `bins` bins (4, 8 or 16) on
    /// `[−bound, bound]`, identity outside.
    RqSpline {
        /// Number of bins K.
        bins: usize,
        /// Half-width of the spline interval (standardised units).
        bound: f64,
    },
}

impl FlowConfig {
    /// The masked-coupling rational-quadratic spline defaults: 4 layers,
    /// 8 bins, hidden [32, 32], range (−10, 10).
    pub fn rq_spline() -> Self {
        FlowConfig {
            n_layers: 4,
            hidden: vec![32, 32],
            max_log_scale: 3.0,
            activation: Activation::Relu,
            whiten: true,
            transform: Transform::RqSpline { bins: 8, bound: 10.0 },
            masks: MaskScheme::Alternating,
            quadratic_features: false,
        }
    }
}

fn default_true() -> bool {
    true
}

fn identity(d: usize) -> Vec<f64> {
    (0..d * d)
        .map(|i| if i % (d + 1) == 0 { 1.0 } else { 0.0 })
        .collect()
}

/// Hidden-layer activation of the conditioner MLPs.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub enum Activation {
    /// `max(0, x)` (fast; piecewise smooth).
    #[default]
    Relu,
    /// `tanh x` (smooth everywhere).
    Tanh,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            n_layers: 6,
            hidden: vec![64, 64],
            max_log_scale: 3.0,
            activation: Activation::Relu,
            whiten: true,
            transform: Transform::Affine,
            masks: MaskScheme::Alternating,
            quadratic_features: false,
        }
    }
}

/// A RealNVP flow on `R^dim`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CouplingFlow {
    /// Dimension.
    pub dim: usize,
    /// Architecture.
    pub config: FlowConfig,
    /// MLP weights and biases, `2 (len(hidden) + 1)` per layer (then `W_q`
    /// with quadratic features).
    pub params: Vec<Param>,
    /// Standardisation shift (data mean), `[dim]`.
    pub shift: Vec<f64>,
    /// Standardisation: lower Cholesky factor `L` of the data covariance
    /// (diagonal when `whiten` is off), `[dim, dim]` row-major.
    pub chol: Vec<f64>,
    /// `L⁻¹`, `[dim, dim]` row-major.
    pub chol_inv: Vec<f64>,
    /// Variance of the Gaussian base (1; below 1 concentrates the flow).
    pub base_var: f64,
}

impl CouplingFlow {
    /// A new flow with random hidden weights (variance 1/fan-in) and zero
    /// output layers, i.e. the identity map on standardised data.
    pub fn new<R: Rng>(dim: usize, config: FlowConfig, rng: &mut R) -> Result<Self, FlowError> {
        if dim < 2 {
            return Err(FlowError::Invalid {
                name: "dim".into(),
                msg: "coupling flows need dim >= 2".into(),
            });
        }
        if config.n_layers == 0 || config.hidden.contains(&0) {
            return Err(FlowError::Invalid {
                name: "config".into(),
                msg: "need n_layers >= 1 and positive hidden widths".into(),
            });
        }
        let out_width = match config.transform {
            Transform::Affine => 2 * dim,
            Transform::RqSpline { bins, bound } => {
                if ![4, 8, 16].contains(&bins) || !(bound > 0.0) {
                    return Err(FlowError::Invalid {
                        name: "transform".into(),
                        msg: "spline needs bins in {4, 8, 16} and bound > 0".into(),
                    });
                }
                dim * (3 * bins - 1)
            }
        };
        let mut params = Vec::new();
        for _ in 0..config.n_layers {
            let mut fan_in = dim;
            let widths: Vec<usize> = config.hidden.iter().copied().chain([out_width]).collect();
            for (k, &w) in widths.iter().enumerate() {
                let last = k + 1 == widths.len();
                let sd = (1.0 / fan_in as f64).sqrt();
                let data = (0..fan_in * w)
                    .map(|_| {
                        if last {
                            0.0
                        } else {
                            sd * rng.sample::<f64, _>(StandardNormal)
                        }
                    })
                    .collect();
                params.push(Param {
                    shape: vec![fan_in, w],
                    data,
                });
                params.push(Param {
                    shape: vec![w],
                    data: vec![0.0; w],
                });
                fan_in = w;
            }
            if config.quadratic_features {
                // W_q, zero at the start (the flow starts as the identity)
                params.push(Param {
                    shape: vec![dim, widths[0]],
                    data: vec![0.0; dim * widths[0]],
                });
            }
        }
        Ok(CouplingFlow {
            dim,
            config,
            params,
            shift: vec![0.0; dim],
            chol: identity(dim),
            chol_inv: identity(dim),
            base_var: 1.0,
        })
    }

    /// Sets the standardisation from data `x` (`[n, dim]`): per-dimension
    /// mean and standard deviation.
    pub fn standardise_to(&mut self, x: &[f64]) -> Result<(), FlowError> {
        let d = self.dim;
        if x.len() < 2 * d || x.len() % d != 0 {
            return Err(FlowError::Shape(format!(
                "{} values are not >= 2 rows of {d}",
                x.len()
            )));
        }
        let n = (x.len() / d) as f64;
        for j in 0..d {
            self.shift[j] = x.iter().skip(j).step_by(d).sum::<f64>() / n;
        }
        let mut cov = vec![0.0; d * d];
        for row in x.chunks_exact(d) {
            for i in 0..d {
                let ri = row[i] - self.shift[i];
                for j in 0..=i {
                    cov[i * d + j] += ri * (row[j] - self.shift[j]) / (n - 1.0);
                }
            }
        }
        for i in 0..d {
            for j in 0..i {
                cov[j * d + i] = if self.config.whiten { cov[i * d + j] } else { 0.0 };
                if !self.config.whiten {
                    cov[i * d + j] = 0.0;
                }
            }
            if !(cov[i * d + i] > 0.0 && cov[i * d + i].is_finite()) {
                cov[i * d + i] = 1.0;
            }
        }
        let chol = crate::samplers::targets::cholesky(&cov, d)
            .or_else(|| {
                // singular sample covariance: fall back to the diagonal
                let diag: Vec<f64> = (0..d * d)
                    .map(|k| if k % (d + 1) == 0 { cov[k] } else { 0.0 })
                    .collect();
                crate::samplers::targets::cholesky(&diag, d)
            })
            .ok_or_else(|| FlowError::Shape("degenerate training data".into()))?;
        let inv = crate::samplers::targets::lower_inverse(&chol, d);
        self.chol = chol;
        self.chol_inv = inv;
        Ok(())
    }

    /// Parameters as tensors (untracked).
    pub fn param_tensors(&self) -> Result<Vec<Tensor>, FlowError> {
        self.params
            .iter()
            .map(|p| Tensor::from_vec(p.data.clone(), &p.shape).map_err(FlowError::from))
            .collect()
    }

    fn per_layer(&self) -> usize {
        2 * (self.config.hidden.len() + 1) + usize::from(self.config.quadratic_features)
    }

    /// Whether layer `layer` passes coordinate `j` through unchanged.
    fn passed(&self, layer: usize, j: usize) -> bool {
        match self.config.masks {
            MaskScheme::Alternating => (j + layer) % 2 == 1,
            MaskScheme::BitSplit => {
                let nbits = (usize::BITS - (self.dim.max(2) - 1).leading_zeros()) as usize;
                let bit = (layer / 2) % nbits;
                ((j >> bit) & 1 == 1) != (layer % 2 == 1)
            }
        }
    }

    fn mask(&self, layer: usize) -> (Tensor, Tensor) {
        let m: Vec<f64> = (0..self.dim)
            .map(|j| if self.passed(layer, j) { 1.0 } else { 0.0 })
            .collect();
        let inv: Vec<f64> = m.iter().map(|v| 1.0 - v).collect();
        (Tensor::from_slice(&m), Tensor::from_slice(&inv))
    }

    /// `(s, t)` of an affine layer `l` for masked input `xm` (`[B, dim]`).
    fn conditioner(&self, ps: &[Tensor], l: usize, xm: &Tensor) -> (Tensor, Tensor) {
        let h = self.mlp(ps, l, xm);
        let d = self.dim;
        let c = self.config.max_log_scale;
        let s = (h.slice(1, 0, d) * (1.0 / c)).tanh() * c;
        let t = h.slice(1, d, 2 * d);
        (s, t)
    }

    /// The conditioner MLP of layer `l`.
    fn mlp(&self, ps: &[Tensor], l: usize, xm: &Tensor) -> Tensor {
        let k = self.per_layer();
        let lp = &ps[l * k..(l + 1) * k];
        let mut h = xm.clone();
        let n_lin = lp.len() / 2;
        for i in 0..n_lin {
            h = &h.matmul(&lp[2 * i]) + &lp[2 * i + 1];
            if i == 0 && self.config.quadratic_features {
                h = &h + &xm.square().matmul(&lp[lp.len() - 1]);
            }
            if i + 1 < n_lin {
                h = match self.config.activation {
                    Activation::Relu => h.relu(),
                    Activation::Tanh => h.tanh(),
                };
            }
        }
        h
    }

    /// Spline layer `l` applied to `v` (`[B, dim]`): returns the new `v` and
    /// the per-row log-det, differentiable through the fused spline op.
    fn spline_layer(&self, ps: &[Tensor], l: usize, v: &Tensor, bins: usize, bound: f64) -> (Tensor, Tensor) {
        let (m, inv) = self.mask(l);
        let vm = v * &m;
        let b = v.shape()[0];
        let raw = self.mlp(ps, l, &vm).reshape(&[b, self.dim, 3 * bins - 1]);
        let op = std::rc::Rc::new(super::spline::RqSplineOp { bins, bound });
        let out = ferrax_autodiff::apply_custom(op, &[v.clone(), raw]);
        let y = out.slice(2, 0, 1).reshape(&[b, self.dim]);
        let ld = out.slice(2, 1, 2).reshape(&[b, self.dim]);
        let v_new = &vm + &(&inv * &y);
        (v_new, (&ld * &inv).sum(&[1], false))
    }

    /// Inverse of spline layer `l` (no gradient): returns `u` and the log-det
    /// of the forward map at `u`.
    fn spline_layer_inverse(
        &self,
        ps: &[Tensor],
        l: usize,
        v: &Tensor,
        bins: usize,
        bound: f64,
    ) -> Result<(Tensor, Tensor), FlowError> {
        let (m, _) = self.mask(l);
        let vm = v * &m;
        let b = v.shape()[0];
        let d = self.dim;
        let p = 3 * bins - 1;
        let raw = self.mlp(ps, l, &vm).to_vec()?;
        let mut u = v.to_vec()?;
        let mut ld = vec![0.0; b];
        for r in 0..b {
            for j in 0..d {
                if self.passed(l, j) {
                    continue; // passed through
                }
                let e = r * d + j;
                let rr = &raw[e * p..(e + 1) * p];
                u[e] = super::spline::rq_inverse(u[e], rr, bins, bound);
                ld[r] += super::spline::rq_forward(u[e], rr, bins, bound).1;
            }
        }
        Ok((Tensor::from_vec(u, &[b, d])?, Tensor::from_vec(ld, &[b])?))
    }

    /// Standardised `u` (`[B, dim]`) to base `z`, and `log|det ∂z/∂u|` (`[B]`),
    /// with parameters `ps` (tracked or not).
    pub fn forward_with(&self, ps: &[Tensor], u: &Tensor) -> (Tensor, Tensor) {
        let mut v = u.clone();
        let mut logdet: Option<Tensor> = None;
        for l in 0..self.config.n_layers {
            let ld = if let Transform::RqSpline { bins, bound } = self.config.transform {
                let (vn, ld) = self.spline_layer(ps, l, &v, bins, bound);
                v = vn;
                ld
            } else {
                let (m, inv) = self.mask(l);
                let vm = &v * &m;
                let (s, t) = self.conditioner(ps, l, &vm);
                let s = &s * &inv;
                let t = &t * &inv;
                v = &vm + &(&inv * &(&(&v * &s.exp()) + &t));
                s.sum(&[1], false)
            };
            logdet = Some(match logdet {
                None => ld,
                Some(a) => &a + &ld,
            });
        }
        let logdet = logdet.unwrap_or_else(|| Tensor::zeros(&[u.shape()[0]]));
        (v, logdet)
    }

    /// Base `z` (`[B, dim]`) to standardised `u`, and `log|det ∂z/∂u|` at `u` (`[B]`).
    pub fn inverse_with(&self, ps: &[Tensor], z: &Tensor) -> Result<(Tensor, Tensor), FlowError> {
        let mut v = z.clone();
        let mut logdet = Tensor::zeros(&[z.shape()[0]]);
        for l in (0..self.config.n_layers).rev() {
            if let Transform::RqSpline { bins, bound } = self.config.transform {
                let (u, ld) = self.spline_layer_inverse(ps, l, &v, bins, bound)?;
                v = u;
                logdet = &logdet + &ld;
                continue;
            }
            let (m, inv) = self.mask(l);
            let vm = &v * &m;
            let (s, t) = self.conditioner(ps, l, &vm);
            let s = &s * &inv;
            let t = &t * &inv;
            v = &vm + &(&inv * &(&(&v - &t) * &(-&s).exp()));
            logdet = &logdet + &s.sum(&[1], false);
        }
        Ok((v, logdet))
    }

    /// `log N(z; 0, base_var I)` per row.
    fn base_log_prob(&self, z: &Tensor) -> Tensor {
        let d = self.dim as f64;
        let c = -0.5 * d * (2.0 * std::f64::consts::PI * self.base_var).ln();
        z.square().sum(&[1], false) * (-0.5 / self.base_var) + c
    }

    fn log_scale_sum(&self) -> f64 {
        (0..self.dim).map(|i| self.chol[i * (self.dim + 1)].ln()).sum()
    }

    fn standardise(&self, x: &Tensor) -> Tensor {
        let shift = Tensor::from_slice(&self.shift);
        // rows: u = L⁻¹ (x − shift), i.e. U = (X − shift) L⁻ᵀ
        let inv_t = Tensor::from_vec(self.chol_inv.clone(), &[self.dim, self.dim]).map(|t| t.transpose(0, 1));
        match inv_t {
            Ok(m) => (x - &shift).matmul(&m),
            Err(e) => Tensor::error(e),
        }
    }

    /// `log q(x)` (`[B]`) for raw points `x` (`[B, dim]`) with parameters `ps`.
    pub fn log_prob_with(&self, ps: &[Tensor], x: &Tensor) -> Tensor {
        let u = self.standardise(x);
        let (z, ld) = self.forward_with(ps, &u);
        &self.base_log_prob(&z) + &ld - self.log_scale_sum()
    }

    /// `log q(x)` for rows of `x` (`[n, dim]`, row-major).
    pub fn log_prob(&self, x: &[f64]) -> Result<Vec<f64>, FlowError> {
        let n = self.rows(x)?;
        let ps = self.param_tensors()?;
        let xt = Tensor::from_vec(x.to_vec(), &[n, self.dim])?;
        Ok(self.log_prob_with(&ps, &xt).to_vec()?)
    }

    /// Maps base points `z` (`[n, dim]`) to samples `x` and returns
    /// `(x, log q(x))`.
    pub fn transform_base(&self, z: &[f64]) -> Result<(Vec<f64>, Vec<f64>), FlowError> {
        let n = self.rows(z)?;
        let ps = self.param_tensors()?;
        let zt = Tensor::from_vec(z.to_vec(), &[n, self.dim])?;
        let (u, ld) = self.inverse_with(&ps, &zt)?;
        let logq = &(&self.base_log_prob(&zt) + &ld) - self.log_scale_sum();
        let l_t = Tensor::from_vec(self.chol.clone(), &[self.dim, self.dim])?.transpose(0, 1);
        let x = &u.matmul(&l_t) + &Tensor::from_slice(&self.shift);
        Ok((x.to_vec()?, logq.to_vec()?))
    }

    /// Draws `n` samples: returns `(x [n, dim], log q(x) [n])`.
    pub fn sample<R: Rng>(&self, n: usize, rng: &mut R) -> Result<(Vec<f64>, Vec<f64>), FlowError> {
        let sd = self.base_var.sqrt();
        let z: Vec<f64> = (0..n * self.dim)
            .map(|_| sd * rng.sample::<f64, _>(StandardNormal))
            .collect();
        self.transform_base(&z)
    }

    fn rows(&self, x: &[f64]) -> Result<usize, FlowError> {
        if x.len() % self.dim != 0 {
            return Err(FlowError::Shape(format!(
                "{} values are not rows of {}",
                x.len(),
                self.dim
            )));
        }
        Ok(x.len() / self.dim)
    }

    /// Saves the flow (bincode) atomically.
    pub fn save(&self, path: &std::path::Path) -> Result<(), FlowError> {
        let bytes = bincode::serialize(self).map_err(|e| FlowError::Io {
            path: path.display().to_string(),
            msg: e.to_string(),
        })?;
        crate::io::write_atomic(path, &bytes).map_err(|e| FlowError::Io {
            path: path.display().to_string(),
            msg: e.source.to_string(),
        })
    }

    /// Loads a flow saved by [`Self::save`].
    pub fn load(path: &std::path::Path) -> Result<Self, FlowError> {
        let err = |msg: String| FlowError::Io {
            path: path.display().to_string(),
            msg,
        };
        let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        let flow: CouplingFlow =
            bincode::deserialize(&bytes).map_err(|e| err(format!("not a saved flow: {e}")))?;
        let expected = flow.config.n_layers * flow.per_layer();
        if flow.params.len() != expected
            || flow.shift.len() != flow.dim
            || flow.chol.len() != flow.dim * flow.dim
            || flow.chol_inv.len() != flow.dim * flow.dim
        {
            return Err(err("inconsistent flow parameters".into()));
        }
        Ok(flow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// A flow with all weights random (non-trivial map).
    const SPLINE: Transform = Transform::RqSpline { bins: 8, bound: 4.0 };

    fn random_flow(dim: usize, transform: Transform, masks: MaskScheme) -> CouplingFlow {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let cfg = FlowConfig {
            n_layers: 4,
            hidden: vec![16, 16],
            max_log_scale: 3.0,
            activation: Activation::Tanh,
            whiten: true,
            transform,
            masks,
            quadratic_features: masks == MaskScheme::BitSplit,
        };
        let mut f = CouplingFlow::new(dim, cfg, &mut rng).unwrap();
        for p in &mut f.params {
            for v in &mut p.data {
                *v += 0.3 * rng.sample::<f64, _>(StandardNormal);
            }
        }
        f.shift = (0..dim).map(|j| 0.5 * j as f64 - 0.3).collect();
        let data: Vec<f64> = (0..40 * dim)
            .map(|i| ((i * 7919) % 101) as f64 / 50.0 + (i % dim) as f64 * ((i / dim) % 5) as f64 * 0.1)
            .collect();
        f.standardise_to(&data).unwrap();
        f
    }

    #[test]
    fn inverse_of_forward_is_identity() {
        for tr in [Transform::Affine, SPLINE] {
            for m in [MaskScheme::Alternating, MaskScheme::BitSplit] {
                inverse_identity(random_flow(5, tr, m));
            }
        }
    }

    fn inverse_identity(f: CouplingFlow) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let (x, logq) = f.sample(64, &mut rng).unwrap();
        let logq2 = f.log_prob(&x).unwrap();
        for (a, b) in logq.iter().zip(&logq2) {
            assert!((a - b).abs() < 1e-10 * (1.0 + a.abs()), "{a} vs {b}");
        }
        let ps = f.param_tensors().unwrap();
        let u = Tensor::from_vec(x.clone(), &[64, 5]).unwrap();
        let (z, _) = f.forward_with(&ps, &u);
        let (u2, _) = f.inverse_with(&ps, &z).unwrap();
        let (u, u2) = (u.to_vec().unwrap(), u2.to_vec().unwrap());
        let err = u.iter().zip(&u2).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(err < 1e-10, "max |u - f^-1(f(u))| = {err}");
    }

    /// log|det ∂z/∂u| against the determinant of a central-difference Jacobian.
    #[test]
    fn log_det_matches_finite_difference_jacobian() {
        for tr in [Transform::Affine, SPLINE] {
            for m in [MaskScheme::Alternating, MaskScheme::BitSplit] {
                log_det_fd(random_flow(3, tr, m));
            }
        }
    }

    fn log_det_fd(f: CouplingFlow) {
        let d = 3;
        let ps = f.param_tensors().unwrap();
        let map = |u: &[f64]| -> Vec<f64> {
            let t = Tensor::from_vec(u.to_vec(), &[1, d]).unwrap();
            f.forward_with(&ps, &t).0.to_vec().unwrap()
        };
        for u0 in [[0.1, -0.4, 0.8], [1.5, 0.2, -1.1]] {
            let t = Tensor::from_vec(u0.to_vec(), &[1, d]).unwrap();
            let ld = f.forward_with(&ps, &t).1.to_vec().unwrap()[0];
            let h = 1e-7; // small: narrow spline bins give large jumps of the second derivative at knots
            let mut jac = vec![0.0; d * d];
            for j in 0..d {
                let (mut up, mut um) = (u0.to_vec(), u0.to_vec());
                up[j] += h;
                um[j] -= h;
                let (fp, fm) = (map(&up), map(&um));
                for i in 0..d {
                    jac[i * d + j] = (fp[i] - fm[i]) / (2.0 * h);
                }
            }
            let det = jac[0] * (jac[4] * jac[8] - jac[5] * jac[7])
                - jac[1] * (jac[3] * jac[8] - jac[5] * jac[6])
                + jac[2] * (jac[3] * jac[7] - jac[4] * jac[6]);
            assert!(
                (det.abs().ln() - ld).abs() < 1e-5,
                "{:?} at {u0:?}: fd {} vs {ld}",
                f.config.transform,
                det.abs().ln()
            );
        }
    }

    /// With `2⌈log₂ d⌉` bit-split layers every ordered pair (i, j) has a layer
    /// that transforms j conditioned on i; the checkerboard never pairs
    /// coordinates of equal parity.
    #[test]
    fn bit_split_masks_pair_every_coordinate() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for (d, layers) in [(2, 2), (5, 6), (10, 8), (17, 10)] {
            let mut cfg = FlowConfig {
                n_layers: layers,
                hidden: vec![4],
                masks: MaskScheme::BitSplit,
                ..Default::default()
            };
            let f = CouplingFlow::new(d, cfg.clone(), &mut rng).unwrap();
            for i in 0..d {
                for j in (0..d).filter(|&j| j != i) {
                    assert!(
                        (0..layers).any(|l| f.passed(l, i) && !f.passed(l, j)),
                        "d {d}: {j} never conditioned on {i}"
                    );
                }
            }
            cfg.masks = MaskScheme::Alternating;
            let f = CouplingFlow::new(d, cfg, &mut rng).unwrap();
            if d > 2 {
                assert!(!(0..layers).any(|l| f.passed(l, 0) && !f.passed(l, 2)));
            }
        }
    }

    #[test]
    fn save_load_round_trip_and_bad_file() {
        let f = random_flow(3, SPLINE, MaskScheme::BitSplit);
        let p = std::env::temp_dir().join(format!("ferrax-flow-{}.bin", std::process::id()));
        f.save(&p).unwrap();
        assert_eq!(CouplingFlow::load(&p).unwrap(), f);
        std::fs::write(&p, b"garbage").unwrap();
        let e = CouplingFlow::load(&p).unwrap_err().to_string();
        assert!(e.contains("ferrax-flow"), "{e}");
        std::fs::remove_file(&p).unwrap();
    }
}
