//! Gradient-based optimizers: Adam, AdamW (decoupled weight decay) and SGD
//! with momentum, all with optional clipping by global gradient norm.
//!
//! Optimizers work on one flat `f64` parameter vector ([`Optimizer::step_slice`]);
//! [`Optimizer::step_tensors`] flattens a set of parameter tensors into it,
//! so one optimizer state serves a whole model. The state derives serde
//! traits so it can be checkpointed with the model.

mod adam;
mod clip;
mod sgd;

pub use adam::{Adam, AdamConfig};
pub use clip::{clip_grad_norm, global_norm};
pub use sgd::Sgd;

use ferrax_autodiff::{AdError, Tensor};

/// Errors of the optimizers.
#[derive(Debug, thiserror::Error)]
pub enum OptimError {
    /// Parameters and gradients differ in count or length.
    #[error("optimizer: {what}: expected {expected}, got {got}")]
    Mismatch {
        /// What was compared.
        what: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// A gradient component is NaN or infinite.
    #[error("optimizer: gradient component {index} is not finite ({value})")]
    NonFiniteGradient {
        /// Flat index into the parameter vector.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A hyper-parameter is out of range.
    #[error("optimizer: invalid {name} = {value}")]
    InvalidConfig {
        /// The hyper-parameter.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// From the autodiff core (reading tensors).
    #[error(transparent)]
    Autodiff(#[from] AdError),
}

/// A first-order optimizer over one flat parameter vector.
pub trait Optimizer {
    /// Updates `params` in place from `grads` (same length; the gradient of
    /// the loss to minimise).
    fn step_slice(&mut self, params: &mut [f64], grads: &[f64]) -> Result<(), OptimError>;

    /// The current learning rate.
    fn learning_rate(&self) -> f64;

    /// Changes the learning rate (for schedules).
    fn set_learning_rate(&mut self, lr: f64);

    /// Updates a set of parameter tensors from their gradients: the tensors
    /// are replaced by new (untracked) tensors of the same shapes.
    fn step_tensors(&mut self, params: &mut [Tensor], grads: &[Tensor]) -> Result<(), OptimError> {
        if params.len() != grads.len() {
            return Err(OptimError::Mismatch {
                what: "number of gradient tensors",
                expected: params.len(),
                got: grads.len(),
            });
        }
        let mut flat = Vec::new();
        let mut gflat = Vec::new();
        for (p, g) in params.iter().zip(grads) {
            let (pv, gv) = (p.to_vec()?, g.to_vec()?);
            if pv.len() != gv.len() {
                return Err(OptimError::Mismatch {
                    what: "gradient tensor length",
                    expected: pv.len(),
                    got: gv.len(),
                });
            }
            flat.extend_from_slice(&pv);
            gflat.extend_from_slice(&gv);
        }
        self.step_slice(&mut flat, &gflat)?;
        let mut off = 0;
        for p in params.iter_mut() {
            let n = p.numel();
            *p = Tensor::from_vec(flat[off..off + n].to_vec(), p.shape())?;
            off += n;
        }
        Ok(())
    }
}

pub(crate) fn check_grads(params: &[f64], grads: &[f64]) -> Result<(), OptimError> {
    if params.len() != grads.len() {
        return Err(OptimError::Mismatch {
            what: "gradient length",
            expected: params.len(),
            got: grads.len(),
        });
    }
    if let Some((index, &value)) = grads.iter().enumerate().find(|(_, g)| !g.is_finite()) {
        return Err(OptimError::NonFiniteGradient { index, value });
    }
    Ok(())
}
