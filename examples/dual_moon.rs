//! Flow-enhanced MALA on the 2-D dual moon: prints the accuracy against the
//! quadrature truth (std 1.2336, 1.6394; P(x1 > 0) = ½) and the speed, and
//! writes a corner plot.
//!
//! `cargo run --release --example dual_moon [-- OUT.png]`

use ferrax::plot::{corner_plot, CornerOptions};
use ferrax::samplers::job::{run_job, SampleJob, SamplerChoice};
use ferrax::samplers::Target;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "dual_moon_corner.png".into());
    let target = Target::from_json(r#"{"kind": "dual_moon"}"#)?;
    let (rep, set) = run_job(&target, &SampleJob::new(SamplerChoice::Flowmc, 0))?;
    let truth_std = [1.233586876309313, 1.639362220521082];
    let p_upper =
        set.param(1).iter().filter(|v| **v > 0.0).count() as f64 / (set.n_chains * set.n_draws) as f64;
    for (j, sd) in truth_std.iter().enumerate() {
        println!(
            "x{j}: mean {:+.4} (0), std {:.4} ({:.4}), ESS {:.0}, R-hat {:.4}",
            rep.mean[j], rep.std[j], sd, rep.summary.ess[j], rep.summary.rhat[j]
        );
    }
    println!(
        "P(x1 > 0) = {p_upper:.4} (0.5); global acceptance {:.3}",
        rep.global_acceptance.unwrap_or(f64::NAN)
    );
    println!(
        "{} chains x {} draws, {:.1} CPU s, ESS_min/CPU-s = {:.0}",
        set.n_chains,
        set.n_draws,
        rep.cpu_seconds,
        rep.ess_min / rep.cpu_seconds
    );
    let rows = set.samples.len() / 2;
    let stride = rows.div_ceil(20_000).max(1);
    let pts: Vec<f64> = (0..rows)
        .step_by(stride)
        .flat_map(|r| set.samples[2 * r..2 * r + 2].iter().copied())
        .collect();
    corner_plot(
        std::path::Path::new(&out),
        &pts,
        &["x0".into(), "x1".into()],
        &CornerOptions::default(),
    )?;
    println!("corner plot: {out}");
    Ok(())
}
