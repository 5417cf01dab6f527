//! TOV benchmarks on one core at jester's default tolerances:
//! a metamodel+CSE EOS build plus its 100-star family, and the value and
//! gradient (18 parameters, forward-mode duals) of the radius loss.
//!
//! `cargo bench --bench tov -- --warm-up-time 1 --measurement-time 3`

use criterion::{criterion_group, criterion_main, Criterion};
use ferrax::eos::cse::metamodel_cse_table;
use ferrax::tov::family::construct_family;
use ferrax::tov::radius_loss::RadiusLoss;

fn bench(c: &mut Criterion) {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../tests/data/tov/radius_loss.json")).unwrap();
    let problem = RadiusLoss::from_json(&doc).unwrap();
    let truth = problem.theta_from_json(&doc["theta_true"]).unwrap();
    let start = problem
        .theta_from_json(&doc["perturbed_points"][2]["theta"])
        .unwrap();
    let mut g = c.benchmark_group("tov");
    g.sample_size(10);
    g.bench_function("eos_build_plus_100_star_family", |b| {
        b.iter(|| {
            let params = problem.params(&truth).unwrap();
            let table = metamodel_cse_table(&params, &problem.eos).unwrap();
            construct_family(&table, &problem.family).unwrap().m_max()
        })
    });
    g.bench_function("radius_loss_value_and_grad_18", |b| {
        b.iter(|| problem.value_and_grad(&start).unwrap())
    });
    g.bench_function("radius_loss_value_and_grad_18_reverse", |b| {
        b.iter(|| problem.value_and_grad_reverse(&start).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
