//! Errors of the gravitational-wave module.

/// An error from waveform generation, detectors, PSDs or likelihoods.
#[derive(Debug, thiserror::Error)]
pub enum GwError {
    /// A physical parameter outside its allowed range (or NaN).
    #[error("invalid parameter {name} = {value}: {msg}")]
    Parameter {
        /// The parameter's name (e.g. `m1`, `chi2`, `lambda1`).
        name: &'static str,
        /// Its value.
        value: f64,
        /// What is wrong.
        msg: &'static str,
    },
    /// A frequency array that is empty, unsorted, negative or not finite.
    #[error("invalid frequencies: {0}")]
    Frequencies(String),
    /// An unknown or unsupported approximant name.
    #[error("unknown approximant {0:?}")]
    Approximant(String),
    /// Inconsistent array lengths or other malformed input.
    #[error("invalid input {name}: {msg}")]
    Input {
        /// The input (array, key, detector...).
        name: String,
        /// What is wrong.
        msg: String,
    },
    /// From the autodiff core (tape path).
    #[error(transparent)]
    Autodiff(#[from] ferrax_autodiff::AdError),
}

/// Result alias of the gravitational-wave module.
pub type GwResult<T> = std::result::Result<T, GwError>;
