//! Network likelihood (IMRPhenomD, H1+L1+V1, 4017 bins, bilby setup):
//! value, value + gradient w.r.t. all 11 parameters, and the relative-binning
//! likelihood (100 bins and 30 bins, second order), one core.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
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
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
