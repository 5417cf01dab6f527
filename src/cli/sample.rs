//! `ferrax sample`: run a sampler on a target spec and write a JSON report,
//! the draws and log-densities as `.npy`, and a corner plot.

use crate::plot::{corner_plot, CornerOptions};
use crate::samplers::flowmc::{merge_json, FlowMcConfig};
use crate::samplers::job::{run_job, SampleJob, SamplerChoice};
use crate::samplers::{KernelKind, LocalRunConfig};
use crate::samplers::{LogDensity, Target};
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// Arguments of `ferrax sample`.
#[derive(clap::Args, Debug)]
pub struct SampleArgs {
    /// Target spec (JSON), e.g. {"kind": "dual_moon"}.
    #[arg(long)]
    pub spec: PathBuf,
    /// Output report (JSON); draws go to OUT_samples.npy ([chains, draws, dim]),
    /// OUT_logp.npy and OUT_corner.png beside it.
    #[arg(long)]
    pub output: PathBuf,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Sampler: flowmc, mala or hmc.
    #[arg(long, default_value = "flowmc")]
    pub sampler: String,
    /// Also estimate the evidence log Z (learned harmonic mean).
    #[arg(long)]
    pub evidence: bool,
    /// Checkpoint file (flowmc): resumed from when it exists.
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// Loops between checkpoints.
    #[arg(long, default_value_t = 2)]
    pub checkpoint_every: usize,
    /// Sampler settings (JSON object) overriding the defaults key by key,
    /// e.g. {"n_chains": 1000, "train": {"epochs": 20}} for flowmc (see
    /// `FlowMcConfig`) or {"n_draws": 5000} for mala/hmc (`LocalRunConfig`).
    /// Targets whose conditional structure the default flow cannot express
    /// (Rosenbrock, Neal's funnel) have their settings in
    /// tests/data/samplers/configs/TARGET.json.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Skip the corner plot.
    #[arg(long)]
    pub no_plot: bool,
    /// Show a progress bar.
    #[arg(long)]
    pub progress: bool,
}

fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    out.with_file_name(format!("{stem}{suffix}"))
}

/// Runs `ferrax sample`.
pub fn run(args: &SampleArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.spec).map_err(|e| Error::io(&args.spec, e))?;
    let target = Target::from_json(&text).map_err(|e| Error::Input {
        path: args.spec.display().to_string(),
        msg: e.to_string(),
    })?;
    let sampler = match args.sampler.as_str() {
        "flowmc" => SamplerChoice::Flowmc,
        "mala" => SamplerChoice::Mala,
        "hmc" => SamplerChoice::Hmc,
        s => {
            return Err(Error::invalid(
                "--sampler",
                format!("'{s}' is not flowmc, mala or hmc"),
            ))
        }
    };
    let mut job = SampleJob::new(sampler, args.seed);
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let over: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::Input {
            path: path.display().to_string(),
            msg: e.to_string(),
        })?;
        let bad = |e: serde_json::Error| Error::Input {
            path: path.display().to_string(),
            msg: e.to_string(),
        };
        match sampler {
            SamplerChoice::Flowmc => {
                job.flowmc =
                    Some(
                        FlowMcConfig::for_dim_with(target.dim(), over).map_err(|e| Error::Input {
                            path: path.display().to_string(),
                            msg: e.to_string(),
                        })?,
                    );
            }
            _ => {
                let mut local = LocalRunConfig {
                    n_warmup: 2000,
                    n_draws: 2000,
                    ..Default::default()
                };
                if sampler == SamplerChoice::Hmc {
                    local.kernel = KernelKind::Hmc { n_leapfrog: 20 };
                }
                let mut merged = merge_json(serde_json::to_value(local).map_err(bad)?, over);
                if let Some(c) = merged.as_object_mut().and_then(|o| o.remove("n_chains")) {
                    job.local_chains = serde_json::from_value(c).map_err(bad)?;
                }
                job.local = Some(serde_json::from_value(merged).map_err(bad)?);
            }
        }
    }
    job.evidence = args.evidence;
    job.progress = args.progress;
    job.checkpoint = args.checkpoint.clone().map(|p| (p, args.checkpoint_every.max(1)));
    let (report, set) = run_job(&target, &job)?;
    let json = serde_json::to_string_pretty(&report).map_err(|e| Error::invalid("report", e.to_string()))?;
    crate::io::write_atomic(&args.output, json.as_bytes())?;
    crate::io::write_npy(
        sibling(&args.output, "_samples.npy"),
        &[set.n_chains, set.n_draws, set.dim],
        &set.samples,
    )?;
    crate::io::write_npy(
        sibling(&args.output, "_logp.npy"),
        &[set.n_chains, set.n_draws],
        &set.logp,
    )?;
    if !args.no_plot {
        let labels: Vec<String> = (0..target.dim()).map(|j| format!("x{j}")).collect();
        // at most 20000 evenly spaced draws in the plot
        let rows = set.samples.len() / set.dim;
        let stride = rows.div_ceil(20_000).max(1);
        let pts: Vec<f64> = (0..rows)
            .step_by(stride)
            .flat_map(|r| set.samples[r * set.dim..(r + 1) * set.dim].iter().copied())
            .collect();
        if set.dim <= 12 {
            corner_plot(
                &sibling(&args.output, "_corner.png"),
                &pts,
                &labels,
                &CornerOptions::default(),
            )?;
        }
    }
    println!(
        "{}: ess_min {:.0}, rhat_max {:.4}, {:.1} CPU s, {:.0} ESS_min/CPU-s{}",
        args.output.display(),
        report.ess_min,
        report.rhat_max,
        report.cpu_seconds,
        report.ess_min / report.cpu_seconds,
        report
            .log_z
            .map(|z| format!(", log Z {z:.4} ± {:.4}", report.log_z_err.unwrap_or(f64::NAN)))
            .unwrap_or_default()
    );
    Ok(())
}
