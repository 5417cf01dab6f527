//! Adam (Kingma & Ba 2015, Algorithm 1) on flat `f64` parameter vectors,
//! with optional clipping of the gradient by its global norm; serialisable
//! so that checkpoints hold the optimizer state.

use serde::{Deserialize, Serialize};

/// Adam settings.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct AdamConfig {
    /// Learning rate.
    pub lr: f64,
    /// First-moment decay β₁.
    pub beta1: f64,
    /// Second-moment decay β₂.
    pub beta2: f64,
    /// Denominator offset ε.
    pub eps: f64,
    /// Clip the gradient to this global L2 norm, if set.
    pub clip_norm: Option<f64>,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            clip_norm: Some(1.0),
        }
    }
}

/// Adam state for a list of parameter vectors.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Adam {
    /// Settings.
    pub config: AdamConfig,
    m: Vec<Vec<f64>>,
    v: Vec<Vec<f64>>,
    t: u64,
}

impl Adam {
    /// Fresh state for parameters of the given sizes.
    pub fn new(config: AdamConfig, sizes: &[usize]) -> Self {
        Adam {
            config,
            m: sizes.iter().map(|&n| vec![0.0; n]).collect(),
            v: sizes.iter().map(|&n| vec![0.0; n]).collect(),
            t: 0,
        }
    }

    /// One update of `params` with `grads` (same layout).
    pub fn step(&mut self, params: &mut [Vec<f64>], grads: &[Vec<f64>]) {
        let c = self.config;
        let norm = grads.iter().flatten().map(|g| g * g).sum::<f64>().sqrt();
        let scale = match c.clip_norm {
            Some(max) if norm > max && norm > 0.0 => max / norm,
            _ => 1.0,
        };
        self.t += 1;
        let b1t = 1.0 - c.beta1.powi(self.t as i32);
        let b2t = 1.0 - c.beta2.powi(self.t as i32);
        for (k, (p, g)) in params.iter_mut().zip(grads).enumerate() {
            for i in 0..p.len() {
                let gi = g[i] * scale;
                self.m[k][i] = c.beta1 * self.m[k][i] + (1.0 - c.beta1) * gi;
                self.v[k][i] = c.beta2 * self.v[k][i] + (1.0 - c.beta2) * gi * gi;
                let mh = self.m[k][i] / b1t;
                let vh = self.v[k][i] / b2t;
                p[i] -= c.lr * mh / (vh.sqrt() + c.eps);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_a_quadratic() {
        let mut p = vec![vec![3.0, -2.0]];
        let mut opt = Adam::new(
            AdamConfig {
                lr: 0.05,
                clip_norm: None,
                ..Default::default()
            },
            &[2],
        );
        for _ in 0..2000 {
            let g = vec![vec![2.0 * (p[0][0] - 1.0), 8.0 * p[0][1]]];
            opt.step(&mut p, &g);
        }
        assert!(
            (p[0][0] - 1.0).abs() < 1e-3 && p[0][1].abs() < 1e-3,
            "{:?}",
            p
        );
    }
}
