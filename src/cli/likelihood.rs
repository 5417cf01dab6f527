//! `ferrax likelihood --input REF.json --output OUT.json [--relative-binning]`:
//! builds the network likelihood described by a likelihood reference file
//! (`setup`, `injection`, `points`) and writes each point's `label` and
//! `log_likelihood_ratio` (and `log_likelihood_ratio_relative_binning`).

use std::path::PathBuf;

use super::waveform::{read_json, write_json};
use crate::gw::reference_io::likelihood_from_json;
use crate::gw::relative_binning::{RelativeBinning, RelativeBinningOptions};
use crate::{Error, Result};
use serde_json::json;

/// Arguments of `ferrax likelihood`.
#[derive(clap::Args, Debug)]
pub struct LikelihoodArgs {
    /// Input file in the likelihood reference format.
    #[arg(long)]
    pub input: PathBuf,
    /// Output JSON file.
    #[arg(long)]
    pub output: PathBuf,
    /// Also evaluate the relative-binning (heterodyned) likelihood, with the
    /// fiducial waveform at the injection.
    #[arg(long)]
    pub relative_binning: bool,
}

/// Runs the subcommand.
pub fn run(args: &LikelihoodArgs) -> Result<()> {
    let input = read_json(&args.input)?;
    let path = args.input.display().to_string();
    let ctx = |e: crate::gw::GwError| Error::Input {
        path: path.clone(),
        msg: e.to_string(),
    };
    let (lik, injection, points) = likelihood_from_json(&input).map_err(ctx)?;
    let rb = if args.relative_binning {
        Some(RelativeBinning::new(&lik, &injection, &RelativeBinningOptions::default()).map_err(ctx)?)
    } else {
        None
    };
    let mut out = Vec::with_capacity(points.len());
    for p in &points {
        let v = lik.log_likelihood_ratio(&p.params).map_err(ctx)?;
        let mut o = json!({"label": p.label, "log_likelihood_ratio": v});
        if let Some(rb) = &rb {
            o["log_likelihood_ratio_relative_binning"] =
                json!(rb.log_likelihood_ratio(&p.params).map_err(ctx)?);
        }
        out.push(o);
    }
    write_json(
        &args.output,
        &json!({"generator": format!("ferrax {}", env!("CARGO_PKG_VERSION")), "points": out}),
    )
}
