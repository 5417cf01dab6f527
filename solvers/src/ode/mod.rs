//! ODE solvers: the adaptive Dormand–Prince 5(4) method ([`Dopri5`]) with a
//! PI(D) step-size controller ([`ControllerOptions`]), dense output
//! ([`DenseOutput`]), step statistics ([`SolverStats`]) and typed errors
//! ([`OdeError`]).
//!
//! The solver is generic over the number type of a fixed-size state
//! `[T; D]`, `T: Scalar`: plain `f64`, forward-mode `Dual<N>` numbers
//! (sensitivities with respect to `N` parameters) and the reverse-mode
//! scalar tape `Var` (gradients by backpropagating through every recorded
//! stage of the accepted and rejected steps) share one code path and take
//! identical steps, because step-size control reads only `re()` and the
//! values of duals and tape numbers round exactly as `f64` does.
//! Batches of independent problems (many stars) are solved one after the
//! other, each with its own step size: the problems differ by orders of
//! magnitude in their stiffness, so a shared conservative step would waste
//! most of the work.

mod controller;
mod dense;
mod dopri5;
mod error;
pub mod tableau;

pub use controller::ControllerOptions;
pub use dense::{DenseOutput, DenseSegment};
pub use dopri5::{Dopri5, Solution, SolverStats};
pub use error::OdeError;
