//! # ferrax-autodiff
//!
//! A tape-based automatic-differentiation core over `f64` tensors.
//!
//! * [`Tensor`]: values with a runtime shape on a [`Device`]; cheap clones.
//! * A per-thread tape records ops of tracked tensors only; [`grad`],
//!   [`value_and_grad`], [`value_and_grads`], [`vjp`] (reverse mode) and
//!   [`jvp`] (forward mode) run functions on it.
//! * [`CustomOp`] registers fused ops with hand-written rules.
//! * [`Real`] lets one formula run on `f64`, [`Dual`] numbers, scalar-tape
//!   [`Var`]s and tensors.
//! * [`scalar_value_and_grad`]: reverse mode for scalar code on a lean tape.
//! * [`check_gradients`] compares with finite differences.
//!
//! ```
//! use ferrax_autodiff::{value_and_grad, Tensor};
//! let x = Tensor::from_slice(&[0.5, 1.5]);
//! let (v, g) = value_and_grad(|x| (x * x + x.sin()).sum_all(), &x).unwrap();
//! assert!((v - (0.25 + 2.25 + 0.5f64.sin() + 1.5f64.sin())).abs() < 1e-15);
//! let g = g.to_vec().unwrap();
//! assert!((g[0] - (1.0 + 0.5f64.cos())).abs() < 1e-15);
//! ```
#![warn(missing_docs)]

mod backward;
pub mod complex;
pub mod cpu;
#[cfg(feature = "cuda")]
pub mod cuda;
pub mod custom;
pub mod device;
pub mod dual;
pub mod error;
pub mod fastmath;
mod forward;
pub mod functional;
pub mod gradcheck;
pub mod kinds;
mod ops;
mod overload;
pub mod pool;
pub mod real;
pub mod scalar;
pub mod shape;
mod tape;
mod tensor;

pub use complex::ComplexTensor;
pub use custom::{apply_custom, CustomOp};
pub use device::{Device, Storage};
pub use dual::Dual;
pub use error::{AdError, Result};
pub use functional::{grad, jvp, value_and_grad, value_and_grads, vjp, IntoTensorResult, Pullback};
pub use gradcheck::{check_gradients, GradCheckOptions, GradCheckReport};
pub use kinds::{BinaryKind, CmpKind, UnaryKind};
pub use real::{Real, Scalar};
pub use scalar::{scalar_value_and_grad, Var};
pub use shape::Shape;
pub use tape::{check_finite_enabled, set_check_finite};
pub use tensor::Tensor;
