//! Gradient-descent EOS recovery with Adam from the 10 %-perturbed point of
//! the reference radius-loss case (jester: 1.26e-2 → 1.26e-5 in 300 steps).

use ferrax::tov::radius_loss::RadiusLoss;
use ferrax::tov::recovery::{recover, RecoveryOptions};
use serde_json::Value;

fn setup() -> (RadiusLoss, Vec<f64>, Vec<(f64, f64)>) {
    let doc: Value = serde_json::from_str(include_str!("data/tov/radius_loss.json")).unwrap();
    let p = RadiusLoss::from_json(&doc).unwrap();
    let start = p.theta_from_json(&doc["perturbed_points"][2]["theta"]).unwrap();
    let bounds = p
        .free
        .iter()
        .map(|n| {
            (
                doc["prior_box"][n][0].as_f64().unwrap(),
                doc["prior_box"][n][1].as_f64().unwrap(),
            )
        })
        .collect();
    (p, start, bounds)
}

#[test]
fn twenty_adam_steps_lower_the_loss_fivefold() {
    let (p, start, bounds) = setup();
    let r = recover(
        &p,
        &start,
        &bounds,
        &RecoveryOptions {
            steps: 20,
            ..Default::default()
        },
    )
    .unwrap();
    println!(
        "L0 {:.3e} -> best {:.3e} at step {}",
        r.loss[0], r.best_loss, r.best_step
    );
    assert!((r.loss[0] - 1.2593e-2).abs() < 5e-5);
    assert!(r.best_loss < r.loss[0] / 5.0);
}

/// The full 300-step run (~20 s in release, a few minutes in the dev
/// profile): `cargo test --release --test tov_recovery -- --ignored`.
#[test]
#[ignore]
fn adam_lowers_the_loss_a_hundredfold_in_300_steps() {
    let (p, start, bounds) = setup();
    let r = recover(&p, &start, &bounds, &RecoveryOptions::default()).unwrap();
    println!(
        "L0 {:.3e} -> best {:.3e} at step {} ({:.0}x)",
        r.loss[0],
        r.best_loss,
        r.best_step,
        r.loss[0] / r.best_loss
    );
    assert!(r.best_loss * 100.0 < r.loss[0]);
}
