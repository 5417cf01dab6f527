//! One test suite for every device: each op is written once and run on the
//! CPU and, when a CUDA device is present (feature `cuda`), on the GPU.
//!
//! * CPU: forward values and `value_and_grads` gradients of a weighted sum
//!   of the op's output; for small inputs the gradient is also checked
//!   against finite differences (relative error ≤ 1e-6).
//! * CUDA: the same run on `Device::Cuda(0)`; values, loss and gradients
//!   must equal the CPU results to 1e-12 (relative, or absolute below 1),
//!   and the gradients must live on the device (the tape ran there).
//!
//! Without a driver or GPU the CUDA leg prints "skipping CUDA: <reason>".

use ferrax_autodiff::{check_gradients, value_and_grads, Device, GradCheckOptions, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Device results must match the CPU to this (relative, absolute below 1).
const TOL: f64 = 1e-12;
/// Finite-difference check of the CPU gradients.
const FD_TOL: f64 = 1e-6;
/// Inputs larger than this (in total) skip the finite-difference check.
const FD_MAX_NUMEL: usize = 200;

/// The devices to run on besides the CPU, with the reason when there are none.
fn accelerators() -> Vec<Device> {
    #[cfg(feature = "cuda")]
    {
        match ferrax_autodiff::cuda::device_name(0) {
            Ok(name) => {
                eprintln!("running on CUDA device 0: {name}");
                vec![Device::Cuda(0)]
            }
            Err(e) => {
                eprintln!("skipping CUDA: {e}");
                vec![]
            }
        }
    }
    #[cfg(not(feature = "cuda"))]
    {
        eprintln!("skipping CUDA: built without the `cuda` feature");
        vec![]
    }
}

/// What one device computed.
struct Run {
    shape: Vec<usize>,
    value: Vec<f64>,
    loss: f64,
    grads: Vec<Vec<f64>>,
}

fn seed_of(name: &str) -> u64 {
    name.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

fn run_on(dev: &Device, inputs: &[Tensor], weights: &[f64], f: &dyn Fn(&[Tensor]) -> Tensor) -> Run {
    let xs: Vec<Tensor> = inputs.iter().map(|t| t.to_device(dev)).collect();
    let y = f(&xs);
    assert_eq!(y.device(), *dev, "output left the device");
    let shape = y.shape().to_vec();
    let value = y.to_vec().unwrap_or_else(|e| panic!("forward on {dev}: {e}"));
    let w = Tensor::from_vec(weights[..value.len()].to_vec(), &shape)
        .unwrap()
        .to_device(dev);
    let (loss, grads) =
        value_and_grads(|p| (f(p) * &w).sum_all(), &xs).unwrap_or_else(|e| panic!("gradient on {dev}: {e}"));
    let grads = grads
        .iter()
        .map(|g| {
            assert_eq!(g.device(), *dev, "gradient left the device");
            g.to_vec().unwrap()
        })
        .collect();
    Run {
        shape,
        value,
        loss,
        grads,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= TOL * a.abs().max(b.abs()).max(1.0)
}

fn assert_same(name: &str, what: &str, dev: &Device, cpu: &[f64], other: &[f64]) {
    assert_eq!(cpu.len(), other.len(), "{name} {what} on {dev}: length");
    for (i, (a, b)) in cpu.iter().zip(other).enumerate() {
        assert!(
            close(*a, *b),
            "{name} {what} on {dev}: [{i}] cpu {a:e} vs {b:e} (diff {:e})",
            a - b
        );
    }
}

/// Runs `f` on every device with inputs drawn uniformly from the given
/// (shape, lo, hi) and compares each device with the CPU.
fn check_op(name: &str, specs: &[(&[usize], f64, f64)], f: impl Fn(&[Tensor]) -> Tensor) {
    let mut r = ChaCha8Rng::seed_from_u64(seed_of(name));
    let inputs: Vec<Tensor> = specs
        .iter()
        .map(|(s, lo, hi)| Tensor::rand_uniform(s, *lo, *hi, &mut r))
        .collect();
    let weights: Vec<f64> = (0..1 << 17).map(|_| r.gen_range(-1.0..1.0)).collect();
    let cpu = run_on(&Device::Cpu, &inputs, &weights, &f);
    assert!(cpu.loss.is_finite(), "{name}: loss {}", cpu.loss);
    let total: usize = inputs.iter().map(|t| t.numel()).sum();
    if total <= FD_MAX_NUMEL {
        let w = Tensor::from_vec(weights[..cpu.value.len()].to_vec(), &cpu.shape).unwrap();
        let rep = check_gradients(|p| (f(p) * &w).sum_all(), &inputs, &GradCheckOptions::default()).unwrap();
        assert!(
            rep.max_rel_error <= FD_TOL,
            "{name}: CPU gradient vs finite differences {:e}",
            rep.max_rel_error
        );
    }
    for dev in accelerators() {
        let run = run_on(&dev, &inputs, &weights, &f);
        assert_eq!(cpu.shape, run.shape, "{name} on {dev}: shape");
        assert_same(name, "value", &dev, &cpu.value, &run.value);
        assert_same(name, "loss", &dev, &[cpu.loss], &[run.loss]);
        for (i, (a, b)) in cpu.grads.iter().zip(&run.grads).enumerate() {
            assert_same(name, &format!("gradient {i}"), &dev, a, b);
        }
    }
}

/// `test_device!(name, [(shape, lo, hi), ...], |p| op(p))`: a test running
/// the op on every device (inputs uniform in [lo, hi)).
macro_rules! test_device {
    ($name:ident, [$(($shape:expr, $lo:expr, $hi:expr)),+ $(,)?], $f:expr) => {
        #[test]
        fn $name() {
            let specs: &[(&[usize], f64, f64)] = &[$((&$shape, $lo, $hi)),+];
            check_op(stringify!($name), specs, $f);
        }
    };
}

// ---- element-wise, one input ----
test_device!(neg, [([3, 4], -2.0, 2.0)], |p| -&p[0]);
test_device!(exp, [([3, 4], -2.0, 2.0)], |p| p[0].exp());
test_device!(ln, [([3, 4], 0.3, 3.0)], |p| p[0].ln());
test_device!(log1p, [([3, 4], -0.5, 2.0)], |p| p[0].log1p());
test_device!(expm1, [([3, 4], -2.0, 2.0)], |p| p[0].expm1());
test_device!(sqrt, [([3, 4], 0.3, 3.0)], |p| p[0].sqrt());
test_device!(sin, [([3, 4], -3.0, 3.0)], |p| p[0].sin());
test_device!(cos, [([3, 4], -3.0, 3.0)], |p| p[0].cos());
test_device!(tan, [([3, 4], -1.2, 1.2)], |p| p[0].tan());
test_device!(atan, [([3, 4], -3.0, 3.0)], |p| p[0].atan());
test_device!(tanh, [([3, 4], -2.0, 2.0)], |p| p[0].tanh());
test_device!(sigmoid, [([3, 4], -5.0, 5.0)], |p| p[0].sigmoid());
test_device!(softplus, [([4, 5], -40.0, 40.0)], |p| p[0].softplus());
test_device!(abs, [([3, 4], -2.0, 2.0)], |p| p[0].abs());
test_device!(recip, [([3, 4], 0.5, 2.0)], |p| p[0].recip());
test_device!(square, [([3, 4], -2.0, 2.0)], |p| p[0].square());
test_device!(powi_pos, [([3, 4], -2.0, 2.0)], |p| p[0].powi(3));
test_device!(powi_neg, [([3, 4], 0.5, 2.0)], |p| p[0].powi(-2));
test_device!(powf, [([3, 4], 0.3, 3.0)], |p| p[0].powf(1.7));
test_device!(add_scalar, [([3, 4], -2.0, 2.0)], |p| &p[0] + 1.5);
test_device!(mul_scalar, [([3, 4], -2.0, 2.0)], |p| 2.5 * &p[0]);
test_device!(clamp, [([4, 5], -2.0, 2.0)], |p| p[0].clamp(-1.0, 1.0));
test_device!(relu, [([4, 5], -2.0, 2.0)], |p| p[0].relu());

// ---- element-wise, two inputs, broadcasting ----
test_device!(add_bcast, [([3, 4], -2.0, 2.0), ([4], -2.0, 2.0)], |p| &p[0]
    + &p[1]);
test_device!(sub_bcast, [([2, 1, 3], -2.0, 2.0), ([4, 1], -2.0, 2.0)], |p| &p
    [0]
    - &p[1]);
test_device!(mul_bcast, [([3, 1], -2.0, 2.0), ([1, 5], -2.0, 2.0)], |p| &p[0]
    * &p[1]);
test_device!(mul_same, [([3, 5], -2.0, 2.0), ([3, 5], -2.0, 2.0)], |p| &p[0]
    * &p[1]);
test_device!(mul_repeated, [([3, 5], -2.0, 2.0)], |p| &p[0] * &p[0]);
test_device!(div_scalar_tensor, [([], 0.5, 2.0), ([2, 3], 0.5, 2.0)], |p| &p[0]
    / &p[1]);
test_device!(pow, [([2, 3], 0.5, 2.0), ([3], -1.5, 1.5)], |p| p[0].pow(&p[1]));
test_device!(atan2, [([2, 3], -2.0, 2.0), ([2, 1], -2.0, 2.0)], |p| p[0]
    .atan2(&p[1]));
test_device!(minimum, [([3, 4], -2.0, 2.0), ([4], -2.0, 2.0)], |p| p[0]
    .minimum(&p[1]));
test_device!(maximum, [([3, 4], -2.0, 2.0), ([3, 1], -2.0, 2.0)], |p| p[0]
    .maximum(&p[1]));
test_device!(select_masks, [([3, 4], -2.0, 2.0), ([4], -2.0, 2.0)], |p| {
    let m = p[0].gt(&p[1]);
    let le = p[0].le(&p[1]);
    Tensor::select(&m, &p[0], &p[1].sin())
        + &le * 0.5
        + p[0].lt(&p[1])
        + p[0].ge(&p[1]) * 2.0
        + p[0].eq_mask(&p[0]) * 3.0
});

// ---- reductions and scans ----
test_device!(sum_axes, [([2, 3, 4], -2.0, 2.0)], |p| p[0].sum(&[0, 2], true));
test_device!(sum_middle, [([2, 3, 4], -2.0, 2.0)], |p| p[0].sum(&[1], false));
test_device!(sum_all, [([3, 5], -2.0, 2.0)], |p| p[0].sum_all());
test_device!(sum_long_rows, [([3, 20000], -1.0, 1.0)], |p| p[0]
    .sum(&[1], false));
test_device!(sum_all_long, [([40000], -1.0, 1.0)], |p| p[0].sum_all());
test_device!(sum_many_outputs, [([1500, 7], -1.0, 1.0)], |p| p[0]
    .sum(&[1], false));
test_device!(mean, [([3, 4], -2.0, 2.0)], |p| p[0].mean(&[1], false));
test_device!(max_axis, [([3, 5, 2], -2.0, 2.0)], |p| p[0].max(1, false));
test_device!(logsumexp, [([3, 5], -2.0, 2.0)], |p| p[0].logsumexp(1, false));
test_device!(cumsum_0, [([4, 3], -2.0, 2.0)], |p| p[0].cumsum(0));
test_device!(cumsum_1, [([2, 5, 3], -2.0, 2.0)], |p| p[0].cumsum(1));

// ---- indexing and data movement ----
test_device!(index_select, [([3, 4, 2], -2.0, 2.0)], |p| p[0]
    .index_select(1, &[2, 0, 2, 3]));
test_device!(gather, [([3, 4], -2.0, 2.0)], |p| p[0].gather(
    1,
    &[0, 3, 3, 1, 1, 1, 2, 0, 3],
    &[3, 3]
));
test_device!(slice, [([3, 6, 2], -2.0, 2.0)], |p| p[0].slice(1, 1, 4));
test_device!(concat, [([2, 3], -2.0, 2.0), ([2, 2], -2.0, 2.0)], |p| {
    Tensor::concat(&[p[0].clone(), p[1].clone(), p[0].clone()], 1)
});
test_device!(stack, [([2, 3], -2.0, 2.0), ([2, 3], -2.0, 2.0)], |p| {
    Tensor::stack(&[p[0].clone(), p[1].sin()], 0)
});
test_device!(permute, [([2, 3, 4], -2.0, 2.0)], |p| p[0]
    .permute(&[2, 0, 1])
    .sin());
test_device!(transpose, [([3, 4], -2.0, 2.0)], |p| p[0].transpose(0, 1).exp());
test_device!(broadcast_to, [([3, 1], -2.0, 2.0)], |p| p[0]
    .broadcast_to(&[2, 3, 4])
    .cos());
test_device!(reshape, [([3, 4], -2.0, 2.0)], |p| p[0]
    .reshape(&[2, 6])
    .sin()
    .flatten());

// ---- matrix products ----
test_device!(matmul, [([3, 4], -1.0, 1.0), ([4, 5], -1.0, 1.0)], |p| p[0]
    .matmul(&p[1]));
test_device!(
    matmul_batched,
    [([2, 3, 4], -1.0, 1.0), ([2, 4, 5], -1.0, 1.0)],
    |p| p[0].matmul(&p[1])
);
test_device!(
    matmul_shared_lhs,
    [([3, 4], -1.0, 1.0), ([2, 4, 5], -1.0, 1.0)],
    |p| p[0].matmul(&p[1])
);
test_device!(
    matmul_shared_rhs,
    [([2, 3, 4], -1.0, 1.0), ([4, 5], -1.0, 1.0)],
    |p| p[0].matmul(&p[1])
);
test_device!(
    matmul_large,
    [([4, 64, 48], -1.0, 1.0), ([4, 48, 32], -1.0, 1.0)],
    |p| p[0].matmul(&p[1])
);

// ---- compositions ----
test_device!(chain, [([64], 0.5, 1.5)], |p| {
    let x = &p[0];
    let mut y = x.clone();
    for _ in 0..10 {
        y = (((&y * x).sin() + x).exp()).sqrt();
    }
    y
});
test_device!(
    large_elementwise,
    [([100_000], 0.5, 1.5), ([100_000], 0.5, 1.5)],
    |p| { ((&p[0] * &p[1]).sin() + p[0].ln()).exp() / &p[1] }
);

/// Ops between tensors on different devices are errors, not panics.
#[test]
fn mixed_devices_are_errors() {
    for dev in accelerators() {
        let a = Tensor::from_slice(&[1.0, 2.0]);
        let b = a.to_device(&dev);
        let e = (&a + &b).to_vec().unwrap_err();
        assert!(e.to_string().contains("different devices"), "{e}");
        assert_eq!(b.to_vec().unwrap(), vec![1.0, 2.0]);
        let z = Tensor::zeros(&[0]).to_device(&dev);
        assert_eq!(z.to_vec().unwrap(), Vec::<f64>::new());
    }
}
