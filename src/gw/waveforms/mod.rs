//! Frequency-domain waveform models with LALSimulation's conventions.
//!
//! Each model is written once, generic over [`Scalar`]: `f64` is the fast
//! path, [`ferrax_autodiff::Dual`] gives exact derivatives with respect to
//! every parameter, and [`tape`] puts a model on the autodiff tape as a
//! custom op (forward in `f64`, vector-Jacobian product from dual numbers).
//!
//! Conventions (as LAL's `SimInspiralChooseFDWaveformSequence`): masses in
//! M☉ (detector frame), distance in Mpc, frequencies in Hz, angles in rad,
//! `h(f) = ∫ h(t) e^{-2πift} dt`, `h+ = ½(1 + cos²ι) h0`, `h× = −i cos ι h0`.

pub mod batched;
pub mod nrtidal;
pub mod params;
pub mod phenomd;
pub mod phenomd_coeffs;
pub mod phenomp;
pub mod phenomxas;
pub mod phenomxas_coeffs;
pub mod pn_phasing;
pub mod qnm_data;
pub mod spline;
pub mod tape;
pub mod tape_precessing;
pub mod taylorf2;

pub use params::{Approximant, WaveformParams};

use crate::gw::{GwError, GwResult};
use ferrax_autodiff::Scalar;
use phenomd::{AlignedInputs, PhenomD};

/// The two polarisations on a frequency array, as real and imaginary parts
/// (strain/Hz).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Polarizations {
    /// Re h+.
    pub hp_re: Vec<f64>,
    /// Im h+.
    pub hp_im: Vec<f64>,
    /// Re h×.
    pub hc_re: Vec<f64>,
    /// Im h×.
    pub hc_im: Vec<f64>,
}

/// A non-precessing model of the (2,2) mode: amplitude and phase of
/// `h0 = A e^{-iΨ}` at one frequency.
pub trait AlignedModel<T: Scalar> {
    /// `(A, Ψ)` at frequency `f` [Hz]; A in strain/Hz, Ψ in rad.
    fn amp_phase(&self, f: f64) -> (T, T);
    /// The same given f^(1/3) and ln f (what a [`FrequencyGrid`] caches).
    fn amp_phase_grid(&self, f: f64, f_third: f64, ln_f: f64) -> (T, T) {
        let _ = (f_third, ln_f);
        self.amp_phase(f)
    }
}

impl<T: Scalar> AlignedModel<T> for PhenomD<T> {
    #[inline]
    fn amp_phase(&self, f: f64) -> (T, T) {
        PhenomD::amp_phase(self, f)
    }
    #[inline]
    fn amp_phase_grid(&self, f: f64, f_third: f64, ln_f: f64) -> (T, T) {
        PhenomD::amp_phase_grid(self, f, f_third, ln_f)
    }
}

impl<T: Scalar> AlignedModel<T> for phenomxas::PhenomXas<T> {
    #[inline]
    fn amp_phase(&self, f: f64) -> (T, T) {
        phenomxas::PhenomXas::amp_phase(self, f)
    }
    #[inline]
    fn amp_phase_grid(&self, f: f64, f_third: f64, ln_f: f64) -> (T, T) {
        phenomxas::PhenomXas::amp_phase_grid(self, f, f_third, ln_f)
    }
}

/// A frequency array [Hz] with f^(1/3) and ln f cached, for evaluating
/// many waveforms on the same grid (samplers, likelihoods, benchmarks).
#[derive(Debug, Clone, PartialEq)]
pub struct FrequencyGrid {
    /// Frequencies [Hz], strictly increasing and non-negative.
    pub f: Vec<f64>,
    /// f^(1/3).
    pub f_third: Vec<f64>,
    /// ln f (−∞ at f = 0).
    pub ln_f: Vec<f64>,
}

impl FrequencyGrid {
    /// Validates and caches a frequency array.
    pub fn new(freqs: &[f64]) -> GwResult<Self> {
        validate_frequencies(freqs)?;
        Ok(Self {
            f: freqs.to_vec(),
            f_third: freqs.iter().map(|f| f.cbrt()).collect(),
            ln_f: freqs.iter().map(|f| f.ln()).collect(),
        })
    }
}

/// `[Re h+, Im h+, Re h×, Im h×]` from `(A, Ψ)` and the inclination factors
/// `pfac = ½(1 + cos²ι)`, `cfac = cos ι`.
#[inline]
pub fn project<T: Scalar>(amp: T, phase: T, pfac: T, cfac: T) -> [T; 4] {
    let (s, c) = phase.sin_cos();
    let h_re = amp * c;
    let h_im = -(amp * s);
    // h× = −i cfac h0 = cfac (Im h0 − i Re h0)
    [h_re * pfac, h_im * pfac, h_im * cfac, -(h_re * cfac)]
}

/// Checks a frequency array: non-empty, finite, non-negative, increasing.
pub fn validate_frequencies(freqs: &[f64]) -> GwResult<()> {
    if freqs.is_empty() {
        return Err(GwError::Frequencies("empty array".into()));
    }
    for (i, f) in freqs.iter().enumerate() {
        if !f.is_finite() || *f < 0.0 {
            return Err(GwError::Frequencies(format!(
                "frequencies[{i}] = {f} is negative or not finite"
            )));
        }
        if i > 0 && *f <= freqs[i - 1] {
            return Err(GwError::Frequencies(format!(
                "not strictly increasing at index {i} ({} then {f})",
                freqs[i - 1]
            )));
        }
    }
    Ok(())
}

/// Polarisations on a cached [`FrequencyGrid`], written into `out`
/// (`[Re h+, Im h+, Re h×, Im h×]` per point; zero where f = 0).
pub fn aligned_polarizations_grid<T: Scalar, M: AlignedModel<T>>(
    model: &M,
    inclination: T,
    grid: &FrequencyGrid,
    out: &mut Vec<[T; 4]>,
) {
    let cfac = inclination.cos();
    let pfac = (cfac * cfac + 1.0) * 0.5;
    out.clear();
    out.extend((0..grid.f.len()).map(|k| {
        let f = grid.f[k];
        if f <= 0.0 {
            [T::cst(0.0); 4]
        } else {
            let (a, p) = model.amp_phase_grid(f, grid.f_third[k], grid.ln_f[k]);
            project(a, p, pfac, cfac)
        }
    }));
}

/// Generic polarisations of an aligned-spin model at the given frequencies
/// (zero where `f == 0`). Returns `[Re h+, Im h+, Re h×, Im h×]` per point.
pub fn aligned_polarizations<T: Scalar, M: AlignedModel<T>>(
    model: &M,
    inclination: T,
    freqs: &[f64],
) -> Vec<[T; 4]> {
    let cfac = inclination.cos();
    let pfac = (cfac * cfac + 1.0) * 0.5;
    freqs
        .iter()
        .map(|&f| {
            if f <= 0.0 {
                [T::cst(0.0); 4]
            } else {
                let (a, p) = model.amp_phase_grid(f, f.cbrt(), f.ln());
                project(a, p, pfac, cfac)
            }
        })
        .collect()
}

/// IMRPhenomD prepared from f64 parameters (validated).
pub fn phenomd_f64(p: &WaveformParams) -> GwResult<PhenomD<f64>> {
    p.validate(Approximant::IMRPhenomD)?;
    Ok(PhenomD::new(&AlignedInputs::from_params(p), p.f_ref))
}

/// IMRPhenomXAS prepared from f64 parameters (validated; LAL's limit on
/// the mass ratio, q ≤ 1000, is enforced).
pub fn phenomxas_f64(p: &WaveformParams) -> GwResult<phenomxas::PhenomXas<f64>> {
    p.validate(Approximant::IMRPhenomXAS)?;
    phenomxas::check_mass_ratio(p.m1, p.m2)?;
    Ok(phenomxas::PhenomXas::new(
        &phenomxas::XasInputs {
            m1: p.m1,
            m2: p.m2,
            chi1: p.chi1z,
            chi2: p.chi2z,
            distance_mpc: p.distance_mpc,
            phi_ref: p.phi_ref,
        },
        p.f_ref,
    ))
}

fn tidal_inputs(p: &WaveformParams) -> taylorf2::TaylorF2Inputs<f64> {
    taylorf2::TaylorF2Inputs {
        m1: p.m1,
        m2: p.m2,
        chi1: p.chi1z,
        chi2: p.chi2z,
        lambda1: p.lambda1,
        lambda2: p.lambda2,
        distance_mpc: p.distance_mpc,
        phi_ref: p.phi_ref,
    }
}

/// TaylorF2 prepared from f64 parameters (validated).
pub fn taylorf2_f64(p: &WaveformParams) -> GwResult<taylorf2::TaylorF2<f64>> {
    p.validate(Approximant::TaylorF2)?;
    Ok(taylorf2::TaylorF2::new(&tidal_inputs(p), p.f_ref))
}

/// IMRPhenomPv2 prepared from f64 parameters (validated).
pub fn phenompv2_f64(p: &WaveformParams) -> GwResult<phenomp::PhenomPv2<f64>> {
    p.validate(Approximant::IMRPhenomPv2)?;
    Ok(phenomp::PhenomPv2::new(&p.precessing_inputs(), p.f_ref))
}

/// Generates h+ and h× of `approximant` on a caller-given frequency array
/// (LAL's frequency-sequence path: no cut at high frequency for PhenomD;
/// IMRPhenomXAS is zero above Mf = 0.3 as in LAL).
pub fn generate(approximant: Approximant, p: &WaveformParams, freqs: &[f64]) -> GwResult<Polarizations> {
    generate_on_grid(approximant, p, &FrequencyGrid::new(freqs)?)
}

/// [`generate`] on a cached [`FrequencyGrid`] (the fast path for repeated
/// evaluation on one grid).
pub fn generate_on_grid(
    approximant: Approximant,
    p: &WaveformParams,
    grid: &FrequencyGrid,
) -> GwResult<Polarizations> {
    let mut pts: Vec<[f64; 4]> = Vec::with_capacity(grid.f.len());
    match approximant {
        Approximant::IMRPhenomD => {
            let m = phenomd_f64(p)?;
            aligned_polarizations_grid(&m, p.inclination, grid, &mut pts)
        }
        Approximant::IMRPhenomD_NRTidalv2 => {
            p.validate(approximant)?;
            let m = nrtidal::NrTidalV2::new(&tidal_inputs(p), p.f_ref);
            aligned_polarizations_grid(&m, p.inclination, grid, &mut pts)
        }
        Approximant::IMRPhenomXAS => {
            let m = phenomxas_f64(p)?;
            aligned_polarizations_grid(&m, p.inclination, grid, &mut pts)
        }
        Approximant::TaylorF2 => {
            let m = taylorf2_f64(p)?;
            aligned_polarizations_grid(&m, p.inclination, grid, &mut pts)
        }
        Approximant::IMRPhenomPv2 => phenompv2_f64(p)?.polarizations_grid(grid, &mut pts),
    };
    let n = pts.len();
    let mut out = Polarizations {
        hp_re: Vec::with_capacity(n),
        hp_im: Vec::with_capacity(n),
        hc_re: Vec::with_capacity(n),
        hc_im: Vec::with_capacity(n),
    };
    for h in &pts {
        out.hp_re.push(h[0]);
        out.hp_im.push(h[1]);
        out.hc_re.push(h[2]);
        out.hc_im.push(h[3]);
    }
    Ok(out)
}
