//! Gradient-descent EOS recovery: Adam on the radius loss in unit-box
//! coordinates u = (θ − lo)/(hi − lo), clipped to [0, 1] after every step,
//! with an exponentially decaying learning rate (the setup of the jester
//! reference run: lr = 0.02 · 0.99^k, 300 steps).

use super::radius_loss::RadiusLoss;
use super::TovError;
use ferrax_solvers::optim::{Adam, Optimizer};

/// Options of a recovery run.
#[derive(Debug, Clone, Copy)]
pub struct RecoveryOptions {
    /// Number of Adam steps.
    pub steps: usize,
    /// Initial learning rate (in unit-box coordinates).
    pub lr: f64,
    /// Multiplicative learning-rate decay per step.
    pub decay: f64,
}

impl Default for RecoveryOptions {
    fn default() -> Self {
        RecoveryOptions {
            steps: 300,
            lr: 0.02,
            decay: 0.99,
        }
    }
}

/// The trajectory of a recovery run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecoveryResult {
    /// L(θ_k) for k = 0..steps (the loss before each step, then the final one).
    pub loss: Vec<f64>,
    /// |∇_θ L| before each step.
    pub grad_norm: Vec<f64>,
    /// θ_k (physical units) for every k.
    pub theta: Vec<Vec<f64>>,
    /// Index of the lowest loss.
    pub best_step: usize,
    /// The lowest loss.
    pub best_loss: f64,
    /// θ at the lowest loss.
    pub best_theta: Vec<f64>,
}

/// Runs Adam from `theta0` inside the box `bounds` (lo, hi per free
/// parameter, in the order of `problem.free`).
pub fn recover(
    problem: &RadiusLoss,
    theta0: &[f64],
    bounds: &[(f64, f64)],
    opts: &RecoveryOptions,
) -> Result<RecoveryResult, TovError> {
    if bounds.len() != theta0.len() || theta0.len() != problem.free.len() {
        return Err(TovError::Invalid {
            name: "bounds".into(),
            msg: "one (lo, hi) per free parameter".into(),
        });
    }
    if let Some(i) = bounds
        .iter()
        .position(|(lo, hi)| lo.is_nan() || hi.is_nan() || hi <= lo)
    {
        return Err(TovError::Invalid {
            name: format!("bounds of {}", problem.free[i]),
            msg: "need hi > lo".into(),
        });
    }
    let to_theta = |u: &[f64]| {
        u.iter()
            .zip(bounds)
            .map(|(ui, (lo, hi))| lo + ui * (hi - lo))
            .collect::<Vec<f64>>()
    };
    let mut u: Vec<f64> = theta0
        .iter()
        .zip(bounds)
        .map(|(t, (lo, hi))| ((t - lo) / (hi - lo)).clamp(0.0, 1.0))
        .collect();
    let mut adam = Adam::new(opts.lr);
    let mut out = RecoveryResult {
        loss: vec![],
        grad_norm: vec![],
        theta: vec![],
        best_step: 0,
        best_loss: f64::INFINITY,
        best_theta: vec![],
    };
    for k in 0..=opts.steps {
        let theta = to_theta(&u);
        let (l, g) = problem.value_and_grad(&theta)?;
        out.loss.push(l);
        out.grad_norm.push(g.iter().map(|x| x * x).sum::<f64>().sqrt());
        out.theta.push(theta.clone());
        if l < out.best_loss {
            out.best_loss = l;
            out.best_step = k;
            out.best_theta = theta;
        }
        if k == opts.steps {
            break;
        }
        let gu: Vec<f64> = g
            .iter()
            .zip(bounds)
            .map(|(gi, (lo, hi))| gi * (hi - lo))
            .collect();
        adam.set_learning_rate(opts.lr * opts.decay.powi(k as i32));
        adam.step_slice(&mut u, &gu).map_err(|e| TovError::Invalid {
            name: "optimizer".into(),
            msg: e.to_string(),
        })?;
        for ui in u.iter_mut() {
            *ui = ui.clamp(0.0, 1.0);
        }
    }
    Ok(out)
}
