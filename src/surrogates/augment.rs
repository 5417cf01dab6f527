//! Training-set augmentation by the time-stretch symmetry of afterglowpy's
//! model: new light curves, exact up to the edges of the time window, from
//! each training curve.
//!
//! Stretching time by `s` (`t → s t`) with `E0 → s³ E0`, `ε_e → s^(1/3) ε_e`,
//! `ε_B → s^(−4/3) ε_B` at fixed `n0` multiplies `F_ν` by `s^(7/3)`:
//! the Sedov time `∝ (E0/n0)^(1/3)` stretches by `s`, so `Γ` is the same at
//! corresponding times and `R ∝ s`; `B ∝ (ε_B n0)^(1/2) Γ` scales as
//! `s^(−2/3)`, `γ_m ∝ ε_e` as `s^(1/3)`, `γ_c ∝ 1/(B² Γ t)` as `s^(1/3)`, so
//! `ν_m ∝ γ_m² B` and `ν_c ∝ γ_c² B` stay put, and `F_ν,max ∝ n0 R³ B`
//! grows as `s^(7/3)` (Sari, Piran & Narayan 1998, ApJ 497, L17, eqs. 3-7).
//! afterglowpy 0.8.1 obeys it to 2e-11 dex for a free stretch and to
//! 2e-5 dex for whole grid steps (its integration grid does not stretch
//! exactly; its own integration error is ~1e-3 dex): `tests/data/afterglow/stretch_*`.
//!
//! On the log-uniform time grid a stretch by `k` grid steps moves each
//! curve `k` places along the grid; the `|k|` points shifted in from
//! outside the window are unknown and get weight zero. Together with the
//! energy–density scaling ([`super::afterglow::EnergyDensityScaling`], here
//! used to keep the stretched point inside the prior box) this yields
//! curves at parameter points the training set does not have.

use super::afterglow::{AfterglowSurrogate, EnergyDensityScaling, ParamSpec};
use super::stretch::{ENERGY_EXPONENT, EPSILON_B_EXPONENT, EPSILON_E_EXPONENT, FLUX_EXPONENT};

/// The time-stretch symmetry of a parameter list (see the module
/// documentation), with the grid step it moves by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeStretch {
    /// The energy–density scaling, used to stay inside the box.
    pub scaling: EnergyDensityScaling,
    /// Column of `log10_epsilon_e`.
    pub log_epsilon_e: usize,
    /// Step of the log-uniform time grid [dex].
    pub grid_step_dex: f64,
}

/// One stretched light curve: its parameters and, per grid point, the
/// log10 flux [mJy] or `None` where it came from outside the window.
#[derive(Clone, Debug, PartialEq)]
pub struct Stretched {
    /// Parameters (physical units, inside the prior box).
    pub params: Vec<f64>,
    /// `bands × times`, band-major like the training Y.
    pub log_flux: Vec<Option<f64>>,
}

impl TimeStretch {
    /// The symmetry of `model`'s parameters and grid: it needs
    /// `log10_E0`, `log10_n0`, `log10_epsilon_e`, `log10_epsilon_B` (uniform
    /// coordinates) and a log-uniform time grid; `None` otherwise.
    pub fn detect(model: &AfterglowSurrogate) -> Option<Self> {
        Self::from_parts(&model.params, &model.times_days)
    }

    /// [`TimeStretch::detect`] from a parameter list and a time grid [days].
    pub fn from_parts(params: &[ParamSpec], t: &[f64]) -> Option<Self> {
        let scaling = EnergyDensityScaling::detect(params)?;
        let log_epsilon_e = params
            .iter()
            .position(|p| p.name == "log10_epsilon_e")
            .filter(|&i| !params[i].log_uniform)?;
        if t.len() < 2 || t[0] <= 0.0 {
            return None;
        }
        let step = (t[1] / t[0]).log10();
        let uniform = t
            .windows(2)
            .all(|w| ((w[1] / w[0]).log10() - step).abs() < 1e-9 * step.abs().max(1.0));
        (uniform && step > 0.0).then_some(TimeStretch {
            scaling,
            log_epsilon_e,
            grid_step_dex: step,
        })
    }

    /// The parameters after a stretch by `sigma` dex (`log10 s`) and an
    /// energy–density scaling by `delta` dex (`log10 λ`).
    pub fn moved(&self, x: &[f64], sigma: f64, delta: f64) -> Vec<f64> {
        let s = &self.scaling;
        let mut out = x.to_vec();
        out[s.log_energy] += ENERGY_EXPONENT * sigma + delta;
        out[s.log_density] += delta;
        out[self.log_epsilon_e] += EPSILON_E_EXPONENT * sigma;
        out[s.log_epsilon_b] += EPSILON_B_EXPONENT * sigma - delta;
        out
    }

    /// The range of `delta` that keeps a stretch by `sigma` of `x` inside
    /// the prior box, or `None` if no `delta` does.
    pub fn delta_range(&self, params: &[ParamSpec], x: &[f64], sigma: f64) -> Option<(f64, f64)> {
        let s = &self.scaling;
        let ee = x[self.log_epsilon_e] + EPSILON_E_EXPONENT * sigma;
        let pe = &params[self.log_epsilon_e];
        if ee < pe.min || ee > pe.max {
            return None;
        }
        let (pe0, pn, pb) = (
            &params[s.log_energy],
            &params[s.log_density],
            &params[s.log_epsilon_b],
        );
        let e = x[s.log_energy] + ENERGY_EXPONENT * sigma;
        let b = x[s.log_epsilon_b] + EPSILON_B_EXPONENT * sigma;
        // e + δ ∈ E box, n + δ ∈ n box, b − δ ∈ ε_B box
        let lo = (pe0.min - e).max(pn.min - x[s.log_density]).max(b - pb.max);
        let hi = (pe0.max - e).min(pn.max - x[s.log_density]).min(b - pb.min);
        (lo <= hi).then_some((lo, hi))
    }

    /// The light curve `y` (log10 mJy, `bands × times`) of parameters `x`
    /// stretched by `k` grid steps and scaled by `delta` dex; `None` if the
    /// stretched point leaves the prior box (`params`).
    pub fn stretch(
        &self,
        params: &[ParamSpec],
        n_times: usize,
        x: &[f64],
        y: &[f64],
        k: i64,
        delta: f64,
    ) -> Option<Stretched> {
        let sigma = k as f64 * self.grid_step_dex;
        let (lo, hi) = self.delta_range(params, x, sigma)?;
        if delta < lo || delta > hi {
            return None;
        }
        let shift = FLUX_EXPONENT * sigma + delta;
        let log_flux = y
            .chunks_exact(n_times)
            .flat_map(|band| {
                (0..n_times as i64).map(move |j| {
                    let from = j - k;
                    (0..n_times as i64)
                        .contains(&from)
                        .then(|| band[from as usize] + shift)
                })
            })
            .collect();
        Some(Stretched {
            params: self.moved(x, sigma, delta),
            log_flux,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stretch_moves_the_curve_and_stays_in_the_box() {
        let params = vec![
            ParamSpec::uniform("log10_E0", 47.0, 57.0),
            ParamSpec::uniform("log10_n0", -6.0, 2.0),
            ParamSpec::uniform("log10_epsilon_e", -4.0, 0.0),
            ParamSpec::uniform("log10_epsilon_B", -8.0, 0.0),
        ];
        let ts = TimeStretch {
            scaling: EnergyDensityScaling::detect(&params).unwrap(),
            log_epsilon_e: 2,
            grid_step_dex: 0.1,
        };
        let x = [52.0, -2.0, -1.0, -3.0];
        let y: Vec<f64> = (0..8).map(|j| j as f64).collect(); // 2 bands × 4 times
        let s = ts.stretch(&params, 4, &x, &y, 2, 0.0).unwrap();
        let shift = 7.0 / 3.0 * 0.2;
        assert_eq!(s.log_flux[0], None);
        assert_eq!(s.log_flux[1], None);
        assert!((s.log_flux[2].unwrap() - (0.0 + shift)).abs() < 1e-12);
        assert!((s.log_flux[7].unwrap() - (5.0 + shift)).abs() < 1e-12);
        assert!((s.params[0] - 52.6).abs() < 1e-12 && (s.params[2] - (-1.0 + 0.2 / 3.0)).abs() < 1e-12);
        // ε_e would leave the box: refused
        assert!(ts
            .stretch(&params, 4, &[52.0, -2.0, -0.01, -3.0], &y, 2, 0.0)
            .is_none());
        // a δ outside the allowed range is refused, one inside accepted
        let (lo, hi) = ts.delta_range(&params, &x, 0.2).unwrap();
        assert!(ts.stretch(&params, 4, &x, &y, 2, hi + 0.1).is_none());
        let mid = ts.stretch(&params, 4, &x, &y, 2, 0.5 * (lo + hi)).unwrap();
        for (p, spec) in mid.params.iter().zip(&params) {
            assert!(*p >= spec.min && *p <= spec.max);
        }
    }
}
