//! IMRPhenomXAS: aligned-spin inspiral-merger-ringdown model of the (2,2)
//! mode (Pratten et al. 2020, Phys. Rev. D 102, 064001, arXiv:2001.11412),
//! with LALSimulation's default versions (inspiral phase 104, intermediate
//! phase 105, ringdown phase 105; amplitude 103 / 104 / 103) and its
//! conventions (`XLALSimIMRPhenomXASFrequencySequence` followed by the
//! polarisation step of `SimInspiralChooseFDWaveformSequence`):
//!
//! * bodies sorted so that m1 ≥ m2;
//! * `h22(f) = A0 (Mf)^(-7/6) a(Mf) exp(i φ(Mf))`, the phase continued C(1)
//!   across the region boundaries, linear time shift `linb` that puts the
//!   peak of the strain at t = 0 (`IMRPhenomX_TimeShift_22`) and phase
//!   `2 φ_ref + π/4` at `f_ref`;
//! * zero above Mf = 0.3 (0.33 when χ_eff > 0.99);
//! * `h+ = ½(1 + cos²ι) Y h22`, `h× = −i cos ι Y h22` with
//!   `Y = 2 √(5/64π) e^{−iπ} = −2 √(5/64π)` (the imaginary part of LAL's
//!   `cexp(−iπ)`, 1.2e-16, is dropped).
//!
//! Equation numbers below refer to arXiv:2001.11412; the calibrated fits
//! are in [`super::phenomxas_coeffs`].

use super::phenomd::collocation_deltas;
use super::phenomxas_coeffs as fit;
use super::phenomxas_coeffs::FitVars;
use crate::gw::constants::{MPC_SI, MRSUN_SI, MTSUN_SI, PI};
use crate::gw::{GwError, GwResult};
use ferrax_autodiff::Scalar;

mod pn;
mod regions;

pub use pn::TaylorF2Coeffs;
use pn::{ins_amp_rhos, PiPowers};

/// Default end of the model, Mf (LAL `fCutDef`).
pub const MF_CUT: f64 = 0.3;
/// End of the model when χ_eff > 0.99, Mf.
pub const MF_CUT_HIGH_SPIN: f64 = 0.33;
/// Start of the inspiral phase and amplitude calibration range, Mf (Eq. 7.4).
pub const MF_INS_MIN: f64 = 0.0026;

/// Largest mass ratio m1/m2 (or m2/m1) the model accepts, as LAL.
pub const MAX_MASS_RATIO: f64 = 1000.0;

/// LAL refuses mass ratios beyond 1000 (`XLALSimIMRPhenomXASFrequencySequence`).
pub fn check_mass_ratio(m1: f64, m2: f64) -> GwResult<()> {
    let q = if m1 > m2 { m1 / m2 } else { m2 / m1 };
    if q > MAX_MASS_RATIO && (q - MAX_MASS_RATIO).abs() > 1e-12 {
        return Err(GwError::Parameter {
            name: "m1/m2",
            value: q,
            msg: "IMRPhenomXAS is not valid at mass ratios beyond 1000",
        });
    }
    Ok(())
}

/// The inputs of IMRPhenomXAS.
#[derive(Debug, Clone, Copy)]
pub struct XasInputs<T> {
    /// Mass of body 1 [M☉].
    pub m1: T,
    /// Mass of body 2 [M☉].
    pub m2: T,
    /// Aligned dimensionless spin of body 1.
    pub chi1: T,
    /// Aligned dimensionless spin of body 2.
    pub chi2: T,
    /// Luminosity distance [Mpc].
    pub distance_mpc: T,
    /// Reference (orbital) phase [rad].
    pub phi_ref: T,
}

/// Solves the n × n system `a x = b` (row-major `a`) by Gaussian elimination
/// with partial pivoting, as GSL's LU solver that LAL calls. Pivots are
/// chosen on the plain values, so the same elimination runs on every scalar.
fn solve<T: Scalar, const N: usize>(mut a: [[T; N]; N], mut b: [T; N]) -> [T; N] {
    for col in 0..N {
        let mut piv = col;
        for r in col + 1..N {
            if a[r][col].re().abs() > a[piv][col].re().abs() {
                piv = r;
            }
        }
        a.swap(col, piv);
        b.swap(col, piv);
        for r in col + 1..N {
            let m = a[r][col] / a[col][col];
            for c in col..N {
                a[r][c] = a[r][c] - m * a[col][c];
            }
            b[r] = b[r] - m * b[col];
        }
    }
    let mut x = [T::cst(0.0); N];
    for r in (0..N).rev() {
        let mut s = b[r];
        for c in r + 1..N {
            s = s - a[r][c] * x[c];
        }
        x[r] = s / a[r][r];
    }
    x
}

/// Innermost-stable-circular-orbit frequency M f_ISCO of a Kerr black hole
/// of spin `chif` (Bardeen, Press & Teukolsky 1972; LAL
/// `XLALSimIMRPhenomXfISCO`).
pub fn f_isco<T: Scalar>(chif: T) -> T {
    let mut z1 = (chif * chif).rsub(1.0).cbrt() * ((chif + 1.0).cbrt() + chif.rsub(1.0).cbrt()) + 1.0;
    if z1.re() > 3.0 {
        z1 = T::cst(3.0);
    }
    let z2 = (chif * chif * 3.0 + z1 * z1).sqrt();
    let sign = if chif.re() > 0.0 {
        1.0
    } else if chif.re() < 0.0 {
        -1.0
    } else {
        0.0
    };
    let r_isco = z2 + 3.0 - (z1.rsub(3.0) * (z1 + 3.0 + z2 * 2.0)).sqrt() * sign;
    let r_sqrt = r_isco.sqrt();
    let omega = (r_sqrt * r_sqrt * r_sqrt + chif).recip();
    omega / PI
}

/// Powers of a dimensionless frequency used by the ansätze.
#[derive(Clone, Copy)]
struct Pw<T> {
    f: T,
    third: T,
    two_thirds: T,
    log: T,
}

impl<T: Scalar> Pw<T> {
    #[inline]
    fn new(f: T) -> Self {
        Self::from_parts(f, f.cbrt(), f.ln())
    }
    #[inline]
    fn from_parts(f: T, third: T, log: T) -> Self {
        Self {
            f,
            third,
            two_thirds: third * third,
            log,
        }
    }
}

/// IMRPhenomXAS prepared for one parameter set: every coefficient that does
/// not depend on frequency. Evaluate with [`PhenomXas::amp_phase`].
#[derive(Debug, Clone)]
pub struct PhenomXas<T> {
    /// Total mass in seconds (G M / c³).
    pub m_sec: T,
    /// Symmetric mass ratio η.
    pub eta: T,
    inv_eta: T,
    /// −2 √(5/64π) A0 √(2η/3) π^(−1/6): strain·s, sign from LAL's Y factor.
    amp_pref: T,
    // Inspiral amplitude (Eq. 5.3; pseudo-PN ρ1..ρ3).
    pn_two_thirds: T,
    pn_one: T,
    pn_four_thirds: T,
    pn_five_thirds: T,
    pn_two: T,
    rho: [T; 3],
    /// End of the inspiral amplitude, Mf (Eq. 5.16).
    pub f_amp_match_in: T,
    // Intermediate amplitude: 1/a = δ0 + δ1 f + ... + δ4 f⁴ (Eq. 6.5).
    delta: [T; 5],
    /// Start of the ringdown amplitude (its peak), Mf (Eq. 5.14).
    pub f_amp_rd_min: T,
    gamma_r: T,
    gamma_d2: T,
    gamma_d13: T,
    /// Ringdown frequency of the remnant, Mf.
    pub f_ring: T,
    /// Damping frequency of the remnant, Mf.
    pub f_damp: T,
    // Inspiral phase: TaylorF2 (normalised PN coefficients) + pseudo-PN.
    phi: [T; 9],
    phi5l: T,
    phi6l: T,
    phi8l: T,
    sigma: [T; 4],
    dphi: [T; 9],
    dphi6l: T,
    dphi8l: T,
    alpha: [T; 4],
    // Intermediate phase derivative (Eq. 7.6).
    b: [T; 5],
    // Ringdown phase derivative (Eq. 7.11).
    c0: T,
    c1: T,
    c2: T,
    c4: T,
    c_l: T,
    c1_int: T,
    c2_int: T,
    c1_mrd: T,
    c2_mrd: T,
    /// Inspiral–intermediate phase transition, Mf (Eq. 7.7).
    pub f_phase_match_in: T,
    /// Intermediate–ringdown phase transition, Mf (Eq. 7.7).
    pub f_phase_match_im: T,
    /// Linear phase coefficient (time shift, in units of M).
    linb: T,
    phi_f_ref: T,
    mf_cut: f64,
    /// −3/(128 π^(5/3)), normalisation of the inspiral phase.
    phi_norm: f64,
    /// 5/(128 π^(5/3)), normalisation of the inspiral phase derivative.
    dphase_norm: f64,
    m_sec_third: T,
    ln_m_sec: T,
    /// Coefficients folded for the per-frequency evaluation.
    fast: Fast<T>,
}

/// The per-frequency coefficients with the 1/η scaling, the connection
/// constants, the time shift and the reference phase folded in (same
/// model, fewer operations per frequency).
#[derive(Debug, Clone)]
struct Fast<T> {
    mf_max: f64,
    f_phase_in: f64,
    f_phase_im: f64,
    f_amp_in: f64,
    f_amp_rd: f64,
    /// Inspiral phase terms times −3/(128 η π^(5/3)): 1, f^(2/3), f, f^(4/3),
    /// f^(5/3) ln f, f², f² ln f, f^(7/3), f^(8/3), f^(8/3) ln f, f^(8/3), f³,
    /// f^(10/3), f^(11/3).
    q: [T; 14],
    /// Intermediate: constant, f, ln f, 1/f, 1/f², 1/f³, atan coefficient.
    bi: [T; 7],
    /// Ringdown: constant, f, f^(2/3), 1/f, 1/f³, atan coefficient.
    ri: [T; 6],
    inv_2fdamp: T,
    inv_fdamp: T,
    linb: T,
    phi_f_ref: T,
    amp_rd: T,
}

impl<T: Scalar> Fast<T> {
    fn zero() -> Self {
        let z = T::cst(0.0);
        Self {
            mf_max: 0.0,
            f_phase_in: 0.0,
            f_phase_im: 0.0,
            f_amp_in: 0.0,
            f_amp_rd: 0.0,
            q: [z; 14],
            bi: [z; 7],
            ri: [z; 6],
            inv_2fdamp: z,
            inv_fdamp: z,
            linb: z,
            phi_f_ref: z,
            amp_rd: z,
        }
    }
}

impl<T: Scalar> PhenomXas<T> {
    /// Prepares the model (parameters must already be validated). Swaps the
    /// bodies if m1 < m2. `f_ref` in Hz.
    pub fn new(p: &XasInputs<T>, f_ref: f64) -> Self {
        let (mut m1, mut m2, mut chi1, mut chi2) = (p.m1, p.m2, p.chi1, p.chi2);
        if m1.re() < m2.re() {
            std::mem::swap(&mut m1, &mut m2);
            std::mem::swap(&mut chi1, &mut chi2);
        }
        let mtot = m1 + m2;
        // δ = (m1 − m2)/M, η = (1 − δ²)/4 (LAL IMRPhenomXSetWaveformVariables).
        let delta = (m1 - m2) / mtot;
        let mut eta = (delta * delta).rsub(1.0) * 0.25;
        if eta.re() > 0.25 {
            eta = T::cst(0.25);
        }
        let m_sec = mtot * MTSUN_SI;
        let dchi = chi1 - chi2;

        // Spin parametrisations (Eqs. 4.12-4.13).
        let mm1 = (delta + 1.0) * 0.5;
        let mm2 = delta.rsub(1.0) * 0.5;
        let chi_eff = mm1 * chi1 + mm2 * chi2;
        let chi_pn_hat = (chi_eff - eta * (38.0 / 113.0) * (chi1 + chi2)) / (eta * 76.0 / 113.0).rsub(1.0);
        let (m1s, m2s) = (mm1 * mm1, mm2 * mm2);
        let s_tot_r = (m1s * chi1 + m2s * chi2) / (m1s + m2s);
        let vs = FitVars::new(eta, s_tot_r, dchi, delta);
        let vh = FitVars::new(eta, chi_pn_hat, dchi, delta);

        // Final state and characteristic frequencies.
        let m_final = fit::radiated_energy(&vs).rsub(1.0);
        let a_final = fit::final_spin(&vs);
        let f_ring = fit::qnm_fring22(a_final) / m_final;
        let f_damp = fit::qnm_fdamp22(a_final) / m_final;
        let f_meco = fit::f_meco(&vh);
        let f_isco = f_isco(a_final);

        let distance = p.distance_mpc * MPC_SI;
        let amp0 = mtot * MRSUN_SI * mtot * MTSUN_SI / distance;
        let amp_norm = eta.sqrt() * ((2.0f64 / 3.0).sqrt() / PI.powf(1.0 / 6.0));
        let ylm = 2.0 * (5.0 / (64.0 * PI)).sqrt();
        let mf_cut = if chi_eff.re() > 0.99 {
            MF_CUT_HIGH_SPIN
        } else {
            MF_CUT
        };

        let pi_five_thirds = PiPowers::new().five_thirds;
        // LAL pWF->dphase0.
        let dphase0 = 5.0 / (128.0 * PI.powf(5.0 / 3.0));

        // ---------------- amplitude (Sec. VI) ----------------
        let gamma2 = fit::rd_amp_gamma2(&vs);
        let gamma3 = fit::rd_amp_gamma3(&vs);
        // Peak of the ringdown amplitude (Eq. 5.14).
        let f_amp_rd_min = if gamma2.re() <= 1.0 {
            (f_ring + f_damp * gamma3 * ((gamma2 * gamma2).rsub(1.0).sqrt() - 1.0) / gamma2).abs()
        } else {
            (f_ring + f_damp * (-1.0) * gamma3 / gamma2).abs()
        };
        let v1_rd = fit::rd_amp_v1(&vs);
        let f1 = f_amp_rd_min;
        let gamma1 = (v1_rd / (f_damp * gamma3))
            * (f1 * f1 - f1 * 2.0 * f_ring + f_ring * f_ring + f_damp * f_damp * gamma3 * gamma3)
            * (((f1 - f_ring) * gamma2) / (f_damp * gamma3)).exp();
        let gamma_r = gamma2 / (f_damp * gamma3);
        let gamma_d2 = (gamma3 * f_damp) * (gamma3 * f_damp);
        let gamma_d13 = f_damp * gamma1 * gamma3;

        let pn = TaylorF2Coeffs::new(eta, delta, chi1, chi2);
        let pn_two_thirds = pn.amp[0];
        let pn_one = pn.amp[1];
        let pn_four_thirds = pn.amp[2];
        let pn_five_thirds = pn.amp[3];
        let pn_two = pn.amp[4];
        let f_amp_match_in = f_meco + (f_isco - f_meco) * 0.25;
        let (fa1, fa2, fa3) = (f_amp_match_in * 0.5, f_amp_match_in * 0.75, f_amp_match_in);
        let rho = ins_amp_rhos(
            fa1,
            fa2,
            fa3,
            fit::ins_amp_v2(&vh),
            fit::ins_amp_v3(&vh),
            fit::ins_amp_v4(&vh),
        );

        let mut me = Self {
            m_sec,
            eta,
            inv_eta: eta.recip(),
            amp_pref: amp0 * amp_norm * (-ylm),
            pn_two_thirds,
            pn_one,
            pn_four_thirds,
            pn_five_thirds,
            pn_two,
            rho,
            f_amp_match_in,
            delta: [T::cst(0.0); 5],
            f_amp_rd_min,
            gamma_r,
            gamma_d2,
            gamma_d13,
            f_ring,
            f_damp,
            phi: [T::cst(0.0); 9],
            phi5l: T::cst(0.0),
            phi6l: T::cst(0.0),
            phi8l: T::cst(0.0),
            sigma: [T::cst(0.0); 4],
            dphi: [T::cst(0.0); 9],
            dphi6l: T::cst(0.0),
            dphi8l: T::cst(0.0),
            alpha: [T::cst(0.0); 4],
            b: [T::cst(0.0); 5],
            c0: T::cst(0.0),
            c1: T::cst(0.0),
            c2: T::cst(0.0),
            c4: T::cst(0.0),
            c_l: T::cst(0.0),
            c1_int: T::cst(0.0),
            c2_int: T::cst(0.0),
            c1_mrd: T::cst(0.0),
            c2_mrd: T::cst(0.0),
            f_phase_match_in: T::cst(0.0),
            f_phase_match_im: T::cst(0.0),
            linb: T::cst(0.0),
            phi_f_ref: T::cst(0.0),
            mf_cut,
            phi_norm: -3.0 / (128.0 * pi_five_thirds),
            dphase_norm: 5.0 / (128.0 * pi_five_thirds),
            m_sec_third: m_sec.cbrt(),
            ln_m_sec: m_sec.ln(),
            fast: Fast::zero(),
        };

        // Intermediate amplitude: 4th-order polynomial in 1/a through the
        // inspiral and ringdown values and slopes and the fit at the midpoint
        // (Sec. VI.B, version 104).
        let fi1 = f_amp_match_in;
        let fi4 = f_amp_rd_min;
        let pw1 = Pw::new(fi1);
        let ins_f1 = me.amp_ins_ansatz(&pw1);
        let d_ins_f1 = me.damp_ins_ansatz(&pw1);
        let rd_f4 = me.amp_rd_ansatz(fi4);
        let d_rd_f4 = me.damp_rd_ansatz(fi4, gamma1, gamma2, gamma3);
        let sixth1 = pw1.third.sqrt();
        let sixth4 = fi4.cbrt().sqrt();
        let d1 = sixth1 * (7.0 / 6.0) / ins_f1 - fi1 * sixth1 * d_ins_f1 / (ins_f1 * ins_f1);
        let d4 = sixth4 * (7.0 / 6.0) / rd_f4 - fi4 * sixth4 * d_rd_f4 / (rd_f4 * rd_f4);
        let fi2 = fi1 + (fi4 - fi1) * 0.5;
        let v1 = fi1 * sixth1 / ins_f1;
        let v2 = fit::int_amp_va(&vs).recip();
        let v4 = fi4 * sixth4 / rd_f4;
        me.delta = collocation_deltas(fi1, fi2, fi4, v1, v2, v4, d1, d4);

        // ---------------- phase (Sec. VII) ----------------
        let f_im_match = (f_ring * 0.5 + f_isco) * 0.6; // Eq. 5.11
        let f_in_match = f_meco;
        let deltaf = (f_im_match - f_in_match) * 0.03; // Eq. 5.10
        me.f_phase_match_in = f_in_match - deltaf;
        me.f_phase_match_im = f_im_match + deltaf * 0.5;
        let f_ins_max = f_meco * 1.020;
        let f_rd_min = f_im_match;
        let f_rd_max = f_ring + f_damp * 1.25;
        let gp4 = [0.0, 0.25, 0.75, 1.0];
        let s2 = 2.0f64.sqrt();
        let gp5 = [0.0, 0.5 - 1.0 / (2.0 * s2), 0.5, 0.5 + 1.0 / (2.0 * s2), 1.0];

        // Ringdown (Eqs. 7.11-7.13): collocation values from the fitted differences.
        let rd_v4 = fit::rd_phase_v4(&vs);
        let rd_v2 = fit::rd_phase_d24(&vs) + rd_v4;
        let rd_vals = [
            fit::rd_phase_d12(&vs) + rd_v2,
            rd_v2,
            fit::rd_phase_d34(&vs) + rd_v4,
            rd_v4,
            fit::rd_phase_d54(&vs) + rd_v4,
        ];
        let phase_rd = rd_vals[0];
        let mut a_rd = [[T::cst(0.0); 5]; 5];
        for (i, row) in a_rd.iter_mut().enumerate() {
            let ff = if i == 3 {
                f_ring
            } else {
                (f_rd_max - f_rd_min) * gp5[i] + f_rd_min
            };
            let inv = ff.recip();
            let inv2 = inv * inv;
            let dfr = ff - f_ring;
            *row = [
                T::cst(1.0),
                inv.cbrt(),
                inv2,
                inv2 * inv2,
                -(f_damp * f_damp + dfr * dfr).recip() * dphase0,
            ];
        }
        let x = solve(a_rd, rd_vals);
        me.c0 = x[0];
        me.c1 = x[1];
        me.c2 = x[2];
        me.c4 = x[3];
        me.c_l = -(x[4] * dphase0);

        // Inspiral pseudo-PN coefficients (Sec. VII.A, 4 collocation points).
        let ins_v3 = fit::ins_phase_v3(&vh);
        let ins_vals = [
            fit::ins_phase_d13(&vh) + ins_v3,
            fit::ins_phase_d23(&vh) + ins_v3,
            ins_v3,
            fit::ins_phase_d43(&vh) + ins_v3,
        ];
        let mut a_ins = [[T::cst(0.0); 4]; 4];
        for (i, row) in a_ins.iter_mut().enumerate() {
            let ff = (f_ins_max - MF_INS_MIN) * gp4[i] + MF_INS_MIN;
            let f1 = ff.cbrt();
            *row = [T::cst(1.0), f1, f1 * f1, ff];
        }
        me.alpha = solve(a_ins, ins_vals);
        me.sigma = [
            me.alpha[0] * (-5.0 / 3.0),
            me.alpha[1] * (-5.0 / 4.0),
            me.alpha[2] * (-5.0 / 5.0),
            me.alpha[3] * (-5.0 / 6.0),
        ];

        let (phi2, phi3, phi4, phi6, phi7, phi8) = (pn.phi2, pn.phi3, pn.phi4, pn.phi6, pn.phi7, pn.phi8);
        let (phi5l, phi6l, phi8l) = (pn.phi5l, pn.phi6l, pn.phi8l);
        // φ0..φ8 (φ1 = φ5 = 0 in GR), log terms separately.
        let zero = T::cst(0.0);
        me.phi = [T::cst(1.0), zero, phi2, phi3, phi4, zero, phi6, phi7, phi8];
        me.phi5l = phi5l;
        me.phi6l = phi6l;
        me.phi8l = phi8l;
        // Normalised phase derivative coefficients.
        me.dphi = [
            T::cst(1.0),
            zero,
            phi2 * (3.0 / 5.0),
            phi3 * (2.0 / 5.0),
            phi4 * (1.0 / 5.0),
            phi5l * (-3.0 / 5.0),
            phi6 * (-1.0 / 5.0) - phi6l * (3.0 / 5.0),
            phi7 * (-2.0 / 5.0),
            phi8 * (-3.0 / 5.0) - phi8l * (3.0 / 5.0),
        ];
        me.dphi6l = phi6l * (-1.0 / 5.0);
        me.dphi8l = phi8l * (-3.0 / 5.0);

        // Intermediate (Sec. VII.B, version 105): five collocation points.
        let phase_in = me.dphi_ins(&Pw::new(me.f_phase_match_in));
        let v2_im_m_rd = fit::int_phase_v2m_rd_v4(&vs);
        let v3_im_m_rd = fit::int_phase_v3m_rd_v4(&vs);
        let v2_im = fit::int_phase_v2(&vs);
        let int_v2 = (v2_im_m_rd + rd_v4) * 0.75 + v2_im * 0.25;
        let int_v3 = v3_im_m_rd + rd_v4;
        let int_vals = [
            phase_in,
            int_v2,
            int_v3,
            fit::int_phase_d43(&vs) + int_v3,
            phase_rd,
        ];
        let mut a_int = [[T::cst(0.0); 5]; 5];
        let mut b_int = [T::cst(0.0); 5];
        let span = me.f_phase_match_im - me.f_phase_match_in;
        for i in 0..5 {
            let ff = span * gp5[i] + me.f_phase_match_in;
            let r1 = f_ring / ff;
            let r2 = r1 * r1;
            a_int[i] = [T::cst(1.0), r1, r2, r1 * r2, r2 * r2];
            let dfr = ff - f_ring;
            b_int[i] = int_vals[i] - (me.c_l * 4.0) / (f_damp * f_damp * 4.0 + dfr * dfr);
        }
        let x = solve(a_int, b_int);
        let fr2 = f_ring * f_ring;
        me.b = [
            x[0],
            x[1] * f_ring,
            x[2] * fr2,
            x[3] * fr2 * f_ring,
            x[4] * fr2 * fr2,
        ];

        // C(1) connection of the three regions (IMRPhenomX_Phase_22_ConnectionCoefficients).
        let f_ins = me.f_phase_match_in;
        let pi_ins = Pw::new(f_ins);
        me.c2_int = me.dphi_ins(&pi_ins) - me.dphi_int(f_ins);
        me.c1_int = me.phi_ins(&pi_ins) - me.phi_int(f_ins, pi_ins.log) - me.c2_int * f_ins;
        let f_int = me.f_phase_match_im;
        let pi_int = Pw::new(f_int);
        let phi_imc = me.phi_int(f_int, pi_int.log) + me.c1_int + me.c2_int * f_int;
        let phi_rd = me.phi_rd(&pi_int);
        let dphi_intc = me.dphi_int(f_int) + me.c2_int;
        let dphi_rd = me.dphi_rd(&pi_int);
        me.c2_mrd = dphi_intc - dphi_rd;
        me.c1_mrd = phi_imc - phi_rd - me.c2_mrd * f_int;

        // Time shift: align the peak of ψ4 with the calibration hybrids
        // (500 M before their end), then shift to the peak of the strain.
        let f_ref_fit = f_ring - f_damp;
        let dphi22_ref = me.dphase(f_ref_fit) * me.inv_eta;
        let psi4_to_strain = fit::psi4_to_strain(&vs);
        me.linb = fit::linb(&vs) - dphi22_ref - (psi4_to_strain + 500.0) * (2.0 * PI);
        // Phase at f_ref: 2 φ_ref + π/4.
        let mf_ref = m_sec * f_ref;
        let phase_ref = me.phase(mf_ref);
        me.phi_f_ref = -(phase_ref * me.inv_eta + me.linb * mf_ref) + p.phi_ref * 2.0 + PI / 4.0;
        me.fast = me.fold();
        me
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gw::waveforms::{generate, Approximant, WaveformParams};

    #[test]
    fn remnant_fits_match_published_values() {
        // Schwarzschild (2,2,0) quasi-normal mode, M ω = 0.373672 − 0.088962 i
        // (Berti, Cardoso & Starinets 2009, Table / arXiv:0905.2975).
        let two_pi = 2.0 * PI;
        assert!((fit::qnm_fring22(0.0) - 0.373672 / two_pi).abs() < 2e-6);
        assert!((fit::qnm_fdamp22(0.0) - 0.088962 / two_pi).abs() < 2e-6);
        // Kerr a = 0.9: M ω = 0.671614 − 0.064869 i (same tables).
        assert!((fit::qnm_fring22(0.9) - 0.671614 / two_pi).abs() < 2e-4);
        assert!((fit::qnm_fdamp22(0.9) - 0.064869 / two_pi).abs() < 2e-4);
        // ISCO: r = 6M for a = 0, M Ω = 6^(-3/2); r = M for a → 1 (prograde).
        assert!((f_isco(0.0) - 6f64.powf(-1.5) / PI).abs() < 1e-15);
        assert!((f_isco(0.999_999) - 0.5 / PI).abs() < 1e-2);
        // Equal-mass non-spinning merger in numerical relativity: χ_f = 0.686,
        // M_f = 0.952 M (Scheel et al. 2009, arXiv:0810.1767).
        let v = FitVars::new(0.25, 0.0, 0.0, 0.0);
        assert!(
            (fit::final_spin(&v) - 0.686).abs() < 2e-3,
            "{}",
            fit::final_spin(&v)
        );
        assert!(
            (fit::radiated_energy(&v) - 0.048).abs() < 2e-3,
            "{}",
            fit::radiated_energy(&v)
        );
    }

    #[test]
    fn pivoting_solver_solves_small_systems() {
        let a = [[0.0, 2.0, 1.0], [1.0, 1.0, 1.0], [4.0, -1.0, 3.0]];
        let x_true = [1.5, -2.0, 0.25];
        let b: [f64; 3] = std::array::from_fn(|i| (0..3).map(|j| a[i][j] * x_true[j]).sum());
        let x = solve(a, b);
        for i in 0..3 {
            assert!((x[i] - x_true[i]).abs() < 1e-14);
        }
    }

    #[test]
    fn mass_ratio_beyond_1000_is_a_typed_error() {
        let p = WaveformParams {
            m1: 1001.0,
            m2: 0.999,
            ..Default::default()
        };
        let e = generate(Approximant::IMRPhenomXAS, &p, &[1.0, 2.0]).unwrap_err();
        assert!(e.to_string().contains("m1/m2"), "{e}");
        let bad = WaveformParams {
            chi2z: -1.0,
            ..Default::default()
        };
        let e = generate(Approximant::IMRPhenomXAS, &bad, &[20.0]).unwrap_err();
        assert!(e.to_string().contains("chi2"), "{e}");
    }

    #[test]
    fn zero_above_the_cut_and_swapping_bodies_is_symmetric() {
        let p = WaveformParams::example_bbh();
        let m = crate::gw::waveforms::phenomxas_f64(&p).unwrap();
        let fc = m.f_cut_hz();
        assert_eq!(m.amp_phase(fc * 1.0001), (0.0, 0.0));
        assert!(m.amp_phase(fc * 0.999).0 != 0.0);
        let q = WaveformParams {
            m1: p.m2,
            m2: p.m1,
            chi1z: p.chi2z,
            chi2z: p.chi1z,
            ..p
        };
        let f = [20.0, 100.0, 300.0];
        let (a, b) = (
            generate(Approximant::IMRPhenomXAS, &p, &f).unwrap(),
            generate(Approximant::IMRPhenomXAS, &q, &f).unwrap(),
        );
        assert_eq!(a, b);
    }
}
