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
//! Batches of independent problems (many stars) keep their own step sizes:
//! the problems differ by orders of magnitude in their stiffness, so a
//! shared conservative step would waste most of the work. For f64,
//! [`Dopri5Lanes`] advances `L` problems side by side in lanes (vectorised
//! stage arithmetic, per-lane step sizes, accept/reject and termination),
//! bit-for-bit equal to solving them one after the other with [`Dopri5`].

mod controller;
mod dense;
mod dopri5;
mod error;
mod lanes;
pub mod tableau;

pub use controller::ControllerOptions;
pub use dense::{DenseOutput, DenseSegment};
pub use dopri5::{Dopri5, Solution, SolverStats};
pub use error::OdeError;
pub use lanes::{Dopri5Lanes, LaneProblem, LaneSolution};
