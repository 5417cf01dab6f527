//! The TOV equations in the pseudo-enthalpy form with the tidal
//! perturbation, integrated from the centre (h = h_c) to the surface (h = 0).
//!
//! Lindblom, Astrophys. J. 398, 569 (1992), eqs. 3–4 for r(h), m(h); the
//! even-parity static tidal perturbation H with β = dH/dr (Hinderer 2008,
//! eq. 15; jester's `tov_ode`), state (r, m, H, β):
//! dr/dh = −r(r−2m)/(m+4πr³p), dm/dh = 4πr²e dr/dh, dH/dh = β dr/dh,
//! dβ/dh = −(C₀H + C₁β) dr/dh, A = 1/(1−2m/r),
//! C₁ = 2/r + A(2m/r² + 4πr(p−e)),
//! C₀ = A(−6/r² + 4π(e+p) de/dp + 4π(5e+9p)) − [2(m+4πr³p)/(r(r−2m))]².
//! Start at h₀ = h_c − Δ, Δ = `start_fraction`·h_c with Lindblom's series
//! (eqs. 7–8): r₀ = √(3Δ/(2π(e_c+3p_c))) [1 − (e_c − 3p_c − 0.6 (de/dh)_c)
//! Δ/(4(e_c+3p_c))], m₀ = (4π/3) e_c r₀³ [1 − 0.6 (de/dh)_c Δ/e_c],
//! H₀ = r₀², β₀ = 2r₀. Units: any G = c = 1 system (the EOS's).

use super::love::{love_number_k2, tidal_deformability_from_k2};
use super::TovError;
use crate::eos::polytrope::PiecewisePolytrope;
use crate::eos::{EosPoint, TableLookup};
use ferrax_autodiff::Scalar;
use ferrax_solvers::ode::{ControllerOptions, Dopri5, SolverStats};
use std::f64::consts::PI;

/// What the TOV solver needs from an EOS, in G = c = 1 units.
pub trait EnthalpyEos<T: Scalar> {
    /// (e, p, de/dp) at pseudo-enthalpy h.
    fn at_enthalpy(&self, h: T) -> EosPoint<T>;
    /// Pseudo-enthalpy at pressure p.
    fn enthalpy_at_pressure(&self, p: T) -> T;
    /// Enthalpies where the EOS is not smooth (table nodes, piece
    /// boundaries), increasing.
    fn kinks(&self) -> Vec<T>;
}

impl<T: Scalar> EnthalpyEos<T> for TableLookup<T> {
    #[inline(always)]
    fn at_enthalpy(&self, h: T) -> EosPoint<T> {
        TableLookup::at_enthalpy(self, h)
    }
    fn enthalpy_at_pressure(&self, p: T) -> T {
        TableLookup::enthalpy_at_pressure(self, p)
    }
    fn kinks(&self) -> Vec<T> {
        self.enthalpies().to_vec()
    }
}

impl<T: Scalar> EnthalpyEos<T> for PiecewisePolytrope {
    #[inline]
    fn at_enthalpy(&self, h: T) -> EosPoint<T> {
        PiecewisePolytrope::at_enthalpy(self, h)
    }
    fn enthalpy_at_pressure(&self, p: T) -> T {
        PiecewisePolytrope::enthalpy_at_pressure(self, p)
    }
    fn kinks(&self) -> Vec<T> {
        self.h_bounds.iter().map(|&h| T::cst(h)).collect()
    }
}

/// Options of one TOV integration.
#[derive(Debug, Clone, Copy)]
pub struct TovOptions {
    /// Relative tolerance of the Dopri5 controller.
    pub rtol: f64,
    /// Absolute tolerance (length units of the EOS: m for geometric tables).
    pub atol: f64,
    /// Δ/h_c of the starting point.
    pub start_fraction: f64,
    /// Restart the integration at every EOS kink below h_c, so the adaptive
    /// stepper never crosses a non-smooth point (accurate mode).
    pub split_at_kinks: bool,
    /// Maximum steps per integration segment.
    pub max_steps: usize,
    /// Proportional coefficient of the step-size controller (0: I controller).
    pub pcoeff: f64,
    /// Integral coefficient of the step-size controller.
    pub icoeff: f64,
}

impl TovOptions {
    /// jester's defaults: rtol 1e-5, atol 1e-6, Δ = 1e-3 h_c, first step −Δ,
    /// no restarts, 4096 steps.
    pub fn jester_default() -> Self {
        TovOptions {
            rtol: 1e-5,
            atol: 1e-6,
            start_fraction: 1e-3,
            split_at_kinks: false,
            max_steps: 4096,
            pcoeff: 0.0,
            icoeff: 1.0,
        }
    }
    /// Reference accuracy: rtol = atol = 1e-12, Δ = 1e-8 h_c, restarts at
    /// every kink.
    pub fn tight() -> Self {
        TovOptions {
            rtol: 1e-12,
            atol: 1e-12,
            start_fraction: 1e-8,
            split_at_kinks: true,
            max_steps: 100_000,
            pcoeff: 0.0,
            icoeff: 1.0,
        }
    }
}

impl Default for TovOptions {
    fn default() -> Self {
        Self::jester_default()
    }
}

/// One star.
#[derive(Debug, Clone, Copy)]
pub struct Star<T> {
    /// Gravitational mass (EOS length units).
    pub mass: T,
    /// Circumferential radius (EOS length units).
    pub radius: T,
    /// y = R β(R)/H(R).
    pub y: T,
    /// Compactness M/R.
    pub compactness: T,
    /// Love number k₂.
    pub k2: T,
    /// Tidal deformability Λ = (2/3) k₂ C⁻⁵.
    pub lambda: T,
    /// Central pseudo-enthalpy.
    pub h_c: T,
    /// Solver counters summed over segments.
    pub stats: SolverStats,
}

/// The right-hand side d(r, m, H, β)/dh (three divisions per call).
#[inline]
pub fn tov_rhs<T: Scalar>(q: &EosPoint<T>, y: &[T; 4]) -> [T; 4] {
    let [r, m, hh, b] = *y;
    let (e, p, dedh) = (q.e, q.p, q.dedh);
    let four_pi = 4.0 * PI;
    let inv_r = r.recip();
    let inv_r2 = inv_r * inv_r;
    let r_minus_2m = r - m * 2.0;
    let inv_r_minus_2m = r_minus_2m.recip();
    let source = m + r * r * r * p * four_pi;
    // A = 1/(1 − 2m/r) = r/(r − 2m).
    let a = r * inv_r_minus_2m;
    let c1 = inv_r * 2.0 + a * (m * 2.0 * inv_r2 + r * (p - e) * four_pi);
    let nu = source * 2.0 * inv_r * inv_r_minus_2m;
    let c0 = a * (inv_r2 * (-6.0) + dedh * four_pi + (e * 5.0 + p * 9.0) * four_pi) - nu * nu;
    let drdh = -(r * r_minus_2m) / source;
    [
        drdh,
        r * r * e * drdh * four_pi,
        b * drdh,
        -((c0 * hh + c1 * b) * drdh),
    ]
}

/// Solves one star of central pressure `p_c` (EOS units).
pub fn solve_star<T: Scalar, E: EnthalpyEos<T>>(
    eos: &E,
    p_c: T,
    opts: &TovOptions,
) -> Result<Star<T>, TovError> {
    let StarStart { h_c, h0, delta, y0 } = star_start(eos, p_c, opts)?;
    let ctrl = star_controller(opts, delta.re());
    // Segment end points: kinks strictly inside (0, h0), descending, then 0.
    let mut stops: Vec<T> = Vec::new();
    if opts.split_at_kinks {
        let h0r = h0.re();
        let mut ks: Vec<T> = eos
            .kinks()
            .into_iter()
            .filter(|k| k.re() > 1e-300 && k.re() < h0r * (1.0 - 1e-12))
            .collect();
        ks.reverse();
        stops.extend(ks);
    }
    stops.push(T::cst(0.0));
    let mut t = h0;
    let mut y = y0;
    let mut stats = SolverStats::default();
    for (i, &stop) in stops.iter().enumerate() {
        let solver = Dopri5::new(ControllerOptions {
            dt0: if i == 0 { ctrl.dt0 } else { None },
            ..ctrl
        });
        // Inlined into the stepper: no call and no copy of the result per stage.
        let sol = solver.solve(
            #[inline(always)]
            |h: T, y: &[T; 4]| tov_rhs(&eos.at_enthalpy(h), y),
            t,
            stop,
            y,
        )?;
        stats.accepted_steps += sol.stats.accepted_steps;
        stats.rejected_steps += sol.stats.rejected_steps;
        stats.rhs_evaluations += sol.stats.rhs_evaluations;
        t = stop;
        y = sol.y;
    }
    finish_star(p_c, h_c, y, stats)
}

/// The starting point of one integration: Lindblom's series at
/// h₀ = h_c − Δ (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub struct StarStart<T> {
    /// Central pseudo-enthalpy h_c.
    pub h_c: T,
    /// Starting enthalpy h₀ = h_c − Δ.
    pub h0: T,
    /// Δ = `start_fraction`·h_c (also the magnitude of the first step).
    pub delta: T,
    /// (r, m, H, β) at h₀ (EOS length units).
    pub y0: [T; 4],
}

/// The central enthalpy and the series start of the star of central
/// pressure `p_c` (EOS units).
pub fn star_start<T: Scalar, E: EnthalpyEos<T>>(
    eos: &E,
    p_c: T,
    opts: &TovOptions,
) -> Result<StarStart<T>, TovError> {
    if !(p_c.re().is_finite() && p_c.re() > 0.0) {
        return Err(TovError::InvalidCentralPressure(p_c.re()));
    }
    let h_c = eos.enthalpy_at_pressure(p_c);
    let c = eos.at_enthalpy(h_c);
    let e_c = c.e;
    // jester: de/dp at the centre uses the given p_c.
    let dedp_c = c.dedp * c.p / p_c;
    let dedh_c = dedp_c * (e_c + p_c);
    let delta = h_c * opts.start_fraction;
    let h0 = h_c - delta;
    let ec3p = e_c + p_c * 3.0;
    let mut r0 = (delta * 3.0 / (ec3p * (2.0 * PI))).sqrt();
    r0 = r0 * ((e_c - p_c * 3.0 - dedh_c * 0.6) * delta * 0.25 / ec3p).rsub(1.0);
    let m0 = e_c * r0 * r0 * r0 * (4.0 * PI / 3.0) * (dedh_c * 0.6 * delta / e_c).rsub(1.0);
    Ok(StarStart {
        h_c,
        h0,
        delta,
        y0: [r0, m0, r0 * r0, r0 * 2.0],
    })
}

/// The controller options of the first integration segment of a star
/// (jester's: I controller, first step Δ).
pub fn star_controller(opts: &TovOptions, delta: f64) -> ControllerOptions {
    ControllerOptions {
        rtol: opts.rtol,
        atol: opts.atol,
        dt0: Some(delta),
        max_steps: opts.max_steps,
        pcoeff: opts.pcoeff,
        icoeff: opts.icoeff,
        ..Default::default()
    }
}

/// The star from the state (r, m, H, β) at the surface h = 0: y = Rβ/H,
/// C = M/R, k₂ and Λ; a typed error naming `p_c` if M, R or Λ is not
/// physical.
pub fn finish_star<T: Scalar>(p_c: T, h_c: T, y: [T; 4], stats: SolverStats) -> Result<Star<T>, TovError> {
    let [r, m, hh, b] = y;
    let yy = r * b / hh;
    let comp = m / r;
    let k2 = love_number_k2(comp, yy);
    let star = Star {
        mass: m,
        radius: r,
        y: yy,
        compactness: comp,
        k2,
        lambda: tidal_deformability_from_k2(comp, k2),
        h_c,
        stats,
    };
    if !(star.mass.re().is_finite() && star.radius.re() > 0.0 && star.lambda.re().is_finite()) {
        return Err(TovError::NonPhysical {
            p_c: p_c.re(),
            msg: format!(
                "M = {}, R = {}, Lambda = {}",
                star.mass.re(),
                star.radius.re(),
                star.lambda.re()
            ),
        });
    }
    Ok(star)
}
