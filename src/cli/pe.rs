//! `ferrax pe`: end-to-end parameter estimation of a binary-black-hole
//! signal (built-in injection, or a TOML configuration).

use super::run_folder::RunFolderArgs;
use crate::io::run_dir::initial_config;
use crate::pe::{run_pe, PeConfig, PeOptions};
use crate::Result;
use std::path::PathBuf;

/// Arguments of `ferrax pe`.
#[derive(clap::Args, Debug)]
pub struct PeArgs {
    /// Configuration (TOML); the built-in default when absent (see
    /// `--print-config`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Output directory.
    #[arg(long, default_value = "pe_out")]
    pub outdir: PathBuf,
    /// Seed of the sampler (overrides the configuration's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output-folder switches.
    #[command(flatten)]
    pub folder: RunFolderArgs,
}

/// Runs `ferrax pe`.
pub fn run(args: &PeArgs) -> Result<()> {
    let mut cfg: PeConfig = initial_config(args.config.as_deref(), &args.outdir, args.folder.resume)?;
    if let Some(s) = args.seed {
        cfg.seed = s;
    }
    if args.folder.print_config {
        print!("{}", cfg.to_toml()?);
        return Ok(());
    }
    let opts = PeOptions {
        outdir: args.outdir.clone(),
        resume: args.folder.resume,
        force: args.folder.force,
        progress: !args.folder.quiet,
    };
    let res = run_pe(&cfg, &opts)?;
    let s = &res.summary;
    println!(
        "{}: {} samples, SNR {:.1}, ESS_min {:.0}, R̂_max {:.3}, {} injected values inside their 90 % intervals, {:.1} s wall, {:.1} s CPU{}",
        args.outdir.display(),
        s["n_samples"],
        s["optimal_snr"].as_f64().unwrap_or(f64::NAN),
        s["ess_min"].as_f64().unwrap_or(f64::NAN),
        s["rhat_max"].as_f64().unwrap_or(f64::NAN),
        s["injected_within_90_percent"].as_str().unwrap_or("?"),
        s["wall_seconds"].as_f64().unwrap_or(f64::NAN),
        s["cpu_seconds"].as_f64().unwrap_or(f64::NAN),
        s["log_evidence"]
            .as_f64()
            .map(|z| format!(
                ", ln Z {z:.2} ± {:.2}",
                s["log_evidence_err"].as_f64().unwrap_or(f64::NAN)
            ))
            .unwrap_or_default()
    );
    Ok(())
}
