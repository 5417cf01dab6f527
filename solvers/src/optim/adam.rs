//! Adam (Kingma & Ba 2015, Algorithm 1) and AdamW (Loshchilov & Hutter 2019,
//! Algorithm 2: weight decay decoupled from the gradient).

use super::{check_grads, clip_grad_norm, OptimError, Optimizer};
use serde::{Deserialize, Serialize};

/// Hyper-parameters of Adam / AdamW.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamConfig {
    /// Learning rate (step size) α.
    pub lr: f64,
    /// Decay rate of the first-moment estimate β₁.
    pub beta1: f64,
    /// Decay rate of the second-moment estimate β₂.
    pub beta2: f64,
    /// Denominator offset ε.
    pub eps: f64,
    /// Decoupled weight decay λ (AdamW); 0 gives plain Adam.
    pub weight_decay: f64,
    /// Clip the gradient to this global norm before the update.
    pub clip_norm: Option<f64>,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            clip_norm: None,
        }
    }
}

/// Adam / AdamW state: moment estimates and step count (serializable).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Adam {
    /// Hyper-parameters.
    pub config: AdamConfig,
    m: Vec<f64>,
    v: Vec<f64>,
    t: u64,
}

impl Adam {
    /// Adam with learning rate `lr` and default moments (0.9, 0.999, 1e-8).
    pub fn new(lr: f64) -> Self {
        Adam::with(AdamConfig {
            lr,
            ..AdamConfig::default()
        })
    }

    /// Adam/AdamW with explicit hyper-parameters.
    pub fn with(config: AdamConfig) -> Self {
        Adam {
            config,
            m: Vec::new(),
            v: Vec::new(),
            t: 0,
        }
    }

    /// Number of steps taken.
    pub fn steps(&self) -> u64 {
        self.t
    }

    fn validate(&self) -> Result<(), OptimError> {
        let c = &self.config;
        let checks = [
            ("lr", c.lr, c.lr > 0.0 && c.lr.is_finite()),
            ("beta1", c.beta1, (0.0..1.0).contains(&c.beta1)),
            ("beta2", c.beta2, (0.0..1.0).contains(&c.beta2)),
            ("eps", c.eps, c.eps > 0.0),
            ("weight_decay", c.weight_decay, c.weight_decay >= 0.0),
        ];
        for (name, value, ok) in checks {
            if !ok {
                return Err(OptimError::InvalidConfig { name, value });
            }
        }
        Ok(())
    }
}

impl Optimizer for Adam {
    fn step_slice(&mut self, params: &mut [f64], grads: &[f64]) -> Result<(), OptimError> {
        check_grads(params, grads)?;
        self.validate()?;
        if self.m.len() != params.len() {
            if self.t != 0 {
                return Err(OptimError::Mismatch {
                    what: "parameter count (changed between steps)",
                    expected: self.m.len(),
                    got: params.len(),
                });
            }
            self.m = vec![0.0; params.len()];
            self.v = vec![0.0; params.len()];
        }
        let mut g_owned;
        let g: &[f64] = match self.config.clip_norm {
            Some(c) => {
                g_owned = grads.to_vec();
                clip_grad_norm(&mut g_owned, c);
                &g_owned
            }
            None => grads,
        };
        self.t += 1;
        let c = &self.config;
        let b1t = 1.0 - c.beta1.powi(self.t.min(i32::MAX as u64) as i32);
        let b2t = 1.0 - c.beta2.powi(self.t.min(i32::MAX as u64) as i32);
        // The bias corrections folded into the step size and ε (Kingma & Ba
        // 2015, end of Sec. 2): m̂ / (√v̂ + ε) = (√b₂ₜ / b₁ₜ) m / (√v + ε √b₂ₜ),
        // one division and one square root per element instead of three
        // divisions and a root.
        let root_b2t = b2t.sqrt();
        let k = Step {
            lr: c.lr,
            beta1: c.beta1,
            beta2: c.beta2,
            step: root_b2t / b1t,
            eps: c.eps * root_b2t,
            weight_decay: c.weight_decay,
        };
        k.apply(params, &mut self.m, &mut self.v, g);
        Ok(())
    }

    fn learning_rate(&self) -> f64 {
        self.config.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.config.lr = lr;
    }
}

/// The per-element Adam update of one step, its bias corrections folded in.
#[derive(Clone, Copy)]
struct Step {
    lr: f64,
    beta1: f64,
    beta2: f64,
    step: f64,
    eps: f64,
    weight_decay: f64,
}

impl Step {
    /// The update of every element, on four-wide vectors when the CPU has
    /// AVX (the same operations, unfused, so the same numbers either way).
    fn apply(&self, params: &mut [f64], m: &mut [f64], v: &mut [f64], g: &[f64]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU has AVX (checked above).
            unsafe { self.apply_avx(params, m, v, g) };
            return;
        }
        self.apply_portable(params, m, v, g);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    unsafe fn apply_avx(&self, params: &mut [f64], m: &mut [f64], v: &mut [f64], g: &[f64]) {
        self.apply_portable(params, m, v, g);
    }

    #[inline(always)]
    fn apply_portable(&self, params: &mut [f64], m: &mut [f64], v: &mut [f64], g: &[f64]) {
        // zipped iterators (no bounds checks) let the loop vectorise
        for (((p, m), v), &gi) in params.iter_mut().zip(m).zip(v).zip(g) {
            *m = self.beta1 * *m + (1.0 - self.beta1) * gi;
            *v = self.beta2 * *v + (1.0 - self.beta2) * gi * gi;
            *p -= self.lr * (self.step * *m / (v.sqrt() + self.eps) + self.weight_decay * *p);
        }
    }
}
