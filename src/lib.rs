//! # ferrax
//!
//! Differentiable programming for Bayesian inference in gravitational-wave
//! and neutron-star physics. The physics and inference live here, one module
//! per concern, on top of [`ferrax_autodiff`] (tensors, tape, dual numbers)
//! and [`ferrax_solvers`] (ODE solvers, optimizers).
#![warn(missing_docs)]

pub mod cli;
pub mod compress;
pub mod eos;
pub mod eosinfer;
pub mod error;
pub mod evidence;
pub mod flows;
pub(crate) mod gemm;
pub mod gw;
pub mod io;
pub mod pe;
pub mod plot;
pub mod prior;
pub mod samplers;
pub mod strain;
pub mod surrogates;
pub mod tov;

pub use error::{Error, Result};
pub use ferrax_autodiff as autodiff;
pub use ferrax_solvers as solvers;
