//! Waveforms on the autodiff tape: a [`CustomOp`] whose forward pass is the
//! f64 model and whose vector-Jacobian product contracts exact `Dual`
//! Jacobians (one forward-mode pass per parameter set) with the cotangent.
//! Batched over parameter sets.
//!
//! Input: a tensor `[B, 9]` of parameter sets in the order of
//! [`TAPE_PARAMS`]. Output: `[B, 4, F]` with rows Re h+, Im h+, Re h×, Im h×
//! on the op's frequency array.

use std::rc::Rc;

use super::nrtidal::NrTidalV2;
use super::phenomd::{AlignedInputs, PhenomD};
use super::phenomxas::{check_mass_ratio, PhenomXas, XasInputs};
use super::taylorf2::{TaylorF2, TaylorF2Inputs};
use super::{aligned_polarizations, validate_frequencies, Approximant, WaveformParams};
use crate::gw::{GwError, GwResult};
use ferrax_autodiff::{apply_custom, AdError, CustomOp, Dual, Scalar, Tensor};

/// Number of parameters per set on the tape.
pub const N_TAPE_PARAMS: usize = 9;
/// Parameter order of the tape op (masses M☉, distance Mpc, angles rad).
pub const TAPE_PARAMS: [&str; N_TAPE_PARAMS] = [
    "m1",
    "m2",
    "chi1z",
    "chi2z",
    "lambda1",
    "lambda2",
    "distance_mpc",
    "phi_ref",
    "inclination",
];

/// The waveform custom op (aligned-spin models).
#[derive(Debug, Clone)]
pub struct WaveformOp {
    approximant: Approximant,
    frequencies: Rc<Vec<f64>>,
    f_ref: f64,
}

/// Checks that `x` is a `[B, P]` parameter tensor and validates each row;
/// returns B and the values (row-major). Shared by the waveform ops.
pub(super) fn parameter_rows<const P: usize>(
    x: &Tensor,
    op: &str,
    validate: impl Fn(&[f64]) -> Result<(), String>,
) -> ferrax_autodiff::Result<(usize, Vec<f64>)> {
    let err = |msg: String| AdError::CustomOp { name: op.into(), msg };
    let shape = x.shape().to_vec();
    if shape.len() != 2 || shape[1] != P {
        return Err(err(format!(
            "expected parameters of shape [B, {P}], got {shape:?}"
        )));
    }
    let v = x.to_vec()?;
    for row in v.chunks_exact(P) {
        validate(row).map_err(err)?;
    }
    Ok((shape[0], v))
}

/// The polarisations (Re h+, Im h+, Re h×, Im h×) of each parameter row on
/// `nf` frequencies, as a `[B, 4, nf]` tensor.
pub(super) fn polarization_rows<const P: usize>(
    v: &[f64],
    nf: usize,
    eval: impl Fn(&[f64; P]) -> Vec<[f64; 4]>,
) -> ferrax_autodiff::Result<Tensor> {
    let b = v.len() / P;
    let mut out = vec![0.0; b * 4 * nf];
    for (i, row) in v.chunks_exact(P).enumerate() {
        let mut p = [0.0; P];
        p.copy_from_slice(row);
        for (k, h) in eval(&p).iter().enumerate() {
            for c in 0..4 {
                out[(i * 4 + c) * nf + k] = h[c];
            }
        }
    }
    Tensor::from_vec(out, &[b, 4, nf])
}

/// Vector–Jacobian product of [`polarization_rows`]: `g` is the `[B, 4, nf]`
/// output gradient, the Jacobian of each row comes from forward mode
/// (`Dual<P>`); returns the `[B, P]` parameter gradient.
pub(super) fn polarization_rows_vjp<const P: usize>(
    v: &[f64],
    nf: usize,
    g: &[f64],
    eval: impl Fn(&[Dual<P>; P]) -> Vec<[Dual<P>; 4]>,
) -> ferrax_autodiff::Result<Tensor> {
    let b = v.len() / P;
    let mut grad = vec![0.0; b * P];
    for (i, row) in v.chunks_exact(P).enumerate() {
        let mut p = [0.0; P];
        p.copy_from_slice(row);
        let x: [Dual<P>; P] = Dual::variables(&p);
        for (k, h) in eval(&x).iter().enumerate() {
            for c in 0..4 {
                let gc = g[(i * 4 + c) * nf + k];
                if gc != 0.0 {
                    for j in 0..P {
                        grad[i * P + j] += gc * h[c].eps[j];
                    }
                }
            }
        }
    }
    Tensor::from_vec(grad, &[b, P])
}

impl WaveformOp {
    /// A waveform op for `approximant` on `frequencies` [Hz] with reference
    /// frequency `f_ref` [Hz]. Only aligned-spin models are supported.
    pub fn new(approximant: Approximant, frequencies: Vec<f64>, f_ref: f64) -> GwResult<Self> {
        validate_frequencies(&frequencies)?;
        match approximant {
            Approximant::IMRPhenomD
            | Approximant::IMRPhenomXAS
            | Approximant::TaylorF2
            | Approximant::IMRPhenomD_NRTidalv2 => {}
            Approximant::IMRPhenomPv2 => {
                return Err(GwError::Approximant(
                    "IMRPhenomPv2 takes spin vectors: use tape_precessing::PrecessingWaveformOp".into(),
                ))
            }
        }
        Ok(Self {
            approximant,
            frequencies: Rc::new(frequencies),
            f_ref,
        })
    }

    /// Black-hole models ignore the tidal entries (their derivative is zero).
    fn params_of(&self, row: &[f64]) -> WaveformParams {
        let tidal = matches!(
            self.approximant,
            Approximant::TaylorF2 | Approximant::IMRPhenomD_NRTidalv2
        );
        WaveformParams {
            m1: row[0],
            m2: row[1],
            chi1z: row[2],
            chi2z: row[3],
            lambda1: if tidal { row[4] } else { 0.0 },
            lambda2: if tidal { row[5] } else { 0.0 },
            distance_mpc: row[6],
            phi_ref: row[7],
            inclination: row[8],
            f_ref: self.f_ref,
            ..Default::default()
        }
    }

    /// `[Re h+, Im h+, Re h×, Im h×]` per frequency on any scalar.
    pub fn eval<T: Scalar>(&self, p: &[T; N_TAPE_PARAMS]) -> Vec<[T; 4]> {
        let tidal = TaylorF2Inputs {
            m1: p[0],
            m2: p[1],
            chi1: p[2],
            chi2: p[3],
            lambda1: p[4],
            lambda2: p[5],
            distance_mpc: p[6],
            phi_ref: p[7],
        };
        match self.approximant {
            Approximant::TaylorF2 => {
                let m = TaylorF2::new(&tidal, self.f_ref);
                aligned_polarizations(&m, p[8], &self.frequencies)
            }
            Approximant::IMRPhenomD_NRTidalv2 => {
                let m = NrTidalV2::new(&tidal, self.f_ref);
                aligned_polarizations(&m, p[8], &self.frequencies)
            }
            Approximant::IMRPhenomXAS => {
                let m = PhenomXas::new(
                    &XasInputs {
                        m1: p[0],
                        m2: p[1],
                        chi1: p[2],
                        chi2: p[3],
                        distance_mpc: p[6],
                        phi_ref: p[7],
                    },
                    self.f_ref,
                );
                aligned_polarizations(&m, p[8], &self.frequencies)
            }
            _ => {
                let m = PhenomD::new(
                    &AlignedInputs {
                        m1: p[0],
                        m2: p[1],
                        chi1: p[2],
                        chi2: p[3],
                        distance_mpc: p[6],
                        phi_ref: p[7],
                    },
                    self.f_ref,
                );
                aligned_polarizations(&m, p[8], &self.frequencies)
            }
        }
    }

    fn rows(&self, x: &Tensor) -> ferrax_autodiff::Result<(usize, Vec<f64>)> {
        parameter_rows::<N_TAPE_PARAMS>(x, "waveform", |row| {
            self.params_of(row)
                .validate(self.approximant)
                .map_err(|e| e.to_string())?;
            if self.approximant == Approximant::IMRPhenomXAS {
                check_mass_ratio(row[0], row[1]).map_err(|e| e.to_string())?;
            }
            Ok(())
        })
    }

    /// Applies the op to a `[B, 9]` parameter tensor (tracked or not).
    pub fn apply(self: &Rc<Self>, params: &Tensor) -> Tensor {
        apply_custom(self.clone(), std::slice::from_ref(params))
    }
}

impl CustomOp for WaveformOp {
    fn name(&self) -> &str {
        "waveform"
    }

    fn forward(&self, inputs: &[Tensor]) -> ferrax_autodiff::Result<Tensor> {
        let (_, v) = self.rows(&inputs[0])?;
        polarization_rows::<N_TAPE_PARAMS>(&v, self.frequencies.len(), |p| self.eval(p))
    }

    fn vjp(
        &self,
        inputs: &[Tensor],
        _output: &Tensor,
        grad_output: &Tensor,
    ) -> ferrax_autodiff::Result<Vec<Option<Tensor>>> {
        let (_, v) = self.rows(&inputs[0])?;
        let g = grad_output.to_vec()?;
        let grad = polarization_rows_vjp::<N_TAPE_PARAMS>(&v, self.frequencies.len(), &g, |x| self.eval(x))?;
        Ok(vec![Some(grad)])
    }
}
