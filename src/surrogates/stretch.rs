//! The time-stretch symmetry of afterglowpy's model, folded into the
//! surrogate: the network predicts every light curve in the frame where the
//! blast wave has one fixed energy per density, on a time grid wide enough
//! for every stretch, and each curve is read off that grid at its own,
//! stretched times.
//!
//! Stretching time by `s` (`t → s t`) with `E0 → s³ E0`, `ε_e → s^(1/3) ε_e`,
//! `ε_B → s^(−4/3) ε_B` at fixed `n0` multiplies `F_ν` by `s^(7/3)` (see
//! [`super::augment`] for the derivation and the check against
//! afterglowpy). With `log10 s = (log10(E0/n0) − C)/3` every parameter
//! point maps to one with `log10(E0/n0) = C`:
//!
//! `G(t; E0/n0, n0 ε_B, ε_e, …) = H(t/s; n0 ε_B s^(4/3), ε_e s^(−1/3), …) − (2/3) log10 s`
//!
//! where `G` is the flux after the energy–density offset
//! ([`super::afterglow::EnergyDensityScaling`]; the `−2/3 = 7/3 − 3` is the
//! flux exponent less the energy's, which that offset already carries).
//! The network learns `H`, a function of one variable fewer, in which the
//! deceleration time, jet break and off-axis peak no longer move with
//! `E0/n0`; the grid of `H` extends the data grid by `pad` steps at each end,
//! and a curve's 50 times fall between its nodes at a fractional position,
//! read with the C¹ Catmull–Rom cubic ([`GridShift`]).

use super::afterglow::{EnergyDensityScaling, ParamSpec};
use super::augment::TimeStretch;
use super::interp::{catmull_rom_weights, GridShift};
use ferrax_autodiff::Tensor;
use serde::{Deserialize, Serialize};

/// `E0 ∝ s³` under a stretch of time by `s`.
pub const ENERGY_EXPONENT: f64 = 3.0;
/// `ε_e ∝ s^(1/3)`.
pub const EPSILON_E_EXPONENT: f64 = 1.0 / 3.0;
/// `ε_B ∝ s^(−4/3)`.
pub const EPSILON_B_EXPONENT: f64 = -4.0 / 3.0;
/// `F_ν ∝ s^(7/3)`.
pub const FLUX_EXPONENT: f64 = 7.0 / 3.0;

/// The time-stretch fold of a surrogate (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StretchFold {
    /// The energy–density scaling it builds on (columns of `E0`, `n0`, `ε_B`).
    pub scaling: EnergyDensityScaling,
    /// Column of `log10_epsilon_e`.
    pub log_epsilon_e: usize,
    /// `C`: the `log10(E0/n0)` [log10(erg cm³)] of the canonical frame (mid-range).
    pub reference_log_energy_per_density: f64,
    /// Half-width of the range of `log10(E0/n0)` over the prior box [dex].
    pub half_range: f64,
    /// Step of the log-uniform time grid [dex].
    pub grid_step_dex: f64,
    /// Times of the data grid.
    pub n_times: usize,
    /// Nodes added to the grid at each end.
    pub pad: usize,
}

impl StretchFold {
    /// The fold for a parameter list and time grid with the time-stretch
    /// symmetry ([`TimeStretch::from_parts`]); `None` otherwise.
    pub fn detect(params: &[ParamSpec], times_days: &[f64]) -> Option<Self> {
        let ts = TimeStretch::from_parts(params, times_days)?;
        let s = ts.scaling;
        let (e, n) = (&params[s.log_energy], &params[s.log_density]);
        let (lo, hi) = (e.min - n.max, e.max - n.min);
        let half_range = 0.5 * (hi - lo);
        let max_steps = half_range / ENERGY_EXPONENT / ts.grid_step_dex;
        Some(StretchFold {
            scaling: s,
            log_epsilon_e: ts.log_epsilon_e,
            reference_log_energy_per_density: 0.5 * (lo + hi),
            half_range,
            grid_step_dex: ts.grid_step_dex,
            n_times: times_days.len(),
            pad: max_steps.ceil() as usize + 2,
        })
    }

    /// Nodes of the widened time grid.
    pub fn n_wide(&self) -> usize {
        self.n_times + 2 * self.pad
    }

    /// `log10 s` [dex] of the parameter row `x`.
    #[inline]
    pub fn log_stretch(&self, x: &[f64]) -> f64 {
        let s = &self.scaling;
        (x[s.log_energy] - x[s.log_density] - self.reference_log_energy_per_density) / ENERGY_EXPONENT
    }

    /// [`StretchFold::log_stretch`] on the tape: `[n, n_params]` → `[n, 1]`.
    pub fn log_stretch_tensor(&self, x: &Tensor) -> Tensor {
        let s = &self.scaling;
        let col = |j: usize| x.slice(1, j, j + 1);
        &(&(&col(s.log_energy) - &col(s.log_density)) - self.reference_log_energy_per_density)
            * (1.0 / ENERGY_EXPONENT)
    }

    /// Flux offset [dex] of the fold, added to the energy–density offset.
    #[inline]
    pub fn flux_offset(&self, log_stretch: f64) -> f64 {
        (FLUX_EXPONENT - ENERGY_EXPONENT) * log_stretch
    }

    /// [`StretchFold::flux_offset`] on the tape: `[n, n_params]` → `[n, 1]`.
    pub fn flux_offset_tensor(&self, x: &Tensor) -> Tensor {
        &self.log_stretch_tensor(x) * (FLUX_EXPONENT - ENERGY_EXPONENT)
    }

    /// Grid position [nodes of the wide grid] of the first data time.
    #[inline]
    fn position(&self, log_stretch: f64) -> f64 {
        self.pad as f64 - log_stretch / self.grid_step_dex
    }

    /// The wide-grid node nearest to the row's first data time.
    pub fn nearest_node(&self, x: &[f64]) -> usize {
        let last = (self.n_wide() - self.n_times) as f64;
        self.position(self.log_stretch(x)).round().clamp(0.0, last) as usize
    }

    /// Where the row's data times fall on the wide grid.
    pub fn shift(&self, x: &[f64]) -> GridShift {
        GridShift::at(self.position(self.log_stretch(x)), self.n_times, self.n_wide())
    }

    /// The canonical `log10 ε_e − (1/3) log10 s`, a network input.
    pub fn canonical_log_epsilon_e(&self, x: &[f64]) -> f64 {
        x[self.log_epsilon_e] - EPSILON_E_EXPONENT * self.log_stretch(x)
    }

    /// The canonical `log10(n0 ε_B) + (4/3) log10 s`, a network input.
    pub fn canonical_magnetic_density(&self, x: &[f64]) -> f64 {
        let s = &self.scaling;
        x[s.log_density] + x[s.log_epsilon_b] - EPSILON_B_EXPONENT * self.log_stretch(x)
    }

    /// [`StretchFold::canonical_log_epsilon_e`] on the tape (`[n, 1]`).
    pub fn canonical_log_epsilon_e_tensor(&self, x: &Tensor) -> Tensor {
        let ls = self.log_stretch_tensor(x);
        &x.slice(1, self.log_epsilon_e, self.log_epsilon_e + 1) - &(&ls * EPSILON_E_EXPONENT)
    }

    /// [`StretchFold::canonical_magnetic_density`] on the tape (`[n, 1]`).
    pub fn canonical_magnetic_density_tensor(&self, x: &Tensor) -> Tensor {
        let s = &self.scaling;
        let ls = self.log_stretch_tensor(x);
        let v =
            &x.slice(1, s.log_density, s.log_density + 1) + &x.slice(1, s.log_epsilon_b, s.log_epsilon_b + 1);
        &v - &(&ls * EPSILON_B_EXPONENT)
    }

    /// Bounds over the prior box of the canonical `log10 ε_e` and
    /// `log10(n0 ε_B)`, from `log10 s ∈ ±half_range/3` taken independently
    /// of the other parameters (so a little wider than the exact ranges).
    pub fn canonical_ranges(&self, params: &[ParamSpec]) -> ((f64, f64), (f64, f64)) {
        let s = &self.scaling;
        let ls = self.half_range / ENERGY_EXPONENT;
        let ee = &params[self.log_epsilon_e];
        let (n, b) = (&params[s.log_density], &params[s.log_epsilon_b]);
        let de = EPSILON_E_EXPONENT.abs() * ls;
        let db = EPSILON_B_EXPONENT.abs() * ls;
        (
            (ee.min - de, ee.max + de),
            (n.min + b.min - db, n.max + b.max + db),
        )
    }

    /// Reads the wide-grid curves `wide` (`[n, bands · n_wide]`) at each
    /// row's data times on the tape: `[n, bands · n_times]`. `shifts` are
    /// the rows' [`StretchFold::shift`]s; the fractional part of the
    /// position is recomputed from `x` so the result is differentiable in
    /// the parameters (the Catmull–Rom cubic is C¹ in the position).
    pub fn read_tensor(&self, wide: &Tensor, x: &Tensor, shifts: &[GridShift], bands: usize) -> Tensor {
        let (n, nw, nt) = (shifts.len(), self.n_wide(), self.n_times);
        let per = bands * nt;
        let mut idx = Vec::with_capacity(n * 4 * per);
        for sh in shifts {
            for m in 0..4 {
                for b in 0..bands {
                    idx.extend((0..nt).map(|j| b * nw + sh.first + j + m));
                }
            }
        }
        let nodes = wide.gather(1, &idx, &[n, 4 * per]);
        // the node below the first data time, as fixed by the f64 shift
        let k: Vec<f64> = shifts.iter().map(|s| (s.first + 1) as f64).collect();
        let k = Tensor::from_vec(k, &[n, 1]).unwrap_or_else(Tensor::error);
        let pos = &(&self.log_stretch_tensor(x) * (-1.0 / self.grid_step_dex)) + self.pad as f64;
        let u = &pos - &k;
        let w = catmull_rom_weights(&u);
        let mut out = &nodes.slice(1, 0, per) * &w[0];
        for (m, wm) in w.iter().enumerate().skip(1) {
            out = &out + &(&nodes.slice(1, m * per, (m + 1) * per) * wm);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold() -> (Vec<ParamSpec>, StretchFold) {
        let params = vec![
            ParamSpec::uniform("log10_E0", 47.0, 57.0),
            ParamSpec::uniform("log10_n0", -6.0, 2.0),
            ParamSpec::uniform("log10_epsilon_e", -4.0, 0.0),
            ParamSpec::uniform("log10_epsilon_B", -8.0, 0.0),
        ];
        let times: Vec<f64> = (0..50).map(|i| 1e-2 * (2e5f64).powf(i as f64 / 49.0)).collect();
        let f = StretchFold::detect(&params, &times).unwrap();
        (params, f)
    }

    #[test]
    fn wide_grid_covers_every_stretch_of_the_box() {
        let (params, f) = fold();
        // log10(E0/n0) in [45, 63]: log10 s within ±3 dex, 27.6 steps of 0.1087 dex
        assert!((f.reference_log_energy_per_density - 54.0).abs() < 1e-12);
        assert_eq!(f.pad, 30);
        assert_eq!(f.n_wide(), 110);
        for (e, n) in [(57.0, -6.0), (47.0, 2.0), (52.0, -2.0)] {
            let x = [e, n, -1.0, -3.0];
            let sh = f.shift(&x);
            assert!(sh.first + f.n_times + 3 <= f.n_wide(), "{sh:?}");
            // the grid position of the first data time reproduces t / s
            let ls = f.log_stretch(&x);
            let pos = sh.first as f64 + 1.0 + {
                let w = sh.weights;
                // the Catmull–Rom weights reproduce linear functions: Σ w_m (m − 1) = u
                w[1] * 0.0 + w[2] + 2.0 * w[3] - w[0]
            };
            assert!((pos - (f.pad as f64 - ls / f.grid_step_dex)).abs() < 1e-12);
        }
        // the canonical inputs stay inside their ranges at the box corners
        let ((e_lo, e_hi), (b_lo, b_hi)) = f.canonical_ranges(&params);
        for e in [47.0, 57.0] {
            for n in [-6.0, 2.0] {
                for ee in [-4.0, 0.0] {
                    for eb in [-8.0, 0.0] {
                        let x = [e, n, ee, eb];
                        let ce = f.canonical_log_epsilon_e(&x);
                        let cb = f.canonical_magnetic_density(&x);
                        assert!(ce >= e_lo - 1e-12 && ce <= e_hi + 1e-12);
                        assert!(cb >= b_lo - 1e-12 && cb <= b_hi + 1e-12);
                    }
                }
            }
        }
    }

    #[test]
    fn shifted_reading_is_exact_for_cubics_and_its_transpose_adjoint() {
        let grid: Vec<f64> = (0..20)
            .map(|i| 0.02 * (i as f64).powi(3) - 0.3 * i as f64)
            .collect();
        let sh = GridShift::at(4.37, 8, 20);
        let mut v = vec![0.0; 8];
        sh.read(&grid, &mut v);
        for (j, vj) in v.iter().enumerate() {
            let t = 4.37 + j as f64;
            // Catmull–Rom reproduces quadratics exactly; the cubic term leaves O(h⁴) ≈ 0
            let want = 0.02 * t.powi(3) - 0.3 * t;
            assert!((vj - want).abs() < 0.02 * 0.5, "{j}: {vj} vs {want}");
        }
        // ⟨read(g), c⟩ = ⟨g, readᵀ(c)⟩
        let c: Vec<f64> = (0..8).map(|j| (j as f64).sin()).collect();
        let mut back = vec![0.0; 20];
        sh.read_transpose_add(&c, &mut back);
        let lhs: f64 = v.iter().zip(&c).map(|(a, b)| a * b).sum();
        let rhs: f64 = grid.iter().zip(&back).map(|(a, b)| a * b).sum();
        assert!((lhs - rhs).abs() < 1e-12);
        // positions outside the grid are clamped, never read out of bounds
        for pos in [-5.0, 0.2, 40.0, f64::NAN] {
            let s = GridShift::at(pos, 8, 20);
            assert!(s.first + 8 + 3 <= 20, "{pos}: {s:?}");
        }
    }
}
