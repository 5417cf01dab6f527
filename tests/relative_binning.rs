//! Relative binning against the full likelihood at the bilby reference
//! points: within 0.01 in the posterior bulk (|ln L_max − ln L| ≲ 30); the
//! error farther out is printed. Also: the fiducial point found by
//! gradient ascent from a perturbed start, and the RB gradient.

mod common;

use ferrax::gw::reference_io::likelihood_from_json;
use ferrax::gw::relative_binning::{find_reference_parameters, RelativeBinning, RelativeBinningOptions};

fn load() -> (
    ferrax::gw::likelihood::GwLikelihood,
    [f64; 11],
    Vec<ferrax::gw::reference_io::LikelihoodPoint>,
) {
    let text = std::fs::read_to_string(common::data_path(
        "likelihood/bilby_IMRPhenomD_HLV_zero_noise.json",
    ))
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    likelihood_from_json(&v).unwrap()
}

#[test]
fn relative_binning_matches_full_likelihood_in_the_bulk() {
    // The default (100 bins, parabolic) and the fast setting of the
    // benchmark (30 bins, parabolic: 61 template evaluations).
    for opts in [
        RelativeBinningOptions::default(),
        RelativeBinningOptions {
            n_bins: 30,
            ..RelativeBinningOptions::default()
        },
    ] {
        println!("{opts:?}");
        bulk_agreement(&opts);
    }
}

fn bulk_agreement(opts: &RelativeBinningOptions) {
    let (lik, inj, points) = load();
    let rb = RelativeBinning::new(&lik, &inj, opts).unwrap();
    let l_max = lik.log_likelihood_ratio(&inj).unwrap();
    for p in &points {
        let full = lik.log_likelihood_ratio(&p.params).unwrap();
        let het = rb.log_likelihood_ratio(&p.params).unwrap();
        let depth = l_max - full;
        println!(
            "{}: full {full:.6} rb {het:.6} |diff| {:.2e} (ln L_max − ln L = {depth:.1})",
            p.label,
            (het - full).abs()
        );
        if depth < 30.0 {
            assert!((het - full).abs() < 0.01, "{}: {het} vs {full}", p.label);
        }
    }
    // random points in the bulk: small perturbations of the injection
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let scales = [0.05, 0.05, 0.01, 0.02, 5.0, 0.02, 0.02, 0.02, 0.002, 0.002, 2e-5];
    let mut worst: f64 = 0.0;
    for _ in 0..20 {
        let mut p = inj;
        for i in 0..11 {
            p[i] += scales[i] * (rng.gen::<f64>() * 2.0 - 1.0);
        }
        let full = lik.log_likelihood_ratio(&p).unwrap();
        if l_max - full < 30.0 {
            let het = rb.log_likelihood_ratio(&p).unwrap();
            worst = worst.max((het - full).abs());
        }
    }
    println!("bulk random points: worst |rb − full| = {worst:.2e}");
    assert!(worst < 0.01);
}

#[test]
fn reference_parameters_found_by_gradient_ascent() {
    let (lik, inj, _) = load();
    let mut start = inj;
    start[0] += 0.05;
    start[2] -= 0.01;
    start[4] += 10.0;
    start[10] += 2e-5;
    let l0 = lik.log_likelihood_ratio(&start).unwrap();
    let (best, lbest) = find_reference_parameters(&lik, &start, 150, 0.05).unwrap();
    let lmax = lik.log_likelihood_ratio(&inj).unwrap();
    println!("start {l0:.3} -> found {lbest:.3} (injection {lmax:.3})");
    assert!(lbest > l0);
    assert!(lmax - lbest < 5.0, "ascent stalled at {lbest}");
    let rb = RelativeBinning::new(&lik, &best, &RelativeBinningOptions::default()).unwrap();
    let het = rb.log_likelihood_ratio(&inj).unwrap();
    assert!((het - lmax).abs() < 0.01, "{het} vs {lmax}");
}

#[test]
fn relative_binning_gradient_matches_finite_differences() {
    let (lik, inj, points) = load();
    let rb = RelativeBinning::new(&lik, &inj, &RelativeBinningOptions::default()).unwrap();
    let p = points[4].params;
    let (_, g) = rb.value_and_gradient(&p).unwrap();
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
        let (mut pp, mut pm) = (p, p);
        pp[i] += steps[i];
        pm[i] -= steps[i];
        let fd = (rb.log_likelihood_ratio(&pp).unwrap() - rb.log_likelihood_ratio(&pm).unwrap())
            / (2.0 * steps[i]);
        let rel = (fd - g[i]).abs() / g[i].abs().max(1.0);
        assert!(rel < 1e-5, "param {i}: {} vs {fd}", g[i]);
    }
}
