//! TaylorF2: stationary-phase inspiral with the 3.5PN point-particle and
//! spin phase, tidal terms to 7PN and the spin-induced quadrupole from Λ,
//! exactly as LALSimulation's `XLALSimInspiralTaylorF2Core` with default
//! settings (Newtonian amplitude, t_c = 0, phase referenced at f_ref).
//! The SPA amplitude is Eq. (6.9) of arXiv:0810.5336 at leading order.

use super::pn_phasing::{taylorf2_phasing, PnPhasing, SpinSpin3Pn};
use super::AlignedModel;
use crate::gw::constants::{MPC_SI, MRSUN_SI, MTSUN_SI, PI};
use ferrax_autodiff::Scalar;

/// Spin-induced quadrupole parameter κ = Q(Λ) of a neutron star from its
/// tidal deformability (Yagi & Yunes 2013, Science 341, 365, the fit LAL
/// uses in `XLALSimInspiralEOSQfromLambda`): ln Q = 0.194 + 0.0936 x +
/// 0.0474 x² − 0.00421 x³ + 0.000123 x⁴ with x = ln Λ; Q = 1 for Λ < 1e-15.
pub fn quadrupole_from_lambda<T: Scalar>(lambda: T) -> T {
    if lambda.re() < 1e-15 {
        return T::cst(1.0);
    }
    let x = lambda.ln();
    let x2 = x * x;
    (x * 0.0936 + x2 * 0.0474 - x2 * x * 0.00421 + x2 * x2 * 0.000123 + 0.194).exp()
}

/// TaylorF2 prepared for one parameter set.
#[derive(Debug, Clone)]
pub struct TaylorF2<T> {
    pfa: PnPhasing<T>,
    amp0: T,
    eta: T,
    ref_phasing: T,
    two_phi_ref: T,
    /// (π M)^(1/3) and its logarithm.
    pi_m_third: T,
    ln_pi_m_third: T,
}

/// Inputs of TaylorF2 (masses M☉, distance Mpc, phase rad).
#[derive(Debug, Clone, Copy)]
pub struct TaylorF2Inputs<T> {
    /// Mass of body 1 [M☉].
    pub m1: T,
    /// Mass of body 2 [M☉].
    pub m2: T,
    /// Aligned spin of body 1.
    pub chi1: T,
    /// Aligned spin of body 2.
    pub chi2: T,
    /// Tidal deformability of body 1.
    pub lambda1: T,
    /// Tidal deformability of body 2.
    pub lambda2: T,
    /// Luminosity distance [Mpc].
    pub distance_mpc: T,
    /// Reference orbital phase [rad].
    pub phi_ref: T,
}

impl<T: Scalar> TaylorF2<T> {
    /// Prepares the model at reference frequency `f_ref` [Hz] (> 0).
    pub fn new(p: &TaylorF2Inputs<T>, f_ref: f64) -> Self {
        let m = p.m1 + p.m2;
        let m_sec = m * MTSUN_SI;
        let eta = p.m1 * p.m2 / (m * m);
        let pi_m = m_sec * PI;
        let qm1 = quadrupole_from_lambda(p.lambda1);
        let qm2 = quadrupole_from_lambda(p.lambda2);
        let pfa = taylorf2_phasing(
            p.m1,
            p.m2,
            p.chi1,
            p.chi2,
            qm1,
            qm2,
            p.lambda1,
            p.lambda2,
            SpinSpin3Pn::Include,
        );
        let r = p.distance_mpc * MPC_SI;
        let amp0 = p.m1 * p.m2 * (-4.0) / r * (MRSUN_SI * MTSUN_SI * (PI / 12.0).sqrt());
        let mut me = Self {
            pfa,
            amp0,
            eta,
            ref_phasing: T::cst(0.0),
            two_phi_ref: p.phi_ref * 2.0,
            pi_m_third: pi_m.cbrt(),
            ln_pi_m_third: pi_m.ln() / 3.0,
        };
        let vref = (pi_m * f_ref).cbrt();
        me.ref_phasing = me.phasing(vref, vref.ln());
        me
    }

    #[inline]
    fn phasing(&self, v: T, logv: T) -> T {
        let v2 = v * v;
        let v3 = v * v2;
        let v4 = v * v3;
        let v5 = v * v4;
        let v6 = v * v5;
        let v7 = v * v6;
        let v10 = v5 * v5;
        let v12 = v2 * v10;
        let v13 = v * v12;
        let v14 = v * v13;
        let a = &self.pfa.v;
        let l = &self.pfa.vlogv;
        let ph = a[7] * v7
            + (a[6] + l[6] * logv) * v6
            + (a[5] + l[5] * logv) * v5
            + a[4] * v4
            + a[3] * v3
            + a[2] * v2
            + a[1] * v
            + a[0]
            + a[14] * v14
            + a[13] * v13
            + a[12] * v12
            + a[10] * v10;
        ph / v5
    }
}

impl<T: Scalar> AlignedModel<T> for TaylorF2<T> {
    /// Returns `(A, Ψ − π/4)` so that `h0 = A e^{-i(Ψ − π/4)}` (A carries
    /// LAL's negative sign).
    #[inline]
    fn amp_phase(&self, f: f64) -> (T, T) {
        self.amp_phase_grid(f, f.cbrt(), f.ln())
    }

    #[inline]
    fn amp_phase_grid(&self, _f: f64, f_third: f64, ln_f: f64) -> (T, T) {
        let v = self.pi_m_third * f_third;
        let logv = self.ln_pi_m_third + ln_f / 3.0;
        let phasing = self.phasing(v, logv) - self.two_phi_ref - self.ref_phasing;
        let v2 = v * v;
        let v5 = v2 * v2 * v;
        let v10 = v5 * v5;
        // flux = FTaN v^10, dEnergy = dETaN v with FTaN = 32η²/5, dETaN = −η.
        let flux = self.eta * self.eta * (32.0 / 5.0) * v10;
        let d_energy = -(self.eta * v);
        let amp = self.amp0 * (-(d_energy / flux)).sqrt() * v;
        (amp, phasing - PI / 4.0)
    }
}
