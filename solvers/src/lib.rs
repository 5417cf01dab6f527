//! # ferrax-solvers
//!
//! Numerical solvers over ferrax numbers and tensors: the adaptive
//! Dormand–Prince ODE solver ([`ode`]) and gradient-based optimizers
//! ([`optim`]: Adam, AdamW, SGD with gradient clipping).
#![warn(missing_docs)]

pub mod ode;
pub mod optim;
