//! User-defined fused ops with their own forward, VJP and (optionally) JVP.
//!
//! Use one where the op-by-op form is slow: an RK stage, a spline bin
//! lookup, a waveform phase evaluated per frequency with dual numbers. The
//! forward and the rules receive constant tensors (nothing inside them is
//! recorded) and return plain tensors.

use crate::error::{AdError, Result};
use crate::tape::Op;
use crate::tensor::Tensor;
use std::rc::Rc;

/// A fused differentiable operation with one output.
pub trait CustomOp {
    /// Name used in error messages.
    fn name(&self) -> &str;
    /// The output for these inputs.
    fn forward(&self, inputs: &[Tensor]) -> Result<Tensor>;
    /// Gradients with respect to each input (`None` = no gradient), given the
    /// inputs, the forward output and the cotangent of the output.
    fn vjp(&self, inputs: &[Tensor], output: &Tensor, grad_output: &Tensor) -> Result<Vec<Option<Tensor>>>;
    /// Tangent of the output given tangents of the inputs (`None` = zero).
    /// Needed only for [`jvp`](crate::jvp) through this op.
    fn jvp(&self, inputs: &[Tensor], output: &Tensor, tangents: &[Option<Tensor>]) -> Result<Tensor> {
        let _ = (inputs, output, tangents);
        Err(AdError::CustomOp {
            name: self.name().to_string(),
            msg: "no jvp rule (forward mode) implemented".into(),
        })
    }
}

/// Applies a custom op to `inputs`, recording it when any input is tracked.
pub fn apply_custom(op: Rc<dyn CustomOp>, inputs: &[Tensor]) -> Tensor {
    if let Some(p) = inputs.iter().find(|t| t.err().is_some()) {
        return p.clone();
    }
    let consts: Vec<Tensor> = inputs.iter().map(|t| t.detach()).collect();
    let out = match crate::tape::paused(|| op.forward(&consts)).and_then(|t| t.check()) {
        Ok(t) => t,
        Err(e) => return Tensor::error(e),
    };
    let refs: Vec<&Tensor> = inputs.iter().collect();
    let storage = out.storage().clone();
    let shape = out.0.shape.clone();
    Tensor::make("custom", storage, shape, &refs, || Op::Custom {
        op: op.clone(),
        inputs: inputs.to_vec(),
    })
}
