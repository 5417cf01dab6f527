//! `ferrax eos-infer`: Bayesian inference of the neutron-star equation of
//! state from NICER, GW and radio observations and chiral EFT (built-in
//! default, or a TOML configuration).

use super::run_folder::RunFolderArgs;
use crate::eosinfer::{run_eos_infer, EosInferConfig, EosInferOptions};
use crate::io::run_dir::initial_config;
use crate::Result;
use std::path::PathBuf;

/// Arguments of `ferrax eos-infer`.
#[derive(clap::Args, Debug)]
pub struct EosInferArgs {
    /// Configuration (TOML); the built-in default when absent (see
    /// `--print-config`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Output directory.
    #[arg(long, default_value = "eos_infer_out")]
    pub outdir: PathBuf,
    /// Seed (overrides the configuration's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Sample the prior only (overrides the configuration).
    #[arg(long)]
    pub prior_only: bool,
    /// Output-folder switches.
    #[command(flatten)]
    pub folder: RunFolderArgs,
}

/// Runs `ferrax eos-infer`.
pub fn run(args: &EosInferArgs) -> Result<()> {
    let mut cfg: EosInferConfig = initial_config(args.config.as_deref(), &args.outdir, args.folder.resume)?;
    if let Some(s) = args.seed {
        cfg.seed = s;
    }
    if args.prior_only {
        cfg.prior_only = true;
    }
    if args.folder.print_config {
        print!("{}", cfg.to_toml()?);
        return Ok(());
    }
    let opts = EosInferOptions {
        outdir: args.outdir.clone(),
        resume: args.folder.resume,
        force: args.folder.force,
        progress: !args.folder.quiet,
        stop_after: None,
    };
    let res = run_eos_infer(&cfg, &opts)?;
    let s = &res.summary;
    let q = |k: &str| {
        let v = &s[k];
        format!(
            "{:.3} (+{:.3} / -{:.3})",
            v["median"].as_f64().unwrap_or(f64::NAN),
            v["q95"].as_f64().unwrap_or(f64::NAN) - v["median"].as_f64().unwrap_or(f64::NAN),
            v["median"].as_f64().unwrap_or(f64::NAN) - v["q05"].as_f64().unwrap_or(f64::NAN)
        )
    };
    println!(
        "{}: {} samples; R_1.4 = {} km, M_TOV = {} Msun, Lambda_1.4 = {}, p(2 n_sat) = {} MeV/fm^3 (median, 90 %); {} EOS solves, {:.1} s wall, {:.1} s CPU",
        args.outdir.display(),
        s["n_samples"],
        q("R_1p4_km"),
        q("M_TOV"),
        q("Lambda_1p4"),
        q("p_2nsat_MeV_fm3"),
        s["eos_evaluations"],
        s["wall_seconds"].as_f64().unwrap_or(f64::NAN),
        s["cpu_seconds"].as_f64().unwrap_or(f64::NAN),
    );
    Ok(())
}
