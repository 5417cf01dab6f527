//! The top-level error of the `ferrax` crate. Each module has its own typed
//! error; this one wraps them for the command line.

/// Any error a ferrax command can report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// From the autodiff core.
    #[error(transparent)]
    Autodiff(#[from] ferrax_autodiff::AdError),
    /// From the gravitational-wave module.
    #[error(transparent)]
    Gw(#[from] crate::gw::GwError),
    /// From the time/distance-marginalised likelihood.
    #[error(transparent)]
    Margin(#[from] crate::gw::marginalised::MarginError),
    /// From the prior module.
    #[error(transparent)]
    Prior(#[from] crate::prior::PriorError),
    /// Reading or writing a `.npy` array.
    #[error(transparent)]
    Npy(#[from] crate::io::NpyError),
    /// An atomic file write.
    #[error(transparent)]
    AtomicWrite(#[from] crate::io::AtomicWriteError),
    /// From the samplers.
    #[error(transparent)]
    Sampler(#[from] crate::samplers::SamplerError),
    /// From the evidence estimator.
    #[error(transparent)]
    Evidence(#[from] crate::evidence::EvidenceError),
    /// From a normalizing flow.
    #[error(transparent)]
    Flow(#[from] crate::flows::FlowError),
    /// Drawing a figure.
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
    /// From an EOS construction.
    #[error(transparent)]
    Eos(#[from] crate::eos::EosError),
    /// From a TOV solve or family.
    #[error(transparent)]
    Tov(#[from] crate::tov::TovError),
    /// From a parameter-estimation run (configuration, output directory).
    #[error(transparent)]
    Pe(#[from] crate::pe::PeError),
    /// From a surrogate model (afterglow light curves).
    #[error(transparent)]
    Surrogate(#[from] crate::surrogates::SurrogateError),
    /// From posterior compression (flow files).
    #[error(transparent)]
    Compress(#[from] crate::compress::CompressError),
    /// Reading or conditioning detector strain data.
    #[error(transparent)]
    Strain(#[from] crate::strain::StrainError),
    /// From an EOS-inference run (configuration, data, checkpoint).
    #[error(transparent)]
    EosInfer(#[from] crate::eosinfer::EosInferError),
    /// Reading or writing a file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A malformed input file (JSON/TOML/npy), naming the file and the problem.
    #[error("{path}: {msg}")]
    Input {
        /// The file.
        path: String,
        /// What is wrong.
        msg: String,
    },
    /// An invalid parameter or option, naming it.
    #[error("invalid {name}: {msg}")]
    Invalid {
        /// The parameter, key or option.
        name: String,
        /// What is wrong.
        msg: String,
    },
}

/// Result alias of the `ferrax` crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An `Io` error for `path`.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
    /// An `Invalid` error for parameter `name`.
    pub fn invalid(name: impl Into<String>, msg: impl Into<String>) -> Self {
        Error::Invalid {
            name: name.into(),
            msg: msg.into(),
        }
    }
}
