//! Stochastic gradient descent with (optional) heavy-ball momentum.

use super::{check_grads, clip_grad_norm, OptimError, Optimizer};
use serde::{Deserialize, Serialize};

/// SGD: v ← μ v + g; θ ← θ − lr v (μ = 0: plain gradient descent).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Sgd {
    /// Learning rate.
    pub lr: f64,
    /// Momentum μ in [0, 1).
    pub momentum: f64,
    /// Clip the gradient to this global norm before the update.
    pub clip_norm: Option<f64>,
    velocity: Vec<f64>,
}

impl Sgd {
    /// Plain gradient descent with learning rate `lr`.
    pub fn new(lr: f64) -> Self {
        Sgd {
            lr,
            momentum: 0.0,
            clip_norm: None,
            velocity: Vec::new(),
        }
    }

    /// With heavy-ball momentum `momentum`.
    pub fn with_momentum(lr: f64, momentum: f64) -> Self {
        Sgd {
            momentum,
            ..Sgd::new(lr)
        }
    }
}

impl Optimizer for Sgd {
    fn step_slice(&mut self, params: &mut [f64], grads: &[f64]) -> Result<(), OptimError> {
        check_grads(params, grads)?;
        if self.lr.is_nan() || self.lr <= 0.0 {
            return Err(OptimError::InvalidConfig {
                name: "lr",
                value: self.lr,
            });
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return Err(OptimError::InvalidConfig {
                name: "momentum",
                value: self.momentum,
            });
        }
        let mut g = grads.to_vec();
        if let Some(c) = self.clip_norm {
            clip_grad_norm(&mut g, c);
        }
        if self.velocity.len() != params.len() {
            self.velocity = vec![0.0; params.len()];
        }
        for i in 0..params.len() {
            self.velocity[i] = self.momentum * self.velocity[i] + g[i];
            params[i] -= self.lr * self.velocity[i];
        }
        Ok(())
    }

    fn learning_rate(&self) -> f64 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr;
    }
}
