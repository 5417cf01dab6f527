//! Normalizing flows on the autodiff tape: masked coupling flows with affine
//! (RealNVP; Dinh et al. 2017) or rational-quadratic spline (Durkan et al.
//! 2019) transforms, with data standardisation, log-density, sampling, Adam
//! training and save/load.

pub mod coupling;
pub mod spline;
pub mod train;

pub use coupling::{Activation, CouplingFlow, FlowConfig, MaskScheme, Param, Transform};
pub use ferrax_solvers::optim::{Adam, AdamConfig};
pub use train::{train_flow, TrainConfig, TrainReport};

/// Errors of the flows.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// Inputs of inconsistent sizes.
    #[error("flow shape mismatch: {0}")]
    Shape(String),
    /// An invalid setting, naming it.
    #[error("invalid flow {name}: {msg}")]
    Invalid {
        /// The setting.
        name: String,
        /// What is wrong.
        msg: String,
    },
    /// Training produced a non-finite loss.
    #[error("flow training diverged: {0}")]
    Diverged(String),
    /// From the autodiff core.
    #[error(transparent)]
    Autodiff(#[from] ferrax_autodiff::AdError),
    /// From the optimizer.
    #[error(transparent)]
    Optim(#[from] ferrax_solvers::optim::OptimError),
    /// Saving or loading a flow.
    #[error("{path}: {msg}")]
    Io {
        /// The file.
        path: String,
        /// What failed.
        msg: String,
    },
}
