//! IMRPhenomPv2 on the autodiff tape: a [`CustomOp`] whose forward pass is
//! the f64 model and whose vector-Jacobian product contracts exact
//! `Dual<11>` Jacobians (one forward-mode pass per parameter set) with the
//! cotangent. Batched over parameter sets. The aligned-spin models use
//! [`super::tape::WaveformOp`]; this op carries the six spin components.
//!
//! Input: a tensor `[B, 11]` of parameter sets in the order of
//! [`PRECESSING_TAPE_PARAMS`]. Output: `[B, 4, F]` with rows Re h+, Im h+,
//! Re h×, Im h× on the op's frequency array.

use std::rc::Rc;

use super::phenomp::{PhenomPv2, PrecessingInputs};
use super::tape::{parameter_rows, polarization_rows, polarization_rows_vjp};
use super::{validate_frequencies, Approximant, WaveformParams};
use crate::gw::GwResult;
use ferrax_autodiff::{apply_custom, CustomOp, Scalar, Tensor};

/// Number of parameters per set of the precessing op.
pub const N_PRECESSING_PARAMS: usize = 11;
/// Parameter order of the precessing op (masses M☉, spins dimensionless in
/// the L̂₀ frame at f_ref, distance Mpc, angles rad).
pub const PRECESSING_TAPE_PARAMS: [&str; N_PRECESSING_PARAMS] = [
    "m1",
    "m2",
    "chi1x",
    "chi1y",
    "chi1z",
    "chi2x",
    "chi2y",
    "chi2z",
    "distance_mpc",
    "phi_ref",
    "inclination",
];

/// The IMRPhenomPv2 custom op.
#[derive(Debug, Clone)]
pub struct PrecessingWaveformOp {
    frequencies: Rc<Vec<f64>>,
    f_ref: f64,
}

impl PrecessingWaveformOp {
    /// An IMRPhenomPv2 op on `frequencies` [Hz] with reference frequency
    /// `f_ref` [Hz].
    pub fn new(frequencies: Vec<f64>, f_ref: f64) -> GwResult<Self> {
        validate_frequencies(&frequencies)?;
        Ok(Self {
            frequencies: Rc::new(frequencies),
            f_ref,
        })
    }

    /// The [`WaveformParams`] of one row (for validation).
    pub fn params_of(&self, row: &[f64]) -> WaveformParams {
        WaveformParams {
            m1: row[0],
            m2: row[1],
            chi1x: row[2],
            chi1y: row[3],
            chi1z: row[4],
            chi2x: row[5],
            chi2y: row[6],
            chi2z: row[7],
            distance_mpc: row[8],
            phi_ref: row[9],
            inclination: row[10],
            f_ref: self.f_ref,
            ..Default::default()
        }
    }

    /// `[Re h+, Im h+, Re h×, Im h×]` per frequency on any scalar.
    pub fn eval<T: Scalar>(&self, p: &[T; N_PRECESSING_PARAMS]) -> Vec<[T; 4]> {
        let inputs = PrecessingInputs {
            m1: p[0],
            m2: p[1],
            chi1: [p[2], p[3], p[4]],
            chi2: [p[5], p[6], p[7]],
            distance_mpc: p[8],
            phi_ref: p[9],
            inclination: p[10],
        };
        PhenomPv2::new(&inputs, self.f_ref).polarizations(&self.frequencies)
    }

    fn rows(&self, x: &Tensor) -> ferrax_autodiff::Result<(usize, Vec<f64>)> {
        parameter_rows::<N_PRECESSING_PARAMS>(x, "waveform_precessing", |row| {
            self.params_of(row)
                .validate(Approximant::IMRPhenomPv2)
                .map_err(|e| e.to_string())
        })
    }

    /// Applies the op to a `[B, 11]` parameter tensor (tracked or not).
    pub fn apply(self: &Rc<Self>, params: &Tensor) -> Tensor {
        apply_custom(self.clone(), std::slice::from_ref(params))
    }
}

impl CustomOp for PrecessingWaveformOp {
    fn name(&self) -> &str {
        "waveform_precessing"
    }

    fn forward(&self, inputs: &[Tensor]) -> ferrax_autodiff::Result<Tensor> {
        let (_, v) = self.rows(&inputs[0])?;
        polarization_rows::<N_PRECESSING_PARAMS>(&v, self.frequencies.len(), |p| self.eval(p))
    }

    fn vjp(
        &self,
        inputs: &[Tensor],
        _output: &Tensor,
        grad_output: &Tensor,
    ) -> ferrax_autodiff::Result<Vec<Option<Tensor>>> {
        let (_, v) = self.rows(&inputs[0])?;
        let g = grad_output.to_vec()?;
        let grad =
            polarization_rows_vjp::<N_PRECESSING_PARAMS>(&v, self.frequencies.len(), &g, |x| self.eval(x))?;
        Ok(vec![Some(grad)])
    }
}
