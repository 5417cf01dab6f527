//! |h+| and the phase of h+ for every implemented model, printed as a table
//! at a few frequencies (text output; the plotting module is not yet part
//! of ferrax). Run: `cargo run --release --example waveform_gallery`.

use ferrax::gw::waveforms::{generate, Approximant, WaveformParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let freqs: Vec<f64> = vec![20.0, 30.0, 50.0, 100.0, 200.0, 300.0, 500.0, 800.0, 1000.0];
    let bbh = WaveformParams {
        m1: 36.0,
        m2: 29.0,
        chi1z: 0.3,
        chi2z: -0.1,
        distance_mpc: 400.0,
        inclination: 0.4,
        phi_ref: 1.3,
        f_ref: 20.0,
        ..Default::default()
    };
    let bns = WaveformParams {
        m1: 1.5,
        m2: 1.3,
        lambda1: 400.0,
        lambda2: 700.0,
        distance_mpc: 40.0,
        ..bbh
    };
    let bns = WaveformParams {
        chi1z: 0.02,
        chi2z: -0.01,
        ..bns
    };
    for (approx, p) in [
        (Approximant::IMRPhenomD, bbh),
        (Approximant::TaylorF2, bns),
        (Approximant::IMRPhenomD_NRTidalv2, bns),
    ] {
        let h = generate(approx, &p, &freqs)?;
        println!(
            "{approx:?}  (m1 = {}, m2 = {} M☉, d = {} Mpc)",
            p.m1, p.m2, p.distance_mpc
        );
        println!("  {:>8}  {:>12}  {:>10}", "f [Hz]", "|h+| [1/Hz]", "arg h+");
        for (k, f) in freqs.iter().enumerate() {
            let amp = h.hp_re[k].hypot(h.hp_im[k]);
            let ph = h.hp_im[k].atan2(h.hp_re[k]);
            println!("  {f:>8.1}  {amp:>12.4e}  {ph:>10.4}");
        }
    }
    Ok(())
}
