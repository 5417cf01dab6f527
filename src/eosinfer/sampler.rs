//! Ensemble differential-evolution MCMC for EOS inference (ter Braak 2006,
//! Stat. Comput. 16, 239; the split-ensemble form of Foreman-Mackey et al.
//! 2013, PASP 125, 306, sec. 3).
//!
//! W walkers move in unbounded coordinates z = logit(u) of the unit cube u
//! of the prior, where the (flat-in-u) prior has density
//! Π_i u_i (1 − u_i), so no proposal leaves the prior (in the 26-D cube a
//! translation move leaves it most of the time). Each iteration updates
//! the two halves of the ensemble in turn; a walker z of one half proposes
//! z' = z + γ (z_a − z_b) + ε with z_a ≠ z_b drawn from the other half (held
//! fixed while this half moves), γ = 2.38/√(2d) (γ = 1 with probability
//! `jump_prob`, to hop between modes) and ε ~ N(0, `noise`²). The proposal
//! is symmetric given the other half, so the Metropolis ratio is
//! π(z')L(z')/(π(z)L(z)); unphysical EOSs have L = 0 and are rejected
//! (counted by [`Rejection`] reason). It needs no
//! gradients (a TOV gradient costs ~10 values) and no tuning: the
//! differences of walkers scale the proposal to the posterior's shape.
//!
//! During burn-in, walkers whose ln L falls below Q1 − 2·IQR of the ensemble
//! every `outlier_every` iterations are moved onto randomly chosen other
//! walkers (Vrugt et al. 2009, sec. 3.3); no such moves in production.
//! All random numbers are drawn on one seeded stream before the (threaded)
//! likelihood evaluations, so a run is reproducible for any thread count,
//! and a resumed run continues bit for bit.

// `!(a > b)` deliberately rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::likelihood::{EosModel, Outcome, Rejection};
use super::EosInferError;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// Settings of the ensemble sampler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SamplerSettings {
    /// Number of walkers (even, ≥ 8).
    pub n_walkers: usize,
    /// Burn-in iterations (discarded).
    pub n_burn: usize,
    /// Production iterations.
    pub n_production: usize,
    /// Keep every `thin`-th production iteration.
    pub thin: usize,
    /// Scale of γ relative to 2.38/√(2d).
    pub gamma_scale: f64,
    /// Probability of γ = 1.
    pub jump_prob: f64,
    /// Standard deviation of the proposal's added noise (logit units).
    pub noise: f64,
    /// Outlier replacement period during burn-in (0: never).
    pub outlier_every: usize,
    /// Worker threads for the likelihood (0: all cores).
    pub threads: usize,
    /// Checkpoint every this many iterations (0: only at the end).
    pub checkpoint_every: usize,
}

impl Default for SamplerSettings {
    fn default() -> Self {
        SamplerSettings {
            n_walkers: 64,
            n_burn: 300,
            n_production: 300,
            thin: 3,
            gamma_scale: 1.0,
            jump_prob: 0.1,
            noise: 1e-4,
            outlier_every: 100,
            threads: 0,
            checkpoint_every: 50,
        }
    }
}

impl SamplerSettings {
    /// Checks the settings, naming the key (`sampler.<name>`).
    pub fn validate(&self) -> Result<(), EosInferError> {
        let bad = |k: &str, m: &str| Err(EosInferError::config(format!("sampler.{k}"), m));
        if self.n_walkers < 8 || self.n_walkers % 2 != 0 {
            return bad("n_walkers", "must be even and >= 8");
        }
        if self.thin == 0 {
            return bad("thin", "must be >= 1");
        }
        if self.n_production < self.thin {
            return bad("n_production", "must be >= thin");
        }
        if !(self.gamma_scale > 0.0 && self.gamma_scale.is_finite()) {
            return bad("gamma_scale", "must be positive");
        }
        if !(0.0..=1.0).contains(&self.jump_prob) {
            return bad("jump_prob", "must lie in [0, 1]");
        }
        if !(self.noise >= 0.0 && self.noise < 0.1) {
            return bad("noise", "must lie in [0, 0.1)");
        }
        Ok(())
    }
}

/// Number of derived quantities stored per walker ([`super::likelihood::Derived`]).
pub const N_DERIVED: usize = 4;

/// The complete state of a run (what the checkpoint holds).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnsembleState {
    /// Settings.
    pub settings: SamplerSettings,
    /// Prior-only run (the likelihood terms are not evaluated).
    pub prior_only: bool,
    /// Number of free parameters.
    pub dim: usize,
    /// Number of likelihood terms.
    pub n_terms: usize,
    /// Iterations done.
    pub iteration: usize,
    /// Walker positions, W × dim (logit of the unit-cube point).
    pub z: Vec<f64>,
    /// Walker ln L.
    pub log_like: Vec<f64>,
    /// Walker ln L + ln π(z).
    pub log_post: Vec<f64>,
    /// Walker blobs: derived quantities then the terms, W × (4 + n_terms).
    pub blobs: Vec<f64>,
    /// The random stream.
    pub rng: ChaCha8Rng,
    /// Kept unit-cube positions, n × dim, iteration-major.
    pub kept_u: Vec<f64>,
    /// Kept ln L.
    pub kept_log_like: Vec<f64>,
    /// Kept blobs.
    pub kept_blobs: Vec<f64>,
    /// Rejections of proposals by reason ([`Rejection::ALL`] order).
    pub rejections: Vec<u64>,
    /// Rejections of the initial prior draws by reason.
    pub init_rejections: Vec<u64>,
    /// Initial prior draws tried.
    pub init_draws: u64,
    /// EOS evaluations (TOV families solved or attempted).
    pub n_evals: u64,
    /// Proposals and acceptances in burn-in.
    pub burn_accept: (u64, u64),
    /// Proposals and acceptances in production.
    pub prod_accept: (u64, u64),
    /// Walkers moved by the outlier rule.
    pub outliers_moved: u64,
    /// Sampling wall time so far [s].
    pub wall_seconds: f64,
}

/// logit(u) = ln(u/(1 − u)).
pub fn logit(u: f64) -> f64 {
    (u / (1.0 - u)).ln()
}

/// The logistic function 1/(1 + e^{−z}).
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// ln of the flat unit-cube prior in logit coordinates:
/// Σ_i ln[u_i (1 − u_i)] = Σ_i −(|z_i| + 2 ln(1 + e^{−|z_i|})).
pub fn log_prior_z(z: &[f64]) -> f64 {
    z.iter()
        .map(|&v| -(v.abs() + 2.0 * (-v.abs()).exp().ln_1p()))
        .sum()
}

fn blob_of(o: &Outcome, n_terms: usize) -> Option<(f64, Vec<f64>)> {
    match o {
        Outcome::Accepted {
            log_likelihood,
            terms,
            derived,
        } => {
            let mut b = derived.to_array().to_vec();
            b.extend_from_slice(terms);
            debug_assert_eq!(terms.len(), n_terms);
            Some((*log_likelihood, b))
        }
        Outcome::Rejected(_) => None,
    }
}

/// `f(0..n)` on `threads` worker threads (0: all cores), results in order.
pub fn par_map<T: Send, F: Fn(usize) -> T + Sync>(n: usize, threads: usize, f: F) -> Vec<T> {
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        t => t,
    }
    .min(n.max(1));
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let parts: Vec<Vec<(usize, T)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        mine.push((i, f(i)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut slots: Vec<Option<T>> = (0..n).map(|_| None).collect();
    for (i, v) in parts.into_iter().flatten() {
        slots[i] = Some(v);
    }
    slots
        .into_iter()
        .map(|v| v.expect("every index is computed once"))
        .collect()
}

/// What the sampler needs of a model: the number of free parameters and of
/// likelihood terms, and the evaluation of a unit-cube point.
pub trait Evaluator: Sync {
    /// Number of free parameters.
    fn dim(&self) -> usize;
    /// Number of likelihood terms.
    fn n_terms(&self) -> usize;
    /// Evaluates the unit-cube point `u` (likelihood terms skipped if `prior_only`).
    fn evaluate(&self, u: &[f64], prior_only: bool) -> Outcome;
}

impl Evaluator for EosModel {
    fn dim(&self) -> usize {
        self.prior.dim()
    }
    fn n_terms(&self) -> usize {
        self.terms.len()
    }
    fn evaluate(&self, u: &[f64], prior_only: bool) -> Outcome {
        EosModel::evaluate(self, u, prior_only)
    }
}

/// Evaluates `points` (n × dim) with `threads` workers, in order.
pub fn evaluate_batch<M: Evaluator>(
    model: &M,
    points: &[Vec<f64>],
    prior_only: bool,
    threads: usize,
) -> Vec<Outcome> {
    par_map(points.len(), threads, |i| model.evaluate(&points[i], prior_only))
}

impl EnsembleState {
    /// Draws the walkers from the prior, redrawing rejected EOSs (counted in
    /// `init_rejections`) until every walker sits on a physical EOS with a
    /// non-zero likelihood; gives up after 200 draws per walker.
    pub fn initialise<M: Evaluator>(
        model: &M,
        settings: SamplerSettings,
        prior_only: bool,
        seed: u64,
    ) -> Result<Self, EosInferError> {
        settings.validate()?;
        let dim = model.dim();
        let n_terms = model.n_terms();
        let w = settings.n_walkers;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut st = EnsembleState {
            settings: settings.clone(),
            prior_only,
            dim,
            n_terms,
            iteration: 0,
            z: vec![0.0; w * dim],
            log_like: vec![f64::NEG_INFINITY; w],
            log_post: vec![f64::NEG_INFINITY; w],
            blobs: vec![0.0; w * (N_DERIVED + n_terms)],
            rng: ChaCha8Rng::seed_from_u64(0),
            kept_u: Vec::new(),
            kept_log_like: Vec::new(),
            kept_blobs: Vec::new(),
            rejections: vec![0; Rejection::ALL.len()],
            init_rejections: vec![0; Rejection::ALL.len()],
            init_draws: 0,
            n_evals: 0,
            burn_accept: (0, 0),
            prod_accept: (0, 0),
            outliers_moved: 0,
            wall_seconds: 0.0,
        };
        let mut filled = 0;
        let max_draws = 200 * w as u64;
        while filled < w {
            if st.init_draws >= max_draws {
                return Err(EosInferError::Init(format!(
                    "only {filled} of {w} walkers found a physical EOS with non-zero likelihood in {max_draws} prior draws"
                )));
            }
            let batch: Vec<Vec<f64>> = (0..(w - filled))
                .map(|_| {
                    (0..dim)
                        .map(|_| rng.gen::<f64>().clamp(1e-12, 1.0 - 1e-12))
                        .collect()
                })
                .collect();
            let outs = evaluate_batch(model, &batch, prior_only, settings.threads);
            for (p, o) in batch.iter().zip(&outs) {
                st.init_draws += 1;
                st.n_evals += 1;
                match blob_of(o, n_terms) {
                    Some((ll, b)) if filled < w => {
                        let z: Vec<f64> = p.iter().map(|&u| logit(u)).collect();
                        st.log_post[filled] = ll + log_prior_z(&z);
                        st.z[filled * dim..(filled + 1) * dim].copy_from_slice(&z);
                        st.log_like[filled] = ll;
                        let nb = N_DERIVED + n_terms;
                        st.blobs[filled * nb..(filled + 1) * nb].copy_from_slice(&b);
                        filled += 1;
                    }
                    Some(_) => {}
                    None => {
                        if let Outcome::Rejected(r) = o {
                            st.init_rejections[r.index()] += 1;
                        }
                    }
                }
            }
        }
        st.rng = rng;
        Ok(st)
    }

    /// Total iterations of the run.
    pub fn total_iterations(&self) -> usize {
        self.settings.n_burn + self.settings.n_production
    }

    /// One iteration: both halves, then (burn-in) outliers, then recording.
    pub fn step<M: Evaluator>(&mut self, model: &M) {
        let w = self.settings.n_walkers;
        let d = self.dim;
        let nb = N_DERIVED + self.n_terms;
        let half = w / 2;
        let burn = self.iteration < self.settings.n_burn;
        let gamma0 = self.settings.gamma_scale * 2.38 / (2.0 * d as f64).sqrt();
        for h in 0..2 {
            let (mine, other) = if h == 0 {
                (0..half, half..w)
            } else {
                (half..w, 0..half)
            };
            let mut props = Vec::with_capacity(half);
            let mut log_u = Vec::with_capacity(half);
            for i in mine.clone() {
                let a = self.rng.gen_range(other.clone());
                let mut b = self.rng.gen_range(other.clone());
                while b == a {
                    b = self.rng.gen_range(other.clone());
                }
                let g = if self.rng.gen::<f64>() < self.settings.jump_prob {
                    1.0
                } else {
                    gamma0
                };
                let p: Vec<f64> = (0..d)
                    .map(|k| {
                        let e: f64 = self.rng.sample(StandardNormal);
                        self.z[i * d + k]
                            + g * (self.z[a * d + k] - self.z[b * d + k])
                            + self.settings.noise * e
                    })
                    .collect();
                props.push(p);
                log_u.push(self.rng.gen::<f64>().ln());
            }
            // Points beyond |z| = 36 (u within 2e-16 of an edge) are outside
            // the prior's numerical support and rejected without a solve.
            let inside: Vec<usize> = (0..half)
                .filter(|&j| props[j].iter().all(|v| v.abs() < 36.0))
                .collect();
            let pts: Vec<Vec<f64>> = inside
                .iter()
                .map(|&j| props[j].iter().map(|&z| sigmoid(z)).collect())
                .collect();
            let outs = evaluate_batch(model, &pts, self.prior_only, self.settings.threads);
            self.n_evals += pts.len() as u64;
            let mut result: Vec<Option<&Outcome>> = vec![None; half];
            for (k, &j) in inside.iter().enumerate() {
                result[j] = Some(&outs[k]);
            }
            let mut acc = 0u64;
            for (j, i) in mine.clone().enumerate() {
                match result[j] {
                    None => self.rejections[Rejection::OutsidePrior.index()] += 1,
                    Some(Outcome::Rejected(r)) => self.rejections[r.index()] += 1,
                    Some(o) => {
                        if let Some((ll, b)) = blob_of(o, self.n_terms) {
                            let lp = ll + log_prior_z(&props[j]);
                            if lp - self.log_post[i] > log_u[j] {
                                self.z[i * d..(i + 1) * d].copy_from_slice(&props[j]);
                                self.log_like[i] = ll;
                                self.log_post[i] = lp;
                                self.blobs[i * nb..(i + 1) * nb].copy_from_slice(&b);
                                acc += 1;
                            }
                        }
                    }
                }
            }
            let slot = if burn {
                &mut self.burn_accept
            } else {
                &mut self.prod_accept
            };
            slot.0 += acc;
            slot.1 += half as u64;
        }
        self.iteration += 1;
        let every = self.settings.outlier_every;
        if burn && every > 0 && self.iteration % every == 0 && !self.prior_only {
            // (the outlier rule acts on ln L; in prior-only runs all ln L = 0)
            self.move_outliers();
        }
        if !burn {
            let k = self.iteration - self.settings.n_burn;
            if k % self.settings.thin == 0 {
                self.kept_u.extend(self.z.iter().map(|&z| sigmoid(z)));
                self.kept_log_like.extend_from_slice(&self.log_like);
                self.kept_blobs.extend_from_slice(&self.blobs);
            }
        }
    }

    fn move_outliers(&mut self) {
        let w = self.settings.n_walkers;
        let (d, nb) = (self.dim, N_DERIVED + self.n_terms);
        let mut s = self.log_like.clone();
        s.sort_by(|a, b| a.total_cmp(b));
        let q = |p: f64| s[((w - 1) as f64 * p).round() as usize];
        let (q1, q3) = (q(0.25), q(0.75));
        let cut = q1 - 2.0 * (q3 - q1);
        let good: Vec<usize> = (0..w).filter(|&i| self.log_like[i] >= cut).collect();
        for i in 0..w {
            if self.log_like[i] < cut && !good.is_empty() {
                let j = good[self.rng.gen_range(0..good.len())];
                let (zj, bj) = (
                    self.z[j * d..(j + 1) * d].to_vec(),
                    self.blobs[j * nb..(j + 1) * nb].to_vec(),
                );
                self.z[i * d..(i + 1) * d].copy_from_slice(&zj);
                self.blobs[i * nb..(i + 1) * nb].copy_from_slice(&bj);
                self.log_like[i] = self.log_like[j];
                self.log_post[i] = self.log_post[j];
                self.outliers_moved += 1;
            }
        }
    }

    /// Number of kept draws per walker.
    pub fn kept_per_walker(&self) -> usize {
        self.kept_log_like.len() / self.settings.n_walkers
    }

    /// Serialises the state (bincode).
    pub fn to_bytes(&self) -> Result<Vec<u8>, EosInferError> {
        bincode::serialize(self).map_err(|e| EosInferError::Checkpoint {
            path: "<memory>".into(),
            msg: e.to_string(),
        })
    }

    /// Reads a checkpoint written by [`EnsembleState::to_bytes`].
    pub fn load(path: &std::path::Path) -> Result<Self, EosInferError> {
        let err = |msg: String| EosInferError::Checkpoint {
            path: path.display().to_string(),
            msg,
        };
        let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        bincode::deserialize(&bytes).map_err(|e| err(e.to_string()))
    }
}

/// Runs (or continues) `state` to the end, writing the checkpoint to
/// `checkpoint` every `settings.checkpoint_every` iterations, with a
/// progress bar if `progress`. `stop_after = Some(k)` returns after k
/// iterations of this call (to test resumption).
pub fn run_ensemble<M: Evaluator>(
    model: &M,
    mut state: EnsembleState,
    checkpoint: Option<&std::path::Path>,
    progress: bool,
    stop_after: Option<usize>,
) -> Result<EnsembleState, EosInferError> {
    let total = state.total_iterations();
    let bar = progress.then(|| {
        let b = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} iterations {elapsed_precise} (eta {eta}) {msg}",
        ) {
            b.set_style(style);
        }
        b.set_position(state.iteration as u64);
        b
    });
    let t0 = std::time::Instant::now();
    let wall0 = state.wall_seconds;
    let mut done = 0;
    while state.iteration < total && stop_after.is_none_or(|k| done < k) {
        state.step(model);
        done += 1;
        state.wall_seconds = wall0 + t0.elapsed().as_secs_f64();
        if let Some(b) = &bar {
            let (a, p) = if state.iteration <= state.settings.n_burn {
                state.burn_accept
            } else {
                state.prod_accept
            };
            let rejected: u64 = state.rejections.iter().sum();
            b.set_position(state.iteration as u64);
            b.set_message(format!(
                "{} acc {:.3} rejected EOS {}",
                if state.iteration <= state.settings.n_burn {
                    "burn-in"
                } else {
                    "production"
                },
                a as f64 / p.max(1) as f64,
                rejected
            ));
        }
        let every = state.settings.checkpoint_every;
        if let Some(path) = checkpoint {
            if every > 0 && state.iteration % every == 0 {
                crate::io::write_atomic(path, &state.to_bytes()?).map_err(|e| EosInferError::Checkpoint {
                    path: path.display().to_string(),
                    msg: e.to_string(),
                })?;
            }
        }
    }
    if let Some(b) = bar {
        b.finish();
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eosinfer::likelihood::Derived;

    /// An analytic stand-in for the EOS model on [0, 1]^5: ln L Gaussian in
    /// u0 (mean 0.3, sd 0.05), flat in the others; points with u4 > 0.8
    /// are "unphysical" (rejected), so u4 is uniform on [0, 0.8].
    struct Analytic;
    impl Evaluator for Analytic {
        fn dim(&self) -> usize {
            5
        }
        fn n_terms(&self) -> usize {
            1
        }
        fn evaluate(&self, u: &[f64], prior_only: bool) -> Outcome {
            if u[4] > 0.8 {
                return Outcome::Rejected(Rejection::Acausal);
            }
            let ll = if prior_only {
                0.0
            } else {
                -0.5 * ((u[0] - 0.3) / 0.05f64).powi(2)
            };
            Outcome::Accepted {
                log_likelihood: ll,
                terms: vec![ll],
                derived: Derived {
                    m_tov: u[0],
                    r_1p4_km: u[1],
                    lambda_1p4: u[4],
                    p_2nsat_mev_fm3: 1.0,
                },
            }
        }
    }

    fn moments(v: &[f64]) -> (f64, f64) {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        (m, (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n).sqrt())
    }

    /// The logit-space DE sampler reproduces the analytic target: the
    /// truncated Gaussian in u0 (mean 0.3, sd 0.05), uniform u1 (sd 1/√12)
    /// and uniform u4 on [0, 0.8] (mean 0.4), with rejections counted.
    #[test]
    fn sampler_reproduces_an_analytic_target() {
        let settings = SamplerSettings {
            n_walkers: 32,
            n_burn: 300,
            n_production: 3000,
            thin: 5,
            threads: 1,
            ..Default::default()
        };
        let st = EnsembleState::initialise(&Analytic, settings, false, 5).unwrap();
        let st = run_ensemble(&Analytic, st, None, false, None).unwrap();
        let col = |j: usize| -> Vec<f64> { st.kept_u.iter().skip(j).step_by(5).copied().collect() };
        let (m0, s0) = moments(&col(0));
        let (m1, s1) = moments(&col(1));
        let (m4, _) = moments(&col(4));
        // ~19 000 kept draws, autocorrelated: allow a few % of σ
        assert!((m0 - 0.3).abs() < 0.005, "u0 mean {m0}");
        assert!((s0 / 0.05 - 1.0).abs() < 0.06, "u0 sd {s0}");
        assert!((m1 - 0.5).abs() < 0.03, "u1 mean {m1}");
        assert!((s1 * 12f64.sqrt() - 1.0).abs() < 0.06, "u1 sd {s1}");
        assert!((m4 - 0.4).abs() < 0.03, "u4 mean {m4}");
        assert!(st.rejections[Rejection::Acausal.index()] > 0);
        // same in prior-only mode for u0: uniform
        let settings = SamplerSettings {
            n_walkers: 32,
            n_burn: 100,
            n_production: 2000,
            thin: 5,
            threads: 1,
            ..Default::default()
        };
        let st = EnsembleState::initialise(&Analytic, settings, true, 6).unwrap();
        let st = run_ensemble(&Analytic, st, None, false, None).unwrap();
        let (m0, s0) = moments(&st.kept_u.iter().step_by(5).copied().collect::<Vec<_>>());
        assert!(
            (m0 - 0.5).abs() < 0.03 && (s0 * 12f64.sqrt() - 1.0).abs() < 0.06,
            "{m0} {s0}"
        );
    }
}
