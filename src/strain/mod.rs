//! Detector strain data: reading the files GWOSC serves (HDF5 and gzipped
//! text) with their GPS bookkeeping and data-quality bits, frequency-domain
//! strain files (two/three-column text, `.npy`), and conditioning for a
//! likelihood: segment selection around a trigger, Tukey window, real FFT,
//! Welch PSD estimation from off-source data, whitening, and figures.

pub mod conditioning;
pub mod plots;
pub mod series;

pub use conditioning::{
    median_bias, rfft_strain, tukey, welch_periodograms, Averaging, FrequencySeries, WelchOptions,
    WelchWindow,
};
pub use series::{DataQuality, StrainSeries};

/// Errors reading or conditioning strain data. Each names the file (or the
/// setting) and the problem, on one line.
#[derive(Debug, thiserror::Error)]
pub enum StrainError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A malformed or corrupt HDF5 file.
    #[error(transparent)]
    Hdf5(#[from] crate::io::hdf5::Hdf5Error),
    /// A malformed `.npy` file.
    #[error("{file}: {source}")]
    Npy {
        /// The file.
        file: String,
        /// The underlying error.
        source: crate::io::NpyError,
    },
    /// A malformed text file or inconsistent metadata.
    #[error("{file}: {msg}")]
    Format {
        /// The file.
        file: String,
        /// What is wrong.
        msg: String,
    },
    /// The file's sample rate is not the one the analysis asks for.
    #[error("{file}: sample rate {found} Hz, but the analysis needs {expected} Hz")]
    SampleRate {
        /// The file.
        file: String,
        /// The file's rate [Hz].
        found: f64,
        /// The configured rate [Hz].
        expected: f64,
    },
    /// A requested time span is not inside the file.
    #[error("{file}: {what} [{t0}, {t1}] (GPS s) is not inside the file's span [{start}, {end}]")]
    OutsideFile {
        /// The file.
        file: String,
        /// What was asked for (e.g. "analysis segment").
        what: String,
        /// Requested start [GPS s].
        t0: f64,
        /// Requested end [GPS s].
        t1: f64,
        /// File start [GPS s].
        start: f64,
        /// File end [GPS s].
        end: f64,
    },
    /// NaN or infinite strain.
    #[error("{file}: strain sample {index} (GPS {gps}) is {value} (data gap or corrupt file)")]
    NonFinite {
        /// The file.
        file: String,
        /// Sample index.
        index: usize,
        /// Its GPS time [s].
        gps: f64,
        /// The value.
        value: f64,
    },
    /// Frequency-domain data that do not match the analysis grid.
    #[error("{file}: {msg}")]
    Grid {
        /// The file.
        file: String,
        /// What is wrong.
        msg: String,
    },
    /// An invalid setting, naming it.
    #[error("invalid {name}: {msg}")]
    Invalid {
        /// The setting.
        name: String,
        /// What is wrong.
        msg: String,
    },
    /// Drawing a figure.
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
}

/// Result alias of the strain module.
pub type StrainResult<T> = std::result::Result<T, StrainError>;
