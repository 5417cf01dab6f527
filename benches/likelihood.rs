//! Network likelihood (IMRPhenomD, H1+L1+V1, 4017 bins, bilby setup):
//! value, value + gradient w.r.t. all 11 parameters, and the relative-binning
//! likelihood (100 and 30 bins, second order), one core; and the time- (one
//! FFT of 4096 shifts, ±0.1 s prior), distance- (PowerLaw(2) on
//! [50, 2000] Mpc, adaptive quadrature) and time+distance-marginalised
//! likelihoods.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ferrax::gw::marginalised::{DistancePrior, MarginalisedLikelihood, TimeMarginalization};
use ferrax::gw::reference_io::likelihood_from_json;
use ferrax::gw::relative_binning::{RelativeBinning, RelativeBinningOptions};

fn bench(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/likelihood/bilby_IMRPhenomD_HLV_zero_noise.json"
    );
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (lik, inj, points) = likelihood_from_json(&v).unwrap();
    let p = points[4].params;
    let rb = RelativeBinning::new(&lik, &inj, &RelativeBinningOptions::default()).unwrap();
    let mut g = c.benchmark_group("likelihood_HLV_4017_bins");
    g.bench_function("full_value", |b| {
        b.iter(|| lik.log_likelihood_ratio(black_box(&p)).unwrap())
    });
    g.bench_function("full_value_and_gradient", |b| {
        b.iter(|| lik.value_and_gradient(black_box(&p)).unwrap())
    });
    g.bench_function("relative_binning_value", |b| {
        b.iter(|| rb.log_likelihood_ratio(black_box(&p)).unwrap())
    });
    let rb30 = RelativeBinning::new(
        &lik,
        &inj,
        &RelativeBinningOptions {
            n_bins: 30,
            ..RelativeBinningOptions::default()
        },
    )
    .unwrap();
    g.bench_function("relative_binning_30_bins_value", |b| {
        b.iter(|| rb30.log_likelihood_ratio(black_box(&p)).unwrap())
    });
    g.bench_function("relative_binning_value_and_gradient", |b| {
        b.iter(|| rb.value_and_gradient(black_box(&p)).unwrap())
    });
    let time = TimeMarginalization {
        sampling_frequency: 2048.0,
        prior_minimum: inj[10] - 0.1,
        prior_maximum: inj[10] + 0.1,
        convention: Default::default(),
    };
    let dist = DistancePrior::PowerLaw {
        alpha: 2.0,
        minimum: 50.0,
        maximum: 2000.0,
    };
    for (name, t, d, phase) in [
        ("marginalised_time_value", Some(time), None, false),
        ("marginalised_time_phase_value", Some(time), None, true),
        ("marginalised_distance_value", None, Some(dist), false),
        ("marginalised_time_distance_value", Some(time), Some(dist), false),
        (
            "marginalised_time_distance_phase_value",
            Some(time),
            Some(dist),
            true,
        ),
    ] {
        let mut base = lik.clone();
        base.phase_marginalization = phase;
        let m = MarginalisedLikelihood::new(base, t, d).unwrap();
        g.bench_function(name, |b| {
            b.iter(|| m.log_likelihood_ratio(black_box(&p)).unwrap())
        });
    }
    let m = MarginalisedLikelihood::new(lik.clone(), None, Some(dist)).unwrap();
    g.bench_function("marginalised_distance_value_and_gradient", |b| {
        b.iter(|| m.value_and_gradient(black_box(&p)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
