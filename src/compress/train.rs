//! Maximum-likelihood fit of a [`SplineFlow`] to samples: minibatch Adam on
//! the mean negative log-density with a cosine learning-rate decay, a
//! held-out validation split, early stopping on the validation loss, and the
//! weights of the best validation epoch kept. Each minibatch is split into a
//! fixed number of shards evaluated on parallel threads and summed in order,
//! so results do not depend on the number of cores.

// `!(x > 0.0)` deliberately rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::flow::{SplineFlow, Workspace};
use super::CompressError;
use ferrax_solvers::optim::{Adam, AdamConfig, Optimizer};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

/// Shards of a minibatch (threads); fixed for reproducibility.
const SHARDS: usize = 2;

/// Settings of the fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainSettings {
    /// Largest number of passes over the training split.
    pub max_epochs: usize,
    /// Minibatch size; 0 picks `n_train / 64` clamped to [64, 512].
    pub batch_size: usize,
    /// Initial Adam learning rate (decays as a cosine to 1/20 of it).
    pub learning_rate: f64,
    /// Stop after this many epochs without a better validation loss.
    pub patience: usize,
    /// Fraction of the samples held out for validation.
    pub validation_fraction: f64,
    /// Stop after this many seconds of training (wall clock), if set.
    pub max_seconds: Option<f64>,
    /// Seed of the weights, the split and the minibatch order.
    pub seed: u64,
    /// Show a progress bar.
    pub progress: bool,
}

impl Default for TrainSettings {
    fn default() -> Self {
        TrainSettings {
            max_epochs: 60,
            batch_size: 0,
            learning_rate: 3e-3,
            patience: 8,
            validation_fraction: 0.1,
            max_seconds: None,
            seed: 0,
            progress: false,
        }
    }
}

/// What the fit did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainSummary {
    /// Training samples.
    pub n_train: usize,
    /// Validation samples.
    pub n_validation: usize,
    /// Epochs run.
    pub epochs: usize,
    /// Epoch (1-based) whose weights were kept.
    pub best_epoch: usize,
    /// Why training stopped (`max_epochs`, `early_stopping`, `time_limit`).
    pub stop_reason: String,
    /// Mean negative log-density of the training split per epoch, in the
    /// mapped coordinates (nats per sample).
    pub train_loss: Vec<f64>,
    /// The same on the validation split.
    pub validation_loss: Vec<f64>,
    /// Wall-clock training time, s.
    pub seconds: f64,
    /// Whether the moment calibration of the linear map
    /// ([`SplineFlow::calibrate`]) was kept (false in files written before
    /// it existed).
    #[serde(default)]
    pub calibrated: bool,
}

/// Sum of the loss over rows `u` and its gradient, over [`SHARDS`] threads.
fn batch_loss_grad(flow: &SplineFlow, params: &[f64], u: &[f64], grad: &mut [f64]) -> f64 {
    let d = flow.dim;
    let n = u.len() / d;
    let per = n.div_ceil(SHARDS);
    let parts: Vec<&[f64]> = u.chunks(per * d).collect();
    let results: Vec<(f64, Vec<f64>)> = std::thread::scope(|s| {
        let hs: Vec<_> = parts
            .iter()
            .map(|part| {
                s.spawn(move || {
                    let mut g = vec![0.0; params.len()];
                    let l = flow.loss_and_grad(params, part, &mut g);
                    (l, g)
                })
            })
            .collect();
        hs.into_iter()
            .map(|h| h.join().expect("training shard panicked"))
            .collect()
    });
    grad.iter_mut().for_each(|g| *g = 0.0);
    let mut loss = 0.0;
    for (l, g) in results {
        loss += l;
        for (a, b) in grad.iter_mut().zip(&g) {
            *a += b;
        }
    }
    loss
}

/// Mean loss of rows `u` (no gradient), on parallel threads.
fn mean_loss(flow: &SplineFlow, u: &[f64]) -> f64 {
    let d = flow.dim;
    let n = u.len() / d;
    let chunks: Vec<&[f64]> = u.chunks(4096 * d).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(chunks.len())
        .max(1);
    let sums: Vec<f64> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|t| {
                let chunks = &chunks;
                s.spawn(move || {
                    let mut tot = 0.0;
                    let (mut ws, mut z, mut ld) = (Workspace::default(), Vec::new(), Vec::new());
                    for c in chunks.iter().skip(t).step_by(threads) {
                        z.clear();
                        z.extend_from_slice(c);
                        ld.clear();
                        ld.resize(c.len() / d, 0.0);
                        flow.forward_u_with(&mut z, &mut ld, &mut ws);
                        tot += 0.5 * z.iter().map(|v| v * v).sum::<f64>() - ld.iter().sum::<f64>();
                    }
                    tot
                })
            })
            .collect();
        hs.into_iter()
            .map(|h| h.join().expect("validation thread panicked"))
            .collect()
    });
    sums.iter().sum::<f64>() / n as f64
}

/// Fits `flow` (standardisation and weights) to rows of `y` (`[n, dim]`,
/// mapped coordinates).
pub fn fit(flow: &mut SplineFlow, y: &[f64], s: &TrainSettings) -> Result<TrainSummary, CompressError> {
    let d = flow.dim;
    let n = y.len() / d;
    let bad = |name: &str, msg: &str| CompressError::Invalid {
        name: name.into(),
        msg: msg.into(),
    };
    if s.batch_size == 1 || s.max_epochs == 0 || !(s.learning_rate > 0.0) {
        return Err(bad(
            "training",
            "need batch_size 0 (auto) or >= 2, max_epochs >= 1, learning_rate > 0",
        ));
    }
    if !(0.0..0.9).contains(&s.validation_fraction) {
        return Err(bad("validation_fraction", "must lie in [0, 0.9)"));
    }
    let n_val = ((n as f64 * s.validation_fraction).round() as usize).min(n.saturating_sub(2 * d));
    let n_train = n - n_val;
    if n_train < 2 * d + 2 {
        return Err(bad(
            "samples",
            &format!("{n} samples are too few to fit {d} parameters"),
        ));
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(s.seed ^ 0x5eed_f10e);
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rng);
    let gather = |idx: &[usize]| -> Vec<f64> {
        idx.iter()
            .flat_map(|&i| y[i * d..(i + 1) * d].iter().copied())
            .collect()
    };
    let y_train = gather(&order[..n_train]);
    let y_val = gather(&order[n_train..]);
    flow.standardise_to(&y_train)?;
    let u_train = flow.standardise(&y_train);
    let u_val = flow.standardise(&y_val);
    // loss per sample in the mapped coordinates = loss(u) + const
    let offset = 0.5 * d as f64 * (2.0 * std::f64::consts::PI).ln() + flow.log_scale();
    let mut adam = Adam::with(AdamConfig {
        lr: s.learning_rate,
        clip_norm: Some(10.0),
        ..Default::default()
    });
    let bar = if s.progress {
        let b = indicatif::ProgressBar::new(s.max_epochs as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} epochs {elapsed_precise} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let start = std::time::Instant::now();
    let mut params = flow.params.clone();
    let mut best = (f64::INFINITY, params.clone(), 0usize);
    let mut grad = vec![0.0; params.len()];
    let mut summary = TrainSummary {
        n_train,
        n_validation: n_val,
        epochs: 0,
        best_epoch: 0,
        stop_reason: "max_epochs".into(),
        train_loss: Vec::new(),
        validation_loss: Vec::new(),
        seconds: 0.0,
        calibrated: false,
    };
    let batch_size = if s.batch_size == 0 {
        (n_train / 64).clamp(64, 512)
    } else {
        s.batch_size
    };
    let steps_per_epoch = n_train.div_ceil(batch_size);
    let total_steps = (steps_per_epoch * s.max_epochs) as f64;
    let mut idx: Vec<usize> = (0..n_train).collect();
    let mut batch = Vec::with_capacity(batch_size * d);
    let mut step = 0usize;
    for epoch in 1..=s.max_epochs {
        idx.shuffle(&mut rng);
        let mut tot = 0.0;
        for chunk in idx.chunks(batch_size) {
            batch.clear();
            for &i in chunk {
                batch.extend_from_slice(&u_train[i * d..(i + 1) * d]);
            }
            let loss = batch_loss_grad(flow, &params, &batch, &mut grad);
            if !loss.is_finite() {
                return Err(CompressError::Diverged {
                    epoch,
                    msg: format!("training loss {loss}"),
                });
            }
            tot += loss;
            let inv = 1.0 / chunk.len() as f64;
            grad.iter_mut().for_each(|g| *g *= inv);
            let frac = step as f64 / total_steps;
            adam.config.lr =
                s.learning_rate * (0.05 + 0.95 * 0.5 * (1.0 + (std::f64::consts::PI * frac).cos()));
            adam.step_slice(&mut params, &grad)
                .map_err(|e| CompressError::Diverged {
                    epoch,
                    msg: e.to_string(),
                })?;
            step += 1;
        }
        summary.epochs = epoch;
        summary.train_loss.push(tot / n_train as f64 + offset);
        flow.params.clone_from(&params);
        let val = if n_val > 0 {
            mean_loss(flow, &u_val) + offset
        } else {
            tot / n_train as f64 + offset
        };
        if !val.is_finite() {
            return Err(CompressError::Diverged {
                epoch,
                msg: format!("validation loss {val}"),
            });
        }
        summary.validation_loss.push(val);
        if val < best.0 {
            best = (val, params.clone(), epoch);
        }
        bar.set_message(format!(
            "validation loss {val:.4} (best {:.4} at {})",
            best.0, best.2
        ));
        bar.inc(1);
        if epoch - best.2 >= s.patience {
            summary.stop_reason = "early_stopping".into();
            break;
        }
        if s.max_seconds.is_some_and(|m| start.elapsed().as_secs_f64() > m) {
            summary.stop_reason = "time_limit".into();
            break;
        }
    }
    bar.finish_and_clear();
    flow.params = best.1;
    summary.best_epoch = best.2;
    summary.seconds = start.elapsed().as_secs_f64();
    Ok(summary)
}
