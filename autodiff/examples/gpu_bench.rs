//! CPU vs CUDA timings of the autodiff core.
//!
//! ```sh
//! cargo run --release -p ferrax-autodiff --features cuda --example gpu_bench
//! cargo run --release -p ferrax-autodiff --example gpu_bench -- --quick   # CPU only, small sizes
//! ```
//!
//! Prints a Markdown table: the 50-op chain (10 × [·x, sin, +x, exp, sqrt])
//! forward + backward at 1e5 and 1e7 elements, and batched matrix products
//! (forward, and forward + backward), each on the CPU (one thread, as the
//! CPU kernels are) and on CUDA device 0 when there is one. Each figure is
//! the median of several runs after one warm-up (which also compiles the
//! CUDA kernels); GPU runs end with a device synchronisation.

use std::time::Instant;

use ferrax_autodiff::{value_and_grad, value_and_grads, Device, Tensor};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The 50-op chain: 10 × [·x, sin, +x, exp, sqrt].
fn chain(x: &Tensor) -> Tensor {
    let mut y = x.clone();
    for _ in 0..10 {
        y = (&y * x).sin();
        y = (&y + x).exp().sqrt();
    }
    y
}

fn sync(dev: &Device) {
    match dev {
        Device::Cpu => {}
        #[cfg(feature = "cuda")]
        Device::Cuda(i) => {
            if let Err(e) = ferrax_autodiff::cuda::synchronize(*i) {
                eprintln!("synchronize failed: {e}");
            }
        }
    }
}

/// Median seconds of `reps` runs of `f` after one warm-up.
fn time(dev: &Device, reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    sync(dev);
    let mut t: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let s = Instant::now();
            f();
            sync(dev);
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(|a, b| a.total_cmp(b));
    t[t.len() / 2]
}

fn devices() -> Vec<(Device, String)> {
    let v = vec![(Device::Cpu, "CPU (1 thread)".to_string())];
    #[cfg(feature = "cuda")]
    {
        let mut v = v;
        match ferrax_autodiff::cuda::device_name(0) {
            Ok(name) => v.push((Device::Cuda(0), format!("CUDA 0: {name}"))),
            Err(e) => eprintln!("skipping CUDA: {e}"),
        }
        v
    }
    #[cfg(not(feature = "cuda"))]
    {
        eprintln!("skipping CUDA: built without the `cuda` feature");
        v
    }
}

fn ms(s: f64) -> String {
    format!("{:.3}", s * 1e3)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let devs = devices();
    for (_, name) in &devs {
        println!("device: {name}");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    println!();
    println!("| benchmark | device | time (ms) | check |");
    println!("|---|---|---|---|");

    let sizes: &[usize] = if quick { &[100_000] } else { &[100_000, 10_000_000] };
    for &n in sizes {
        let host = Tensor::rand_uniform(&[n], 0.5, 1.5, &mut rng);
        let mut base = None;
        for (dev, name) in &devs {
            let x = host.to_device(dev);
            let reps = if n >= 10_000_000 && *dev == Device::Cpu {
                2
            } else {
                7
            };
            let mut value = 0.0;
            let t = time(dev, reps, || {
                let (v, g) = value_and_grad(|x| chain(x).sum_all(), &x).expect("chain");
                value = v;
                drop(g);
            });
            let rel = base.map_or(0.0, |b: f64| ((value - b) / b).abs());
            base.get_or_insert(value);
            println!("| 50-op chain fwd+bwd, n = {n:.0e} | {name} | {} | loss {value:.12e} (rel. diff to CPU {rel:.1e}) |", ms(t));
        }
    }

    let shapes: &[(usize, usize, usize, usize)] = if quick {
        &[(100, 32, 32, 32)]
    } else {
        &[(1000, 64, 64, 64), (8, 512, 512, 512)]
    };
    for &(b, m, k, n) in shapes {
        let ha = Tensor::rand_uniform(&[b, m, k], -1.0, 1.0, &mut rng);
        let hb = Tensor::rand_uniform(&[b, k, n], -1.0, 1.0, &mut rng);
        let flops = 2.0 * (b * m * n * k) as f64;
        for (dev, name) in &devs {
            let (a, bm) = (ha.to_device(dev), hb.to_device(dev));
            let reps = if *dev == Device::Cpu { 3 } else { 10 };
            let t = time(dev, reps, || {
                let c = a.matmul(&bm);
                assert!(c.check().is_ok());
            });
            println!(
                "| batched matmul [{b},{m},{k}]×[{b},{k},{n}] | {name} | {} | {:.1} GFLOP/s |",
                ms(t),
                flops / t / 1e9
            );
            let t = time(dev, reps, || {
                let r = value_and_grads(|p| p[0].matmul(&p[1]).sum_all(), &[a.clone(), bm.clone()]);
                assert!(r.is_ok());
            });
            println!(
                "| batched matmul fwd+bwd | {name} | {} | {:.1} GFLOP/s |",
                ms(t),
                3.0 * flops / t / 1e9
            );
        }
    }
}
