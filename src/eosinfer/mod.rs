//! Bayesian inference of the dense-matter equation of state from neutron-star
//! observations (`ferrax eos-infer`), with a full TOV solve for every EOS the
//! sampler visits.
//!
//! * [`params`]: the metamodel + CSE parameters, their uniform prior box
//!   (jester's ranges by default) and the map from the unit cube.
//! * [`kde`]: Gaussian kernel density estimates of released posterior samples,
//!   conditioned on the stars' masses, with pre-sampled masses.
//! * [`likelihood`]: the terms (NICER mass–radius, GW tidal deformability,
//!   radio-pulsar mass, chiral-EFT band) and the evaluation of one EOS into a
//!   log-likelihood, derived quantities, or a counted rejection reason.
//! * [`data`]: the observations shipped with ferrax (subsampled) and loaders.
//! * [`sampler`]: the ensemble differential-evolution MCMC with checkpoints.
//! * [`config`], [`run`], [`plots`]: the command-line job and its outputs.

pub mod config;
pub mod data;
pub mod kde;
pub mod likelihood;
pub mod params;
pub mod plots;
pub mod run;
pub mod sampler;

pub use config::EosInferConfig;
pub use likelihood::{Derived, EosModel, Outcome, Rejection};
pub use params::PriorBox;
pub use run::{run_eos_infer, EosInferOptions};

/// Errors of EOS inference: configuration, data and sampler state.
#[derive(Debug, thiserror::Error)]
pub enum EosInferError {
    /// A TOML configuration that does not parse or has unknown keys.
    #[error("{origin}: {msg}")]
    Parse {
        /// The file (or `<built-in>`).
        origin: String,
        /// What is wrong.
        msg: String,
    },
    /// A setting with an invalid value, naming the key.
    #[error("invalid config key {key}: {msg}")]
    Config {
        /// The dotted key, e.g. `prior.K_sat`.
        key: String,
        /// What is wrong.
        msg: String,
    },
    /// Observation samples that cannot be used, naming the source.
    #[error("observation data {source_name}: {msg}")]
    Data {
        /// The file or built-in data set.
        source_name: String,
        /// What is wrong.
        msg: String,
    },
    /// The output directory holds an earlier run.
    #[error(
        "{path}: holds the outputs of an earlier run; pass --force to overwrite or --resume to continue"
    )]
    Exists {
        /// The file found.
        path: String,
    },
    /// A checkpoint that cannot be decoded or does not match the configuration.
    #[error("checkpoint {path}: {msg}")]
    Checkpoint {
        /// The checkpoint file.
        path: String,
        /// What is wrong.
        msg: String,
    },
    /// No walker could be started on a physical EOS.
    #[error("initialisation: {0}")]
    Init(String),
}

impl EosInferError {
    /// A [`EosInferError::Config`] error for `key`.
    pub fn config(key: impl Into<String>, msg: impl Into<String>) -> Self {
        EosInferError::Config {
            key: key.into(),
            msg: msg.into(),
        }
    }
    /// A [`EosInferError::Data`] error for `source_name`.
    pub fn data(source_name: impl Into<String>, msg: impl Into<String>) -> Self {
        EosInferError::Data {
            source_name: source_name.into(),
            msg: msg.into(),
        }
    }
}
