//! Afterglow surrogate benchmarks on one core: one light curve (5 bands × 50
//! times) on the plain f64 path for the built-in top-hat and Gaussian models
//! at afterglowpy's reference point, a batch of 256 curves, and the EM
//! likelihood with its gradient for 32 chains on a 30-point mock; one
//! training step (loss and weight gradient of 128 curves) on the tape and by
//! the batched backpropagation, over all network outputs and, as training
//! runs it, over the outputs the curves' stretched times read.
//!
//! `cargo bench --bench afterglow -- --warm-up-time 1 --measurement-time 3`

use criterion::{criterion_group, criterion_main, Criterion};
use ferrax::surrogates::backprop::{tape_loss_and_grad, Backprop, ShiftedOutputs};
use ferrax::surrogates::{AfterglowSurrogate, EmLikelihood, Jet, Observations};

fn bench(c: &mut Criterion) {
    let th = AfterglowSurrogate::builtin(Jet::TopHat).unwrap();
    let ga = AfterglowSurrogate::builtin(Jet::Gaussian).unwrap();
    // afterglowpy's timing reference point (data README)
    let x_th = [0.3, 52.0, 0.1, -2.0, 2.2, -1.0, -3.0];
    let x_ga = [0.3, 52.0, 0.1, 3.0, -2.0, 2.2, -1.0, -3.0];
    let mut g = c.benchmark_group("afterglow");
    g.bench_function("tophat_one_light_curve", |b| {
        b.iter(|| th.predict(&x_th).unwrap())
    });
    g.bench_function("gaussian_one_light_curve", |b| {
        b.iter(|| ga.predict(&x_ga).unwrap())
    });
    let batch: Vec<f64> = (0..256).flat_map(|_| x_th).collect();
    g.bench_function("tophat_256_light_curves", |b| {
        b.iter(|| th.predict_batch(&batch, 256).unwrap())
    });
    let obs = Observations::from_json(
        include_str!("../tests/data/afterglow/mock_obs_1.json"),
        "mock_obs_1",
        &th,
    )
    .unwrap();
    let lik = EmLikelihood::new(th.clone(), obs, 0.3).unwrap();
    let chains: Vec<f64> = (0..32).flat_map(|_| x_th).collect();
    g.bench_function("likelihood_and_grad_32_chains", |b| {
        b.iter(|| lik.log_likelihood_and_grad(&chains, 32).unwrap())
    });
    // one training step's loss and gradient, batch 128, the shipped network
    // shape: autodiff tape against the batched backpropagation (1 and 2 threads)
    let n = 128;
    let nf = th.n_features();
    let no = th.networks[0].n_out();
    let xs: Vec<f64> = (0..n * nf)
        .map(|i| ((i * 37 % 101) as f64 / 50.0) - 1.0)
        .collect();
    let ys: Vec<f64> = (0..n * no).map(|i| ((i * 53 % 97) as f64 / 48.0) - 1.0).collect();
    let ws = vec![1.0; n * no];
    g.bench_function("train_step_128_tape", |b| {
        b.iter(|| tape_loss_and_grad(&th.networks[0], &xs, &ys, &ws, n).unwrap())
    });
    for threads in [1, 2] {
        let mut bp = Backprop::new(threads);
        let mut grad = vec![0.0; th.networks[0].n_params()];
        g.bench_function(format!("train_step_128_backprop_{threads}_threads"), |b| {
            b.iter(|| {
                bp.loss_and_grad(&th.networks[0], &xs, &ys, &ws, n, &mut grad)
                    .unwrap()
            })
        });
    }
    // the same step as training runs it: each curve read at its stretched
    // times (validation-set parameters give the spread of shifts), the last
    // layer computed only over the windows those times read
    if let Some(fold) = th.stretch {
        let val = ferrax::io::read_npy("tests/data/afterglow/tophat_val_X.npy").unwrap();
        let d = th.n_params();
        let shifts: Vec<_> = val.data.chunks_exact(d).take(n).map(|x| fold.shift(x)).collect();
        let nv = th.n_out();
        let yv: Vec<f64> = (0..n * nv).map(|i| ((i * 53 % 97) as f64 / 48.0) - 1.0).collect();
        let wv = vec![1.0; n * nv];
        let rows: Vec<usize> = (0..n).collect();
        let layout = ShiftedOutputs {
            curves: th.bands.len(),
            n_wide: fold.n_wide(),
            n_values: fold.n_times,
            shifts: &shifts,
        };
        for threads in [1, 2] {
            let mut bp = Backprop::new(threads);
            let mut grad = vec![0.0; th.networks[0].n_params()];
            g.bench_function(format!("train_step_128_shifted_{threads}_threads"), |b| {
                b.iter(|| {
                    bp.loss_and_grad_rows(&th.networks[0], &xs, &yv, &wv, &rows, Some(layout), &mut grad)
                        .unwrap()
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
