//! Maximum-likelihood training of a flow on samples: minibatch Adam on the
//! mean negative log-density, with the standardisation fitted to the data.

use super::{Adam, AdamConfig, CouplingFlow, FlowError};
use ferrax_autodiff::{value_and_grads, Tensor};
use ferrax_solvers::optim::Optimizer;
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Training settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrainConfig {
    /// Passes over the data.
    pub epochs: usize,
    /// Minibatch size.
    pub batch_size: usize,
    /// Optimizer settings.
    pub adam: AdamConfig,
    /// Refit the standardisation to the data before training.
    pub standardise: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 50,
            batch_size: 1000,
            adam: AdamConfig {
                lr: 1e-3,
                clip_norm: Some(1.0),
                ..Default::default()
            },
            standardise: true,
        }
    }
}

/// Losses seen during training.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TrainReport {
    /// Mean negative log-density per epoch.
    pub epoch_loss: Vec<f64>,
}

/// Trains `flow` on rows of `x` (`[n, dim]`). `opt` carries the Adam state
/// across calls (pass `None` to start fresh; it is returned for reuse).
pub fn train_flow<R: Rng>(
    flow: &mut CouplingFlow,
    x: &[f64],
    config: &TrainConfig,
    opt: Option<Adam>,
    rng: &mut R,
) -> Result<(Adam, TrainReport), FlowError> {
    let d = flow.dim;
    if x.len() < 2 * d || x.len() % d != 0 {
        return Err(FlowError::Shape(format!(
            "{} training values are not >= 2 rows of {d}",
            x.len()
        )));
    }
    if config.batch_size == 0 {
        return Err(FlowError::Invalid {
            name: "batch_size".into(),
            msg: "must be positive".into(),
        });
    }
    if config.standardise {
        flow.standardise_to(x)?;
    }
    let mut opt = match opt {
        Some(o) => o,
        None => Adam::with(config.adam.clone()),
    };
    let n = x.len() / d;
    let mut order: Vec<usize> = (0..n).collect();
    let mut report = TrainReport::default();
    let mut batch = Vec::with_capacity(config.batch_size * d);
    for _ in 0..config.epochs {
        order.shuffle(rng);
        let mut total = 0.0;
        let mut count = 0usize;
        for chunk in order.chunks(config.batch_size) {
            batch.clear();
            for &i in chunk {
                batch.extend_from_slice(&x[i * d..(i + 1) * d]);
            }
            let xb = Tensor::from_vec(batch.clone(), &[chunk.len(), d])?;
            let ps = flow.param_tensors()?;
            let (loss, grads) = value_and_grads(|p| flow.log_prob_with(p, &xb).mean_all() * -1.0, &ps)?;
            if !loss.is_finite() {
                return Err(FlowError::Diverged(format!("loss {loss}")));
            }
            let mut gflat = Vec::new();
            for g in &grads {
                gflat.extend_from_slice(g.as_slice()?);
            }
            let mut flat: Vec<f64> = flow.params.iter().flat_map(|p| p.data.iter().copied()).collect();
            opt.step_slice(&mut flat, &gflat)?;
            let mut off = 0;
            for p in flow.params.iter_mut() {
                let n = p.data.len();
                p.data.copy_from_slice(&flat[off..off + n]);
                off += n;
            }
            total += loss * chunk.len() as f64;
            count += chunk.len();
        }
        report.epoch_loss.push(total / count as f64);
    }
    Ok((opt, report))
}
