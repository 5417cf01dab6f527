use ferrax_autodiff::{value_and_grad, Tensor};
use std::time::Instant;
fn tiny_ops(x: &Tensor) -> Tensor {
    let mut y = x.clone();
    for i in 0..5000 {
        y = if i % 2 == 0 {
            (&y * x).sin()
        } else {
            (&y + x).tanh()
        };
    }
    y
}
fn main() {
    let x = Tensor::scalar(0.3);
    for _ in 0..1 {
        let t = Instant::now();
        for _ in 0..20 {
            std::hint::black_box(tiny_ops(&x));
        }
        let a = t.elapsed().as_secs_f64() / 200.0 / 1e4 * 1e9;
        let t = Instant::now();
        for _ in 0..20 {
            std::hint::black_box(value_and_grad(|x| tiny_ops(x), &x).unwrap());
        }
        let b = t.elapsed().as_secs_f64() / 200.0 / 1e4 * 1e9;
        let t = Instant::now();
        let mut s = 0.3f64;
        for _ in 0..20 {
            for i in 0..5000 {
                s = if i % 2 == 0 {
                    (s * 0.3).sin()
                } else {
                    (s + 0.3).tanh()
                };
            }
            std::hint::black_box(s);
        }
        let c = t.elapsed().as_secs_f64() / 200.0 / 1e4 * 1e9;
        println!("untracked {a:.1} ns/op, fwd+bwd {b:.1} ns/op, plain f64 {c:.1} ns/op");
    }
}
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
