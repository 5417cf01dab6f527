//! `ferrax compress`, `ferrax decompress` and `ferrax inspect`: posterior
//! samples to a flow file and back (see [`crate::compress`]).

use crate::compress::{
    compress_with_symmetry, fidelity, BoundTransform, FlowArchitecture, Header, PosteriorFlow, SymmetrySpec,
    TrainSettings,
};
use crate::{Error, Result};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

/// The posterior-compression subcommands.
#[derive(Subcommand, Debug)]
pub enum CompressionCommand {
    /// Fit a normalizing flow to posterior samples and write it as a flow file.
    Compress(CompressArgs),
    /// Draw samples from a flow file into a .npy array.
    Decompress(DecompressArgs),
    /// Print what a flow file holds: names, bounds, sizes, fidelity, versions.
    Inspect(InspectArgs),
}

/// Arguments of `ferrax compress`.
#[derive(Args, Debug)]
pub struct CompressArgs {
    /// Samples, a float64 .npy array [n, d].
    #[arg(long)]
    pub input: PathBuf,
    /// Parameter names: a JSON list of d strings (default x0, x1, ...).
    #[arg(long)]
    pub names: Option<PathBuf>,
    /// Bounds: a JSON object {"name": [lower, upper]}, null for an open side;
    /// unlisted parameters are unbounded.
    #[arg(long)]
    pub bounds: Option<PathBuf>,
    /// Output flow file.
    #[arg(long)]
    pub output: PathBuf,
    /// An exact symmetry to fold out: a JSON object {"order": n,
    /// "parameters": [anchor, ...], "shifts": [...]} (see
    /// `ferrax::compress::symmetry`); refused if the samples are not invariant.
    #[arg(long)]
    pub symmetry: Option<PathBuf>,
    /// Coupling layers.
    #[arg(long, default_value_t = 4)]
    pub layers: usize,
    /// Hidden widths of the conditioner networks, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "32,32")]
    pub hidden: Vec<usize>,
    /// Spline bins.
    #[arg(long, default_value_t = 8)]
    pub bins: usize,
    /// Largest number of training epochs.
    #[arg(long, default_value_t = 60)]
    pub max_epochs: usize,
    /// Minibatch size (0: n_train / 64 clamped to [64, 512]).
    #[arg(long, default_value_t = 0)]
    pub batch_size: usize,
    /// Initial learning rate.
    #[arg(long, default_value_t = 3e-3)]
    pub learning_rate: f64,
    /// Early-stopping patience, epochs.
    #[arg(long, default_value_t = 8)]
    pub patience: usize,
    /// Fraction of samples held out for validation.
    #[arg(long, default_value_t = 0.1)]
    pub validation_fraction: f64,
    /// Stop training after this many seconds.
    #[arg(long)]
    pub max_seconds: Option<f64>,
    /// Draws for the fidelity check (default max(n, 100000)).
    #[arg(long, default_value_t = 0)]
    pub fidelity_samples: usize,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Arguments of `ferrax decompress`.
#[derive(Args, Debug)]
pub struct DecompressArgs {
    /// Flow file.
    #[arg(long)]
    pub input: PathBuf,
    /// Number of samples to draw.
    #[arg(long)]
    pub n: usize,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output .npy array [n, d].
    #[arg(long)]
    pub output: PathBuf,
}

/// Arguments of `ferrax inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Flow file.
    pub file: PathBuf,
    /// Print the whole header as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs one of the subcommands.
pub fn run(cmd: &CompressionCommand) -> Result<()> {
    match cmd {
        CompressionCommand::Compress(a) => run_compress(a),
        CompressionCommand::Decompress(a) => run_decompress(a),
        CompressionCommand::Inspect(a) => run_inspect(a),
    }
}

fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::Input {
        path: path.display().to_string(),
        msg: format!("not JSON: {e}"),
    })
}

/// Parameter names from a JSON list of strings.
pub fn read_names(path: &Path, d: usize) -> Result<Vec<String>> {
    let bad = |msg: String| Error::Input {
        path: path.display().to_string(),
        msg,
    };
    let names: Vec<String> = serde_json::from_value(read_json(path)?)
        .map_err(|e| bad(format!("expected a list of parameter names: {e}")))?;
    if names.len() != d {
        return Err(bad(format!("{} names for {d} columns", names.len())));
    }
    Ok(names)
}

/// A symmetry specification from a JSON object `{"order": n, "parameters":
/// [...], "shifts": [...]}`.
pub fn read_symmetry(path: &Path) -> Result<SymmetrySpec> {
    serde_json::from_value(read_json(path)?).map_err(|e| Error::Input {
        path: path.display().to_string(),
        msg: format!("expected {{\"order\": n, \"parameters\": [...], \"shifts\": [...]}}: {e}"),
    })
}

/// Support maps from a JSON object `{"name": [lower|null, upper|null]}`.
pub fn read_bounds(path: &Path, names: &[String]) -> Result<Vec<BoundTransform>> {
    let bad = |msg: String| Error::Input {
        path: path.display().to_string(),
        msg,
    };
    let map: std::collections::BTreeMap<String, [Option<f64>; 2]> = serde_json::from_value(read_json(path)?)
        .map_err(|e| {
            bad(format!(
                "expected {{\"name\": [lower, upper]}} with null for an open side: {e}"
            ))
        })?;
    if let Some(k) = map.keys().find(|k| !names.contains(k)) {
        return Err(bad(format!("bounds for unknown parameter '{k}'")));
    }
    names
        .iter()
        .map(|n| {
            let [a, b] = map.get(n).copied().unwrap_or([None, None]);
            BoundTransform::from_bounds(a, b).ok_or_else(|| {
                bad(format!(
                    "parameter '{n}': bounds {a:?}, {b:?} are not finite and ordered"
                ))
            })
        })
        .collect()
}

fn run_compress(a: &CompressArgs) -> Result<()> {
    let t0 = std::time::Instant::now();
    let arr = crate::io::read_npy(&a.input)?;
    if arr.shape.len() != 2 {
        return Err(Error::Input {
            path: a.input.display().to_string(),
            msg: format!("expected a 2-D array [n, d], got shape {:?}", arr.shape),
        });
    }
    let d = arr.shape[1];
    let names = match &a.names {
        Some(p) => read_names(p, d)?,
        None => (0..d).map(|j| format!("x{j}")).collect(),
    };
    let transforms = match &a.bounds {
        Some(p) => read_bounds(p, &names)?,
        None => vec![BoundTransform::Identity; d],
    };
    let arch = FlowArchitecture {
        n_layers: a.layers,
        hidden: a.hidden.clone(),
        bins: a.bins,
        ..Default::default()
    };
    let settings = TrainSettings {
        max_epochs: a.max_epochs,
        batch_size: a.batch_size,
        learning_rate: a.learning_rate,
        patience: a.patience,
        validation_fraction: a.validation_fraction,
        max_seconds: a.max_seconds,
        seed: a.seed,
        progress: !a.quiet,
    };
    let symmetry = match &a.symmetry {
        Some(p) => Some(read_symmetry(p)?),
        None => None,
    };
    let post = compress_with_symmetry(
        &arr.data,
        &names,
        &transforms,
        symmetry.as_ref(),
        &arch,
        &settings,
        a.fidelity_samples,
    )?;
    let size = post.save(&a.output)?;
    println!(
        "{}: {} samples x {} parameters ({} bytes as float64) -> {} bytes ({:.1}x smaller) in {:.1} s",
        a.output.display(),
        post.n_samples,
        d,
        post.n_samples * d * 8,
        size,
        (post.n_samples * d * 8) as f64 / size as f64,
        t0.elapsed().as_secs_f64()
    );
    print_summary(&post.header());
    Ok(())
}

fn run_decompress(a: &DecompressArgs) -> Result<()> {
    let post = PosteriorFlow::load(&a.input)?;
    let t0 = std::time::Instant::now();
    // drawn block by block on all cores and streamed to the file in order
    let mut out = crate::io::npy::NpyWriter::create(&a.output, &[a.n, post.dim()])?;
    post.sample_with(a.n, a.seed, |block| out.write(block))?;
    let t_draw = t0.elapsed().as_secs_f64();
    out.finish()?;
    println!(
        "{}: {} samples x {} parameters drawn in {:.3} s ({:.3} s with the final flush to disk)",
        a.output.display(),
        a.n,
        post.dim(),
        t_draw,
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

fn run_inspect(a: &InspectArgs) -> Result<()> {
    let post = PosteriorFlow::load(&a.file)?;
    let header = post.header();
    if a.json {
        let text =
            serde_json::to_string_pretty(&header).map_err(|e| Error::invalid("header", e.to_string()))?;
        println!("{text}");
        return Ok(());
    }
    let size = std::fs::metadata(&a.file)
        .map_err(|e| Error::io(&a.file, e))?
        .len();
    println!(
        "{}: ferrax posterior flow, format version {} (written by ferrax {})",
        a.file.display(),
        header.format_version,
        header.ferrax_version
    );
    println!(
        "size {size} bytes for {} samples x {} parameters ({} bytes as float64, {:.1}x)",
        header.n_samples,
        header.names.len(),
        header.samples_bytes,
        header.samples_bytes as f64 / size as f64
    );
    print_summary(&header);
    let d = post.dim();
    let fmt = |v: &mut dyn Iterator<Item = f64>| v.map(|x| format!("{x:.4e}")).collect::<Vec<_>>().join(" ");
    println!(
        "linear map y = L u + m in the mapped coordinates ({}; full {d} x {d} lower-triangular L in the payload):",
        if header.training.calibrated {
            "moment-calibrated to the samples"
        } else {
            "mean and covariance of the training split"
        }
    );
    println!("  m        {}", fmt(&mut post.flow.shift.iter().copied()));
    println!(
        "  diag(L)  {}",
        fmt(&mut (0..d).map(|i| post.flow.chol[i * (d + 1)]))
    );
    Ok(())
}

fn print_summary(h: &Header) {
    let ar = &h.architecture;
    let t = &h.training;
    println!(
        "flow: {} rational-quadratic spline coupling layers, {} bins on (-{}, {}), hidden {:?}, {} weights",
        ar.n_layers, ar.bins, ar.bound, ar.bound, ar.hidden, h.n_weights
    );
    println!(
        "training: {} + {} validation samples, {} epochs ({}; best {}), validation loss {:.4}, {:.1} s",
        t.n_train,
        t.n_validation,
        t.epochs,
        t.stop_reason,
        t.best_epoch,
        t.validation_loss
            .get(t.best_epoch.saturating_sub(1))
            .copied()
            .unwrap_or(f64::NAN),
        t.seconds
    );
    if let Some(s) = &h.symmetry {
        println!(
            "symmetry folded out: order {}, shifts {:?} of {:?}; fundamental window of '{}' [{}, {})",
            s.spec.order,
            s.spec.shifts,
            s.spec.parameters,
            s.spec.parameters[0],
            s.window,
            s.window + s.width()
        );
    }
    println!(
        "{:<24} {:<10} {:>12} {:>12} {:>10} {:>22}",
        "parameter", "map", "lower", "upper", "JS [nat]", "quantile err 5/50/95%"
    );
    for (j, (n, tr)) in h.names.iter().zip(&h.transforms).enumerate() {
        let (lo, hi) = tr.bounds();
        let f = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v}"));
        let (js, q) = match &h.fidelity {
            Some(fd) => (
                format!("{:.5}", fd.params[j].js_nats),
                fd.params[j]
                    .quantile_errors
                    .map(|e| format!("{:.4}", e))
                    .join(" "),
            ),
            None => ("-".into(), "-".into()),
        };
        println!(
            "{n:<24} {:<10} {:>12} {:>12} {js:>10} {q:>22}",
            tr.name(),
            f(lo),
            f(hi)
        );
    }
    if let Some(fd) = &h.fidelity {
        println!(
            "fidelity ({} draws vs {} original samples): max JS {:.5} nat (<= {}), max quantile error {:.4} of range (<= {}), max correlation error {:.4} (<= {}): {}",
            fd.n_decompressed,
            fd.n_original,
            fd.max_js_nats,
            fidelity::JS_MAX,
            fd.max_quantile_error,
            fidelity::QUANTILE_MAX,
            fd.max_correlation_error,
            fidelity::CORRELATION_MAX,
            if fd.passes() { "PASS" } else { "FAIL" }
        );
    }
}
