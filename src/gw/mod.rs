//! Gravitational-wave physics: frequency-domain waveforms, detectors,
//! noise PSDs and the likelihood.

pub mod constants;
pub mod error;
pub mod waveforms;

pub use error::{GwError, GwResult};
