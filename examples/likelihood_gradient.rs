//! Value and gradient of the H1+L1+V1 log-likelihood ratio at the
//! injection of the bilby reference set (IMRPhenomD, zero noise), full and
//! with relative binning, and how long each takes.
//! Run: `cargo run --release --example likelihood_gradient`.

use std::time::Instant;

use ferrax::gw::likelihood::PARAM_NAMES;
use ferrax::gw::reference_io::likelihood_from_json;
use ferrax::gw::relative_binning::{RelativeBinning, RelativeBinningOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/likelihood/bilby_IMRPhenomD_HLV_zero_noise.json"
    );
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let (lik, inj, points) = likelihood_from_json(&v)?;
    for (label, p) in [("injection", inj), (points[5].label.as_str(), points[5].params)] {
        let t = Instant::now();
        let (val, grad) = lik.value_and_gradient(&p)?;
        let dt = t.elapsed();
        println!(
            "{label}: ln L ratio = {val:.6}  (value + gradient in {:.2} ms)",
            dt.as_secs_f64() * 1e3
        );
        for (n, g) in PARAM_NAMES.iter().zip(grad) {
            println!("  d lnL / d {n:<13} = {g:>14.6e}");
        }
    }
    let rb = RelativeBinning::new(&lik, &inj, &RelativeBinningOptions::default())?;
    let p = points[5].params;
    let t = Instant::now();
    let (val, _) = rb.value_and_gradient(&p)?;
    println!(
        "relative binning at {}: {val:.6} (full {:.6}), value + gradient in {:.3} ms",
        points[5].label,
        lik.log_likelihood_ratio(&p)?,
        t.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}
