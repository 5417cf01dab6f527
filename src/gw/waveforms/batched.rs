//! IMRPhenomD for many parameter sets at once, as tape tensors on any
//! device (CPU or, with the `cuda` feature, a GPU).
//!
//! The model is split where its cost splits. Everything that does not depend
//! on frequency (fits, collocation, phase joins: [`PhenomD::new`]) is
//! computed per parameter set in plain `f64` — and, for gradients, in
//! [`Dual`] numbers, which also give the Jacobian of every coefficient with
//! respect to the six intrinsic inputs. The coefficients of a batch of `B`
//! parameter sets form one `[B, K]` tensor; the frequency-dependent part
//! ([`PhenomD::amp_phase_tensor`], the same ansätze the scalar path runs)
//! turns it into `[B, F]` amplitudes and phases on the tensor's device, where
//! the tape records it. A likelihood's gradient with respect to the
//! coefficients then meets the coefficient Jacobian:
//! `∂L/∂θ_j = Σ_k ∂L/∂c_k · ∂c_k/∂θ_j` ([`PhenomDBatch::chain_to_inputs`]).
//! Inclination and coalescence time enter after the coefficients and are
//! ordinary tensor inputs.

use std::f64::consts::PI;

use ferrax_autodiff::{Device, Dual, Real, Tensor};

use super::phenomd::{AlignedInputs, PhenomD};
use super::{phenomd_f64, Approximant, FrequencyGrid, WaveformParams};
use crate::gw::{GwError, GwResult};

/// The intrinsic inputs the coefficient Jacobian differentiates, in this
/// order: m1 [M☉], m2 [M☉], χ1z, χ2z, luminosity distance [Mpc], φ_ref [rad].
pub const INTRINSIC_INPUTS: [&str; 6] = ["m1", "m2", "chi1z", "chi2z", "distance_mpc", "phi_ref"];

/// Number of intrinsic inputs (length of [`INTRINSIC_INPUTS`]).
pub const N_INTRINSIC: usize = INTRINSIC_INPUTS.len();

/// A frequency grid as `[1, F]` tensors on one device: f [Hz], f^(1/3)
/// [Hz^(1/3)] and ln(f/Hz).
#[derive(Debug, Clone)]
pub struct TensorGrid {
    /// Frequencies [Hz], `[1, F]`.
    pub f: Tensor,
    /// f^(1/3), `[1, F]`.
    pub f_third: Tensor,
    /// ln f, `[1, F]`.
    pub ln_f: Tensor,
}

impl TensorGrid {
    /// Moves a validated [`FrequencyGrid`] (all frequencies > 0) to `device`.
    pub fn new(grid: &FrequencyGrid, device: &Device) -> GwResult<Self> {
        if grid.f.first().is_some_and(|&f| f <= 0.0) {
            return Err(GwError::Frequencies(
                "the batched model needs f > 0 everywhere".into(),
            ));
        }
        let row = |v: &[f64]| -> GwResult<Tensor> {
            Tensor::from_vec(v.to_vec(), &[1, v.len()])
                .map(|t| t.to_device(device))
                .map_err(GwError::from)
        };
        Ok(Self {
            f: row(&grid.f)?,
            f_third: row(&grid.f_third)?,
            ln_f: row(&grid.ln_f)?,
        })
    }

    /// Number of frequencies F.
    pub fn len(&self) -> usize {
        self.f.numel()
    }

    /// True when the grid has no frequencies.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The frequency-independent coefficients of IMRPhenomD for `B` parameter
/// sets (row-major `[B, K]`), optionally with their Jacobian with respect to
/// the [`INTRINSIC_INPUTS`] (row-major `[B, K, 6]`).
#[derive(Debug, Clone)]
pub struct PhenomDBatch {
    /// Coefficients, `[B, K]` row-major.
    pub coefficients: Vec<f64>,
    /// ∂c_k/∂θ_j, `[B, K, N_INTRINSIC]` row-major, when requested.
    pub jacobian: Option<Vec<f64>>,
    batch: usize,
    n_coeffs: usize,
    /// Any prepared model: the layout the columns are unpacked into.
    template: PhenomD<f64>,
}

/// Coefficient values and (optionally) their Jacobian rows for one set.
fn coefficients_of(p: &WaveformParams, with_jacobian: bool, vals: &mut Vec<f64>, jac: &mut Vec<f64>) {
    if with_jacobian {
        let x = Dual::<N_INTRINSIC>::variables(&AlignedInputs::from_params(p).to_array());
        let inputs = AlignedInputs::from_array(x);
        PhenomD::new(&inputs, p.f_ref).map_fields(&mut |d: &Dual<N_INTRINSIC>| {
            vals.push(d.re);
            jac.extend_from_slice(&d.eps);
        });
    } else {
        PhenomD::new(&AlignedInputs::from_params(p), p.f_ref).map_fields(&mut |c: &f64| vals.push(*c));
    }
}

impl PhenomDBatch {
    /// Prepares the coefficients of every parameter set (validated as for
    /// [`super::generate`] with IMRPhenomD), using up to `threads` threads;
    /// with `with_jacobian` also ∂c/∂θ from forward-mode dual numbers.
    pub fn new(params: &[WaveformParams], with_jacobian: bool, threads: usize) -> GwResult<Self> {
        let first = params.first().ok_or_else(|| GwError::Input {
            name: "params".into(),
            msg: "the batch of parameter sets is empty".into(),
        })?;
        let template = phenomd_f64(first)?;
        for p in params {
            p.validate(Approximant::IMRPhenomD)?;
        }
        let n_coeffs = {
            let mut n = 0;
            template.map_fields(&mut |_| n += 1);
            n
        };
        let threads = threads.clamp(1, params.len());
        let chunk = params.len().div_ceil(threads);
        let parts: Vec<(Vec<f64>, Vec<f64>)> = std::thread::scope(|s| {
            let handles: Vec<_> = params
                .chunks(chunk)
                .map(|ps| {
                    s.spawn(move || {
                        let mut vals = Vec::with_capacity(ps.len() * n_coeffs);
                        let mut jac = Vec::new();
                        for p in ps {
                            coefficients_of(p, with_jacobian, &mut vals, &mut jac);
                        }
                        (vals, jac)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        let mut coefficients = Vec::with_capacity(params.len() * n_coeffs);
        let mut jacobian = Vec::new();
        for (v, j) in parts {
            coefficients.extend(v);
            jacobian.extend(j);
        }
        Ok(Self {
            coefficients,
            jacobian: with_jacobian.then_some(jacobian),
            batch: params.len(),
            n_coeffs,
            template,
        })
    }

    /// Number of parameter sets B.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// Number of coefficients K per parameter set.
    pub fn n_coeffs(&self) -> usize {
        self.n_coeffs
    }

    /// The coefficients as a `[B, K]` tensor on `device` (untracked; pass it
    /// to `value_and_grads` to differentiate with respect to it).
    pub fn coefficient_tensor(&self, device: &Device) -> Tensor {
        match Tensor::from_vec(self.coefficients.clone(), &[self.batch, self.n_coeffs]) {
            Ok(t) => t.to_device(device),
            Err(e) => Tensor::error(e),
        }
    }

    /// `(A, Ψ)` as `[B, F]` tensors (A in strain/Hz, Ψ in rad, as
    /// [`PhenomD::amp_phase_grid`]) from a `[B, K]` coefficient tensor.
    pub fn amp_phase(&self, coefficients: &Tensor, grid: &TensorGrid) -> (Tensor, Tensor) {
        let mut k = 0;
        let model = self.template.map_fields(&mut |_| {
            let column = coefficients.slice(1, k, k + 1);
            k += 1;
            column
        });
        model.amp_phase_tensor(&grid.f, &grid.f_third, &grid.ln_f)
    }

    /// `[Re h+, Im h+, Re h×, Im h×]`, each `[B, F]` (strain/Hz), with the
    /// signal's coalescence time `t_c` [s] applied as `e^{-2πi f t_c}`;
    /// `inclination` [rad] and `t_c` are `[B, 1]` tensors. Conventions as
    /// [`super::generate`] (`h+ = ½(1 + cos²ι) h0`, `h× = −i cos ι h0`).
    pub fn polarizations(
        &self,
        coefficients: &Tensor,
        inclination: &Tensor,
        t_c: &Tensor,
        grid: &TensorGrid,
    ) -> [Tensor; 4] {
        let (amp, phase) = self.amp_phase(coefficients, grid);
        let phase = phase + t_c * &grid.f * (2.0 * PI);
        let (s, c) = phase.sin_cos();
        let cfac = inclination.cos();
        let pfac = (&cfac * &cfac + 1.0) * 0.5;
        let h_re = &amp * &c;
        let h_im = -(&amp * &s);
        [&h_re * &pfac, &h_im * &pfac, &h_im * &cfac, -(&h_re * &cfac)]
    }

    /// Chains the gradient of a scalar with respect to the `[B, K]`
    /// coefficients (host values, row-major) through the coefficient
    /// Jacobian: returns ∂L/∂θ, `[B, N_INTRINSIC]` row-major, in the order of
    /// [`INTRINSIC_INPUTS`]. Needs a batch built `with_jacobian`.
    pub fn chain_to_inputs(&self, grad_coefficients: &[f64]) -> GwResult<Vec<f64>> {
        let jac = self.jacobian.as_ref().ok_or_else(|| GwError::Input {
            name: "jacobian".into(),
            msg: "the batch was built without the Jacobian".into(),
        })?;
        let (b, k) = (self.batch, self.n_coeffs);
        if grad_coefficients.len() != b * k {
            return Err(GwError::Input {
                name: "grad_coefficients".into(),
                msg: format!("{} values, expected B × K = {}", grad_coefficients.len(), b * k),
            });
        }
        let mut out = vec![0.0; b * N_INTRINSIC];
        for i in 0..b {
            let row = &mut out[i * N_INTRINSIC..(i + 1) * N_INTRINSIC];
            for c in 0..k {
                let g = grad_coefficients[i * k + c];
                let jrow = &jac[(i * k + c) * N_INTRINSIC..(i * k + c + 1) * N_INTRINSIC];
                for (r, j) in row.iter_mut().zip(jrow) {
                    *r += g * j;
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gw::waveforms::generate_on_grid;

    /// The batched tensor path reproduces the point-by-point f64 path on a
    /// grid that crosses every region boundary (the model itself is checked
    /// against LALSimulation in tests/waveform_batch.rs).
    #[test]
    fn matches_scalar_path_on_cpu() {
        let freqs: Vec<f64> = (0..400).map(|i| 10.0 + 2.5 * i as f64).collect();
        let grid = FrequencyGrid::new(&freqs).unwrap();
        let params = [
            WaveformParams::example_bbh(),
            WaveformParams {
                m1: 8.0,
                m2: 80.0,
                chi1z: -0.7,
                chi2z: 0.9,
                inclination: 2.5,
                ..WaveformParams::example_bbh()
            },
        ];
        let batch = PhenomDBatch::new(&params, false, 2).unwrap();
        let tg = TensorGrid::new(&grid, &Device::Cpu).unwrap();
        let incl = Tensor::from_vec(params.iter().map(|p| p.inclination).collect(), &[2, 1]).unwrap();
        let tc = Tensor::zeros(&[2, 1]);
        let h = batch.polarizations(&batch.coefficient_tensor(&Device::Cpu), &incl, &tc, &tg);
        let h: Vec<Vec<f64>> = h.iter().map(|t| t.to_vec().unwrap()).collect();
        for (i, p) in params.iter().enumerate() {
            let r = generate_on_grid(Approximant::IMRPhenomD, p, &grid).unwrap();
            let peak = r.hp_re.iter().chain(&r.hp_im).fold(0.0f64, |m, x| m.max(x.abs()));
            for (comp, want) in [&r.hp_re, &r.hp_im, &r.hc_re, &r.hc_im].into_iter().enumerate() {
                for (k, w) in want.iter().enumerate() {
                    let got = h[comp][i * freqs.len() + k];
                    assert!(
                        (got - w).abs() <= 1e-12 * peak,
                        "set {i} comp {comp} bin {k}: {got} vs {w}"
                    );
                }
            }
        }
    }
}
