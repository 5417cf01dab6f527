//! Posterior sampling of afterglow parameters from photometry with the
//! surrogate: the prior is the training box (uniform in each parameter's
//! uniform coordinate, `ln θ_c` for the core angle), sampled in unbounded
//! coordinates `z` with `v = lo + (hi − lo) σ(z)` (σ the logistic function)
//! so that chains can never leave the box; the density in `z` carries the
//! Jacobian `(hi − lo) σ(z)(1 − σ(z))`. Chains start from the best of many
//! prior draws, run HMC with step-size and mass-matrix adaptation, the
//! worse half of the chains is restarted from the better half after a first
//! warm-up, and after a second warm-up flow-enhanced MCMC (or, optionally,
//! more HMC) gives the draws.

use super::em::EmLikelihood;
use super::SurrogateError;
use crate::compress::fidelity::quantile_sorted;
use crate::samplers::diagnostics::{ess_mean, split_rhat};
use crate::samplers::flowmc::{run_flowmc, FlowMcConfig, FlowMcState};
use crate::samplers::{run_local, KernelKind, LocalRunConfig, LogDensity, SamplerError};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::path::Path;
use std::sync::mpsc;
use std::time::Instant;

/// The posterior in unbounded coordinates (see the module documentation).
pub struct AfterglowPosterior<'a> {
    /// The likelihood.
    pub lik: &'a EmLikelihood,
    /// A second thread that evaluates the second half of each batch.
    helper: Option<Helper>,
}

/// The channels to a thread holding its own copy of the likelihood (the
/// autodiff tape is per thread): it receives points `[n, n_params]` and
/// returns their `ln L` and gradient.
struct Helper {
    points: mpsc::Sender<Vec<f64>>,
    results: mpsc::Receiver<LikelihoodAndGrad>,
}

type LikelihoodAndGrad = Result<(Vec<f64>, Vec<f64>), SurrogateError>;

/// Runs `body` with the posterior of `lik`, whose batches are split over
/// `threads` (1 or 2) threads. The second thread builds its own
/// [`EmLikelihood`] from the same model and data, so both halves give the
/// numbers one thread would.
fn with_posterior<T>(
    lik: &EmLikelihood,
    threads: usize,
    body: impl FnOnce(&AfterglowPosterior<'_>) -> T,
) -> T {
    if threads < 2 {
        return body(&AfterglowPosterior { lik, helper: None });
    }
    std::thread::scope(|s| {
        let (points, inbox) = mpsc::channel::<Vec<f64>>();
        let (outbox, results) = mpsc::channel::<LikelihoodAndGrad>();
        let (model, obs, sys) = (lik.model.clone(), lik.obs.clone(), lik.systematic_mag);
        let d = model.n_params();
        s.spawn(move || {
            let own = EmLikelihood::new(model, obs, sys);
            // ends when the posterior (the sender) is dropped
            for x in inbox {
                let r = match &own {
                    Ok(l) => l.log_likelihood_and_grad(&x, x.len() / d),
                    Err(e) => Err(SurrogateError::invalid(
                        "afterglow likelihood (second thread)",
                        e.to_string(),
                    )),
                };
                if outbox.send(r).is_err() {
                    break;
                }
            }
        });
        let post = AfterglowPosterior {
            lik,
            helper: Some(Helper { points, results }),
        };
        body(&post)
    })
}

impl AfterglowPosterior<'_> {
    /// Physical parameters of the unbounded point `z`, and per parameter
    /// `dx/dz` and `d ln(dv/dz)/dz` (the log-Jacobian gradient).
    pub fn to_physical(&self, z: &[f64], x: &mut [f64], dxdz: &mut [f64], dlogj: &mut [f64]) -> f64 {
        let mut logj = 0.0;
        for (j, p) in self.lik.model.params.iter().enumerate() {
            let (lo, hi) = p.uniform_range();
            let zj = z[j].clamp(-700.0, 700.0);
            let s = 1.0 / (1.0 + (-zj).exp());
            let v = lo + (hi - lo) * s;
            let dvdz = (hi - lo) * s * (1.0 - s);
            logj += (hi - lo).ln() + s.max(f64::MIN_POSITIVE).ln() + (1.0 - s).max(f64::MIN_POSITIVE).ln();
            dlogj[j] = 1.0 - 2.0 * s;
            if p.log_uniform {
                x[j] = v.exp().clamp(p.min, p.max);
                dxdz[j] = x[j] * dvdz;
            } else {
                x[j] = v.clamp(p.min, p.max);
                dxdz[j] = dvdz;
            }
        }
        logj
    }

    /// The unbounded point of physical parameters `x` (inside the box).
    pub fn to_unbounded(&self, x: &[f64]) -> Vec<f64> {
        self.lik
            .model
            .params
            .iter()
            .zip(x)
            .map(|(p, &xj)| {
                let (lo, hi) = p.uniform_range();
                let s = ((p.to_uniform(xj) - lo) / (hi - lo)).clamp(1e-12, 1.0 - 1e-12);
                (s / (1.0 - s)).ln()
            })
            .collect()
    }
}

impl AfterglowPosterior<'_> {
    /// `ln L` and its gradient at the `n` points `x` (inside the box), the
    /// second half of them on the helper thread if there is one.
    fn likelihood_and_grad(&self, x: Vec<f64>, n: usize) -> LikelihoodAndGrad {
        let d = self.dim();
        let Some(h) = self.helper.as_ref().filter(|_| n >= 2) else {
            return self.lik.log_likelihood_and_grad(&x, n);
        };
        let half = n / 2;
        let sent = h.points.send(x[half * d..].to_vec()).is_ok();
        let first = self.lik.log_likelihood_and_grad(&x[..half * d], half);
        // the helper's answer is always collected, so none is left for the next call
        let second = match sent.then(|| h.results.recv().ok()).flatten() {
            Some(r) => r,
            None => self.lik.log_likelihood_and_grad(&x[half * d..], n - half),
        };
        let ((mut ll, mut g), second) = (first?, second?);
        ll.extend(second.0);
        g.extend(second.1);
        Ok((ll, g))
    }
}

impl LogDensity for AfterglowPosterior<'_> {
    fn dim(&self) -> usize {
        self.lik.model.n_params()
    }

    fn log_density_and_grad(
        &self,
        z: &[f64],
        logp: &mut [f64],
        grad: &mut [f64],
    ) -> Result<(), SamplerError> {
        let d = self.dim();
        let n = crate::samplers::density::batch_size(d, z, logp, Some(grad))?;
        let mut x = vec![0.0; n * d];
        let mut dxdz = vec![0.0; n * d];
        let mut dlogj = vec![0.0; n * d];
        let mut logj = vec![0.0; n];
        let mut inside = vec![true; n];
        for i in 0..n {
            let r = i * d..(i + 1) * d;
            logj[i] = self.to_physical(
                &z[r.clone()],
                &mut x[r.clone()],
                &mut dxdz[r.clone()],
                &mut dlogj[r.clone()],
            );
            inside[i] = self.lik.model.check_params(&x[r]).is_ok();
        }
        // points outside the support (the Gaussian jet's θ_w ≤ π/2) are
        // evaluated at a harmless point and then given -inf
        let safe: Vec<f64> = (0..n)
            .flat_map(|i| {
                if inside[i] {
                    x[i * d..(i + 1) * d].to_vec()
                } else {
                    self.lik
                        .model
                        .params
                        .iter()
                        .map(|p| 0.5 * (p.min + p.max).min(p.max))
                        .collect()
                }
            })
            .collect();
        let (ll, g) = self
            .likelihood_and_grad(safe, n)
            .map_err(|e| SamplerError::invalid("afterglow likelihood", e.to_string()))?;
        for i in 0..n {
            if !inside[i] || !ll[i].is_finite() {
                logp[i] = f64::NEG_INFINITY;
                grad[i * d..(i + 1) * d].fill(0.0);
                continue;
            }
            logp[i] = ll[i] + logj[i];
            for j in 0..d {
                grad[i * d + j] = g[i * d + j] * dxdz[i * d + j] + dlogj[i * d + j];
            }
        }
        Ok(())
    }
}

/// Settings of [`infer`].
#[derive(Clone, Debug)]
pub struct InferConfig {
    /// Parallel chains.
    pub n_chains: usize,
    /// Prior draws screened for the starting points.
    pub n_prior_draws: usize,
    /// Warm-up steps of the first run (then the worse half restarts).
    pub n_warmup1: usize,
    /// Warm-up steps of the second run.
    pub n_warmup2: usize,
    /// Kept draws per chain.
    pub n_draws: usize,
    /// Leapfrog steps per HMC trajectory.
    pub n_leapfrog: usize,
    /// How the draws are made after the warm-up.
    pub sampler: AfterglowSampler,
    /// Random seed.
    pub seed: u64,
    /// Threads each batch of chains is split over (1 or 2).
    pub threads: usize,
}

/// The sampler of the draws (after the HMC warm-up and restart).
#[derive(Clone, Debug, PartialEq)]
pub enum AfterglowSampler {
    /// More HMC (`n_draws` per chain).
    Hmc,
    /// Flow-enhanced MCMC (flowMC; Gabrié, Rotskoff & Vanden-Eijnden 2022,
    /// Wong, Gabrié & Foreman-Mackey 2023): local HMC steps alternate with
    /// independence proposals from a normalizing flow trained on the
    /// chains, which jump along the E0–n0–ε_e–ε_B degeneracy that local
    /// steps cross only slowly. `chains_per_start` copies of each warmed-up
    /// chain (jittered) run; the production draws are thinned by `thin`.
    FlowMc {
        /// Chains per warmed-up chain.
        chains_per_start: usize,
        /// Training loops (local + global steps, flow training).
        n_training_loops: usize,
        /// Production loops.
        n_production_loops: usize,
        /// Local steps per loop.
        n_local_steps: usize,
        /// Global (flow) proposals per loop.
        n_global_steps: usize,
        /// Keep every `thin`-th production draw.
        thin: usize,
    },
}

impl Default for InferConfig {
    fn default() -> Self {
        InferConfig {
            n_chains: 32,
            n_prior_draws: 20_000,
            n_warmup1: 300,
            n_warmup2: 400,
            n_draws: 500,
            n_leapfrog: 8,
            sampler: AfterglowSampler::FlowMc {
                chains_per_start: 4,
                n_training_loops: 8,
                n_production_loops: 24,
                n_local_steps: 20,
                n_global_steps: 20,
                thin: 2,
            },
            seed: 2026,
            threads: 2,
        }
    }
}

/// Posterior summary of one parameter.
#[derive(Clone, Debug, Serialize)]
pub struct ParamSummary {
    /// Median.
    pub median: f64,
    /// 5 % quantile.
    pub q05: f64,
    /// 95 % quantile.
    pub q95: f64,
    /// Split R̂ over the chains.
    pub rhat: f64,
    /// Effective sample size (bulk, of the mean).
    pub ess: f64,
    /// True value, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truth: Option<f64>,
}

/// Result of [`infer`].
#[derive(Clone, Debug)]
pub struct InferResult {
    /// Parameter names.
    pub names: Vec<String>,
    /// Draws in physical units, `[n_samples, n_params]` (chains concatenated).
    pub samples: Vec<f64>,
    /// Log-likelihood of each draw.
    pub log_likelihood: Vec<f64>,
    /// Summary per parameter, in order of `names`.
    pub summary: Vec<ParamSummary>,
    /// Mean HMC acceptance rate.
    pub acceptance: f64,
    /// Wall time [s].
    pub seconds: f64,
    /// Log-density (+gradient) evaluations.
    pub n_evals: u64,
}

/// Samples the posterior of the surrogate's parameters given the data in `lik`.
pub fn infer(lik: &EmLikelihood, config: &InferConfig) -> Result<InferResult, SurrogateError> {
    with_posterior(lik, config.threads, |post| sample(post, config))
}

/// [`infer`] with the posterior given.
fn sample(post: &AfterglowPosterior<'_>, config: &InferConfig) -> Result<InferResult, SurrogateError> {
    let start = Instant::now();
    let lik = post.lik;
    let model = &lik.model;
    let d = model.n_params();
    let nc = config.n_chains.max(2);
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    // 1. screen prior draws with the fast f64 path
    let mut draws = Vec::with_capacity(config.n_prior_draws * d);
    let mut kept = 0;
    while kept < config.n_prior_draws.max(nc) {
        let x: Vec<f64> = model
            .params
            .iter()
            .map(|p| {
                let (lo, hi) = p.uniform_range();
                let v = rng.gen_range(lo..hi);
                if p.log_uniform {
                    v.exp().clamp(p.min, p.max)
                } else {
                    v
                }
            })
            .collect();
        if model.check_params(&x).is_ok() {
            draws.extend_from_slice(&x);
            kept += 1;
        }
    }
    let ll = lik.log_likelihood_batch(&draws, kept)?;
    let mut order: Vec<usize> = (0..kept).collect();
    order.sort_by(|&a, &b| ll[b].total_cmp(&ll[a]));
    let mut z0 = Vec::with_capacity(nc * d);
    for &i in order.iter().take(nc) {
        z0.extend(post.to_unbounded(&draws[i * d..(i + 1) * d]));
    }
    // 2. first warm-up; restart the worse half from the better half
    let kernel = KernelKind::Hmc {
        n_leapfrog: config.n_leapfrog,
    };
    let cfg1 = LocalRunConfig {
        kernel,
        n_warmup: config.n_warmup1,
        n_draws: 1,
        thin: 1,
        step_size: 0.05,
        adapt_mass: true,
    };
    let (set1, _) = run_local(post, z0, &cfg1, &mut rng)?;
    let mut rank: Vec<usize> = (0..nc).collect();
    rank.sort_by(|&a, &b| set1.logp[b].total_cmp(&set1.logp[a]));
    let mut z1 = vec![0.0; nc * d];
    for (k, &c) in rank.iter().enumerate() {
        let src = if k < nc / 2 { c } else { rank[k - nc / 2] };
        z1[c * d..(c + 1) * d].copy_from_slice(&set1.samples[src * d..(src + 1) * d]);
    }
    // 3. second warm-up and the draws
    let (set, n_evals2) = match &config.sampler {
        AfterglowSampler::Hmc => {
            let cfg2 = LocalRunConfig {
                n_warmup: config.n_warmup2,
                n_draws: config.n_draws,
                ..cfg1
            };
            let (set, _) = run_local(post, z1, &cfg2, &mut rng)?;
            let n = set.n_logdensity_evals;
            (set, n)
        }
        AfterglowSampler::FlowMc {
            chains_per_start,
            n_training_loops,
            n_production_loops,
            n_local_steps,
            n_global_steps,
            thin,
        } => {
            let cfg2 = LocalRunConfig {
                n_warmup: config.n_warmup2,
                n_draws: 1,
                ..cfg1
            };
            let (warm, _) = run_local(post, z1, &cfg2, &mut rng)?;
            let copies = (*chains_per_start).max(1);
            let mut fc = FlowMcConfig::for_dim(d);
            fc.n_chains = nc * copies;
            fc.kernel = kernel;
            fc.dense_mass = true;
            fc.step_size = 0.1;
            fc.n_training_loops = *n_training_loops;
            fc.n_production_loops = *n_production_loops;
            fc.n_local_steps = *n_local_steps;
            fc.n_local_steps_production = *n_local_steps;
            fc.n_global_steps = *n_global_steps;
            fc.thin = (*thin).max(1);
            fc.progress = false;
            let mut x0 = Vec::with_capacity(fc.n_chains * d);
            for _ in 0..copies {
                for c in 0..nc {
                    for j in 0..d {
                        let e: f64 = rng.sample(rand_distr::StandardNormal);
                        x0.push(warm.samples[c * d + j] + 0.01 * e);
                    }
                }
            }
            let state = FlowMcState::new(post, fc, x0, config.seed.wrapping_add(1))?;
            let res = run_flowmc(post, state, None)?;
            let n = warm.n_logdensity_evals + res.state.n_logdensity_evals;
            (res.samples, n)
        }
    };
    let ns = set.n_chains * set.n_draws;
    let mut samples = vec![0.0; ns * d];
    let (mut dx, mut dl) = (vec![0.0; d], vec![0.0; d]);
    for s in 0..ns {
        post.to_physical(
            &set.samples[s * d..(s + 1) * d],
            &mut samples[s * d..(s + 1) * d],
            &mut dx,
            &mut dl,
        );
    }
    let log_likelihood = lik.log_likelihood_batch(&samples, ns)?;
    let truth = lik.obs.truth_for(model);
    let summary = (0..d)
        .map(|j| {
            let col: Vec<f64> = samples.iter().skip(j).step_by(d).copied().collect();
            let mut sorted = col.clone();
            sorted.sort_by(|a, b| a.total_cmp(b));
            ParamSummary {
                median: quantile_sorted(&sorted, 0.5),
                q05: quantile_sorted(&sorted, 0.05),
                q95: quantile_sorted(&sorted, 0.95),
                rhat: split_rhat(&col, set.n_chains, set.n_draws),
                ess: ess_mean(&col, set.n_chains, set.n_draws),
                truth: truth.as_ref().map(|t| t[j]),
            }
        })
        .collect();
    Ok(InferResult {
        names: model.params.iter().map(|p| p.name.clone()).collect(),
        samples,
        log_likelihood,
        summary,
        acceptance: set.acceptance,
        seconds: start.elapsed().as_secs_f64(),
        n_evals: set1.n_logdensity_evals + n_evals2,
    })
}

/// Writes `summary.json` (`{name: {median, q05, q95, rhat, ess[, truth]}}`
/// plus run information), `samples.npy` (`[n, n_params]`), `corner.png` and
/// `lightcurve.png` into `outdir`.
pub fn write_outputs(lik: &EmLikelihood, res: &InferResult, outdir: &Path) -> Result<(), SurrogateError> {
    std::fs::create_dir_all(outdir).map_err(|source| SurrogateError::Io {
        path: outdir.display().to_string(),
        source,
    })?;
    let d = res.names.len();
    let mut params = serde_json::Map::new();
    for (n, s) in res.names.iter().zip(&res.summary) {
        params.insert(n.clone(), serde_json::to_value(s).unwrap_or_default());
    }
    let mut top = serde_json::Map::new();
    top.insert("parameters".into(), serde_json::Value::Object(params.clone()));
    for (k, v) in params {
        top.insert(k, v);
    }
    top.insert("jet".into(), lik.model.jet.name().into());
    top.insert("n_samples".into(), (res.samples.len() / d).into());
    top.insert("acceptance".into(), res.acceptance.into());
    top.insert("seconds".into(), res.seconds.into());
    top.insert("n_logdensity_evals".into(), res.n_evals.into());
    top.insert("systematic_mag".into(), lik.systematic_mag.into());
    let text = serde_json::to_string_pretty(&serde_json::Value::Object(top)).unwrap_or_default();
    crate::io::write_atomic(outdir.join("summary.json"), text.as_bytes())?;
    crate::io::write_npy(
        outdir.join("samples.npy"),
        &[res.samples.len() / d, d],
        &res.samples,
    )?;
    let truths = lik.obs.truth_for(&lik.model);
    crate::plot::corner_plot(
        &outdir.join("corner.png"),
        &res.samples,
        &res.names,
        &crate::plot::CornerOptions {
            truths,
            ..Default::default()
        },
    )?;
    super::plot::light_curve_plot(&outdir.join("lightcurve.png"), lik, &res.samples, d)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surrogates::{AfterglowSurrogate, Jet, Observations};

    /// Two threads give the numbers one thread gives, bit for bit, for odd
    /// and even batches and for a single point.
    #[test]
    fn a_batch_split_over_two_threads_gives_the_same_numbers() {
        let model = AfterglowSurrogate::builtin(Jet::TopHat).unwrap();
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/afterglow/mock_obs_2.json");
        let obs = Observations::from_file(path, &model).unwrap();
        let lik = EmLikelihood::new(model, obs, crate::surrogates::em::DEFAULT_SYSTEMATIC_MAG).unwrap();
        let d = lik.model.n_params();
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for n in [1, 4, 7] {
            let z: Vec<f64> = (0..n * d).map(|_| rng.gen_range(-2.0..2.0)).collect();
            let eval = |threads| {
                with_posterior(&lik, threads, |post| {
                    let (mut logp, mut grad) = (vec![0.0; n], vec![0.0; n * d]);
                    post.log_density_and_grad(&z, &mut logp, &mut grad).unwrap();
                    // a second call reads its own answer, not a stale one
                    let (mut logp2, mut grad2) = (vec![0.0; n], vec![0.0; n * d]);
                    post.log_density_and_grad(&z, &mut logp2, &mut grad2).unwrap();
                    assert_eq!((&logp, &grad), (&logp2, &grad2));
                    (logp, grad)
                })
            };
            let (one, two) = (eval(1), eval(2));
            assert!(one.0.iter().all(|v| v.is_finite()), "{:?}", one.0);
            assert_eq!(one, two, "{n} points");
        }
    }
}
