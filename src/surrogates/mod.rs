//! Neural surrogates of expensive electromagnetic models.
//!
//! [`afterglow`]: an MLP emulating afterglowpy gamma-ray-burst afterglow
//! light curves on a (band × time) grid, with the time-stretch symmetry of
//! afterglowpy's model folded in ([`stretch`]), [`interp`] to arbitrary
//! observation points, [`dataset`] (the afterglowpy training data),
//! [`train`] (minibatch Adam with the batched hand-written gradients of
//! [`backprop`], optionally on time-stretched copies of the light curves,
//! [`augment`]; ensembles of independently trained networks), the EM
//! likelihood in AB magnitudes ([`em`]) and fast posterior sampling
//! ([`infer`]). Trained models for the top-hat and Gaussian jets are built
//! into the library ([`AfterglowSurrogate::builtin`], [`model_file`]).

pub mod accuracy;
pub mod afterglow;
pub mod augment;
pub mod backprop;
pub mod compression;
pub mod dataset;
pub mod em;
mod epoch_rows;
pub mod infer;
pub mod interp;
pub mod mlp;
pub mod model_file;
pub mod plot;
pub mod stretch;
pub mod train;

pub use afterglow::{
    log_flux_to_mag, Accuracy, AfterglowSurrogate, Band, EnergyDensityScaling, Jet, ParamSpec,
    AB_MJY_ZERO_POINT,
};
pub use em::{EmLikelihood, Observations};
pub use mlp::{Activation, Mlp};

/// Errors of the surrogates, naming the parameter, file or point at fault.
#[derive(Debug, thiserror::Error)]
pub enum SurrogateError {
    /// An invalid value or option, naming it.
    #[error("invalid {name}: {msg}")]
    Invalid {
        /// The parameter, key or option.
        name: String,
        /// What is wrong.
        msg: String,
    },
    /// A parameter outside the range the surrogate was trained on.
    #[error("parameter {name} = {value} is outside the training range [{min}, {max}]; the surrogate does not extrapolate")]
    OutOfRange {
        /// The parameter.
        name: String,
        /// Its value.
        value: f64,
        /// Lower edge of the range.
        min: f64,
        /// Upper edge of the range.
        max: f64,
    },
    /// A malformed file (model, data set, observations).
    #[error("{path}: {msg}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        msg: String,
    },
    /// Reading a file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Reading a `.npy` array.
    #[error(transparent)]
    Npy(#[from] crate::io::NpyError),
    /// An atomic write.
    #[error(transparent)]
    Write(#[from] crate::io::AtomicWriteError),
    /// From the autodiff core.
    #[error(transparent)]
    Autodiff(#[from] ferrax_autodiff::AdError),
    /// From the optimizer.
    #[error(transparent)]
    Optim(#[from] ferrax_solvers::optim::OptimError),
    /// From the samplers.
    #[error(transparent)]
    Sampler(#[from] crate::samplers::SamplerError),
    /// Drawing a figure.
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
}

impl SurrogateError {
    /// An [`SurrogateError::Invalid`] for `name`.
    pub fn invalid(name: impl Into<String>, msg: impl Into<String>) -> Self {
        SurrogateError::Invalid {
            name: name.into(),
            msg: msg.into(),
        }
    }
}
