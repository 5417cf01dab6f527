//! Times EOS construction plus a 100-star family at jester's default
//! tolerances, repeated (`REPS`, default 20), and prints step statistics.
//! A development aid for profiling; the benchmark is `benches/tov.rs`.
//! `FAMILY_ONLY=1` skips the gradient timings.

use ferrax::eos::cse::metamodel_cse_table;
use ferrax::tov::family::construct_family;
use ferrax::tov::radius_loss::RadiusLoss;

/// CPU time of this process [s] from /proc/self/stat (utime + stime), so
/// that a loaded machine does not inflate the numbers; 0 elsewhere.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../tests/data/tov/radius_loss.json")).expect("bundled JSON");
    let problem = RadiusLoss::from_json(&doc).expect("case");
    let truth = problem.theta_from_json(&doc["theta_true"]).expect("truth");
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let t0 = std::time::Instant::now();
    let c0 = cpu_seconds();
    let mut m = 0.0;
    // The fastest repetition: on a shared machine the least disturbed one.
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t1 = std::time::Instant::now();
        let table = metamodel_cse_table(&problem.params(&truth).expect("θ"), &problem.eos).expect("EOS");
        m += construct_family(&table, &problem.family).expect("family").m_max();
        best = best.min(t1.elapsed().as_secs_f64());
    }
    let dt = t0.elapsed().as_secs_f64() / reps as f64;
    let dc = (cpu_seconds() - c0) / reps as f64;
    println!(
        "EOS build + 100-star family: {:.3} ms wall, {:.3} ms CPU per EOS, fastest {:.3} ms (M_max {:.5})",
        dt * 1e3,
        dc * 1e3,
        best * 1e3,
        m / reps as f64
    );
    if std::env::var("FAMILY_ONLY").is_ok_and(|v| v == "1") {
        return;
    }
    let start = problem
        .theta_from_json(&doc["perturbed_points"][2]["theta"])
        .expect("start");
    let greps = (reps / 5).max(1);
    let (t0, c0) = (std::time::Instant::now(), cpu_seconds());
    for _ in 0..greps {
        problem.value_and_grad(&start).expect("gradient");
    }
    let dt = t0.elapsed().as_secs_f64() / greps as f64;
    let dc = (cpu_seconds() - c0) / greps as f64;
    println!(
        "radius loss value + gradient (18 parameters, forward duals): {:.2} ms wall, {:.2} ms CPU",
        dt * 1e3,
        dc * 1e3
    );
    let (t0, c0) = (std::time::Instant::now(), cpu_seconds());
    for _ in 0..greps {
        problem.value_and_grad_reverse(&start).expect("gradient");
    }
    let dt = t0.elapsed().as_secs_f64() / greps as f64;
    let dc = (cpu_seconds() - c0) / greps as f64;
    println!(
        "radius loss value + gradient (18 parameters, reverse scalar tape): {:.2} ms wall, {:.2} ms CPU",
        dt * 1e3,
        dc * 1e3
    );
}
