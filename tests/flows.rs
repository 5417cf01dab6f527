//! A RealNVP trained on dual-moon-like samples is a normalised density:
//! its 2-D integral by grid quadrature is 1.

use ferrax::flows::{train_flow, CouplingFlow, FlowConfig, TrainConfig};
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;

#[test]
fn trained_flow_integrates_to_one() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    // a banana: x0 ~ N(0, 1), x1 | x0 ~ N(x0^2 / 2, 0.3^2)
    let n = 4000;
    let mut x = Vec::with_capacity(2 * n);
    for _ in 0..n {
        let a: f64 = rng.sample(StandardNormal);
        let b: f64 = rng.sample(StandardNormal);
        x.push(a);
        x.push(0.5 * a * a + 0.3 * b);
    }
    let cfg = FlowConfig {
        n_layers: 4,
        hidden: vec![32, 32],
        max_log_scale: 3.0,
        ..Default::default()
    };
    let mut flow = CouplingFlow::new(2, cfg, &mut rng).unwrap();
    let tc = TrainConfig {
        epochs: 30,
        batch_size: 500,
        ..Default::default()
    };
    let (_, rep) = train_flow(&mut flow, &x, &tc, None, &mut rng).unwrap();
    let (first, last) = (rep.epoch_loss[0], *rep.epoch_loss.last().unwrap());
    assert!(last < first - 0.2, "training lowered the loss: {first} -> {last}");
    // quadrature on [-6, 6] x [-3, 12], 300 x 300 midpoints
    let (nx, ny) = (300, 300);
    let (x0, x1, y0, y1) = (-6.0, 6.0, -3.0, 12.0);
    let (hx, hy) = ((x1 - x0) / nx as f64, (y1 - y0) / ny as f64);
    let mut grid = Vec::with_capacity(2 * nx * ny);
    for i in 0..nx {
        for j in 0..ny {
            grid.push(x0 + (i as f64 + 0.5) * hx);
            grid.push(y0 + (j as f64 + 0.5) * hy);
        }
    }
    let lq = flow.log_prob(&grid).unwrap();
    let integral: f64 = lq.iter().map(|v| v.exp()).sum::<f64>() * hx * hy;
    assert!((integral - 1.0).abs() < 0.01, "integral {integral}");
}
