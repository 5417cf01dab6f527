//! Throughput of the sampler building blocks: one MALA step of 500 chains
//! on the dual moon, the flow log-density of 500 points, one flow training
//! step on 2000 points. End-to-end ESS per CPU-second comes from
//! `experiments/samplers/bench.sh`.
//!
//! `cargo bench --bench samplers -- --warm-up-time 1 --measurement-time 3`

use criterion::{criterion_group, criterion_main, Criterion};
use ferrax::flows::{train_flow, CouplingFlow, FlowConfig, TrainConfig};
use ferrax::samplers::kernels::{Chains, KernelKind, LocalKernel};
use ferrax::samplers::Target;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;

fn bench(c: &mut Criterion) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    let target = Target::from_json(r#"{"kind": "dual_moon"}"#).unwrap();
    let x0: Vec<f64> = (0..1000).map(|_| rng.sample(StandardNormal)).collect();
    let mut chains = Chains::new(&target, x0.clone()).unwrap();
    let kernel = LocalKernel::new(KernelKind::Mala, 0.3, 2);
    c.bench_function("mala_step_500_chains_dual_moon", |b| {
        b.iter(|| kernel.step(&target, &mut chains, &mut rng).unwrap())
    });
    for (name, cfg) in [
        ("realnvp", FlowConfig::default()),
        ("rq_spline", FlowConfig::rq_spline()),
    ] {
        let mut flow = CouplingFlow::new(2, cfg, &mut rng).unwrap();
        let data: Vec<f64> = (0..4000).map(|_| rng.sample(StandardNormal)).collect();
        flow.standardise_to(&data).unwrap();
        c.bench_function(&format!("{name}_log_prob_500"), |b| {
            b.iter(|| flow.log_prob(&x0).unwrap())
        });
        let tc = TrainConfig {
            epochs: 1,
            batch_size: 2000,
            standardise: false,
            ..Default::default()
        };
        c.bench_function(&format!("{name}_train_step_2000"), |b| {
            b.iter(|| train_flow(&mut flow, &data[..4000], &tc, None, &mut rng).unwrap())
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
