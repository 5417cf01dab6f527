//! Waveform generation on 20–1024 Hz at Δf = 1/4 Hz (4017 bins), one core:
//! f64 value, and value + exact Jacobian w.r.t. all 9 parameters (Dual);
//! IMRPhenomPv2 (precessing) with its 11 parameters (Dual<11>).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ferrax::autodiff::Dual;
use ferrax::gw::waveforms::tape::{WaveformOp, N_TAPE_PARAMS};
use ferrax::gw::waveforms::{generate, generate_on_grid, Approximant, FrequencyGrid, WaveformParams};

fn grid() -> Vec<f64> {
    (80..=4096).map(|k| k as f64 * 0.25).collect()
}

fn bench(c: &mut Criterion) {
    let f = grid();
    let bbh = WaveformParams::example_bbh();
    let bns = WaveformParams::example_bns();
    let mut g = c.benchmark_group("waveform_4017_bins");
    for (name, approx, p) in [
        ("IMRPhenomD", Approximant::IMRPhenomD, bbh),
        ("IMRPhenomXAS", Approximant::IMRPhenomXAS, bbh),
        ("TaylorF2", Approximant::TaylorF2, bns),
        ("IMRPhenomD_NRTidalv2", Approximant::IMRPhenomD_NRTidalv2, bns),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| generate(approx, black_box(&p), black_box(&f)).unwrap())
        });
        let grid = FrequencyGrid::new(&f).unwrap();
        g.bench_function(format!("{name}_cached_grid"), |b| {
            b.iter(|| generate_on_grid(approx, black_box(&p), black_box(&grid)).unwrap())
        });
        let op = WaveformOp::new(approx, f.clone(), 20.0).unwrap();
        let x = [
            p.m1,
            p.m2,
            p.chi1z,
            p.chi2z,
            p.lambda1,
            p.lambda2,
            p.distance_mpc,
            p.phi_ref,
            p.inclination,
        ];
        g.bench_function(format!("{name}_value_and_jacobian_9_params"), |b| {
            b.iter(|| {
                let d: [Dual<N_TAPE_PARAMS>; N_TAPE_PARAMS] = Dual::variables(black_box(&x));
                op.eval(&d)
            })
        });
    }
    bench_pv2(&mut g, &f);
    g.finish();
}

fn bench_pv2(g: &mut criterion::BenchmarkGroup<criterion::measurement::WallTime>, f: &[f64]) {
    use ferrax::gw::waveforms::tape_precessing::{PrecessingWaveformOp, N_PRECESSING_PARAMS};
    let p = WaveformParams::example_precessing_bbh();
    let grid = FrequencyGrid::new(f).unwrap();
    g.bench_function("IMRPhenomPv2_cached_grid", |b| {
        b.iter(|| generate_on_grid(Approximant::IMRPhenomPv2, black_box(&p), black_box(&grid)).unwrap())
    });
    let op = PrecessingWaveformOp::new(f.to_vec(), p.f_ref).unwrap();
    let x = [
        p.m1,
        p.m2,
        p.chi1x,
        p.chi1y,
        p.chi1z,
        p.chi2x,
        p.chi2y,
        p.chi2z,
        p.distance_mpc,
        p.phi_ref,
        p.inclination,
    ];
    g.bench_function("IMRPhenomPv2_value_and_jacobian_11_params", |b| {
        b.iter(|| {
            let d: [Dual<N_PRECESSING_PARAMS>; N_PRECESSING_PARAMS] = Dual::variables(black_box(&x));
            op.eval(&d)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
