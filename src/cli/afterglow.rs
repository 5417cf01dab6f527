//! `ferrax afterglow train|predict|infer`: the afterglowpy surrogate.

use crate::surrogates::train::{read_meta, read_split, TrainConfig};
use crate::surrogates::{Activation, AfterglowSurrogate, Jet};
use crate::{Error, Result};
use clap::{Args, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

/// Arguments of `ferrax afterglow`.
#[derive(Args, Debug)]
pub struct AfterglowArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: AfterglowAction,
}

/// Jet structure on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum JetArg {
    /// Top-hat jet.
    Tophat,
    /// Gaussian jet.
    Gaussian,
}

impl From<JetArg> for Jet {
    fn from(j: JetArg) -> Jet {
        match j {
            JetArg::Tophat => Jet::TopHat,
            JetArg::Gaussian => Jet::Gaussian,
        }
    }
}

/// The `afterglow` subcommands.
#[derive(Subcommand, Debug)]
pub enum AfterglowAction {
    /// Train a surrogate on afterglowpy light curves (`<jet>_train_{X,Y}.npy`).
    Train {
        /// Data folder with metadata.json and `<jet>_{train,val}_{X,Y}.npy`
        /// (the afterglowpy training sets, ~50 MB, not shipped with ferrax;
        /// the built-in models need no training).
        #[arg(long)]
        data: PathBuf,
        /// Jet structure.
        #[arg(long, value_enum, default_value = "tophat")]
        jet: JetArg,
        /// Output model file (bincode).
        #[arg(long)]
        output: PathBuf,
        /// Passes over the training set.
        #[arg(long, default_value_t = 200)]
        epochs: usize,
        /// Hidden-layer widths, comma-separated.
        #[arg(long, default_value = "128,128,128")]
        hidden: String,
        /// Light curves per Adam step.
        #[arg(long, default_value_t = 256)]
        batch: usize,
        /// Initial learning rate (cosine decay to 1e-5).
        #[arg(long, default_value_t = 2e-3)]
        lr: f64,
        /// Hidden nonlinearity: silu or tanh.
        #[arg(long, default_value = "silu")]
        activation: String,
        /// Loss weight of grid points fainter than `--weight-knee`.
        #[arg(long, default_value_t = 0.1)]
        faint_weight: f64,
        /// Log10 flux [mJy] below which points get `--faint-weight`
        /// (-7: AB 33.9; -5.44: AB 30).
        #[arg(long, default_value_t = -7.0, allow_hyphen_values = true)]
        weight_knee: f64,
        /// Share of the faint light curves (no point above --weight-knee)
        /// drawn into each epoch, their weights divided by it (1: all).
        #[arg(long, default_value_t = 0.25)]
        faint_curves: f64,
        /// Decoupled weight decay (AdamW; 0: plain Adam).
        #[arg(long, default_value_t = 0.0)]
        weight_decay: f64,
        /// Share of each batch replaced by time-stretched copies of its
        /// light curves (exact symmetry of afterglowpy's model; 0: none).
        #[arg(long, default_value_t = 0.0)]
        augment: f64,
        /// Feed E0, n0 and epsilon_B to the network as they are instead of
        /// folding out their exact scaling symmetry (for comparison).
        #[arg(long)]
        no_symmetry: bool,
        /// Predict each curve on the data's time grid instead of folding
        /// the time-stretch symmetry into the network (for comparison;
        /// needed with --augment).
        #[arg(long)]
        no_stretch: bool,
        /// Keep the state of lowest validation loss instead of the final one.
        #[arg(long)]
        keep_best: bool,
        /// Threads each training batch is split over (in all: an ensemble's
        /// members share them).
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Networks trained independently (seeds --seed, --seed + 1, …) at
        /// the same time and averaged: more accurate, each curve costs
        /// this many networks.
        #[arg(long, default_value_t = 1)]
        members: usize,
        /// Random seed.
        #[arg(long, default_value_t = 11)]
        seed: u64,
        /// Stop after this many minutes (the learning rate decays over them).
        #[arg(long)]
        max_minutes: Option<f64>,
        /// Continue training this model (its scalers and network) instead of
        /// a fresh network (`--hidden` and `--activation` are then ignored).
        #[arg(long)]
        init: Option<PathBuf>,
        /// Use only the first N training light curves.
        #[arg(long)]
        limit: Option<usize>,
        /// Log lines instead of a progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Light curves on the grid for parameter rows (N × params .npy) into an
    /// N × bands × times .npy of log10(F / mJy).
    Predict {
        /// Model file; the built-in model of --jet when not given.
        #[arg(long)]
        model: Option<PathBuf>,
        /// Jet structure.
        #[arg(long, value_enum, default_value = "tophat")]
        jet: JetArg,
        /// Parameters, N × params (column order of the training data).
        #[arg(long)]
        params: PathBuf,
        /// Output light curves.
        #[arg(long)]
        output: PathBuf,
    },
    /// Posterior of the jet parameters given photometry (JSON as the shipped mocks).
    Infer {
        /// Model file; the built-in model of --jet when not given.
        #[arg(long)]
        model: Option<PathBuf>,
        /// Jet structure.
        #[arg(long, value_enum, default_value = "tophat")]
        jet: JetArg,
        /// Observations (t_days, band, mag_AB, mag_err[, upper_limit]).
        #[arg(long)]
        observations: PathBuf,
        /// Output folder (samples.npy, summary.json, corner.png, lightcurve.png).
        #[arg(long, default_value = "afterglow_out")]
        outdir: PathBuf,
        /// Systematic error added in quadrature [AB mag].
        #[arg(long, default_value_t = crate::surrogates::em::DEFAULT_SYSTEMATIC_MAG)]
        systematic: f64,
        /// Parallel chains.
        #[arg(long, default_value_t = 32)]
        chains: usize,
        /// Sampler of the draws after the HMC warm-up: flowmc (flow-enhanced
        /// MCMC, jumps along the degeneracies) or hmc.
        #[arg(long, default_value = "flowmc")]
        sampler: String,
        /// Kept draws per chain (`--sampler hmc`).
        #[arg(long, default_value_t = 500)]
        draws: usize,
        /// Production loops of local and flow steps (`--sampler flowmc`).
        #[arg(long, default_value_t = 24)]
        production_loops: usize,
        /// Threads each batch of chains is split over (1 or 2).
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Random seed.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

fn load_model(model: Option<&Path>, jet: Jet) -> Result<AfterglowSurrogate> {
    let m = match model {
        Some(p) => AfterglowSurrogate::load(p)?,
        None => AfterglowSurrogate::builtin(jet)?,
    };
    if m.jet != jet && model.is_some() {
        return Err(Error::invalid(
            "--jet",
            format!("the model file holds a {} jet, not {}", m.jet.name(), jet.name()),
        ));
    }
    Ok(m)
}

/// Runs `ferrax afterglow`.
pub fn run(args: &AfterglowArgs) -> Result<()> {
    match &args.action {
        AfterglowAction::Train {
            data,
            jet,
            output,
            epochs,
            hidden,
            batch,
            lr,
            activation,
            faint_weight,
            weight_knee,
            faint_curves,
            weight_decay,
            no_symmetry,
            no_stretch,
            keep_best,
            augment,
            threads,
            members,
            seed,
            max_minutes,
            init,
            limit,
            quiet,
        } => {
            let jet: Jet = (*jet).into();
            let hidden = hidden
                .split(',')
                .map(|s| s.trim().parse::<usize>())
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| Error::invalid("--hidden", e.to_string()))?;
            let activation = match activation.as_str() {
                "silu" => Activation::Silu,
                "tanh" => Activation::Tanh,
                a => {
                    return Err(Error::invalid(
                        "--activation",
                        format!("unknown '{a}' (silu or tanh)"),
                    ))
                }
            };
            let meta = read_meta(data, jet)?;
            let mut train = read_split(data, &meta, "train")?;
            if let Some(l) = limit {
                let l = (*l).min(train.n);
                train.x.truncate(l * meta.params.len());
                train.y.truncate(l * meta.bands.len() * meta.times_days.len());
                train.n = l;
            }
            let val = read_split(data, &meta, "val").ok();
            let config = TrainConfig {
                hidden,
                activation,
                epochs: *epochs,
                batch_size: *batch,
                lr: *lr,
                seed: *seed,
                faint_weight: *faint_weight,
                weight_knee: *weight_knee,
                faint_curve_share: *faint_curves,
                weight_decay: *weight_decay,
                symmetry: !*no_symmetry,
                stretch: !*no_stretch,
                keep_best: *keep_best,
                augment: *augment,
                threads: *threads,
                max_seconds: max_minutes.map(|m| m * 60.0),
                progress: !quiet,
                ..TrainConfig::default()
            };
            eprintln!(
                "training the {} surrogate on {} light curves ({} validation)",
                jet.name(),
                train.n,
                val.as_ref().map_or(0, |v| v.n)
            );
            let model = match init {
                None => {
                    crate::surrogates::train::train_ensemble(&meta, &train, val.as_ref(), &config, *members)?
                }
                Some(_) if *members > 1 => {
                    return Err(Error::invalid(
                        "--members",
                        "continued training (--init) trains one network",
                    ))
                }
                Some(path) => {
                    let mut model = AfterglowSurrogate::load(path)?;
                    if model.jet != jet {
                        return Err(Error::invalid(
                            "--init",
                            format!(
                                "{} is a {} model, not {}",
                                path.display(),
                                model.jet.name(),
                                jet.name()
                            ),
                        ));
                    }
                    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(*seed);
                    crate::surrogates::train::continue_training(
                        &mut model,
                        &train,
                        val.as_ref(),
                        &config,
                        &mut rng,
                    )?;
                    model
                }
            };
            model.save(output)?;
            let rec = &model.training;
            println!(
                "{} surrogate: {} epochs in {:.0} s, {} weights, saved to {}",
                jet.name(),
                rec.epochs,
                rec.seconds,
                model.n_weights(),
                output.display()
            );
            if let Some(a) = &rec.validation {
                println!(
                    "validation |dm| [AB mag], m <= {}: median {:.4} p95 {:.4} max {:.3} ({} points); all points: median {:.4} p95 {:.4}",
                    a.bright_limit_mag, a.median_bright, a.p95_bright, a.max_bright, a.n_bright, a.median_all, a.p95_all
                );
            }
            Ok(())
        }
        AfterglowAction::Predict {
            model,
            jet,
            params,
            output,
        } => {
            let m = load_model(model.as_deref(), (*jet).into())?;
            let x = crate::io::read_npy(params)?;
            let d = m.n_params();
            let n = match x.shape.as_slice() {
                [n, c] if *c == d => *n,
                [c] if *c == d => 1,
                s => {
                    return Err(Error::Input {
                        path: params.display().to_string(),
                        msg: format!("shape {s:?}, expected [N, {d}] ({})", names(&m)),
                    })
                }
            };
            let y = m.predict_batch(&x.data, n).map_err(|e| Error::Input {
                path: params.display().to_string(),
                msg: e.to_string(),
            })?;
            crate::io::write_npy(output, &[n, m.bands.len(), m.times_days.len()], &y)?;
            println!(
                "{n} light curves ({} bands x {} times) written to {}",
                m.bands.len(),
                m.times_days.len(),
                output.display()
            );
            Ok(())
        }
        AfterglowAction::Infer {
            model,
            jet,
            observations,
            outdir,
            systematic,
            chains,
            sampler,
            draws,
            production_loops,
            threads,
            seed,
        } => {
            use crate::surrogates::infer::{infer, write_outputs, AfterglowSampler, InferConfig};
            let m = load_model(model.as_deref(), (*jet).into())?;
            let obs = crate::surrogates::Observations::from_file(observations, &m)?;
            let lik = crate::surrogates::EmLikelihood::new(m, obs, *systematic)?;
            let mut config = InferConfig {
                n_chains: *chains,
                n_draws: *draws,
                seed: *seed,
                threads: *threads,
                ..InferConfig::default()
            };
            match (sampler.as_str(), &mut config.sampler) {
                ("hmc", s) => *s = AfterglowSampler::Hmc,
                (
                    "flowmc",
                    AfterglowSampler::FlowMc {
                        n_production_loops, ..
                    },
                ) => *n_production_loops = *production_loops,
                (other, _) => {
                    return Err(Error::invalid(
                        "--sampler",
                        format!("unknown '{other}' (flowmc or hmc)"),
                    ))
                }
            }
            eprintln!(
                "sampling the {} jet posterior: {} points, {} chains",
                lik.model.jet.name(),
                lik.obs.len(),
                config.n_chains
            );
            let res = infer(&lik, &config)?;
            write_outputs(&lik, &res, outdir)?;
            println!(
                "{} draws in {:.1} s (acceptance {:.2}); outputs in {}",
                res.samples.len() / res.names.len(),
                res.seconds,
                res.acceptance,
                outdir.display()
            );
            println!(
                "{:<18} {:>10} {:>10} {:>10} {:>7} {:>7} {:>10}",
                "parameter", "q05", "median", "q95", "rhat", "ess", "truth"
            );
            for (n, s) in res.names.iter().zip(&res.summary) {
                println!(
                    "{:<18} {:>10.4} {:>10.4} {:>10.4} {:>7.3} {:>7.0} {:>10}",
                    n,
                    s.q05,
                    s.median,
                    s.q95,
                    s.rhat,
                    s.ess,
                    s.truth.map_or("-".to_string(), |t| format!("{t:.4}"))
                );
            }
            Ok(())
        }
    }
}

fn names(m: &AfterglowSurrogate) -> String {
    m.params
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
