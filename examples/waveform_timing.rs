//! Wall time per waveform (f64, one core) on 20–1024 Hz at Δf = 1/4 Hz
//! (4017 bins, cached grid), for the comparison script in experiments/benchmarks.
//! Run: `cargo run --release --example waveform_timing`.

use std::time::Instant;

/// CPU time of this thread [s] from /proc (Linux; 10 ms ticks), or `None`.
fn thread_cpu_time() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[11] = utime, fields[12] = stime (after pid and comm), in ticks
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

use ferrax::gw::waveforms::{generate_on_grid, Approximant, FrequencyGrid, WaveformParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let f: Vec<f64> = (80..=4096).map(|k| k as f64 * 0.25).collect();
    let grid = FrequencyGrid::new(&f)?;
    let bbh = WaveformParams::example_bbh();
    let bns = WaveformParams::example_bns();
    for (approx, p) in [
        (Approximant::IMRPhenomD, bbh),
        (Approximant::IMRPhenomXAS, bbh),
        (Approximant::TaylorF2, bns),
        (Approximant::IMRPhenomD_NRTidalv2, bns),
        (
            Approximant::IMRPhenomPv2,
            WaveformParams::example_precessing_bbh(),
        ),
    ] {
        let n = 1000;
        let mut best = f64::INFINITY;
        let mut best_cpu = f64::INFINITY;
        for _ in 0..5 {
            let t = Instant::now();
            let c0 = thread_cpu_time();
            for _ in 0..n {
                std::hint::black_box(generate_on_grid(approx, &p, &grid)?);
            }
            best = best.min(t.elapsed().as_secs_f64() / n as f64);
            if let (Some(a), Some(b)) = (c0, thread_cpu_time()) {
                best_cpu = best_cpu.min((b - a) / n as f64);
            }
        }
        println!(
            "ferrax {approx:?}: {:.4} ms per waveform (CPU time; wall {:.4} ms)",
            best_cpu * 1e3,
            best * 1e3
        );
    }
    Ok(())
}
