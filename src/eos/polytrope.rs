//! Polytropes and piecewise polytropes in code units (G = c = M☉ = 1),
//! evaluated analytically in the pseudo-enthalpy.
//!
//! Each piece i: p = K_i ρ^Γ_i, e = (1 + a_i) ρ + K_i ρ^Γ_i/(Γ_i − 1),
//! h = ln(1 + a_i + Γ_i K_i ρ^{Γ_i−1}/(Γ_i − 1)), (e + p) de/dp = (e + p)²/(Γ_i p)
//! (Read, Lackey, Owen & Friedman, Phys. Rev. D 79, 124032 (2009), eqs. 2–7;
//! a_i from continuity of e, eq. 7). The Read et al. parametrisation
//! (log p₁, Γ₁, Γ₂, Γ₃; ρ₁ = 10^14.7, ρ₂ = 10^15 g cm⁻³) sits on their
//! 4-piece SLy crust fit (Table II), whose K₁..K₃ are re-derived here by
//! exact pressure continuity from K₀.

use super::table::EosPoint;
use super::units::{C_CGS, G_CM3_TO_CODE};
use super::EosError;
use ferrax_autodiff::Scalar;

/// The SLy crust fit of Read et al. (2009), Table II: K₀ (cgs, p/c² in
/// g cm⁻³), the four adiabatic indices and the three dividing densities
/// [g cm⁻³].
pub const SLY_CRUST_K0_CGS: f64 = 6.80110e-9;
/// Adiabatic indices of the four SLy crust pieces.
pub const SLY_CRUST_GAMMA: [f64; 4] = [1.58425, 1.28733, 0.62223, 1.35692];
/// Dividing densities of the SLy crust pieces [g cm⁻³].
pub const SLY_CRUST_RHO_CGS: [f64; 3] = [2.44034e7, 3.78358e11, 2.62780e12];
/// ρ₁ of the core pieces [g cm⁻³] (10^14.7).
pub const READ_RHO1_CGS: f64 = 501187233627271.44;
/// ρ₂ of the core pieces [g cm⁻³] (10^15).
pub const READ_RHO2_CGS: f64 = 1e15;

/// A piecewise polytrope in code units.
#[derive(Debug, Clone)]
pub struct PiecewisePolytrope {
    /// K_i (code units).
    pub k: Vec<f64>,
    /// Γ_i.
    pub gamma: Vec<f64>,
    /// Rest-mass densities at the piece boundaries (code units), len − 1.
    pub rho_bounds: Vec<f64>,
    /// a_i from continuity of e (a₀ = 0).
    pub a: Vec<f64>,
    /// Pseudo-enthalpy at the boundaries.
    pub h_bounds: Vec<f64>,
    /// Pressure at the boundaries (code units).
    pub p_bounds: Vec<f64>,
}

impl PiecewisePolytrope {
    /// A single polytrope p = K ρ^Γ (code units).
    pub fn single(k: f64, gamma: f64) -> Result<Self, EosError> {
        Self::new(vec![k], vec![gamma], vec![])
    }

    /// Pieces from K_i, Γ_i (code units) and the boundary densities; a_i and
    /// the boundary enthalpies follow. K must be continuous in pressure for
    /// a physical EOS (not checked: the caller's pieces are used as given).
    pub fn new(k: Vec<f64>, gamma: Vec<f64>, rho_bounds: Vec<f64>) -> Result<Self, EosError> {
        if k.is_empty() || k.len() != gamma.len() || rho_bounds.len() + 1 != k.len() {
            return Err(EosError::param(
                "pieces",
                "need K and Gamma of equal length and one fewer boundary",
            ));
        }
        for (i, (&ki, &gi)) in k.iter().zip(&gamma).enumerate() {
            if !(ki.is_finite() && ki > 0.0) {
                return Err(EosError::param(format!("K[{i}]"), "must be finite and > 0"));
            }
            if !(gi.is_finite() && gi > 0.0 && gi != 1.0) {
                return Err(EosError::param(
                    format!("Gamma[{i}]"),
                    "must be finite, > 0 and != 1",
                ));
            }
        }
        if rho_bounds.windows(2).any(|w| w[1] <= w[0])
            || rho_bounds.iter().any(|r| !(r.is_finite() && *r > 0.0))
        {
            return Err(EosError::param("rho_bounds", "must be positive and increasing"));
        }
        let mut a = vec![0.0];
        for (j, &rb) in rho_bounds.iter().enumerate() {
            let (k0, g0, k1, g1) = (k[j], gamma[j], k[j + 1], gamma[j + 1]);
            a.push(a[j] + k0 * rb.powf(g0 - 1.0) / (g0 - 1.0) - k1 * rb.powf(g1 - 1.0) / (g1 - 1.0));
        }
        let mut s = PiecewisePolytrope {
            k,
            gamma,
            rho_bounds,
            a,
            h_bounds: vec![],
            p_bounds: vec![],
        };
        s.h_bounds = (0..s.rho_bounds.len())
            .map(|j| s.enthalpy_of_rho(j, s.rho_bounds[j]))
            .collect();
        s.p_bounds = (0..s.rho_bounds.len())
            .map(|j| s.k[j] * s.rho_bounds[j].powf(s.gamma[j]))
            .collect();
        Ok(s)
    }

    /// Read et al. (2009) core (log₁₀ p₁ [dyn cm⁻²], Γ₁, Γ₂, Γ₃) on their SLy
    /// crust, converted to code units.
    pub fn read2009(logp1_dyn_cm2: f64, gamma1: f64, gamma2: f64, gamma3: f64) -> Result<Self, EosError> {
        for (name, v) in [
            ("logp1", logp1_dyn_cm2),
            ("Gamma1", gamma1),
            ("Gamma2", gamma2),
            ("Gamma3", gamma3),
        ] {
            if !v.is_finite() {
                return Err(EosError::param(name, "must be finite"));
            }
        }
        // cgs pieces: p/c² [g cm⁻³] = K ρ^Γ.
        let mut k = vec![SLY_CRUST_K0_CGS];
        let mut gamma = vec![SLY_CRUST_GAMMA[0]];
        let mut rho = Vec::new();
        for j in 0..3 {
            let rb = SLY_CRUST_RHO_CGS[j];
            let g1 = SLY_CRUST_GAMMA[j + 1];
            k.push(k[j] * rb.powf(gamma[j] - g1));
            gamma.push(g1);
            rho.push(rb);
        }
        let p1 = 10f64.powf(logp1_dyn_cm2) / (C_CGS * C_CGS);
        let k1 = p1 / READ_RHO1_CGS.powf(gamma1);
        let k2 = k1 * READ_RHO1_CGS.powf(gamma1 - gamma2);
        let k3 = k2 * READ_RHO2_CGS.powf(gamma2 - gamma3);
        let (kc, gc) = (k[3], gamma[3]);
        let rho_cc = (kc / k1).powf(1.0 / (gamma1 - gc));
        if !(rho_cc > SLY_CRUST_RHO_CGS[2] && rho_cc < READ_RHO1_CGS) {
            return Err(EosError::param(
                "logp1",
                format!("crust-core density {rho_cc:e} g/cm^3 outside the crust's last piece"),
            ));
        }
        rho.extend([rho_cc, READ_RHO1_CGS, READ_RHO2_CGS]);
        k.extend([k1, k2, k3]);
        gamma.extend([gamma1, gamma2, gamma3]);
        // Code units: ρ_code = f ρ_cgs, p_code = f p_cgs/c² → K_code = K f^{1−Γ}.
        let f = G_CM3_TO_CODE;
        let k_code: Vec<f64> = k
            .iter()
            .zip(&gamma)
            .map(|(&ki, &gi)| ki * f.powf(1.0 - gi))
            .collect();
        let rho_code: Vec<f64> = rho.iter().map(|r| r * f).collect();
        Self::new(k_code, gamma, rho_code)
    }

    fn enthalpy_of_rho(&self, i: usize, rho: f64) -> f64 {
        let (k, g) = (self.k[i], self.gamma[i]);
        (self.a[i] + g * k * rho.powf(g - 1.0) / (g - 1.0)).ln_1p()
    }

    fn piece_of_h(&self, h: f64) -> usize {
        self.h_bounds.partition_point(|&b| b < h)
    }

    /// (e, p, de/dp, de/dh) at pseudo-enthalpy h; h ≤ 0 is the surface
    /// (ρ = 0). de/dh = (e+p)²/(Γp) = ρ^{2−Γ} e^{2h}/(Γ K) stays finite at
    /// the surface for Γ ≤ 2 (de/dp does not).
    pub fn at_enthalpy<T: Scalar>(&self, h: T) -> EosPoint<T> {
        let i = self.piece_of_h(h.re());
        let (k, g, a) = (self.k[i], self.gamma[i], self.a[i]);
        // ρ = [(e^h − 1 − a)(Γ − 1)/(Γ K)]^{1/(Γ−1)}
        let base = (h.expm1() - a) * ((g - 1.0) / (g * k));
        let rho = if base.re() > 0.0 {
            base.powf(1.0 / (g - 1.0))
        } else {
            T::cst(0.0)
        };
        let p = rho.powf(g) * k;
        let e = rho * (1.0 + a) + p / (g - 1.0);
        let dedh = if rho.re() > 0.0 {
            rho.powf(2.0 - g) * (h * 2.0).exp() / (g * k)
        } else if g == 2.0 {
            T::cst(1.0 / (g * k))
        } else {
            T::cst(0.0)
        };
        EosPoint {
            e,
            p,
            dedp: dedh / (e + p),
            dedh,
        }
    }

    /// Pseudo-enthalpy at pressure p (code units).
    pub fn enthalpy_at_pressure<T: Scalar>(&self, p: T) -> T {
        let i = self.p_bounds.partition_point(|&b| b < p.re());
        let (k, g, a) = (self.k[i], self.gamma[i], self.a[i]);
        let rho = (p / k).powf(1.0 / g);
        (rho.powf(g - 1.0) * (g * k / (g - 1.0)) + a).log1p()
    }

    /// Rest-mass density at pressure p (code units).
    pub fn rho_at_pressure(&self, p: f64) -> f64 {
        let i = self.p_bounds.partition_point(|&b| b < p);
        (p / self.k[i]).powf(1.0 / self.gamma[i])
    }
}
