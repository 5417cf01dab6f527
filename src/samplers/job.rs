//! One sampling job on a [`Target`]: choose a sampler, run it, summarise,
//! optionally estimate the evidence. Used by `ferrax sample`, the examples
//! and the benchmarks.

use super::flowmc::{run_flowmc, FlowMcConfig, FlowMcState};
use super::kernels::KernelKind;
use super::run::{run_local, LocalRunConfig, SampleSet};
use super::summary::{summarize, Summary};
use super::{LogDensity, SamplerError, Target};
use crate::evidence::{learned_harmonic_mean, EvidenceConfig, EvidenceResult};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Which sampler a job uses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SamplerChoice {
    /// Flow-enhanced MALA.
    Flowmc,
    /// MALA alone.
    Mala,
    /// HMC alone (20 leapfrog steps).
    Hmc,
}

/// Settings of a job.
#[derive(Debug, Clone)]
pub struct SampleJob {
    /// The sampler.
    pub sampler: SamplerChoice,
    /// Seed of every random number in the run.
    pub seed: u64,
    /// Estimate `log Z` with the learned harmonic mean.
    pub evidence: bool,
    /// Flow-enhanced settings (`None`: [`FlowMcConfig::for_dim`]).
    pub flowmc: Option<FlowMcConfig>,
    /// Local-sampler settings for `mala`/`hmc` (`None`: defaults).
    pub local: Option<LocalRunConfig>,
    /// Chains of the local samplers.
    pub local_chains: usize,
    /// Checkpoint file and period (flow-enhanced sampler only).
    pub checkpoint: Option<(PathBuf, usize)>,
    /// Show progress on stderr.
    pub progress: bool,
}

impl SampleJob {
    /// Defaults for `sampler` with `seed`.
    pub fn new(sampler: SamplerChoice, seed: u64) -> Self {
        SampleJob {
            sampler,
            seed,
            evidence: false,
            flowmc: None,
            local: None,
            local_chains: 200,
            checkpoint: None,
            progress: false,
        }
    }
}

/// What a job reports (the JSON written by `ferrax sample`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SampleReport {
    /// The sampler.
    pub sampler: SamplerChoice,
    /// Seed.
    pub seed: u64,
    /// Chains.
    pub n_chains: usize,
    /// Draws per chain.
    pub n_draws: usize,
    /// Posterior means.
    pub mean: Vec<f64>,
    /// Posterior standard deviations.
    pub std: Vec<f64>,
    /// Full per-parameter summary (quantiles, ESS, R̂).
    pub summary: Summary,
    /// Smallest ESS over parameters.
    pub ess_min: f64,
    /// Median ESS over parameters.
    pub ess_median: f64,
    /// Largest split-R̂.
    pub rhat_max: f64,
    /// Mixtures: mean posterior responsibility of each component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode_weights: Option<Vec<f64>>,
    /// Flow-enhanced sampler: acceptance of the global moves in production.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global_acceptance: Option<f64>,
    /// `log Z` (with `--evidence`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_z: Option<f64>,
    /// Error of `log Z`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_z_err: Option<f64>,
    /// Log-density (+gradient) evaluations, summed over chains.
    pub n_logdensity_evals: u64,
    /// CPU time of the run (user + system, all threads), seconds.
    pub cpu_seconds: f64,
    /// Wall time of the run, seconds.
    pub wall_seconds: f64,
}

/// CPU time of this process so far (user + system), seconds.
pub fn process_cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the zeroed struct we own.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut ru) != 0 {
            return f64::NAN;
        }
        let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
        tv(ru.ru_utime) + tv(ru.ru_stime)
    }
}

/// Starting points `x ~ N(0, I)`, redrawn (up to 100 times) where the
/// log-density is not finite (e.g. outside a prior box).
pub fn initial_points<D: LogDensity + ?Sized, R: Rng>(
    density: &D,
    n: usize,
    rng: &mut R,
) -> Result<Vec<f64>, SamplerError> {
    let d = density.dim();
    let mut x: Vec<f64> = (0..n * d).map(|_| rng.sample(StandardNormal)).collect();
    let mut lp = vec![0.0; n];
    let mut g = vec![0.0; n * d];
    for _ in 0..100 {
        density.log_density_and_grad(&x, &mut lp, &mut g)?;
        let bad: Vec<usize> = (0..n).filter(|&i| !lp[i].is_finite()).collect();
        if bad.is_empty() {
            return Ok(x);
        }
        for i in bad {
            for v in &mut x[i * d..(i + 1) * d] {
                *v = rng.sample(StandardNormal);
            }
        }
    }
    Err(SamplerError::NotFinite(
        "no finite start found near the origin".into(),
    ))
}

/// Runs `job` on `target`; returns the report and the draws.
pub fn run_job(target: &Target, job: &SampleJob) -> Result<(SampleReport, SampleSet), SamplerError> {
    let cpu0 = process_cpu_seconds();
    let wall0 = std::time::Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(job.seed);
    let d = target.dim();
    let (set, global_acc) = match job.sampler {
        SamplerChoice::Flowmc => {
            let mut cfg = job.flowmc.clone().unwrap_or_else(|| FlowMcConfig::for_dim(d));
            cfg.progress = job.progress;
            if let Some((p, every)) = &job.checkpoint {
                cfg.checkpoint_path = Some(p.clone());
                cfg.checkpoint_every = *every;
            }
            let state = match &job.checkpoint {
                Some((p, _)) if p.exists() => {
                    let s = FlowMcState::load(p)?;
                    if s.chains.dim != d {
                        return Err(SamplerError::Checkpoint {
                            path: p.display().to_string(),
                            msg: format!("checkpoint is for dim {}, target has {d}", s.chains.dim),
                        });
                    }
                    s
                }
                _ => {
                    let x0 = initial_points(target, cfg.n_chains, &mut rng)?;
                    FlowMcState::new(target, cfg, x0, job.seed.wrapping_add(1))?
                }
            };
            let res = run_flowmc(target, state, None)?;
            let (a, p) = res.state.global_accept_production;
            (res.samples, Some(a as f64 / p.max(1) as f64))
        }
        SamplerChoice::Mala | SamplerChoice::Hmc => {
            let mut cfg = job.local.clone().unwrap_or_default();
            if job.local.is_none() {
                cfg.kernel = if job.sampler == SamplerChoice::Hmc {
                    KernelKind::Hmc { n_leapfrog: 20 }
                } else {
                    KernelKind::Mala
                };
                cfg.n_warmup = 2000;
                cfg.n_draws = 2000;
            }
            let x0 = initial_points(target, job.local_chains, &mut rng)?;
            (run_local(target, x0, &cfg, &mut rng)?.0, None)
        }
    };
    let summary = summarize(&set);
    let mode_weights = mixture_weights(target, &set);
    let (log_z, log_z_err) = if job.evidence {
        let ev: EvidenceResult = learned_harmonic_mean(&set, &EvidenceConfig::default(), &mut rng)
            .map_err(|e| SamplerError::invalid("evidence", e.to_string()))?;
        (Some(ev.log_z), Some(ev.log_z_err))
    } else {
        (None, None)
    };
    let report = SampleReport {
        sampler: job.sampler,
        seed: job.seed,
        n_chains: set.n_chains,
        n_draws: set.n_draws,
        mean: summary.mean.clone(),
        std: summary.std.clone(),
        ess_min: summary.ess_min,
        ess_median: summary.ess_median,
        rhat_max: summary.rhat_max,
        summary,
        mode_weights,
        global_acceptance: global_acc,
        log_z,
        log_z_err,
        n_logdensity_evals: set.n_logdensity_evals,
        cpu_seconds: process_cpu_seconds() - cpu0,
        wall_seconds: wall0.elapsed().as_secs_f64(),
    };
    Ok((report, set))
}

/// Mean posterior responsibilities of a mixture target over all draws.
pub fn mixture_weights(target: &Target, set: &SampleSet) -> Option<Vec<f64>> {
    let d = set.dim;
    let rows = set.samples.len() / d.max(1);
    let mut acc: Option<Vec<f64>> = None;
    for r in 0..rows {
        let resp = target.responsibilities(&set.samples[r * d..(r + 1) * d])?;
        let a = acc.get_or_insert_with(|| vec![0.0; resp.len()]);
        for (s, v) in a.iter_mut().zip(resp) {
            *s += v;
        }
    }
    acc.map(|a| a.into_iter().map(|v| v / rows as f64).collect())
}
