//! Training the afterglow surrogate: the data set (afterglowpy light curves
//! as `.npy` files plus `metadata.json`), minibatch Adam with batched
//! hand-written gradients ([`super::backprop`]) and a
//! cosine learning-rate decay, and validation as it goes (the final or the best
//! validation state is kept).

use super::afterglow::{
    accuracy_of, Accuracy, AfterglowSurrogate, Compression, EnergyDensityScaling, TrainingRecord,
};
use super::augment::TimeStretch;
use super::backprop::{Backprop, ShiftedOutputs};
use super::epoch_rows::EpochRows;
use super::interp::GridShift;
use super::mlp::{Activation, Mlp};
use super::stretch::StretchFold;
use super::SurrogateError;
use ferrax_solvers::optim::{Adam, AdamConfig, Optimizer};
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

pub use super::dataset::{read_meta, read_split, DataMeta, Dataset};

/// Settings of [`train`].
#[derive(Clone, Debug)]
pub struct TrainConfig {
    /// Hidden-layer widths.
    pub hidden: Vec<usize>,
    /// Hidden nonlinearity.
    pub activation: Activation,
    /// Passes over the training set.
    pub epochs: usize,
    /// Light curves per Adam step.
    pub batch_size: usize,
    /// Initial learning rate (cosine decay to `lr_final` over the epochs or
    /// over `max_seconds`, whichever ends first).
    pub lr: f64,
    /// Final learning rate.
    pub lr_final: f64,
    /// Target compression (see [`Compression`]).
    pub compression: Compression,
    /// Loss weight of grid points fainter than `weight_knee` (those at or
    /// above it weigh 1): the fit concentrates on what an instrument can see.
    pub faint_weight: f64,
    /// Log10 flux [mJy] separating bright from faint points for the weight.
    pub weight_knee: f64,
    /// Share of the faint light curves (every point below `weight_knee`)
    /// drawn afresh into each epoch, in (0, 1]; their weights are divided by
    /// it, so the expected loss is unchanged (importance subsampling). A
    /// quarter of the top-hat curves have no point above the knee yet cost
    /// as much as the others; drawing a quarter of them leaves more epochs
    /// for the curves an instrument sees. 1: every curve every epoch.
    pub faint_curve_share: f64,
    /// Decoupled weight decay of AdamW (0: plain Adam).
    pub weight_decay: f64,
    /// Fold the exact energy–density scaling out of the network when the
    /// parameters have it (see [`EnergyDensityScaling`]).
    pub symmetry: bool,
    /// Fold the time-stretch symmetry into the network when the parameters
    /// and grid have it (see [`StretchFold`]; needs `symmetry`).
    pub stretch: bool,
    /// Share of each batch replaced by time-stretched copies of its light
    /// curves (see [`super::augment`]; 0: none).
    pub augment: f64,
    /// Largest stretch of an augmented curve [time-grid steps].
    pub max_stretch_steps: usize,
    /// Seed of the initialisation and the batch order.
    pub seed: u64,
    /// Stop after this wall time [s] (the learning rate has then decayed).
    pub max_seconds: Option<f64>,
    /// Keep the state of lowest validation loss instead of the final one
    /// (the validation loss weighs the faint points too, so it can prefer an
    /// earlier state that is worse where an instrument sees).
    pub keep_best: bool,
    /// Validate every this many epochs.
    pub validate_every: usize,
    /// Show a progress bar.
    pub progress: bool,
    /// Threads each batch is split over (the result does not depend on it
    /// beyond rounding).
    pub threads: usize,
}

impl TrainConfig {
    /// Loss weight of a grid point of log10 flux `y` [mJy].
    fn point_weight(&self, y: f64) -> f64 {
        if y >= self.weight_knee {
            1.0
        } else {
            self.faint_weight
        }
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            hidden: vec![128, 128, 128],
            activation: Activation::Silu,
            epochs: 200,
            batch_size: 256,
            lr: 2e-3,
            lr_final: 1e-5,
            compression: Compression {
                knee: -8.0,
                width: 4.0,
            },
            faint_weight: 0.1,
            weight_knee: -7.0,
            faint_curve_share: 0.25,
            weight_decay: 0.0,
            symmetry: true,
            stretch: true,
            augment: 0.0,
            max_stretch_steps: 25,
            seed: 11,
            max_seconds: None,
            keep_best: false,
            validate_every: 5,
            progress: true,
            threads: 2,
        }
    }
}

/// Trains a surrogate on `data` (and tracks the validation accuracy on `val`):
/// scalers from the data, a fresh network, then [`continue_training`].
pub fn train(
    meta: &DataMeta,
    data: &Dataset,
    val: Option<&Dataset>,
    config: &TrainConfig,
) -> Result<AfterglowSurrogate, SurrogateError> {
    if data.n < 2 {
        return Err(SurrogateError::invalid(
            "training set",
            "needs at least 2 light curves",
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let symmetry = if config.symmetry {
        EnergyDensityScaling::detect(&meta.params)
    } else {
        None
    };
    let stretch = if config.stretch && symmetry.is_some() {
        StretchFold::detect(&meta.params, &meta.times_days)
    } else {
        None
    };
    let mut model = AfterglowSurrogate {
        jet: meta.jet,
        params: meta.params.clone(),
        times_days: meta.times_days.clone(),
        bands: meta.bands.clone(),
        fixed: meta.fixed.clone(),
        symmetry,
        stretch,
        compression: config.compression,
        out_mean: Vec::new(),
        out_scale: 1.0,
        networks: vec![Mlp::new(&[1, 1], config.activation, &mut rng)?],
        training: TrainingRecord::default(),
    };
    // scalers: per-output mean, one common scale, of the compressed targets
    let (n_out, d) = (model.n_out(), model.n_params());
    if data.x.len() != data.n * d || data.y.len() != data.n * n_out {
        return Err(SurrogateError::invalid(
            "training set",
            format!(
                "{} rows do not hold {d} parameters and {n_out} outputs each",
                data.n
            ),
        ));
    }
    let yc: Vec<f64> = data
        .y
        .chunks_exact(n_out)
        .zip(data.x.chunks_exact(d))
        .flat_map(|(y, x)| {
            let offset = model.flux_offset(x);
            y.iter().map(move |&v| config.compression.forward(v - offset))
        })
        .collect();
    model.out_mean = output_means(&model, &data.x, &yc);
    let ss: f64 = yc
        .chunks_exact(n_out)
        .zip(data.x.chunks_exact(d))
        .map(|(y, x)| {
            let m = model.grid_mean(x);
            y.iter().zip(&m).map(|(v, m)| (v - m).powi(2)).sum::<f64>()
        })
        .sum();
    model.out_scale = (ss / yc.len() as f64).sqrt().max(1e-12);
    let mut sizes = vec![model.n_features()];
    sizes.extend_from_slice(&config.hidden);
    sizes.push(model.n_net_out());
    model.networks = vec![Mlp::new(&sizes, config.activation, &mut rng)?];
    continue_training(&mut model, data, val, config, &mut rng)?;
    Ok(model)
}

/// An ensemble of `members` surrogates ([`train`] with the seeds
/// `config.seed`, `config.seed + 1`, …), trained concurrently with
/// `config.threads / members` threads each (at least one) and averaged
/// ([`AfterglowSurrogate::ensemble`]). The members share the scalers (they
/// depend on the data only) and differ in their initialisation and batch
/// order, so their errors partly average out; evaluating the ensemble costs
/// `members` networks. The record's validation is that of the ensemble.
pub fn train_ensemble(
    meta: &DataMeta,
    data: &Dataset,
    val: Option<&Dataset>,
    config: &TrainConfig,
    members: usize,
) -> Result<AfterglowSurrogate, SurrogateError> {
    if members <= 1 {
        return train(meta, data, val, config);
    }
    let start = Instant::now();
    let threads = (config.threads / members).max(1);
    let trained: Vec<Result<AfterglowSurrogate, SurrogateError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..members)
            .map(|k| {
                let member = TrainConfig {
                    seed: config.seed + k as u64,
                    threads,
                    progress: config.progress && k == 0,
                    ..config.clone()
                };
                scope.spawn(move || train(meta, data, val, &member))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(SurrogateError::invalid("training", "a member's thread panicked"))
                })
            })
            .collect()
    });
    let trained = trained.into_iter().collect::<Result<Vec<_>, _>>()?;
    let epochs: Vec<usize> = trained.iter().map(|m| m.training.epochs).collect();
    let final_loss = trained.iter().map(|m| m.training.final_loss).sum::<f64>() / members as f64;
    let mut model = AfterglowSurrogate::ensemble(trained)?;
    model.training.epochs = epochs.iter().sum();
    model.training.final_loss = final_loss;
    model.training.seconds = start.elapsed().as_secs_f64();
    model.training.notes = format!("epochs per member {epochs:?}; {}", model.training.notes);
    model.training.validation = match val {
        Some(v) => Some(model.accuracy(&v.x, &v.y, v.n, 30.0)?),
        None => None,
    };
    Ok(model)
}

/// The mean compressed target [dex] of each network output: over the
/// training curves, or with the time-stretch fold over the values whose
/// stretched time lies nearest each node of the wide grid (nodes no curve
/// reaches take their band's nearest reached node).
fn output_means(model: &AfterglowSurrogate, x: &[f64], yc: &[f64]) -> Vec<f64> {
    let (d, n_out) = (model.n_params(), model.n_out());
    let mut sum = vec![0.0; model.n_net_out()];
    let mut count = vec![0usize; model.n_net_out()];
    let nt = model.times_days.len();
    for (r, y) in yc.chunks_exact(n_out).enumerate() {
        let (first, width) = match model.stretch {
            Some(f) => (f.nearest_node(&x[r * d..(r + 1) * d]), f.n_wide()),
            None => (0, nt),
        };
        for (b, yb) in y.chunks_exact(nt).enumerate() {
            for (j, &v) in yb.iter().enumerate() {
                sum[b * width + first + j] += v;
                count[b * width + first + j] += 1;
            }
        }
    }
    let width = model.n_net_out() / model.bands.len().max(1);
    let mut mean = vec![0.0; sum.len()];
    for ((m, s), c) in mean
        .chunks_exact_mut(width)
        .zip(sum.chunks_exact(width))
        .zip(count.chunks_exact(width))
    {
        let reached: Vec<usize> = (0..width).filter(|&k| c[k] > 0).collect();
        for (k, mk) in m.iter_mut().enumerate() {
            let near = reached
                .iter()
                .min_by_key(|&&i| i.abs_diff(k))
                .copied()
                .unwrap_or(k);
            *mk = if c[near] > 0 {
                s[near] / c[near] as f64
            } else {
                0.0
            };
        }
    }
    mean
}

/// Features, standardised compressed targets and loss weights of a data set
/// for `model` (its scalers and compression; the weights from `config`),
/// and with the time-stretch fold where each row lies on the wide grid.
struct TrainingArrays {
    feats: Vec<f64>,
    targets: Vec<f64>,
    weights: Vec<f64>,
    shifts: Option<Vec<GridShift>>,
    /// Per row: every point below the weight knee.
    faint: Vec<bool>,
}

fn training_arrays(
    model: &AfterglowSurrogate,
    data: &Dataset,
    config: &TrainConfig,
) -> Result<TrainingArrays, SurrogateError> {
    let (d, n_out) = (model.n_params(), model.n_out());
    if data.x.len() != data.n * d || data.y.len() != data.n * n_out {
        return Err(SurrogateError::invalid(
            "training set",
            format!(
                "{} rows of {} parameters and {} outputs do not fit the model ({d} parameters, {n_out} outputs)",
                data.n,
                data.x.len() / data.n.max(1),
                data.y.len() / data.n.max(1)
            ),
        ));
    }
    for i in 0..data.n {
        model.check_params(&data.x[i * d..(i + 1) * d])?;
    }
    let mut weights: Vec<f64> = data.y.iter().map(|&y| config.point_weight(y)).collect();
    let faint: Vec<bool> = data
        .y
        .chunks_exact(n_out)
        .map(|y| y.iter().all(|&v| v < config.weight_knee))
        .collect();
    if config.faint_curve_share < 1.0 {
        for (w, _) in weights.chunks_exact_mut(n_out).zip(&faint).filter(|(_, &f)| f) {
            w.iter_mut().for_each(|v| *v /= config.faint_curve_share);
        }
    }
    let targets = data
        .y
        .chunks_exact(n_out)
        .zip(data.x.chunks_exact(d))
        .flat_map(|(y, x)| {
            let (shift, mean) = (model.flux_offset(x), model.grid_mean(x));
            y.iter()
                .zip(mean)
                .map(move |(&v, m)| standardised_target(model, m, v, shift))
        })
        .collect();
    let shifts = model
        .stretch
        .map(|f| data.x.chunks_exact(d).map(|x| f.shift(x)).collect());
    Ok(TrainingArrays {
        feats: model.features_batch(&data.x, data.n),
        targets,
        weights,
        shifts,
        faint,
    })
}

/// The network's target for a grid point of log10 flux `y` [mJy] whose
/// output mean (read at the curve's times) is `mean` [dex], for a curve of
/// symmetry offset `shift` [dex]: compressed, centred, scaled.
fn standardised_target(model: &AfterglowSurrogate, mean: f64, y: f64, shift: f64) -> f64 {
    (model.compression.forward(y - shift) - mean) / model.out_scale
}

/// A minibatch with a share of its rows replaced by time-stretched copies
/// (features, standardised targets and weights, row-major).
#[derive(Default)]
struct AugmentedBatch {
    x: Vec<f64>,
    y: Vec<f64>,
    w: Vec<f64>,
}

impl AugmentedBatch {
    /// Gathers the rows `rows`; each is, with probability `config.augment`,
    /// stretched by a random number of grid steps (up to
    /// `config.max_stretch_steps`, kept inside the prior box by a random
    /// energy–density scaling); unknown points get weight zero.
    #[allow(clippy::too_many_arguments)]
    fn fill(
        &mut self,
        model: &AfterglowSurrogate,
        ts: &TimeStretch,
        data: &Dataset,
        (feats, targets, weights): (&[f64], &[f64], &[f64]),
        rows: &[usize],
        config: &TrainConfig,
        rng: &mut ChaCha8Rng,
    ) {
        let (d, nf, no) = (model.n_params(), model.n_features(), model.n_out());
        let n_times = model.times_days.len();
        let kmax = config.max_stretch_steps.max(1) as i64;
        let inputs = model.inputs();
        self.x.clear();
        self.y.clear();
        self.w.clear();
        for &r in rows {
            let x = &data.x[r * d..(r + 1) * d];
            let mut done = false;
            if rng.gen_bool(config.augment.clamp(0.0, 1.0)) {
                let mut k = rng.gen_range(-kmax..kmax);
                if k >= 0 {
                    k += 1; // nonzero, symmetric
                }
                let sigma = k as f64 * ts.grid_step_dex;
                if let Some((lo, hi)) = ts.delta_range(&model.params, x, sigma) {
                    let delta = if hi > lo { rng.gen_range(lo..hi) } else { lo };
                    let y = &data.y[r * no..(r + 1) * no];
                    if let Some(s) = ts.stretch(&model.params, n_times, x, y, k, delta) {
                        let start = self.x.len();
                        self.x.resize(start + nf, 0.0);
                        model.features_with(&inputs, &s.params, &mut self.x[start..]);
                        let offset = model.flux_offset(&s.params);
                        let mean = model.grid_mean(&s.params);
                        for (v, m) in s.log_flux.iter().zip(mean) {
                            match v {
                                Some(yv) => {
                                    self.y.push(standardised_target(model, m, *yv, offset));
                                    self.w.push(config.point_weight(*yv));
                                }
                                None => {
                                    self.y.push(0.0);
                                    self.w.push(0.0);
                                }
                            }
                        }
                        done = true;
                    }
                }
            }
            if !done {
                self.x.extend_from_slice(&feats[r * nf..(r + 1) * nf]);
                self.y.extend_from_slice(&targets[r * no..(r + 1) * no]);
                self.w.extend_from_slice(&weights[r * no..(r + 1) * no]);
            }
        }
    }
}

/// Validation loss (mean squared error of the compressed log flux [dex²],
/// weighted as the training loss) and accuracy in AB magnitude of `model`
/// on `val`.
fn validate(
    model: &AfterglowSurrogate,
    val: &Dataset,
    config: &TrainConfig,
) -> Result<(f64, Accuracy), SurrogateError> {
    let pred = model.predict_batch(&val.x, val.n)?;
    let acc = accuracy_of(&pred, &val.y, val.n, 30.0);
    let c = model.compression;
    let (d, m) = (model.n_params(), model.n_out());
    let loss = pred
        .iter()
        .zip(&val.y)
        .enumerate()
        .map(|(i, (p, y))| {
            let w = config.point_weight(*y);
            let shift = model.flux_offset(&val.x[(i / m) * d..(i / m + 1) * d]);
            w * (c.forward(*p - shift) - c.forward(*y - shift)).powi(2)
        })
        .sum::<f64>()
        / pred.len() as f64;
    Ok((loss, acc))
}

/// Trains `model` further on `data` with its own scalers and network:
/// `config.epochs` passes of minibatch Adam with a cosine learning-rate
/// decay (over the epochs, or over `config.max_seconds` if that ends
/// first). The state of lowest validation loss on `val` is kept (the last
/// state when `val` is `None`); the training record is replaced.
pub fn continue_training(
    model: &mut AfterglowSurrogate,
    data: &Dataset,
    val: Option<&Dataset>,
    config: &TrainConfig,
    rng: &mut ChaCha8Rng,
) -> Result<(), SurrogateError> {
    if config.batch_size == 0 || config.epochs == 0 {
        return Err(SurrogateError::invalid("batch_size/epochs", "must be positive"));
    }
    if !(0.0..=1.0).contains(&config.augment) {
        return Err(SurrogateError::invalid(
            "augment",
            format!("{} is not a share in [0, 1]", config.augment),
        ));
    }
    if !(config.faint_curve_share > 0.0 && config.faint_curve_share <= 1.0) {
        return Err(SurrogateError::invalid(
            "faint_curve_share",
            format!("{} is not a share in (0, 1]", config.faint_curve_share),
        ));
    }
    if config.max_seconds.is_some_and(|s| s.is_nan() || s <= 0.0) {
        return Err(SurrogateError::invalid(
            "max_seconds",
            format!("{:?} s must be positive", config.max_seconds),
        ));
    }
    if data.n < 2 {
        return Err(SurrogateError::invalid(
            "training set",
            "needs at least 2 light curves",
        ));
    }
    if model.networks.len() != 1 {
        return Err(SurrogateError::invalid(
            "model",
            format!(
                "an ensemble of {} networks; continue training its members one at a time",
                model.networks.len()
            ),
        ));
    }
    let start = Instant::now();
    if config.augment > 0.0 && model.stretch.is_some() {
        return Err(SurrogateError::invalid(
            "augment",
            "time-stretched copies repeat what the model's time-stretch fold does exactly (train without the fold to augment)",
        ));
    }
    let TrainingArrays {
        feats,
        targets,
        weights,
        shifts,
        faint,
    } = training_arrays(model, data, config)?;
    let mut epoch_rows = EpochRows::new(&faint, config.faint_curve_share);
    let shifted = match (model.stretch, &shifts) {
        (Some(f), Some(s)) => Some(ShiftedOutputs {
            curves: model.bands.len(),
            n_wide: f.n_wide(),
            n_values: f.n_times,
            shifts: s,
        }),
        _ => None,
    };
    let mut opt = Adam::with(AdamConfig {
        lr: config.lr,
        weight_decay: config.weight_decay,
        ..AdamConfig::default()
    });
    let steps_per_epoch = epoch_rows.len().div_ceil(config.batch_size);
    let total_steps = (config.epochs * steps_per_epoch).max(1) as f64;
    let mut flat = model.networks[0].flat_params();
    let mut best = Best {
        flat: flat.clone(),
        loss: f64::INFINITY,
        acc: None,
        last_acc: None,
        keep: config.keep_best,
    };
    let bar = if config.progress {
        let b = indicatif::ProgressBar::new(config.epochs as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:30}] epoch {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut step = 0usize;
    let mut last_loss = f64::NAN;
    let mut epochs_run = 0;
    let mut bp = Backprop::new(config.threads);
    let augmenter = if config.augment > 0.0 {
        TimeStretch::detect(model)
    } else {
        None
    };
    let mut batch = AugmentedBatch::default();
    let mut g = vec![0.0; flat.len()];
    for epoch in 0..config.epochs {
        let order = epoch_rows.draw(rng);
        let (mut total, mut count) = (0.0, 0usize);
        for chunk in order.chunks(config.batch_size) {
            let loss = match &augmenter {
                None => bp.loss_and_grad_rows(
                    &model.networks[0],
                    &feats,
                    &targets,
                    &weights,
                    chunk,
                    shifted,
                    &mut g,
                )?,
                Some(ts) => {
                    batch.fill(model, ts, data, (&feats, &targets, &weights), chunk, config, rng);
                    bp.loss_and_grad(
                        &model.networks[0],
                        &batch.x,
                        &batch.y,
                        &batch.w,
                        chunk.len(),
                        &mut g,
                    )?
                }
            };
            if !loss.is_finite() {
                return Err(SurrogateError::invalid(
                    "training",
                    format!("loss diverged ({loss}) at epoch {epoch}"),
                ));
            }
            // cosine decay over the epochs, or over the wall-time budget if that ends first
            let mut frac = step as f64 / total_steps;
            if let Some(ms) = config.max_seconds {
                frac = frac.max(start.elapsed().as_secs_f64() / ms).min(1.0);
            }
            let lr = config.lr_final
                + 0.5 * (config.lr - config.lr_final) * (1.0 + (std::f64::consts::PI * frac).cos());
            opt.set_learning_rate(lr);
            opt.step_slice(&mut flat, &g)?;
            model.networks[0].set_flat_params(&flat)?;
            step += 1;
            total += loss * chunk.len() as f64;
            count += chunk.len();
        }
        last_loss = total / count as f64;
        epochs_run = epoch + 1;
        let out_of_time = config
            .max_seconds
            .is_some_and(|s| start.elapsed().as_secs_f64() > s);
        let last = epoch + 1 == config.epochs || out_of_time;
        let mut msg = format!("loss {last_loss:.3e}");
        if (epoch + 1) % config.validate_every.max(1) == 0 || last {
            msg = best.update(model, &flat, val, config, last_loss)?;
            if !config.progress {
                eprintln!(
                    "seed {} epoch {} {msg} ({:.0} s)",
                    config.seed,
                    epoch + 1,
                    start.elapsed().as_secs_f64()
                );
            }
        }
        bar.set_message(msg);
        bar.inc(1);
        if out_of_time {
            break;
        }
    }
    bar.finish();
    let validation = if val.is_none() || !config.keep_best {
        best.flat.clone_from(&flat);
        best.last_acc
    } else {
        best.acc
    };
    model.networks[0].set_flat_params(&best.flat)?;
    model.training = TrainingRecord {
        n_train: data.n,
        epochs: epochs_run,
        seconds: start.elapsed().as_secs_f64(),
        seed: config.seed,
        final_loss: last_loss,
        validation,
        notes: format!(
            "hidden {:?} {:?}, batch {}, {} threads, Adam lr {:.1e} -> {:.1e} (cosine, weight decay {}), compression knee {} width {}, weight {} below log10 F = {}, share {} of the faint curves per epoch, {} state kept",
            config.hidden,
            config.activation,
            config.batch_size,
            config.threads,
            config.lr,
            config.lr_final,
            config.weight_decay,
            model.compression.knee,
            model.compression.width,
            config.faint_weight,
            config.weight_knee,
            config.faint_curve_share,
            if config.keep_best { "best validation" } else { "final" }
        ),
    };
    Ok(())
}

/// The lowest-validation-loss state seen so far (kept only when `keep`)
/// and the accuracy of the last state validated.
struct Best {
    flat: Vec<f64>,
    loss: f64,
    acc: Option<Accuracy>,
    last_acc: Option<Accuracy>,
    keep: bool,
}

impl Best {
    /// Validates the state `flat` on `val` (if any), keeps it when better
    /// (if asked to), and returns a progress message.
    fn update(
        &mut self,
        model: &mut AfterglowSurrogate,
        flat: &[f64],
        val: Option<&Dataset>,
        config: &TrainConfig,
        train_loss: f64,
    ) -> Result<String, SurrogateError> {
        let Some(v) = val else {
            return Ok(format!("loss {train_loss:.3e}"));
        };
        model.networks[0].set_flat_params(flat)?;
        let (vloss, acc) = validate(model, v, config)?;
        let msg = format!(
            "loss {train_loss:.3e} val {vloss:.3e} |dm|(m<=30) med {:.3} p95 {:.3} all med {:.3}",
            acc.median_bright, acc.p95_bright, acc.median_all
        );
        if self.keep && vloss < self.loss {
            self.loss = vloss;
            self.flat.clear();
            self.flat.extend_from_slice(flat);
            self.acc = Some(acc.clone());
        }
        self.last_acc = Some(acc);
        Ok(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surrogates::Jet;
    use std::path::Path;

    fn rng(seed: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(seed)
    }

    #[test]
    fn drawn_faint_curves_weigh_more_so_the_expected_loss_is_unchanged() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/afterglow");
        let meta = read_meta(&dir, Jet::TopHat).unwrap();
        let mut data = read_split(&dir, &meta, "val").unwrap();
        let n = 60;
        let m = meta.bands.len() * meta.times_days.len();
        data.x.truncate(n * meta.params.len());
        data.y.truncate(n * m);
        data.n = n;
        let model = AfterglowSurrogate::builtin(Jet::TopHat).unwrap();
        let all = TrainConfig {
            faint_curve_share: 1.0,
            ..TrainConfig::default()
        };
        let share = TrainConfig {
            faint_curve_share: 0.25,
            ..all.clone()
        };
        let a = training_arrays(&model, &data, &all).unwrap();
        let s = training_arrays(&model, &data, &share).unwrap();
        assert_eq!(a.faint, s.faint);
        let n_faint = a.faint.iter().filter(|&&f| f).count();
        assert!(n_faint > 5 && n_faint < n - 5, "{n_faint} faint curves of {n}");
        for (r, &f) in a.faint.iter().enumerate() {
            let y = &data.y[r * m..(r + 1) * m];
            assert_eq!(f, y.iter().all(|&v| v < all.weight_knee), "row {r}");
            for k in r * m..(r + 1) * m {
                let want = all.point_weight(data.y[k]) / if f { 0.25 } else { 1.0 };
                assert_eq!(a.weights[k], all.point_weight(data.y[k]));
                assert_eq!(s.weights[k], want, "row {r}");
            }
        }
    }

    #[test]
    fn a_share_outside_zero_to_one_is_refused() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/afterglow");
        let meta = read_meta(&dir, Jet::TopHat).unwrap();
        let data = read_split(&dir, &meta, "val").unwrap();
        let mut model = AfterglowSurrogate::builtin(Jet::TopHat).unwrap();
        for bad in [0.0, -0.5, 1.5, f64::NAN] {
            let c = TrainConfig {
                faint_curve_share: bad,
                progress: false,
                ..TrainConfig::default()
            };
            let e = continue_training(&mut model, &data, None, &c, &mut rng(1)).unwrap_err();
            assert!(e.to_string().contains("faint_curve_share"), "{e}");
        }
    }
}
