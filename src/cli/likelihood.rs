//! `ferrax likelihood --input REF.json --output OUT.json [--relative-binning]`:
//! builds the network likelihood described by a likelihood reference file
//! (`setup`, `injection`, `points`) and writes each point's `label` and
//! `log_likelihood_ratio` (and `log_likelihood_ratio_relative_binning`).
//! `--time-marginalization` / `--distance-marginalization` add
//! `log_likelihood_ratio_time_marginalized`,
//! `log_likelihood_ratio_distance_marginalized` and, with both,
//! `log_likelihood_ratio_time_distance_marginalized` (see
//! [`crate::gw::marginalised`]).

use std::path::PathBuf;

use super::waveform::{read_json, write_json};
use crate::gw::marginalised::{DistancePrior, MarginalisedLikelihood, TimeMarginalization};
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
    /// Also evaluate the time-marginalised likelihood: uniform `geocent_time`
    /// prior of ± `--time-prior-half-width` around the injection, shifts of
    /// each point's template by one FFT (needs `setup.sampling_frequency_hz`).
    #[arg(long)]
    pub time_marginalization: bool,
    /// Half-width of the uniform `geocent_time` prior [s].
    #[arg(long, default_value_t = 0.1)]
    pub time_prior_half_width: f64,
    /// Also evaluate the distance-marginalised likelihood over a power-law
    /// prior `π(d) ∝ d^α` on [`--distance-prior-min`, `--distance-prior-max`].
    #[arg(long)]
    pub distance_marginalization: bool,
    /// Power-law index α of the distance prior (2: uniform in volume).
    #[arg(long, default_value_t = 2.0)]
    pub distance_prior_alpha: f64,
    /// Lower bound of the distance prior [Mpc].
    #[arg(long, default_value_t = 100.0)]
    pub distance_prior_min: f64,
    /// Upper bound of the distance prior [Mpc].
    #[arg(long, default_value_t = 5000.0)]
    pub distance_prior_max: f64,
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
    let time = if args.time_marginalization {
        let fs = input
            .get("setup")
            .and_then(|s| s.get("sampling_frequency_hz"))
            .and_then(serde_json::Value::as_f64)
            .ok_or_else(|| Error::Input {
                path: path.clone(),
                msg:
                    "setup.sampling_frequency_hz: missing or not a number (needed by --time-marginalization)"
                        .into(),
            })?;
        let w = args.time_prior_half_width;
        Some(TimeMarginalization {
            sampling_frequency: fs,
            prior_minimum: injection[10] - w,
            prior_maximum: injection[10] + w,
            convention: Default::default(),
        })
    } else {
        None
    };
    let distance = args.distance_marginalization.then_some(DistancePrior::PowerLaw {
        alpha: args.distance_prior_alpha,
        minimum: args.distance_prior_min,
        maximum: args.distance_prior_max,
    });
    let mut marg = Vec::new();
    if time.is_some() {
        marg.push(("time", MarginalisedLikelihood::new(lik.clone(), time, None)?));
    }
    if distance.is_some() {
        marg.push((
            "distance",
            MarginalisedLikelihood::new(lik.clone(), None, distance)?,
        ));
    }
    if time.is_some() && distance.is_some() {
        marg.push((
            "time_distance",
            MarginalisedLikelihood::new(lik.clone(), time, distance)?,
        ));
    }
    let mut out = Vec::with_capacity(points.len());
    for p in &points {
        let v = lik.log_likelihood_ratio(&p.params).map_err(ctx)?;
        let mut o = json!({"label": p.label, "log_likelihood_ratio": v});
        if let Some(rb) = &rb {
            o["log_likelihood_ratio_relative_binning"] =
                json!(rb.log_likelihood_ratio(&p.params).map_err(ctx)?);
        }
        for (key, m) in &marg {
            o[format!("log_likelihood_ratio_{key}_marginalized")] = json!(m.log_likelihood_ratio(&p.params)?);
        }
        out.push(o);
    }
    write_json(
        &args.output,
        &json!({"generator": format!("ferrax {}", env!("CARGO_PKG_VERSION")), "points": out}),
    )
}
