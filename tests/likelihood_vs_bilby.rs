//! The network likelihood against bilby 2.8.2 (IMRPhenomD, H1+L1+V1, zero
//! noise): every reference point within 1e-6 absolute; antenna patterns,
//! time delays and GMST against the stored per-point values; gradient
//! against central finite differences.

mod common;

use ferrax::gw::detector::Detector;
use ferrax::gw::likelihood::{GwLikelihood, PARAM_NAMES};
use ferrax::gw::reference_io::likelihood_from_json;
use ferrax::gw::time::gmst_f64;
use serde_json::Value;

fn load() -> (Value, GwLikelihood, [f64; 11]) {
    let text = std::fs::read_to_string(common::data_path(
        "likelihood/bilby_IMRPhenomD_HLV_zero_noise.json",
    ))
    .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let (lik, inj, _) = likelihood_from_json(&v).unwrap();
    (v, lik, inj)
}

#[test]
fn geometry_matches_bilby() {
    let (v, lik, _) = load();
    for d in &lik.detectors {
        let r = &v["setup"]["detectors"][d.detector.name.as_str()];
        for i in 0..3 {
            let vx = r["vertex_m"][i].as_f64().unwrap();
            assert!(
                (d.detector.vertex[i] - vx).abs() < 1e-6,
                "{} vertex",
                d.detector.name
            );
            assert!((d.detector.x_arm[i] - r["x_arm_unit"][i].as_f64().unwrap()).abs() < 1e-14);
            assert!((d.detector.y_arm[i] - r["y_arm_unit"][i].as_f64().unwrap()).abs() < 1e-14);
        }
        // the built-in site gives the same detector
        let b = Detector::by_name(&d.detector.name).unwrap();
        for i in 0..3 {
            assert!(
                (b.vertex[i] - d.detector.vertex[i]).abs() < 1e-3,
                "{} built-in vertex",
                b.name
            );
            for j in 0..3 {
                assert!((b.tensor[i][j] - d.detector.tensor[i][j]).abs() < 1e-12);
            }
        }
    }
    for p in v["points"].as_array().unwrap() {
        let t = p["params"]["geocent_time"].as_f64().unwrap();
        let g = gmst_f64(t);
        let gref = p["gmst_lal_rad"].as_f64().unwrap();
        assert!((g - gref).abs() < 1e-9, "gmst {g} vs {gref}");
        let (ra, dec, psi) = (
            p["params"]["ra"].as_f64().unwrap(),
            p["params"]["dec"].as_f64().unwrap(),
            p["params"]["psi"].as_f64().unwrap(),
        );
        for d in &lik.detectors {
            let r = &p["per_detector"][d.detector.name.as_str()];
            let (fp, fc) = d.detector.antenna_pattern_at(ra, dec, psi, t);
            assert!((fp - r["F_plus"].as_f64().unwrap()).abs() < 1e-10);
            assert!((fc - r["F_cross"].as_f64().unwrap()).abs() < 1e-10);
            let dt = d.detector.time_delay_from_geocenter(ra, dec, t);
            assert!((dt - r["time_delay_from_geocenter_s"].as_f64().unwrap()).abs() < 1e-13);
        }
    }
}

#[test]
fn every_point_within_1e6_of_bilby() {
    let (v, lik, _) = load();
    let (_, _, points) = likelihood_from_json(&v).unwrap();
    let mut worst: f64 = 0.0;
    for p in &points {
        let l = lik.log_likelihood_ratio(&p.params).unwrap();
        let r = p.log_likelihood_ratio.unwrap();
        println!("{}: ferrax {l:.9} bilby {r:.9} diff {:.2e}", p.label, l - r);
        worst = worst.max((l - r).abs());
    }
    println!("max |dlogL| = {worst:.3e}");
    assert!(worst < 1e-6, "max abs error {worst:e}");
    let nll = lik.noise_log_likelihood();
    let r = v["points"][0]["noise_log_likelihood"].as_f64().unwrap();
    assert!((nll - r).abs() < 1e-6, "noise log likelihood {nll} vs {r}");
}

#[test]
fn gradient_matches_finite_differences() {
    let (v, lik, _) = load();
    let (_, _, points) = likelihood_from_json(&v).unwrap();
    // a point away from the maximum so that no gradient component vanishes
    let p = points[5].params;
    let (val, g) = lik.value_and_gradient(&p).unwrap();
    assert!((val - lik.log_likelihood_ratio(&p).unwrap()).abs() < 1e-9);
    // the hand-chained gradient equals the all-dual one
    let (val_d, g_d) = lik.value_and_gradient_dual(&p).unwrap();
    assert!((val - val_d).abs() < 1e-9);
    for i in 0..11 {
        assert!(
            (g[i] - g_d[i]).abs() <= 1e-9 * g_d[i].abs().max(1.0),
            "{}: {} vs {}",
            PARAM_NAMES[i],
            g[i],
            g_d[i]
        );
    }
    // time step 2^-22 s = one ulp of a 2015 GPS time: t ± h exact in float64
    let steps = [
        1e-5,
        1e-5,
        1e-6,
        1e-6,
        1e-4,
        1e-6,
        1e-6,
        1e-6,
        1e-6,
        1e-6,
        1.0 / 4194304.0,
    ];
    for i in 0..11 {
        let h = steps[i];
        let mut pp = p;
        let mut pm = p;
        pp[i] += h;
        pm[i] -= h;
        let fd =
            (lik.log_likelihood_ratio(&pp).unwrap() - lik.log_likelihood_ratio(&pm).unwrap()) / (2.0 * h);
        let rel = (fd - g[i]).abs() / g[i].abs().max(1e-3);
        println!(
            "d/d{}: dual {:.9e} fd {:.9e} rel {rel:.2e}",
            PARAM_NAMES[i], g[i], fd
        );
        assert!(rel < 1e-5, "{}: {} vs {}", PARAM_NAMES[i], g[i], fd);
    }
}

#[test]
fn zero_noise_injection_reproduces_bilby_data_and_noise_has_the_right_scale() {
    let (_, lik, inj) = load();
    let tpl = lik.detector_templates(&inj).unwrap();
    for (d, (re, im)) in lik.detectors.iter().zip(&tpl) {
        let scale = d.data_re.iter().fold(0.0f64, |a, b| a.max(b.abs()));
        for k in 0..re.len() {
            assert!(
                (re[k] - d.data_re[k]).abs() < 1e-9 * scale,
                "{} bin {k}",
                d.detector.name
            );
            assert!(
                (im[k] - d.data_im[k]).abs() < 1e-9 * scale,
                "{} bin {k}",
                d.detector.name
            );
        }
    }
    // with Gaussian noise, <d|d> − <h|h> ≈ 2 × (number of bins) per detector on average
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let mut noisy = lik.clone();
    noisy
        .inject::<rand_chacha::ChaCha8Rng>(&inj, Some(&mut rng))
        .unwrap();
    let mut zero = lik.clone();
    zero.inject::<rand_chacha::ChaCha8Rng>(&inj, None).unwrap();
    let noise_only = -2.0 * (noisy.noise_log_likelihood() - zero.noise_log_likelihood());
    let expected = 2.0 * 3.0 * lik.grid.frequencies.len() as f64;
    println!("<n|n> ≈ {noise_only:.1} (expected ≈ {expected:.1})");
    assert!((noise_only / expected - 1.0).abs() < 0.1);
}

#[test]
fn phase_marginalisation_equals_numerical_average_over_phase() {
    let (_, lik, _) = load();
    let text = std::fs::read_to_string(common::data_path(
        "likelihood/bilby_IMRPhenomD_HLV_zero_noise.json",
    ))
    .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let (_, _, points) = likelihood_from_json(&v).unwrap();
    let mut marg = lik.clone();
    marg.phase_marginalization = true;
    {
        let p = &points[2];
        // ln (1/2π) ∫ exp(ln L(φ)) dφ by the trapezoidal rule (periodic:
        // spectral accuracy once the step resolves the peak, width ~ 1/√|⟨h|d⟩|)
        let n = 1600;
        let vals: Vec<f64> = (0..n)
            .map(|i| {
                let mut q = p.params;
                q[6] = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
                lik.log_likelihood_ratio(&q).unwrap()
            })
            .collect();
        let m = vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let numeric = m + (vals.iter().map(|x| (x - m).exp()).sum::<f64>() / n as f64).ln();
        let analytic = marg.log_likelihood_ratio(&p.params).unwrap();
        println!("{}: marginalised {analytic:.9} numeric {numeric:.9}", p.label);
        assert!((analytic - numeric).abs() < 1e-6);
        // gradient of the marginalised likelihood does not depend on the phase
        let (_, g) = marg.value_and_gradient(&p.params).unwrap();
        assert!(g[6].abs() < 1e-6, "d/dphase = {}", g[6]);
    }
}
