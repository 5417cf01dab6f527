//! Gaussian kernel density estimates of released posterior samples,
//! conditioned on the stars' masses: the density estimate behind the NICER
//! and GW likelihood terms.
//!
//! Samples x_j = (m_j, o_j) (masses m, observables o: radius or tidal
//! deformabilities). The KDE is p(x) = (1/N) Σ_j N(x; x_j, H) with
//! H = f² Σ (Σ the sample covariance, Scott's factor f = N^{−1/(d+4)}, as
//! `scipy.stats.gaussian_kde`, which jester uses). Each kernel factorises as
//! N(m; m_j, H_mm) · N(o; c_j(m), S) with c_j(m) = o_j + H_om H_mm⁻¹ (m − m_j)
//! and S = H_oo − H_om H_mm⁻¹ H_mo (the conditional of a Gaussian).
//!
//! An EOS predicts o(m). The likelihood, marginalised over the masses with a
//! flat mass prior (and the flat priors of the released analyses divided
//! out), is L = ∫ p(m, o(m)) dm. It is estimated by importance sampling with
//! K masses m_k drawn once from the KDE's own mass marginal q(m):
//! L ≈ (1/K) Σ_k p(m_k, o(m_k))/q(m_k) = (1/K) Σ_k p(o(m_k) | m_k), where
//! p(o | m_k) = Σ_j w_kj N(o; c_j(m_k), S) and w_kj ∝ N(m_k; m_j, H_mm).
//! The weights and conditional means are precomputed; kernels with
//! negligible weight (cumulative tail below `weight_tol`) are dropped. A
//! mass above the EOS's maximum mass contributes zero.
//!
//! jester (`NICERKDELikelihood`, `GWLikelihood`) draws the masses from the
//! posterior too but averages p(m_k, o(m_k)) itself, i.e. estimates
//! ∫ p(m, o(m)) p(m) dm, which weights the mass posterior twice; the
//! importance-sampling form above is the flat-mass-prior marginal.

// `!(a > b)` deliberately rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::EosInferError;
use crate::samplers::targets::cholesky;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Options of a [`ConditionalKde`].
#[derive(Debug, Clone, Copy)]
pub struct KdeOptions {
    /// Number of pre-sampled masses K.
    pub n_masses: usize,
    /// Kernels are kept per mass until the dropped weight is below this.
    pub weight_tol: f64,
    /// Seed of the mass draws.
    pub seed: u64,
}

impl Default for KdeOptions {
    fn default() -> Self {
        KdeOptions {
            n_masses: 100,
            weight_tol: 1e-5,
            seed: 42,
        }
    }
}

/// A Gaussian KDE of (masses, observables) samples, prepared for
/// evaluation along an EOS's o(m) (see the module documentation).
#[derive(Debug, Clone)]
pub struct ConditionalKde {
    /// Name of the data set (for messages).
    pub name: String,
    /// Number of mass columns (1: NICER, 2: a binary).
    pub n_mass: usize,
    /// Number of observable columns.
    pub n_obs: usize,
    /// Number of samples the KDE was built from.
    pub n_samples: usize,
    /// Pre-sampled masses, K × n_mass [M☉].
    pub masses: Vec<f64>,
    /// Per mass: offsets into `log_w` (K + 1 values).
    offsets: Vec<usize>,
    /// ln w_kj + ln of the conditional normalisation, per kept kernel.
    log_w: Vec<f64>,
    /// Conditional means c_j(m_k), n_obs per kept kernel.
    cond_mean: Vec<f64>,
    /// Inverse of the Cholesky factor of S (lower, row-major, n_obs²).
    s_inv_chol: Vec<f64>,
    /// Tabulated ln p(o | m_k) (one observable only).
    grid: Option<Grid>,
}

/// ln p(o | m_k) on a regular grid of o, K rows.
#[derive(Debug, Clone)]
struct Grid {
    lo: f64,
    step: f64,
    npts: usize,
    values: Vec<f64>,
}

fn invert_lower(l: &[f64], d: usize) -> Vec<f64> {
    let mut inv = vec![0.0; d * d];
    for c in 0..d {
        for i in 0..d {
            let rhs = if i == c { 1.0 } else { 0.0 };
            let s: f64 = (0..i).map(|k| l[i * d + k] * inv[k * d + c]).sum();
            inv[i * d + c] = (rhs - s) / l[i * d + i];
        }
    }
    inv
}

/// ln Σ exp(v_i) (−∞ for an empty or all −∞ input).
pub fn logsumexp(v: &[f64]) -> f64 {
    let m = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

impl ConditionalKde {
    /// Builds the KDE from `samples` (row-major, `n_mass + n_obs` columns:
    /// masses [M☉] first). Errors name `name`: too few rows, non-finite
    /// values, non-positive masses, a singular covariance.
    pub fn new(
        name: &str,
        samples: &[f64],
        n_mass: usize,
        n_obs: usize,
        opts: &KdeOptions,
    ) -> Result<Self, EosInferError> {
        let d = n_mass + n_obs;
        let err = |msg: String| EosInferError::data(name, msg);
        if n_mass == 0 || n_obs == 0 || n_obs > 2 {
            return Err(err(format!(
                "unsupported column split {n_mass} masses + {n_obs} observables"
            )));
        }
        if samples.len() % d != 0 {
            return Err(err(format!(
                "{} values is not a multiple of {d} columns",
                samples.len()
            )));
        }
        let n = samples.len() / d;
        if n < 10 {
            return Err(err(format!("need at least 10 samples, got {n}")));
        }
        if opts.n_masses == 0 {
            return Err(err("n_masses must be > 0".into()));
        }
        if let Some(i) = samples.iter().position(|v| !v.is_finite()) {
            return Err(err(format!(
                "non-finite value in row {}, column {}",
                i / d,
                i % d
            )));
        }
        for j in 0..n {
            for c in 0..n_mass {
                if samples[j * d + c] <= 0.0 {
                    return Err(err(format!("non-positive mass in row {j}, column {c}")));
                }
            }
        }
        // Covariance and bandwidth.
        let mut mean = vec![0.0; d];
        for j in 0..n {
            for c in 0..d {
                mean[c] += samples[j * d + c] / n as f64;
            }
        }
        let mut cov = vec![0.0; d * d];
        for j in 0..n {
            for a in 0..d {
                for b in 0..d {
                    cov[a * d + b] +=
                        (samples[j * d + a] - mean[a]) * (samples[j * d + b] - mean[b]) / (n - 1) as f64;
                }
            }
        }
        let f = (n as f64).powf(-1.0 / (d as f64 + 4.0));
        let h: Vec<f64> = cov.iter().map(|v| v * f * f).collect();
        let dm = n_mass;
        let dob = n_obs;
        let sub = |r0: usize, c0: usize, nr: usize, nc: usize| -> Vec<f64> {
            let mut out = vec![0.0; nr * nc];
            for i in 0..nr {
                for j in 0..nc {
                    out[i * nc + j] = h[(r0 + i) * d + c0 + j];
                }
            }
            out
        };
        let h_mm = sub(0, 0, dm, dm);
        let h_om = sub(dm, 0, dob, dm);
        let h_oo = sub(dm, dm, dob, dob);
        let l_mm = cholesky(&h_mm, dm).ok_or_else(|| err("singular mass covariance".into()))?;
        let l_mm_inv = invert_lower(&l_mm, dm);
        // H_mm⁻¹ = L⁻ᵀ L⁻¹.
        let mut h_mm_inv = vec![0.0; dm * dm];
        for a in 0..dm {
            for b in 0..dm {
                h_mm_inv[a * dm + b] = (0..dm).map(|k| l_mm_inv[k * dm + a] * l_mm_inv[k * dm + b]).sum();
            }
        }
        // A = H_om H_mm⁻¹ (n_obs × n_mass); S = H_oo − A H_mo.
        let mut a_mat = vec![0.0; dob * dm];
        for r in 0..dob {
            for c in 0..dm {
                a_mat[r * dm + c] = (0..dm).map(|k| h_om[r * dm + k] * h_mm_inv[k * dm + c]).sum();
            }
        }
        let mut s = h_oo.clone();
        for r in 0..dob {
            for c in 0..dob {
                s[r * dob + c] -= (0..dm).map(|k| a_mat[r * dm + k] * h_om[c * dm + k]).sum::<f64>();
            }
        }
        let l_s = cholesky(&s, dob).ok_or_else(|| err("singular conditional covariance".into()))?;
        let s_inv_chol = invert_lower(&l_s, dob);
        let log_norm = -0.5 * dob as f64 * (2.0 * std::f64::consts::PI).ln()
            - (0..dob).map(|i| l_s[i * dob + i].ln()).sum::<f64>();
        // Pre-sampled masses from the KDE's mass marginal.
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        let k_n = opts.n_masses;
        let mut masses = Vec::with_capacity(k_n * dm);
        while masses.len() < k_n * dm {
            let j = rng.gen_range(0..n);
            let z: Vec<f64> = (0..dm).map(|_| rng.sample::<f64, _>(StandardNormal)).collect();
            let m: Vec<f64> = (0..dm)
                .map(|a| samples[j * d + a] + (0..=a).map(|b| l_mm[a * dm + b] * z[b]).sum::<f64>())
                .collect();
            if m.iter().all(|&v| v > 0.0) {
                masses.extend(m);
            }
        }
        // Kernels kept per mass (in parallel over the masses).
        let per_mass = super::sampler::par_map(k_n, 0, |k| {
            let mk = &masses[k * dm..(k + 1) * dm];
            let q: Vec<f64> = (0..n)
                .map(|j| {
                    let mut quad = 0.0;
                    for a in 0..dm {
                        for b in 0..dm {
                            quad += (mk[a] - samples[j * d + a])
                                * h_mm_inv[a * dm + b]
                                * (mk[b] - samples[j * d + b]);
                        }
                    }
                    -0.5 * quad
                })
                .collect();
            let lse = logsumexp(&q);
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| q[b].total_cmp(&q[a]));
            let (mut lw_k, mut cm_k) = (Vec::new(), Vec::new());
            let mut cum = 0.0;
            for &j in &order {
                let lw = q[j] - lse;
                lw_k.push(lw + log_norm);
                for r in 0..dob {
                    let shift: f64 = (0..dm)
                        .map(|a| a_mat[r * dm + a] * (mk[a] - samples[j * d + a]))
                        .sum();
                    cm_k.push(samples[j * d + dm + r] + shift);
                }
                cum += lw.exp();
                if cum >= 1.0 - opts.weight_tol {
                    break;
                }
            }
            (lw_k, cm_k)
        });
        let mut offsets = vec![0];
        let mut log_w = Vec::new();
        let mut cond_mean = Vec::new();
        for (lw_k, cm_k) in per_mass {
            log_w.extend(lw_k);
            cond_mean.extend(cm_k);
            offsets.push(log_w.len());
        }
        Ok(ConditionalKde {
            name: name.to_string(),
            n_mass: dm,
            n_obs: dob,
            n_samples: n,
            masses,
            offsets,
            log_w,
            cond_mean,
            s_inv_chol,
            grid: None,
        }
        .with_grid())
    }

    /// With one observable: tabulates ln p(o | m_k) on a grid of spacing
    /// √S/8 covering every kept conditional mean ± 8√S, so that an
    /// evaluation is one linear interpolation per mass. The table is the
    /// kernels' weights linearly binned onto the grid and convolved with the
    /// Gaussian of variance S (truncated at ±8√S): relative error ~1e-3
    /// (tested against the direct sum); points off the grid, or where the
    /// table underflows, are summed directly.
    fn with_grid(mut self) -> Self {
        if self.n_obs != 1 {
            return self;
        }
        let sd = 1.0 / self.s_inv_chol[0];
        let lo = self.cond_mean.iter().copied().fold(f64::INFINITY, f64::min) - 8.0 * sd;
        let hi = self.cond_mean.iter().copied().fold(f64::NEG_INFINITY, f64::max) + 8.0 * sd;
        let step = sd / 8.0;
        let npts = ((hi - lo) / step).ceil() as usize + 1;
        if npts > 100_000 {
            return self;
        }
        let half = 64usize;
        let norm = 1.0 / (sd * (2.0 * std::f64::consts::PI).sqrt());
        let kernel: Vec<f64> = (0..=2 * half)
            .map(|i| {
                let x = (i as f64 - half as f64) * step / sd;
                norm * (-0.5 * x * x).exp()
            })
            .collect();
        let me = &self;
        let tables = super::sampler::par_map(me.n_masses(), 0, |k| {
            let (a, b) = (me.offsets[k], me.offsets[k + 1]);
            // weights relative to the largest, to stay in range
            let lmax = me.log_w[a..b].iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut hist = vec![0.0; npts];
            for i in a..b {
                let t = (me.cond_mean[i] - lo) / step;
                let j = (t.floor() as usize).min(npts - 2);
                let f = t - j as f64;
                let w = (me.log_w[i] - lmax).exp();
                hist[j] += w * (1.0 - f);
                hist[j + 1] += w * f;
            }
            let mut out = vec![f64::NEG_INFINITY; npts];
            for (i, o) in out.iter_mut().enumerate() {
                let mut acc = 0.0;
                let j0 = i.saturating_sub(half);
                let j1 = (i + half).min(npts - 1);
                for j in j0..=j1 {
                    acc += hist[j] * kernel[j + half - i];
                }
                if acc > 0.0 {
                    // log_w holds ln w + ln norm; the kernel carries the norm
                    *o = acc.ln() + lmax - norm.ln();
                }
            }
            out
        });
        self.grid = Some(Grid {
            lo,
            step,
            npts,
            values: tables.concat(),
        });
        self
    }

    /// Number of pre-sampled masses K.
    pub fn n_masses(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Mean number of kernels kept per mass (the cost of one evaluation is
    /// K times this).
    pub fn mean_kernels(&self) -> f64 {
        self.log_w.len() as f64 / self.n_masses() as f64
    }

    /// ln p(o | m_k) for the k-th pre-sampled mass and observables `o`
    /// (tabulated where available).
    pub fn log_conditional(&self, k: usize, o: &[f64]) -> f64 {
        if let Some(g) = &self.grid {
            let t = (o[0] - g.lo) / g.step;
            if t >= 0.0 && t < (g.npts - 1) as f64 {
                let i = t.floor() as usize;
                let f = t - i as f64;
                let row = &g.values[k * g.npts..(k + 1) * g.npts];
                let (a, b) = (row[i], row[i + 1]);
                if a.is_finite() && b.is_finite() {
                    return a + f * (b - a);
                }
            }
        }
        self.log_conditional_direct(k, o)
    }

    /// ln p(o | m_k) summed over the kept kernels.
    pub fn log_conditional_direct(&self, k: usize, o: &[f64]) -> f64 {
        let (a, b) = (self.offsets[k], self.offsets[k + 1]);
        let dob = self.n_obs;
        let li = &self.s_inv_chol;
        let mut mx = f64::NEG_INFINITY;
        let mut vals = Vec::with_capacity(b - a);
        for i in a..b {
            let c = &self.cond_mean[i * dob..(i + 1) * dob];
            let v = if dob == 1 {
                let z = li[0] * (o[0] - c[0]);
                self.log_w[i] - 0.5 * z * z
            } else {
                let r0 = o[0] - c[0];
                let r1 = o[1] - c[1];
                let z0 = li[0] * r0;
                let z1 = li[2] * r0 + li[3] * r1;
                self.log_w[i] - 0.5 * (z0 * z0 + z1 * z1)
            };
            mx = mx.max(v);
            vals.push(v);
        }
        if mx == f64::NEG_INFINITY {
            return mx;
        }
        mx + vals.iter().map(|v| (v - mx).exp()).sum::<f64>().ln()
    }

    /// ln L = ln[(1/K) Σ_k p(o(m_k) | m_k)], where `predict(m_k)` returns the
    /// EOS's observables at the masses m_k, or `None` where a mass exceeds
    /// the maximum mass (that term is zero). −∞ when every term is zero.
    pub fn log_likelihood(&self, mut predict: impl FnMut(&[f64]) -> Option<[f64; 2]>) -> f64 {
        let kn = self.n_masses();
        let mut terms = Vec::with_capacity(kn);
        for k in 0..kn {
            let m = &self.masses[k * self.n_mass..(k + 1) * self.n_mass];
            if let Some(o) = predict(m) {
                terms.push(self.log_conditional(k, &o[..self.n_obs]));
            }
        }
        logsumexp(&terms) - (kn as f64).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Samples from a correlated 2-D Gaussian: the KDE's conditional density
    /// must approach the exact conditional (with the bandwidth added to the
    /// covariance), and the likelihood along a line must match quadrature.
    #[test]
    fn conditional_matches_a_gaussian() {
        let (mu_m, mu_r, sm, sr, rho) = (1.4, 12.0, 0.1, 0.8, 0.6);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let n = 8000;
        let mut s = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let z1: f64 = rng.sample(StandardNormal);
            let z2: f64 = rng.sample(StandardNormal);
            s.push(mu_m + sm * z1);
            s.push(mu_r + sr * (rho * z1 + (1.0 - rho * rho).sqrt() * z2));
        }
        let opts = KdeOptions {
            n_masses: 600,
            ..Default::default()
        };
        let kde = ConditionalKde::new("gauss", &s, 1, 1, &opts).unwrap();
        // The KDE of Gaussian samples is, up to sampling noise, a Gaussian
        // with the sample moments and covariance (1 + f²)Σ̂.
        let ns = n as f64;
        let mm = s.iter().step_by(2).sum::<f64>() / ns;
        let mr = s.iter().skip(1).step_by(2).sum::<f64>() / ns;
        let (mut vmm, mut vrr, mut vmr) = (0.0, 0.0, 0.0);
        for j in 0..n {
            let (a, b) = (s[2 * j] - mm, s[2 * j + 1] - mr);
            vmm += a * a / (ns - 1.0);
            vrr += b * b / (ns - 1.0);
            vmr += a * b / (ns - 1.0);
        }
        let (mu_m, mu_r, sm, sr, rho) = (mm, mr, vmm.sqrt(), vrr.sqrt(), vmr / (vmm * vrr).sqrt());
        let f2 = (n as f64).powf(-2.0 / 6.0);
        let (sm2, sr2) = (sm * (1.0 + f2).sqrt(), sr * (1.0 + f2).sqrt());
        let central: Vec<usize> = (0..600)
            .filter(|&k| (kde.masses[k] - mu_m).abs() < sm)
            .take(5)
            .collect();
        assert_eq!(central.len(), 5);
        // Direct evaluation of the KDE's definition (scipy's gaussian_kde with
        // the same bandwidth): p(m, r)/q(m) summed over all samples.
        let h = [vmm * f2, vmr * f2, vmr * f2, vrr * f2];
        let det_h = h[0] * h[3] - h[1] * h[2];
        let direct = |m: f64, r: f64| {
            let (mut joint, mut marg) = (0.0, 0.0);
            for j in 0..n {
                let (a, b) = (m - s[2 * j], r - s[2 * j + 1]);
                let quad = (h[3] * a * a - 2.0 * h[1] * a * b + h[0] * b * b) / det_h;
                joint += (-0.5 * quad).exp() / (2.0 * std::f64::consts::PI * det_h.sqrt());
                marg += (-0.5 * a * a / h[0]).exp() / (2.0 * std::f64::consts::PI * h[0]).sqrt();
            }
            (joint / marg).ln()
        };
        for k in central {
            let m = kde.masses[k];
            let cm = mu_r + rho * sr2 / sm2 * (m - mu_m);
            let cs = sr2 * (1.0 - rho * rho).sqrt();
            for r in [cm - cs, cm, cm + 2.0 * cs] {
                let reference = direct(m, r);
                let got = kde.log_conditional_direct(k, &[r]);
                assert!(
                    (got - reference).abs() < 5e-5,
                    "k {k} r {r}: {got} vs direct {reference}"
                );
                let got = kde.log_conditional(k, &[r]);
                assert!(
                    (got - reference).abs() < 3e-3,
                    "k {k} r {r}: tabulated {got} vs direct {reference}"
                );
                // and, to sampling noise (~700 kernels carry the weight), the Gaussian
                let exact = -0.5 * ((r - cm) / cs).powi(2) - (cs * (2.0 * std::f64::consts::PI).sqrt()).ln();
                assert!((got - exact).abs() < 0.15, "k {k} r {r}: {got} vs {exact}");
            }
        }
        // Along R(m) = 11.5 + 0.5 m: ∫ p(m, R(m)) dm by quadrature of the
        // exact Gaussian, vs the importance-sampled estimate.
        let line = |m: f64| 11.5 + 0.5 * m;
        let det = sm2 * sm2 * sr2 * sr2 * (1.0 - rho * rho);
        let pdf = |m: f64, r: f64| {
            let (a, b) = ((m - mu_m) / sm2, (r - mu_r) / sr2);
            (-(a * a - 2.0 * rho * a * b + b * b) / (2.0 * (1.0 - rho * rho))).exp()
                / (2.0 * std::f64::consts::PI * det.sqrt())
        };
        let quad: f64 = (0..4000)
            .map(|i| {
                let m = 0.8 + 1.2 * (i as f64 + 0.5) / 4000.0;
                pdf(m, line(m)) * 1.2 / 4000.0
            })
            .sum();
        let est = kde.log_likelihood(|m| Some([line(m[0]), 0.0])).exp();
        assert!((est / quad - 1.0).abs() < 0.05, "{est} vs {quad}");
        // Masses above a cut contribute zero.
        let cut = kde
            .log_likelihood(|m| (m[0] < 1.4).then(|| [line(m[0]), 0.0]))
            .exp();
        assert!(cut < est && cut > 0.2 * est);
        assert_eq!(kde.log_likelihood(|_| None), f64::NEG_INFINITY);
    }

    #[test]
    fn bad_samples_are_named_errors() {
        let e = ConditionalKde::new("x.npy", &[1.0, f64::NAN, 1.0], 1, 2, &KdeOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.npy"), "{e}");
        let mut s = vec![1.0; 40];
        s[4] = -1.0;
        let e = ConditionalKde::new("y", &s, 1, 1, &KdeOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("non-positive mass") || e.contains("singular"), "{e}");
    }
}
