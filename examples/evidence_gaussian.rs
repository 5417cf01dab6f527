//! Learned-harmonic-mean evidence of a correlated Gaussian likelihood in a
//! uniform box prior U([−10, 10]^d), d = 4 (or the first argument), compared
//! with the analytic `log Z = (d/2) log 2π + ½ log|Σ| − d log 20`.
//!
//! `cargo run --release --example evidence_gaussian [-- 11]`

use ferrax::samplers::job::{run_job, SampleJob, SamplerChoice};
use ferrax::samplers::{LocalRunConfig, Target};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let d: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(4);
    if d < 2 {
        return Err("dimension must be at least 2".into());
    }
    // μ_i = ½(−1)^i, σ_i = ½ + ½ i/(d−1), Σ_ij = σ_i σ_j 0.5^|i−j|
    let mean: Vec<f64> = (0..d)
        .map(|i| 0.5 * if i % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    let sigma: Vec<f64> = (0..d).map(|i| 0.5 + 0.5 * i as f64 / (d - 1) as f64).collect();
    let cov: Vec<Vec<f64>> = (0..d)
        .map(|i| {
            (0..d)
                .map(|j| sigma[i] * sigma[j] * 0.5f64.powi((i as i32 - j as i32).abs()))
                .collect()
        })
        .collect();
    let spec = serde_json::json!({
        "kind": "gaussian", "mean": mean, "cov": cov,
        "prior_box": {"lower": vec![-10.0; d], "upper": vec![10.0; d]}
    });
    let target = Target::from_json(&spec.to_string())?;
    let log_det: f64 = 2.0 * sigma.iter().map(|s| s.ln()).sum::<f64>() + (d - 1) as f64 * 0.75f64.ln();
    let truth = 0.5 * d as f64 * (2.0 * std::f64::consts::PI).ln() + 0.5 * log_det - d as f64 * 20f64.ln();
    let mut job = SampleJob::new(SamplerChoice::Mala, 1);
    job.evidence = true;
    job.local_chains = 100;
    job.local = Some(LocalRunConfig {
        n_warmup: 500,
        n_draws: 1000,
        ..Default::default()
    });
    let (rep, _) = run_job(&target, &job)?;
    let (z, err) = (rep.log_z.unwrap_or(f64::NAN), rep.log_z_err.unwrap_or(f64::NAN));
    println!(
        "d = {d}: log Z = {z:.4} ± {err:.4}, analytic {truth:.4}, difference {:+.4} ({:.1} σ)",
        z - truth,
        (z - truth) / err
    );
    println!(
        "{:.1} CPU s (sampling + flow training + estimate)",
        rep.cpu_seconds
    );
    Ok(())
}
