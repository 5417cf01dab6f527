//! End-to-end parameter estimation of a compact-binary signal: build the
//! data (an injection into Gaussian or zero noise, or detector strain
//! files, e.g. GWOSC's), the relative-binning
//! likelihood around reference parameters found by gradient ascent, sample
//! the 11 aligned-spin parameters with the flow-enhanced sampler, and write
//! samples, summaries, plots and a checkpoint (`ferrax pe`).

pub mod config;
pub mod data;
pub mod density;
pub mod outputs;
pub mod pp;
pub mod run;
pub mod search;

pub use config::PeConfig;
pub use run::{run_pe, PeOptions};

/// Errors of a parameter-estimation run.
#[derive(Debug, thiserror::Error)]
pub enum PeError {
    /// A TOML file that does not parse or has unknown keys.
    #[error("{origin}{}: {msg}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Parse {
        /// The file (or `<built-in>`).
        origin: String,
        /// Line of the problem, if known.
        line: Option<usize>,
        /// What is wrong (names the key).
        msg: String,
    },
    /// A setting with an invalid value.
    #[error("invalid config key {key}: {msg}")]
    Config {
        /// The dotted key, e.g. `prior.chirp_mass`.
        key: String,
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
}
