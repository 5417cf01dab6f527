//! Optimizers on problems with known minima, with gradients from the tape.

use ferrax_autodiff::{value_and_grad, value_and_grads, Tensor};
use ferrax_solvers::optim::{Adam, AdamConfig, Optimizer, Sgd};

/// The d-dimensional Rosenbrock function Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)²,
/// minimum 0 at x = 1.
fn rosenbrock(x: &Tensor) -> Tensor {
    let d = x.shape()[0];
    let head = x.slice(0, 0, d - 1);
    let tail = x.slice(0, 1, d);
    ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum_all()
}

#[test]
fn adam_minimises_10d_rosenbrock_to_1e_8() {
    // standard start: (-1.2, 1, -1.2, 1, ...)
    let start: Vec<f64> = (0..10).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
    let mut x = start.clone();
    let mut opt = Adam::with(AdamConfig {
        lr: 2e-2,
        ..AdamConfig::default()
    });
    let steps = 60_000;
    let mut f = f64::INFINITY;
    for k in 0..steps {
        // exponential learning-rate decay from 2e-2 to 1e-5
        opt.set_learning_rate(2e-2 * (1e-5f64 / 2e-2).powf(k as f64 / steps as f64));
        let t = Tensor::from_slice(&x);
        let (v, g) = value_and_grad(rosenbrock, &t).unwrap();
        f = v;
        if f <= 1e-12 {
            break;
        }
        opt.step_slice(&mut x, g.as_slice().unwrap()).unwrap();
    }
    let t = Tensor::from_slice(&x);
    f = f.min(rosenbrock(&t).item().unwrap());
    assert!(f <= 1e-8, "Rosenbrock value {f} at {x:?}");
    for xi in &x {
        assert!((xi - 1.0).abs() < 1e-3, "{x:?}");
    }
}

#[test]
fn tensor_step_updates_every_parameter_tensor() {
    // least squares y = a·x + b on exact data: recover a = 2, b = -1
    let xs = Tensor::linspace(-1.0, 1.0, 21);
    let ys = &xs * 2.0 - 1.0;
    let mut params = vec![Tensor::scalar(0.0), Tensor::scalar(0.0)];
    let mut opt = Adam::new(0.05);
    for _ in 0..3000 {
        let (_, g) = value_and_grads(|p| (&xs * &p[0] + &p[1] - &ys).square().mean_all(), &params).unwrap();
        opt.step_tensors(&mut params, &g).unwrap();
    }
    assert!((params[0].item().unwrap() - 2.0).abs() < 1e-6);
    assert!((params[1].item().unwrap() + 1.0).abs() < 1e-6);
}

#[test]
fn sgd_with_momentum_converges_on_a_quadratic() {
    let mut x = vec![3.0, -2.0];
    let mut opt = Sgd::with_momentum(0.05, 0.9);
    for _ in 0..2000 {
        let g = vec![2.0 * x[0], 8.0 * x[1]];
        opt.step_slice(&mut x, &g).unwrap();
    }
    assert!(x[0].abs() < 1e-10 && x[1].abs() < 1e-10, "{x:?}");
}

#[test]
fn adamw_decay_shrinks_weights_without_gradient() {
    let mut x = vec![1.0];
    let mut opt = Adam::with(AdamConfig {
        lr: 0.1,
        weight_decay: 0.5,
        ..AdamConfig::default()
    });
    opt.step_slice(&mut x, &[0.0]).unwrap();
    assert!((x[0] - (1.0 - 0.1 * 0.5)).abs() < 1e-15);
}

#[test]
fn bad_gradients_and_settings_are_errors() {
    let mut x = vec![1.0, 2.0];
    let mut opt = Adam::new(1e-3);
    assert!(opt.step_slice(&mut x, &[1.0]).is_err());
    let e = opt.step_slice(&mut x, &[f64::NAN, 1.0]).unwrap_err();
    assert!(e.to_string().contains("component 0"), "{e}");
    let mut bad = Adam::new(-1.0);
    assert!(bad
        .step_slice(&mut x, &[1.0, 1.0])
        .unwrap_err()
        .to_string()
        .contains("lr"));
    assert_eq!(x, vec![1.0, 2.0]);
}

#[test]
fn adam_state_roundtrips_through_serde() {
    let mut x = vec![1.0, 2.0];
    let mut a = Adam::new(1e-2);
    a.step_slice(&mut x, &[0.5, -0.5]).unwrap();
    let s = serde_json::to_string(&a).unwrap();
    let mut b: Adam = serde_json::from_str(&s).unwrap();
    let (mut x1, mut x2) = (x.clone(), x.clone());
    a.step_slice(&mut x1, &[0.1, 0.2]).unwrap();
    b.step_slice(&mut x2, &[0.1, 0.2]).unwrap();
    assert_eq!(x1, x2);
}
