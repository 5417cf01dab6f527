//! |h+| and the unwrapped phase of h+ for every implemented frequency-domain
//! model (IMRPhenomD and IMRPhenomXAS for a binary black hole, IMRPhenomPv2
//! for the same binary with in-plane spins; TaylorF2 and
//! IMRPhenomD_NRTidalv2 for a binary neutron star), written as PNGs:
//! `amplitude.png` (all models, log-log) and `phase_<model>.png` (one per
//! model, phase against log10 f), plus a short table on stdout.
//!
//! `precession.png` shows IMRPhenomPv2's amplitude modulation for a strongly
//! precessing binary against the same binary with its in-plane spin removed.
//!
//! `cargo run --release --example waveform_gallery -- [--output experiments/waveform_gallery]`

use ferrax::gw::waveforms::{generate, Approximant, WaveformParams};
use ferrax::plot::{line_plot, Series};

/// Lowest and highest frequency of the gallery [Hz].
const F_MIN: f64 = 20.0;
const F_MAX: f64 = 2048.0;
/// Log-spaced frequencies: fine enough that the BNS phase changes by less
/// than π between neighbours at 20 Hz (dφ/df ≈ 2π × 160 s there).
const N_FREQ: usize = 100_000;
/// Every `PLOT_STRIDE`-th point is drawn.
const PLOT_STRIDE: usize = 50;

/// Phase of h+ unwrapped along the frequency axis [rad], over the leading
/// run of points where the amplitude is non-zero (models end at a cutoff).
fn unwrapped_phase(re: &[f64], im: &[f64]) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::with_capacity(re.len());
    for (&a, &b) in re.iter().zip(im) {
        if a == 0.0 && b == 0.0 {
            break;
        }
        let wrapped = b.atan2(a);
        let next = match out.last() {
            None => wrapped,
            Some(&prev) => {
                let two_pi = std::f64::consts::TAU;
                prev + (wrapped - prev + std::f64::consts::PI).rem_euclid(two_pi) - std::f64::consts::PI
            }
        };
        out.push(next);
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let out_dir = std::path::PathBuf::from(
        args.iter()
            .position(|a| a == "--output")
            .and_then(|i| args.get(i + 1))
            .cloned()
            .unwrap_or_else(|| "experiments/waveform_gallery".into()),
    );
    std::fs::create_dir_all(&out_dir)?;
    let ratio = (F_MAX / F_MIN).ln() / (N_FREQ - 1) as f64;
    let freqs: Vec<f64> = (0..N_FREQ).map(|k| F_MIN * (ratio * k as f64).exp()).collect();
    let bbh = WaveformParams::example_bbh();
    let bns = WaveformParams::example_bns();
    let mut amplitudes = Vec::new();
    let table_freqs = [20.0, 50.0, 100.0, 300.0, 1000.0];
    for (approx, p, source) in [
        (Approximant::IMRPhenomD, bbh, "BBH 36+29 Msun, 400 Mpc"),
        (Approximant::IMRPhenomXAS, bbh, "BBH 36+29 Msun, 400 Mpc"),
        (
            Approximant::IMRPhenomPv2,
            WaveformParams::example_precessing_bbh(),
            "precessing BBH 36+29 Msun",
        ),
        (Approximant::TaylorF2, bns, "BNS 1.5+1.3 Msun, 40 Mpc"),
        (Approximant::IMRPhenomD_NRTidalv2, bns, "BNS 1.5+1.3 Msun, 40 Mpc"),
    ] {
        let h = generate(approx, &p, &freqs)?;
        let amp: Vec<f64> = h.hp_re.iter().zip(&h.hp_im).map(|(a, b)| a.hypot(*b)).collect();
        let phase = unwrapped_phase(&h.hp_re, &h.hp_im);
        println!(
            "{approx:?} ({source}): non-zero up to {:.0} Hz",
            freqs[phase.len() - 1]
        );
        for f in table_freqs {
            let k = freqs.partition_point(|&x| x < f).min(N_FREQ - 1);
            if k < phase.len() {
                println!(
                    "  f = {:>7.1} Hz  |h+| = {:.4e} /Hz  phase = {:.2} rad",
                    freqs[k], amp[k], phase[k]
                );
            }
        }
        let thin = |v: &[f64]| v.iter().step_by(PLOT_STRIDE).copied().collect::<Vec<f64>>();
        let log_f: Vec<f64> = thin(&freqs[..phase.len()]).iter().map(|f| f.log10()).collect();
        amplitudes.push(Series {
            label: format!("{approx:?} ({source})"),
            x: log_f.clone(),
            y: thin(&amp[..phase.len()]),
        });
        let name = format!("{approx:?}");
        let png = out_dir.join(format!("phase_{name}.png"));
        line_plot(
            &png,
            &format!("{name}: unwrapped phase of h+ ({source})"),
            "log10 f [Hz]",
            "arg h+ [rad]",
            &[Series {
                label: name.clone(),
                x: log_f,
                y: thin(&phase),
            }],
            false,
            (800, 500),
        )?;
        println!("  wrote {}", png.display());
    }
    precession_plot(&out_dir, &freqs)?;
    let png = out_dir.join("amplitude.png");
    line_plot(
        &png,
        "|h+| of each model",
        "log10 f [Hz]",
        "|h+| [1/Hz]",
        &amplitudes,
        true,
        (800, 500),
    )?;
    println!("wrote {}", png.display());
    Ok(())
}

/// |h+| and |h×| of IMRPhenomPv2 for a q = 5 binary with a large in-plane
/// spin on the heavier body, and for the same binary with the in-plane spin
/// set to zero (no precession), up to the Mf = 0.2 cut.
fn precession_plot(out_dir: &std::path::Path, freqs: &[f64]) -> Result<(), Box<dyn std::error::Error>> {
    let prec = WaveformParams {
        m1: 50.0,
        m2: 10.0,
        chi1x: 0.7,
        chi1z: 0.1,
        inclination: 1.0,
        ..WaveformParams::example_bbh()
    };
    let aligned = WaveformParams { chi1x: 0.0, ..prec };
    let mut series = Vec::new();
    for (p, label) in [(prec, "chi1 = (0.7, 0, 0.1)"), (aligned, "chi1 = (0, 0, 0.1)")] {
        let h = generate(Approximant::IMRPhenomPv2, &p, freqs)?;
        for (re, im, pol) in [(&h.hp_re, &h.hp_im, "h+"), (&h.hc_re, &h.hc_im, "hx")] {
            let keep: Vec<usize> = (0..freqs.len())
                .step_by(PLOT_STRIDE)
                .filter(|&k| re[k] != 0.0 || im[k] != 0.0)
                .collect();
            series.push(Series {
                label: format!("|{pol}|, {label}"),
                x: keep.iter().map(|&k| freqs[k].log10()).collect(),
                y: keep.iter().map(|&k| re[k].hypot(im[k])).collect(),
            });
        }
    }
    let png = out_dir.join("precession.png");
    line_plot(
        &png,
        "IMRPhenomPv2, 50+10 Msun, inclination 1 rad: precession modulates |h|",
        "log10 f [Hz]",
        "|h| [1/Hz]",
        &series,
        true,
        (800, 500),
    )?;
    println!("wrote {}", png.display());
    Ok(())
}
