//! The flow-enhanced sampler (Gabrié, Rotskoff & Vanden-Eijnden 2022, PNAS
//! 119, e2109420119; Wong, Gabrié & Foreman-Mackey 2023): many chains take
//! local gradient-based steps; a normalizing flow trained on their recent
//! history proposes global independence Metropolis–Hastings jumps,
//! accepted with `α = p(y) q(x) / (p(x) q(y))`.
//!
//! Schedule: `n_training_loops` loops of (local steps with step-size
//! adaptation → flow training on the recent history → global steps), then
//! `n_production_loops` loops of local + global steps with the kernel and the
//! flow frozen; only production draws are kept. The whole state (chains,
//! RNG, kernel, adaptation, flow, optimizer, buffers, draws) is saved
//! atomically every `checkpoint_every` loops, and a resumed run continues
//! bit for bit.

// `!(x > 0.0)` deliberately rejects NaN; index loops mirror the formulas.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

use super::adapt::{pooled_covariance, within_chain_variance, DualAveraging};
use super::kernels::{Chains, KernelKind, LocalKernel};
use super::run::SampleSet;
use super::{LogDensity, SamplerError};
use crate::flows::{train_flow, Adam, CouplingFlow, FlowConfig, TrainConfig};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Settings of the flow-enhanced sampler.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FlowMcConfig {
    /// Number of chains.
    pub n_chains: usize,
    /// Local kernel.
    pub kernel: KernelKind,
    /// Adapt a dense inverse mass matrix (pooled within-chain covariance)
    /// instead of a diagonal one.
    pub dense_mass: bool,
    /// Initial local step size.
    pub step_size: f64,
    /// Local steps per training loop.
    pub n_local_steps: usize,
    /// Local steps per production loop.
    pub n_local_steps_production: usize,
    /// Global (flow) steps per loop.
    pub n_global_steps: usize,
    /// Training loops.
    pub n_training_loops: usize,
    /// Production loops.
    pub n_production_loops: usize,
    /// Keep every `thin`-th production step.
    pub thin: usize,
    /// Flow architecture.
    pub flow: FlowConfig,
    /// Flow training per loop.
    pub train: TrainConfig,
    /// Maximum number of recent positions the flow is trained on.
    pub max_buffer: usize,
    /// Keep every `buffer_thin`-th local step in the training buffer.
    pub buffer_thin: usize,
    /// Variance of the flow's Gaussian base for the global proposals (the
    /// flow is trained with base variance 1). Above 1 the proposals are
    /// over-dispersed: their tails are heavier than the trained flow's, so
    /// that the chains reach regions the training history under-represents
    /// (the Metropolis–Hastings ratio uses the inflated `q`, so the target is
    /// unchanged).
    #[serde(default = "unit_variance")]
    pub global_base_var: f64,
    /// Save a checkpoint every this many loops (0: never).
    pub checkpoint_every: usize,
    /// Checkpoint file.
    pub checkpoint_path: Option<PathBuf>,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

fn unit_variance() -> f64 {
    1.0
}

impl FlowMcConfig {
    /// Defaults for a `dim`-dimensional target.
    pub fn for_dim(dim: usize) -> Self {
        FlowMcConfig {
            n_chains: 500,
            kernel: KernelKind::Mala,
            dense_mass: false,
            step_size: 0.5 / (dim as f64).powf(0.25),
            n_local_steps: 30,
            n_local_steps_production: 5,
            n_global_steps: 40,
            n_training_loops: 10,
            n_production_loops: 10,
            thin: 1,
            flow: FlowConfig {
                n_layers: 6,
                hidden: if dim <= 5 { vec![32, 32] } else { vec![64, 64] },
                max_log_scale: 3.0,
                ..Default::default()
            },
            train: TrainConfig {
                epochs: 5,
                batch_size: 2000,
                ..Default::default()
            },
            max_buffer: 10_000,
            buffer_thin: 3,
            global_base_var: 1.0,
            checkpoint_every: 0,
            checkpoint_path: None,
            progress: false,
        }
    }
}

impl FlowMcConfig {
    /// [`FlowMcConfig::for_dim`] with the keys of the JSON object `over`
    /// replaced key by key (nested objects merged recursively), e.g.
    /// `{"n_chains": 1000, "flow": {"masks": "BitSplit"}}`: the format of
    /// `ferrax sample --config` and of the per-target settings in
    /// `tests/data/samplers/configs/`.
    pub fn for_dim_with(dim: usize, over: serde_json::Value) -> Result<Self, SamplerError> {
        let base = serde_json::to_value(FlowMcConfig::for_dim(dim))
            .map_err(|e| SamplerError::invalid("config", e.to_string()))?;
        serde_json::from_value(merge_json(base, over))
            .map_err(|e| SamplerError::invalid("config", e.to_string()))
    }
}

/// `base` with the keys of `over` replaced recursively (objects are merged
/// key by key; any other value replaces the old one).
pub fn merge_json(mut base: serde_json::Value, over: serde_json::Value) -> serde_json::Value {
    match (base.as_object_mut(), over) {
        (Some(b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                let merged = match b.remove(&k) {
                    Some(old) => merge_json(old, v),
                    None => v,
                };
                b.insert(k, merged);
            }
            base
        }
        (_, over) => over,
    }
}

/// The full, serialisable sampler state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlowMcState {
    /// Settings the run was started with.
    pub config: FlowMcConfig,
    /// Loops completed (training + production).
    pub loops_done: usize,
    /// The chains.
    pub chains: Chains,
    /// The local kernel (step size, mass matrix).
    pub kernel: LocalKernel,
    /// Step-size adaptation.
    pub adapt: DualAveraging,
    /// The flow.
    pub flow: CouplingFlow,
    /// Optimizer state.
    pub adam: Option<Adam>,
    /// Random number generator.
    pub rng: ChaCha8Rng,
    /// Recent positions for flow training, `[rows, dim]`.
    pub buffer: Vec<f64>,
    /// Production draws, step-major `[n_kept][n_chains][dim]`.
    pub draws: Vec<f64>,
    /// Production log-densities, step-major `[n_kept][n_chains]`.
    pub draws_logp: Vec<f64>,
    /// Log-density (+gradient) evaluations, summed over chains.
    pub n_logdensity_evals: u64,
    /// Accepted / proposed local steps in production.
    pub local_accept: (u64, u64),
    /// Accepted / proposed global steps (all loops) and in production.
    pub global_accept: (u64, u64),
    /// Accepted / proposed global steps in production.
    pub global_accept_production: (u64, u64),
}

/// Result of a flow-enhanced run.
#[derive(Debug, Clone)]
pub struct FlowMcResult {
    /// Production draws.
    pub samples: SampleSet,
    /// Final state (flow, kernel, counters).
    pub state: FlowMcState,
}

impl FlowMcState {
    /// A fresh state: chains started at `x0` (`[n_chains, dim]`).
    pub fn new<D: LogDensity + ?Sized>(
        density: &D,
        config: FlowMcConfig,
        x0: Vec<f64>,
        seed: u64,
    ) -> Result<Self, SamplerError> {
        let dim = density.dim();
        if config.n_chains == 0 || x0.len() != config.n_chains * dim {
            return Err(SamplerError::invalid(
                "n_chains",
                format!(
                    "{} start values for {} chains of dim {dim}",
                    x0.len(),
                    config.n_chains
                ),
            ));
        }
        if !(config.step_size > 0.0) {
            return Err(SamplerError::invalid("step_size", "must be positive"));
        }
        if !(config.global_base_var > 0.0 && config.global_base_var.is_finite()) {
            return Err(SamplerError::invalid(
                "global_base_var",
                "must be positive and finite",
            ));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let chains = Chains::new(density, x0)?;
        let flow = CouplingFlow::new(dim, config.flow.clone(), &mut rng)?;
        let kernel = LocalKernel::new(config.kernel, config.step_size, dim);
        let adapt = DualAveraging::new(config.step_size, config.kernel.target_acceptance());
        let n = config.n_chains as u64;
        Ok(FlowMcState {
            config,
            loops_done: 0,
            chains,
            kernel,
            adapt,
            flow,
            adam: None,
            rng,
            buffer: Vec::new(),
            draws: Vec::new(),
            draws_logp: Vec::new(),
            n_logdensity_evals: n,
            local_accept: (0, 0),
            global_accept: (0, 0),
            global_accept_production: (0, 0),
        })
    }

    /// Encodes the state (bincode).
    pub fn to_bytes(&self) -> Result<Vec<u8>, SamplerError> {
        bincode::serialize(self).map_err(|e| SamplerError::Checkpoint {
            path: "<memory>".into(),
            msg: e.to_string(),
        })
    }

    /// Loads a checkpoint written by [`run_flowmc`].
    pub fn load(path: &std::path::Path) -> Result<Self, SamplerError> {
        let err = |msg: String| SamplerError::Checkpoint {
            path: path.display().to_string(),
            msg,
        };
        let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        bincode::deserialize(&bytes).map_err(|e| err(format!("not a sampler checkpoint: {e}")))
    }

    fn total_loops(&self) -> usize {
        self.config.n_training_loops + self.config.n_production_loops
    }

    /// Runs one loop (training or production, by the loop index).
    pub fn step_loop<D: LogDensity + ?Sized>(&mut self, density: &D) -> Result<(), SamplerError> {
        let training = self.loops_done < self.config.n_training_loops;
        let (n, d) = (self.chains.n_chains, self.chains.dim);
        let thin = self.config.thin.max(1);
        // local steps
        let mut hist = Vec::new();
        let n_local = if training {
            self.config.n_local_steps
        } else {
            self.config.n_local_steps_production
        };
        for s in 0..n_local {
            let st = self.kernel.step(density, &mut self.chains, &mut self.rng)?;
            self.n_logdensity_evals += (st.n_evals * n) as u64;
            if training {
                self.kernel.step_size = self.adapt.update(st.mean_accept_prob);
                hist.extend_from_slice(&self.chains.x);
                if s % self.config.buffer_thin.max(1) == 0 {
                    self.buffer.extend_from_slice(&self.chains.x);
                }
            } else {
                self.local_accept.0 += st.n_accepted as u64;
                self.local_accept.1 += n as u64;
                if s % thin == 0 {
                    self.record();
                }
            }
        }
        if training {
            // mass matrix from this loop's within-chain (co)variance (first
            // half of the training loops), then restart the step-size adaptation
            if self.loops_done < self.config.n_training_loops.div_ceil(2) && self.config.n_local_steps >= 10 {
                let steps = self.config.n_local_steps;
                let dense = if self.config.dense_mass {
                    pooled_covariance(&hist, steps, n, d)
                } else {
                    None
                };
                match dense {
                    Some(cov) if self.kernel.set_dense_inv_mass(&cov).is_ok() => {}
                    _ => self
                        .kernel
                        .set_diagonal_inv_mass(within_chain_variance(&hist, steps, n, d)),
                }
                self.adapt =
                    DualAveraging::new(self.kernel.step_size, self.config.kernel.target_acceptance());
            }
            if self.loops_done + 1 == self.config.n_training_loops {
                self.kernel.step_size = self.adapt.final_step_size();
            }
            let max = self.config.max_buffer.max(2) * d;
            if self.buffer.len() > max {
                self.buffer.drain(..self.buffer.len() - max);
            }
            self.flow.base_var = 1.0;
            let (adam, _) = train_flow(
                &mut self.flow,
                &self.buffer,
                &self.config.train,
                self.adam.take(),
                &mut self.rng,
            )?;
            self.adam = Some(adam);
            self.flow.base_var = self.config.global_base_var;
        }
        // global steps
        let mut logq_x = self.flow.log_prob(&self.chains.x)?;
        let mut prop_logp = vec![0.0; n];
        let mut prop_grad = vec![0.0; n * d];
        for s in 0..self.config.n_global_steps {
            let (y, logq_y) = self.flow.sample(n, &mut self.rng)?;
            density.log_density_and_grad(&y, &mut prop_logp, &mut prop_grad)?;
            self.n_logdensity_evals += n as u64;
            let mut acc = 0u64;
            for i in 0..n {
                let la = prop_logp[i] - self.chains.logp[i] + logq_x[i] - logq_y[i];
                let u: f64 = self.rng.gen();
                if prop_logp[i].is_finite() && logq_y[i].is_finite() && u.ln() < la {
                    acc += 1;
                    self.chains.x[i * d..(i + 1) * d].copy_from_slice(&y[i * d..(i + 1) * d]);
                    self.chains.grad[i * d..(i + 1) * d].copy_from_slice(&prop_grad[i * d..(i + 1) * d]);
                    self.chains.logp[i] = prop_logp[i];
                    logq_x[i] = logq_y[i];
                }
            }
            self.global_accept.0 += acc;
            self.global_accept.1 += n as u64;
            if !training {
                self.global_accept_production.0 += acc;
                self.global_accept_production.1 += n as u64;
                if s % thin == 0 {
                    self.record();
                }
            }
        }
        self.loops_done += 1;
        Ok(())
    }

    fn record(&mut self) {
        self.draws.extend_from_slice(&self.chains.x);
        self.draws_logp.extend_from_slice(&self.chains.logp);
    }

    /// The production draws so far.
    pub fn sample_set(&self) -> SampleSet {
        let (n, d) = (self.chains.n_chains, self.chains.dim);
        let kept = self.draws_logp.len() / n.max(1);
        let mut set = SampleSet::from_step_major(&self.draws, &self.draws_logp, kept, n, d);
        let (a, p) = (
            self.local_accept.0 + self.global_accept_production.0,
            self.local_accept.1 + self.global_accept_production.1,
        );
        set.acceptance = if p > 0 { a as f64 / p as f64 } else { f64::NAN };
        set.n_logdensity_evals = self.n_logdensity_evals;
        set
    }
}

/// Runs (or resumes) the flow-enhanced sampler until all loops are done.
/// With `stop_after = Some(k)` it returns after `k` loops of this call
/// (for tests of resumption).
pub fn run_flowmc<D: LogDensity + ?Sized>(
    density: &D,
    mut state: FlowMcState,
    stop_after: Option<usize>,
) -> Result<FlowMcResult, SamplerError> {
    let total = state.total_loops();
    let bar = if state.config.progress {
        let b = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} loops {elapsed_precise} {msg}")
        {
            b.set_style(style);
        }
        b.set_position(state.loops_done as u64);
        Some(b)
    } else {
        None
    };
    let mut done_here = 0;
    while state.loops_done < total {
        if stop_after.is_some_and(|k| done_here >= k) {
            break;
        }
        state.step_loop(density)?;
        done_here += 1;
        if let Some(b) = &bar {
            let (a, p) = state.global_accept;
            b.set_position(state.loops_done as u64);
            b.set_message(format!(
                "global acc {:.3} eps {:.3}",
                a as f64 / p.max(1) as f64,
                state.kernel.step_size
            ));
        }
        let every = state.config.checkpoint_every;
        if every > 0 && state.loops_done % every == 0 {
            if let Some(path) = state.config.checkpoint_path.clone() {
                crate::io::write_atomic(&path, &state.to_bytes()?)?;
            }
        }
    }
    if let Some(b) = bar {
        b.finish();
    }
    Ok(FlowMcResult {
        samples: state.sample_set(),
        state,
    })
}
