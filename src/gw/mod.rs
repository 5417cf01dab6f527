//! Gravitational-wave physics: frequency-domain waveforms, detectors,
//! noise PSDs and the network likelihood.

pub mod constants;
pub mod detector;
pub mod error;
pub mod likelihood;
pub mod marginalised;
pub mod psd;
pub mod reference_io;
pub mod relative_binning;
pub mod time;
pub mod waveforms;

pub use error::{GwError, GwResult};
