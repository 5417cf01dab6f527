//! Typed failures of the ODE solvers.

/// Why an integration stopped before reaching its end point.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OdeError {
    /// The controller asked for a step smaller than `min_step`.
    #[error("step size underflow at t = {t}: step {dt:e} below the minimum {min_step:e} after {accepted} accepted steps")]
    StepSizeUnderflow {
        /// Time at which the step failed.
        t: f64,
        /// The step size requested.
        dt: f64,
        /// The configured minimum step size.
        min_step: f64,
        /// Steps accepted so far.
        accepted: usize,
    },
    /// `max_steps` (accepted + rejected) were taken before reaching `t1`.
    #[error("maximum number of steps ({max_steps}) reached at t = {t} before t1 = {t1}")]
    MaxSteps {
        /// The configured limit.
        max_steps: usize,
        /// Time reached.
        t: f64,
        /// The requested end time.
        t1: f64,
    },
    /// A NaN or infinity appeared in the state or its derivative.
    #[error("non-finite state (component {component}) at step {step}, t = {t}")]
    NonFinite {
        /// Number of accepted steps before the one where it appeared (0: the initial state).
        step: usize,
        /// Time at the start of that step.
        t: f64,
        /// Index of the first non-finite component.
        component: usize,
    },
    /// Invalid solver options (named).
    #[error("invalid ODE option {name}: {msg}")]
    InvalidOption {
        /// The option.
        name: &'static str,
        /// What is wrong.
        msg: String,
    },
}
