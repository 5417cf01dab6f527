//! Post-Newtonian phasing coefficients of the stationary-phase (TaylorF2)
//! approximation for aligned spins, with spin-induced quadrupole and tidal
//! terms, in the form LALSimulation uses (`XLALSimInspiralPNPhasing_F2`).
//!
//! Point-particle terms: Buonanno, Iyer, Ochsner, Pan & Sathyaprakash 2009,
//! Phys. Rev. D 80, 084043, Eq. (3.18); spin-orbit terms to 3.5PN: Bohé,
//! Marsat, Faye & Blanchet 2013, arXiv:1303.7412, Eqs. (3.15)-(3.16) (their
//! Eq. 3.9 variables); spin-spin terms (2PN, 3PN, with quadrupole parameter):
//! Bohé, Faye, Marsat & Porter 2015, Class. Quantum Grav. 32, 195010;
//! tidal terms (5PN, 6PN, 6.5PN, 7PN): Vines, Flanagan & Hinderer 2011,
//! Phys. Rev. D 83, 084051 and Damour, Nagar & Villain 2012, Phys. Rev. D 85,
//! 123007. The 7.5PN tidal coefficient is zero, as in LAL.

use super::super::constants::{EULER_GAMMA, PI};
use ferrax_autodiff::Scalar;

/// Phasing series `Ψ(v) = Σ_k (v_k + vlogv_k ln v) v^(k-5)`, all already
/// multiplied by the Newtonian prefactor 3/(128 η).
#[derive(Debug, Clone, Copy)]
pub struct PnPhasing<T> {
    /// Coefficients of `v^(k-5)` for k = 0..=15.
    pub v: [T; 16],
    /// Coefficients of `v^(k-5) ln v` for k = 0..=15.
    pub vlogv: [T; 16],
}

/// Which spin-spin pieces to include.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpinSpin3Pn {
    /// Include the 3PN spin-spin term (TaylorF2).
    Include,
    /// Leave out its black-hole part (IMRPhenomD was calibrated without
    /// it; LAL subtracts the κ = 1 value, so only the (κ − 1) part stays).
    Exclude,
}

/// Aligned-spin TaylorF2 phasing coefficients (LAL's `PNPhasing_F2` at
/// 3.5PN spin order, all tidal orders).
///
/// `m1`, `m2` in any common mass unit, `chi1`, `chi2` dimensionless aligned
/// spins, `qm1`, `qm2` the spin-induced quadrupole parameters κ_i (1 for
/// black holes), `lambda1`, `lambda2` the dimensionless tidal
/// deformabilities Λ_i.
#[allow(clippy::too_many_arguments)]
pub fn taylorf2_phasing<T: Scalar>(
    m1: T,
    m2: T,
    chi1: T,
    chi2: T,
    qm1: T,
    qm2: T,
    lambda1: T,
    lambda2: T,
    ss3_mode: SpinSpin3Pn,
) -> PnPhasing<T> {
    let mtot = m1 + m2;
    let d = (m1 - m2) / mtot;
    let eta = m1 * m2 / mtot / mtot;
    let m1m = m1 / mtot;
    let m2m = m2 / mtot;
    // arXiv:1303.7412 Eq. (3.9), divided by M^2.
    let sl = chi1 * m1m * m1m + chi2 * m2m * m2m;
    let dsigmal = d * (chi2 * m2m - chi1 * m1m);
    let pfa_n = (eta * 128.0).rdiv(3.0);
    let zero = T::cst(0.0);
    let mut v = [zero; 16];
    let mut vlogv = [zero; 16];
    let eta2 = eta * eta;
    v[0] = T::cst(1.0);
    v[2] = (eta * 11.0 + 743.0 / 84.0) * 5.0 / 9.0;
    v[3] = T::cst(-16.0 * PI);
    v[4] = (eta * (5429.0 / 7.0) + eta2 * 617.0 + 3058.673 / 7.056) * 5.0 / 72.0;
    v[5] = (eta * (-13.0) + 7729.0 / 84.0) * (5.0 / 9.0 * PI);
    vlogv[5] = (eta * (-13.0) + 7729.0 / 84.0) * (5.0 / 3.0 * PI);
    v[6] = eta * (-15737.765635 / 3.048192 + 2255.0 / 12.0 * PI * PI) + eta2 * (76055.0 / 1728.0)
        - eta2 * eta * (127825.0 / 1296.0)
        + (11583.231236531 / 4.694215680 - 640.0 / 3.0 * PI * PI - 6848.0 / 21.0 * EULER_GAMMA);
    v[6] = v[6] + (-6848.0 / 21.0) * 4f64.ln();
    vlogv[6] = T::cst(-6848.0 / 21.0);
    v[7] = (eta * (378515.0 / 1512.0) - eta2 * (74045.0 / 756.0) + 77096675.0 / 254016.0) * PI;

    // Spin-orbit (arXiv:1303.7412 Eqs. 3.15-3.16).
    let pn_gamma =
        sl * (eta * (110.0 / 9.0) + 554345.0 / 1134.0) + dsigmal * (eta * (-10.0 / 3.0) + 13915.0 / 84.0);
    v[7] = v[7] + sl * (eta * (6586595.0 / 756.0) - eta2 * (305.0 / 36.0) - 8980424995.0 / 762048.0)
        - dsigmal * (eta * (-2876425.0 / 672.0) - eta2 * (4735.0 / 144.0) + 170978035.0 / 48384.0);
    // Spin-spin with spin-induced quadrupole parameters.
    let chi1sq = chi1 * chi1;
    let chi2sq = chi2 * chi2;
    let mut pn_sigma = eta * (chi1 * chi2 * (721.0 / 48.0) - chi1 * chi2 * (247.0 / 48.0));
    pn_sigma = pn_sigma + (qm1 * 720.0 - 1.0) / 96.0 * m1m * m1m * chi1 * chi1;
    pn_sigma = pn_sigma + (qm2 * 720.0 - 1.0) / 96.0 * m2m * m2m * chi2 * chi2;
    pn_sigma = pn_sigma - (qm1 * 240.0 - 7.0) / 96.0 * m1m * m1m * chi1sq;
    pn_sigma = pn_sigma - (qm2 * 240.0 - 7.0) / 96.0 * m2m * m2m * chi2sq;
    let ss3 = |qm1: T, qm2: T| {
        let mut pn_ss3 = (eta * (557.5 / 1.8) + 326.75 / 1.12) * eta * chi1 * chi2;
        pn_ss3 = pn_ss3
            + ((m1m * (2935.0 / 6.0) - m1m * m1m * 120.0 + 4703.5 / 8.4) * qm1
                + (m1m * (-108.5 / 1.2) + m1m * m1m * (125.5 / 3.6) - 4108.25 / 6.72))
                * m1m
                * m1m
                * chi1sq;
        pn_ss3
            + ((m2m * (2935.0 / 6.0) - m2m * m2m * 120.0 + 4703.5 / 8.4) * qm2
                + (m2m * (-108.5 / 1.2) + m2m * m2m * (125.5 / 3.6) - 4108.25 / 6.72))
                * m2m
                * m2m
                * chi2sq
    };
    let pn_ss3 = ss3(qm1, qm2);
    v[6] = v[6] + (sl * 3760.0 + dsigmal * 1490.0) * (PI / 3.0);
    v[6] = v[6] + pn_ss3;
    v[5] = v[5] - pn_gamma;
    vlogv[5] = vlogv[5] - pn_gamma * 3.0;
    v[4] = v[4] - pn_sigma * 10.0;
    v[3] = v[3] + sl * (188.0 / 3.0) + dsigmal * 25.0;

    // Tidal terms.
    v[10] = lambda1 * tidal_5pn(m1m) + lambda2 * tidal_5pn(m2m);
    v[12] = lambda1 * tidal_6pn(m1m) + lambda2 * tidal_6pn(m2m);
    v[13] = lambda1 * tidal_65pn(m1m) + lambda2 * tidal_65pn(m2m);
    v[14] = lambda1 * tidal_7pn(m1m) + lambda2 * tidal_7pn(m2m);
    for k in 0..16 {
        v[k] = v[k] * pfa_n;
        vlogv[k] = vlogv[k] * pfa_n;
    }
    if ss3_mode == SpinSpin3Pn::Exclude {
        // LAL's Subtract3PNSS: the κ = 1 value times v[0].
        v[6] = v[6] - ss3(T::cst(1.0), T::cst(1.0)) * v[0];
    }
    PnPhasing { v, vlogv }
}

/// 5PN tidal coefficient per unit Λ of a body with mass fraction `m` = m_i/M
/// (Vines, Flanagan & Hinderer 2011, Eq. 3.5).
#[inline(never)]
pub fn tidal_5pn<T: Scalar>(m: T) -> T {
    let m4 = m * m * m * m;
    (m * 264.0 - 288.0) * m4
}

/// 6PN tidal coefficient per unit Λ (Vines, Flanagan & Hinderer 2011, Eq. 3.5).
#[inline(never)]
pub fn tidal_6pn<T: Scalar>(m: T) -> T {
    let m2 = m * m;
    let m4 = m2 * m2;
    (m * (4595.0 / 28.0) + m2 * (5715.0 / 14.0) - m2 * m * (325.0 / 7.0) - 15895.0 / 28.0) * m4
}

/// 6.5PN tidal coefficient per unit Λ (Damour, Nagar & Villain 2012, Eq. 7).
#[inline(never)]
pub fn tidal_65pn<T: Scalar>(m: T) -> T {
    let m2 = m * m;
    let m4 = m2 * m2;
    m4 * ((m * (-11.0) + 12.0) * (24.0 * PI))
}

/// 7PN tidal coefficient per unit Λ (Damour, Nagar & Villain 2012, Eq. 7).
#[inline(never)]
pub fn tidal_7pn<T: Scalar>(m: T) -> T {
    let m2 = m * m;
    let m3 = m2 * m;
    let m4 = m3 * m;
    let poly = m * (-14415613.0 / 381024.0) - m2 * (57859.0 / 378.0) - m3 * (209495.0 / 1512.0)
        + m4 * (965.0 / 54.0)
        - m4 * m * 4.0
        + 193986935.0 / 571536.0;
    -(m4 * 5.0 * poly)
}
