//! Tape overhead and throughput.
//!
//! * `per_op/*`: 10 000 sequential ops on one number, forward + backward
//!   (divide the time by 10 000 for ns/op): on rank-0 tensors
//!   (`tiny_10k_fwd_bwd`) and on the scalar tape (`scalar_tape_10k_fwd_bwd`).
//! * `chain50/*`: the 50-op chain 10 × [·x, sin, +x, exp, sqrt] on 1e5 values:
//!   a plain Rust loop (forward only) vs the tape (forward + backward).
//!
//! Run: `cargo bench -p ferrax-autodiff --bench tape`

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ferrax_autodiff::{scalar_value_and_grad, value_and_grad, Real, Tensor, Var};

// the ferrax binary ships with mimalloc; measure with the same allocator
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const N_TINY: usize = 10_000;
const N_CHAIN: usize = 100_000;

fn tiny_ops(x: &Tensor) -> Tensor {
    let mut y = x.clone();
    for i in 0..N_TINY / 2 {
        // two ops per iteration, alternating kinds
        y = if i % 2 == 0 {
            (&y * x).sin()
        } else {
            (&y + x).tanh()
        };
    }
    y
}

fn tiny_scalar_ops(x: Var) -> Var {
    let mut y = x;
    for i in 0..N_TINY / 2 {
        y = if i % 2 == 0 { (y * x).sin() } else { (y + x).tanh() };
    }
    y
}

fn chain(x: &Tensor) -> Tensor {
    let mut y = x.clone();
    for _ in 0..10 {
        y = (&(&y * x).sin() + x).exp().sqrt();
    }
    y
}

fn plain_chain(x: &[f64], out: &mut [f64]) {
    for (o, &xv) in out.iter_mut().zip(x) {
        let mut y = xv;
        for _ in 0..10 {
            y = ((y * xv).sin() + xv).exp().sqrt();
        }
        *o = y;
    }
}

fn bench(c: &mut Criterion) {
    let x = Tensor::scalar(0.3);
    c.bench_function("per_op/tiny_10k_fwd_bwd", |b| {
        b.iter(|| value_and_grad(tiny_ops, black_box(&x)).unwrap())
    });
    c.bench_function("per_op/scalar_tape_10k_fwd_bwd", |b| {
        b.iter(|| scalar_value_and_grad(|v| tiny_scalar_ops(v[0]), black_box(&[0.3])).unwrap())
    });
    c.bench_function("per_op/tiny_10k_fwd_only_untracked", |b| {
        b.iter(|| tiny_ops(black_box(&x)))
    });

    // values in (0, 1) keep the chain bounded: y stays O(1)
    let v: Vec<f64> = (0..N_CHAIN)
        .map(|i| 0.05 + 0.9 * (i as f64 / N_CHAIN as f64))
        .collect();
    let xt = Tensor::from_slice(&v);
    let mut out = vec![0.0; N_CHAIN];
    c.bench_function("chain50/plain_rust_forward", |b| {
        b.iter(|| plain_chain(black_box(&v), black_box(&mut out)))
    });
    c.bench_function("chain50/tape_forward_backward", |b| {
        b.iter(|| value_and_grad(|x| chain(x).sum_all(), black_box(&xt)).unwrap())
    });
    c.bench_function("chain50/tape_forward_untracked", |b| {
        b.iter(|| chain(black_box(&xt)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(std::time::Duration::from_secs(1)).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
