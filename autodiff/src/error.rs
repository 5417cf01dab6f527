//! Typed errors of the autodiff core.

use crate::shape::Shape;

/// Everything that can go wrong inside `ferrax-autodiff`. Every variant names
/// the operation and, where shapes are involved, the shapes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AdError {
    /// Two operands whose shapes do not broadcast or do not fit the op.
    #[error("{op}: shape mismatch between {lhs:?} and {rhs:?}")]
    ShapeMismatch {
        /// The operation.
        op: &'static str,
        /// Shape of the first operand.
        lhs: Shape,
        /// Shape of the second operand.
        rhs: Shape,
    },
    /// A gradient was requested of a tensor with more than one element.
    #[error("{op}: expected a scalar (one element), got shape {shape:?}")]
    NotScalar {
        /// The operation.
        op: &'static str,
        /// The offending shape.
        shape: Shape,
    },
    /// An op produced NaN or ±Inf while NaN checking was on.
    #[error(
        "{op}: produced a non-finite value (first at flat index {index}) from inputs of shape {shapes:?}"
    )]
    NonFinite {
        /// The operation.
        op: &'static str,
        /// Flat index of the first non-finite output element.
        index: usize,
        /// Shapes of the op's inputs.
        shapes: Vec<Shape>,
    },
    /// An argument outside the op's domain (an axis, an index, a length).
    #[error("{op}: invalid argument: {msg}")]
    InvalidArgument {
        /// The operation.
        op: &'static str,
        /// What was wrong.
        msg: String,
    },
    /// Tapes cannot be nested on one thread (a `grad` inside a `grad`).
    #[error("{op}: a tape is already recording on this thread (nested differentiation is not supported)")]
    NestedTape {
        /// The operation.
        op: &'static str,
    },
    /// A custom op does not provide the requested rule.
    #[error("custom op {name}: {msg}")]
    CustomOp {
        /// The custom op's name.
        name: String,
        /// What failed.
        msg: String,
    },
    /// Operands on different devices.
    #[error("{op}: operands on different devices ({lhs} and {rhs})")]
    DeviceMismatch {
        /// The operation.
        op: &'static str,
        /// Device of the first operand.
        lhs: String,
        /// Device of the second operand.
        rhs: String,
    },
    /// A device (driver, kernel compilation, memory) failure.
    #[error("device error: {0}")]
    Device(String),
}

/// Result alias of the autodiff core.
pub type Result<T> = std::result::Result<T, AdError>;
