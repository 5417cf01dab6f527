//! MCMC over many chains at once: MALA, HMC and Gaussian random-walk kernels
//! with step-size and (diagonal or dense) mass-matrix adaptation, batched log-density
//! evaluation ([`LogDensity`]), convergence diagnostics (split-R̂, ESS), the
//! benchmark targets as JSON specs, and the flow-enhanced sampler.

pub mod adapt;
pub mod density;
pub mod diagnostics;
pub mod flowmc;

pub mod job;
pub mod kernels;
pub mod run;
pub mod summary;
pub mod targets;

pub use density::{FnDensity, LogDensity, TensorDensity};
pub use kernels::{Chains, KernelKind, LocalKernel};
pub use run::{run_local, LocalRunConfig, SampleSet};
pub use targets::{Target, TargetSpec};

/// Errors of the samplers.
#[derive(Debug, thiserror::Error)]
pub enum SamplerError {
    /// Buffers or arrays of inconsistent sizes.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// An invalid setting, naming it.
    #[error("invalid {name}: {msg}")]
    Invalid {
        /// The parameter or key.
        name: String,
        /// What is wrong.
        msg: String,
    },
    /// The log-density is not finite where it must be (e.g. at the start).
    #[error("log-density not finite: {0}")]
    NotFinite(String),
    /// From the autodiff core.
    #[error(transparent)]
    Autodiff(#[from] ferrax_autodiff::AdError),
    /// From a normalizing flow.
    #[error(transparent)]
    Flow(#[from] crate::flows::FlowError),
    /// Writing outputs or checkpoints.
    #[error(transparent)]
    Io(#[from] crate::io::AtomicWriteError),
    /// A checkpoint that cannot be decoded.
    #[error("checkpoint {path}: {msg}")]
    Checkpoint {
        /// The checkpoint file.
        path: String,
        /// What is wrong.
        msg: String,
    },
}

impl SamplerError {
    /// An [`SamplerError::Invalid`] for `name`.
    pub fn invalid(name: impl Into<String>, msg: impl Into<String>) -> Self {
        SamplerError::Invalid {
            name: name.into(),
            msg: msg.into(),
        }
    }
}
