//! IMRPhenomD: aligned-spin inspiral-merger-ringdown model of the (2,2) mode
//! (Husa et al. 2016, Phys. Rev. D 93, 044006, arXiv:1508.07250; Khan et al.
//! 2016, Phys. Rev. D 93, 044007, arXiv:1508.07253), with LALSimulation's
//! conventions (`IMRPhenomDGenerateFD`): masses sorted so that m1 ≥ m2,
//! amplitude and phase continued C(1) across the region boundaries, linear
//! time shift that puts the amplitude peak at t = 0 and phase referenced at
//! `f_ref`.
//!
//! Equation numbers below refer to Khan et al. 2016 (arXiv:1508.07253).

mod regions;

use std::sync::OnceLock;

use super::phenomd_coeffs::{N_COEFFS, TABLE};
use super::pn_phasing::{taylorf2_phasing, SpinSpin3Pn};
use super::qnm_data::{QNM_F_DAMP, QNM_F_RING, QNM_SPIN};
use super::spline::NaturalSpline;
use crate::gw::constants::{MPC_SI, MRSUN_SI, MTSUN_SI, PI};
use ferrax_autodiff::{Real, Scalar};

/// Frequency (Mf) where the inspiral phase joins the intermediate phase.
pub const PHI_F_JOIN_INS: f64 = 0.018;
/// Frequency (Mf) where the inspiral amplitude joins the intermediate amplitude.
pub const AMP_F_JOIN_INS: f64 = 0.014;
/// Frequency (Mf) above which LAL's uniform-grid generator zeroes the model.
pub const F_CUT: f64 = 0.2;

fn splines() -> &'static (NaturalSpline, NaturalSpline) {
    static S: OnceLock<(NaturalSpline, NaturalSpline)> = OnceLock::new();
    S.get_or_init(|| {
        (
            NaturalSpline::new(&QNM_SPIN, &QNM_F_RING),
            NaturalSpline::new(&QNM_SPIN, &QNM_F_DAMP),
        )
    })
}

/// Final spin of the remnant (Husa et al. 2016, Eq. 3.6), η and the aligned
/// spins of the heavier (1) and lighter (2) body.
pub fn final_spin<T: Scalar>(eta: T, chi1: T, chi2: T) -> T {
    let seta = (eta * (-4.0) + 1.0).sqrt();
    let m1 = (seta + 1.0) * 0.5;
    let m2 = seta.rsub(1.0) * 0.5;
    let s = m1 * m1 * chi1 + m2 * m2 * chi2;
    let eta2 = eta * eta;
    let eta3 = eta2 * eta;
    let s2 = s * s;
    let s3 = s2 * s;
    eta * (eta * (-4.399247300629289) + eta2 * 9.397292189321194 - eta3 * 13.180949901606242
        + 3.4641016151377544
        + s * ((eta.recip() - 0.0850917821418767 - eta * 5.837029316602263)
            + (eta * (-2.0967746996832157) + 0.1014665242971878) * s
            + (eta * 4.108962025369336 - 1.3546806617824356) * s2
            + (eta * 2.064046835273906 - 0.8676969352555539) * s3))
}

/// Energy radiated in units of the total mass (Husa et al. 2016, Eq. 3.7).
pub fn radiated_energy<T: Scalar>(eta: T, chi1: T, chi2: T) -> T {
    let seta = (eta * (-4.0) + 1.0).sqrt();
    let m1 = (seta + 1.0) * 0.5;
    let m2 = seta.rsub(1.0) * 0.5;
    let m1s = m1 * m1;
    let m2s = m2 * m2;
    let s = (m1s * chi1 + m2s * chi2) / (m1s + m2s);
    let eta2 = eta * eta;
    let eta3 = eta2 * eta;
    let eta4 = eta3 * eta;
    ((eta * 0.055974469826360077 + eta2 * 0.5809510763115132 - eta3 * 0.9606726679372312
        + eta4 * 3.352411249771192)
        * ((eta * (-2.0066110851351073) + eta2 * 7.7050567802399215 - 0.0030302335878845507) * s + 1.0))
        / ((eta * (-1.4756929437702908) + eta2 * 7.304676214885011 - 0.6714403054720589) * s + 1.0)
}

/// Ringdown and damping frequencies (in units of 1/M) of the remnant.
pub fn ringdown_frequencies<T: Scalar>(eta: T, chi1: T, chi2: T) -> (T, T) {
    ringdown_frequencies_with_spin(eta, chi1, chi2, final_spin(eta, chi1, chi2))
}

/// Ringdown and damping frequencies (in units of 1/M) for a given remnant
/// spin `a` (LAL's `fring`/`fdamp`: QNM spline at `a`, radiated energy from
/// the aligned spins).
pub fn ringdown_frequencies_with_spin<T: Scalar>(eta: T, chi1: T, chi2: T, a: T) -> (T, T) {
    let erad = radiated_energy(eta, chi1, chi2);
    let (ring, damp) = splines();
    let one_minus = erad.rsub(1.0);
    (ring.eval(a) / one_minus, damp.eval(a) / one_minus)
}

/// χ_PN, the effective spin the fits are parametrised with (Eq. 5.9 of
/// Husa et al. 2016).
pub fn chi_pn<T: Scalar>(eta: T, chi1: T, chi2: T) -> T {
    let delta = (eta * (-4.0) + 1.0).sqrt();
    let chi_s = (chi1 + chi2) * 0.5;
    let chi_a = (chi1 - chi2) * 0.5;
    chi_s * (eta * (76.0 / 113.0)).rsub(1.0) + delta * chi_a
}

/// The calibrated coefficients (Eq. 31) at (η, χ_PN).
pub fn fit_coefficients<T: Scalar>(eta: T, chi: T) -> [T; N_COEFFS] {
    let xi = chi - 1.0;
    let xi2 = xi * xi;
    let xi3 = xi2 * xi;
    let eta2 = eta * eta;
    let mut out = [T::cst(0.0); N_COEFFS];
    for (o, l) in out.iter_mut().zip(TABLE.iter()) {
        *o = eta * l[1]
            + xi * (eta * l[3] + eta2 * l[4] + l[2])
            + xi2 * (eta * l[6] + eta2 * l[7] + l[5])
            + xi3 * (eta * l[9] + eta2 * l[10] + l[8])
            + l[0];
    }
    out
}

/// Powers of a dimensionless frequency used by the ansätze.
#[derive(Clone, Copy)]
pub(crate) struct Powers<T> {
    third: T,
    two_thirds: T,
    four_thirds: T,
    five_thirds: T,
    seven_thirds: T,
    eight_thirds: T,
    two: T,
    seven_sixths: T,
}

impl<T: Real> Powers<T> {
    #[inline]
    fn new(x: T) -> Self {
        let third = x.cbrt();
        Self::from_third(x, third)
    }

    /// From x and x^(1/3) (saves the cube root when it is known).
    #[inline]
    fn from_third(x: T, third: T) -> Self {
        let sixth = third.sqrt();
        let two_thirds = third.clone() * third.clone();
        let two = x.clone() * x.clone();
        Self {
            four_thirds: x.clone() * third.clone(),
            five_thirds: x.clone() * two_thirds.clone(),
            seven_thirds: two.clone() * third.clone(),
            eight_thirds: two.clone() * two_thirds.clone(),
            seven_sixths: x * sixth,
            third,
            two_thirds,
            two,
        }
    }
}

/// IMRPhenomD prepared for one parameter set: every coefficient that does
/// not depend on frequency. Evaluate with [`PhenomD::amp_phase`].
#[derive(Debug, Clone)]
pub struct PhenomD<T> {
    /// Total mass in seconds (G M / c³).
    pub m_sec: T,
    /// Symmetric mass ratio η.
    pub eta: T,
    /// Overall amplitude prefactor (strain·s) including distance.
    amp0: T,
    amp0_func: T,
    // Inspiral amplitude prefactors.
    a_two_thirds: T,
    a_one: T,
    a_four_thirds: T,
    a_five_thirds: T,
    a_two: T,
    a_seven_thirds: T,
    a_eight_thirds: T,
    a_three: T,
    // Intermediate amplitude polynomial.
    delta: [T; 5],
    // Merger-ringdown amplitude.
    gamma: [T; 3],
    /// Ringdown frequency (Mf).
    pub f_rd: T,
    /// Damping frequency (Mf).
    pub f_dm: T,
    /// Amplitude peak frequency (Mf), start of the merger-ringdown amplitude.
    pub f_max_calc: T,
    // Inspiral phase prefactors.
    p_initial: T,
    p_two_thirds: T,
    p_third: T,
    p_third_logv: T,
    p_logv: T,
    p_minus_third: T,
    p_minus_two_thirds: T,
    p_minus_one: T,
    p_minus_five_thirds: T,
    p_one: T,
    p_four_thirds: T,
    p_five_thirds: T,
    p_two: T,
    beta: [T; 3],
    alpha: [T; 5],
    c1_int: T,
    c2_int: T,
    c1_mrd: T,
    c2_mrd: T,
    f_mrd_join: T,
    /// Time shift t0 (in units of M) putting the amplitude peak at t = 0.
    t0: T,
    mf_ref: T,
    phi_precalc: T,
    /// (G M/c³)^(1/3).
    m_sec_third: T,
    /// ln(π G M/c³)/3, so that ln v = this + ln(f)/3.
    ln_v_offset: T,
}

/// The intrinsic and extrinsic inputs of an aligned-spin model.
#[derive(Debug, Clone, Copy)]
pub struct AlignedInputs<T> {
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

impl<T: Copy> AlignedInputs<T> {
    /// From `[m1, m2, χ1, χ2, distance, φ_ref]` (M☉, M☉, –, –, Mpc, rad).
    pub fn from_array(x: [T; 6]) -> Self {
        let [m1, m2, chi1, chi2, distance_mpc, phi_ref] = x;
        AlignedInputs {
            m1,
            m2,
            chi1,
            chi2,
            distance_mpc,
            phi_ref,
        }
    }

    /// `[m1, m2, χ1, χ2, distance, φ_ref]`, the order of [`AlignedInputs::from_array`].
    pub fn to_array(&self) -> [T; 6] {
        [
            self.m1,
            self.m2,
            self.chi1,
            self.chi2,
            self.distance_mpc,
            self.phi_ref,
        ]
    }
}

impl AlignedInputs<f64> {
    /// The aligned-spin inputs of LAL-style parameters (z spins).
    pub fn from_params(p: &super::WaveformParams) -> Self {
        Self::from_array([p.m1, p.m2, p.chi1z, p.chi2z, p.distance_mpc, p.phi_ref])
    }
}

impl<T: Scalar> PhenomD<T> {
    /// Prepares the model (parameters must already be validated). Swaps the
    /// bodies if m1 < m2. `f_ref` in Hz (0 means the lowest frequency the
    /// caller uses, which must then be passed here instead).
    pub fn new(p: &AlignedInputs<T>, f_ref: f64) -> Self {
        let ss = |pp: &AlignedInputs<T>| *pp;
        let mut q = ss(p);
        if q.m1.re() < q.m2.re() {
            std::mem::swap(&mut q.m1, &mut q.m2);
            std::mem::swap(&mut q.chi1, &mut q.chi2);
        }
        Self::prepare(&q, f_ref, T::cst(1.0), T::cst(1.0))
    }

    /// Prepares the model with given spin-induced quadrupole parameters of
    /// the bodies (1 for black holes) entering the PN inspiral phase.
    pub(crate) fn prepare(p: &AlignedInputs<T>, f_ref: f64, qm1: T, qm2: T) -> Self {
        Self::prepare_with_final_spin(p, f_ref, qm1, qm2, None)
    }

    /// [`PhenomD::prepare`] with the remnant spin that sets the ringdown and
    /// damping frequencies given explicitly (IMRPhenomPv2 adds the in-plane
    /// spin to it); `None` uses the aligned-spin fit of Husa et al. 2016.
    /// Bodies must already be sorted (m1 ≥ m2).
    pub(crate) fn prepare_with_final_spin(
        p: &AlignedInputs<T>,
        f_ref: f64,
        qm1: T,
        qm2: T,
        final_spin_override: Option<T>,
    ) -> Self {
        let (m1, m2, chi1, chi2) = (p.m1, p.m2, p.chi1, p.chi2);
        let m = m1 + m2;
        let mut eta = m1 * m2 / (m * m);
        if eta.re() > 0.25 {
            eta = eta - (eta.re() - 0.25);
        }
        let m_sec = m * MTSUN_SI;
        let distance = p.distance_mpc * MPC_SI;
        let amp0 = m * MRSUN_SI * m * MTSUN_SI / distance * (2.0 * (5.0 / (64.0 * PI)).sqrt());
        let chi = chi_pn(eta, chi1, chi2);
        let c = fit_coefficients(eta, chi);
        let (f_rd, f_dm) = match final_spin_override {
            Some(a) => ringdown_frequencies_with_spin(eta, chi1, chi2, a),
            None => ringdown_frequencies(eta, chi1, chi2),
        };
        let pi = PI;
        let pi_third = pi.cbrt();
        let pi_two_thirds = pi_third * pi_third;
        let pi_four_thirds = pi * pi_third;
        let pi_five_thirds = pi_four_thirds * pi_third;

        // --- amplitude (Eqs. 29-30 for the inspiral, 19 merger-ringdown) ---
        let seta = (eta * (-4.0) + 1.0).sqrt();
        let seta_p1 = seta + 1.0;
        let chi12 = chi1 * chi1;
        let chi22 = chi2 * chi2;
        let eta2 = eta * eta;
        let eta3 = eta2 * eta;
        let a_two_thirds = (eta * 1804.0 - 969.0) * (pi_two_thirds / 672.0);
        let a_one = (chi1 * (seta_p1 * 81.0 - eta * 44.0) + chi2 * (seta * (-81.0) - eta * 44.0 + 81.0))
            * (pi / 48.0);
        let a_four_thirds = (chi22 * (-10287648.0) - chi12 * seta_p1 * 10287648.0
            + chi22 * seta * 10287648.0
            + (chi12 * 857304.0 - chi1 * chi2 * 994896.0 + chi22 * 857304.0 - 1975055.0) * eta * 24.0
            + eta2 * 35371056.0
            - 27312085.0)
            * (pi_four_thirds / 8.128512e6);
        let a_five_thirds = (chi2
            * ((seta - 1.0) * (-285197.0) + (seta * 1579.0 - 91902.0) * eta * 4.0 - eta2 * 35632.0)
            + chi1 * (seta_p1 * 285197.0 - (seta * 1579.0 + 91902.0) * eta * 4.0 - eta2 * 35632.0)
            + (eta * 4.0 - 1.0) * (42840.0 * pi))
            * (pi_five_thirds / 32256.0);
        let a_two = -((eta2
            * (chi12 * 2943675504.0 - chi1 * chi2 * 3339284256.0 + chi22 * 2943675504.0 - 3248849057.0)
            * (-336.0))
            - eta3 * 324322727232.0
            - (chi22 * 107414046432.0 + chi12 * seta_p1 * 107414046432.0 - chi22 * seta * 107414046432.0
                + (chi1 + chi2 + chi1 * seta - chi2 * seta) * (11087290368.0 * pi)
                - 177520268561.0)
                * 7.0
            + eta
                * (chi1 * chi2 * (-176491177632.0)
                    + chi22 * 202603761360.0
                    + chi12 * (seta * 995766.0 + 2610335.0) * 77616.0
                    - chi22 * seta * 77287373856.0
                    + (chi1 + chi2) * (5841690624.0 * pi)
                    + (21384760320.0 * pi * pi - 545384828789.0))
                * 12.0)
            * (pi * pi / 6.0085960704e10);
        let (rho1, rho2, rho3) = (c[0], c[1], c[2]);
        let v2 = c[3];
        let gamma = [c[4], c[5], c[6]];
        // Peak frequency (LAL's fmaxCalc).
        let (g2, g3) = (gamma[1], gamma[2]);
        let f_max_calc = if g2.re() <= 1.0 {
            (f_rd + f_dm * ((g2 * g2).rsub(1.0).sqrt() - 1.0) * g3 / g2).abs()
        } else {
            (f_rd + f_dm * (-1.0) * g3 / g2).abs()
        };
        let mut me = Self {
            m_sec,
            eta,
            amp0,
            amp0_func: (eta * (2.0 / 3.0)).sqrt() * pi.powf(-1.0 / 6.0),
            a_two_thirds,
            a_one,
            a_four_thirds,
            a_five_thirds,
            a_two,
            a_seven_thirds: rho1,
            a_eight_thirds: rho2,
            a_three: rho3,
            delta: [T::cst(0.0); 5],
            gamma,
            f_rd,
            f_dm,
            f_max_calc,
            p_initial: T::cst(0.0),
            p_two_thirds: T::cst(0.0),
            p_third: T::cst(0.0),
            p_third_logv: T::cst(0.0),
            p_logv: T::cst(0.0),
            p_minus_third: T::cst(0.0),
            p_minus_two_thirds: T::cst(0.0),
            p_minus_one: T::cst(0.0),
            p_minus_five_thirds: T::cst(0.0),
            p_one: c[7],
            p_four_thirds: c[8] * (3.0 / 4.0),
            p_five_thirds: c[9] * (3.0 / 5.0),
            p_two: c[10] * 0.5,
            beta: [c[11], c[12], c[13]],
            alpha: [c[14], c[15], c[16], c[17], c[18]],
            c1_int: T::cst(0.0),
            c2_int: T::cst(0.0),
            c1_mrd: T::cst(0.0),
            c2_mrd: T::cst(0.0),
            f_mrd_join: f_rd * 0.5,
            t0: T::cst(0.0),
            mf_ref: m_sec * f_ref,
            phi_precalc: T::cst(0.0),
            m_sec_third: m_sec.cbrt(),
            ln_v_offset: (m_sec * PI).ln() / 3.0,
        };
        // Intermediate amplitude: collocation (Eqs. 21-22, LAL's deltas).
        let f1 = T::cst(AMP_F_JOIN_INS);
        let f3 = f_max_calc;
        let f2 = f1 + (f3 - f1) * 0.5;
        let a1 = me.amp_ins_ansatz(&Powers::new(f1), f1);
        let d1 = me.damp_ins_ansatz(&Powers::new(f1), f1);
        let a3 = me.amp_mrd_ansatz(f3);
        let d3 = me.damp_mrd_ansatz(f3);
        me.delta = collocation_deltas(f1, f2, f3, a1, v2, a3, d1, d3);

        // --- phase ---
        let pn = taylorf2_phasing(
            m1,
            m2,
            chi1,
            chi2,
            qm1,
            qm2,
            T::cst(0.0),
            T::cst(0.0),
            SpinSpin3Pn::Exclude,
        );
        me.p_initial = pn.v[5] - PI / 4.0;
        me.p_two_thirds = pn.v[7] * pi_two_thirds;
        me.p_third = pn.v[6] * pi_third;
        me.p_third_logv = pn.vlogv[6] * pi_third;
        me.p_logv = pn.vlogv[5];
        me.p_minus_third = pn.v[4] / pi_third;
        me.p_minus_two_thirds = pn.v[3] / pi_two_thirds;
        me.p_minus_one = pn.v[2] / pi;
        me.p_minus_five_thirds = pn.v[0] / pi_five_thirds;
        let pn_v = pn.v;
        let pn_vlogv = pn.vlogv;
        // C(1) joins (LAL ComputeIMRPhenDPhaseConnectionCoefficients).
        let fj = T::cst(PHI_F_JOIN_INS);
        let dphi_ins = me.dphi_ins(fj, &pn_v, &pn_vlogv);
        let dphi_int = me.dphi_int(fj);
        me.c2_int = dphi_ins - dphi_int;
        me.c1_int = me.phi_ins(fj, &Powers::new(fj)) - me.phi_int_ansatz(fj) / eta - me.c2_int * fj;
        let fm = me.f_mrd_join;
        let phi_int_val = me.phi_int_ansatz(fm) / eta + me.c1_int + me.c2_int * fm;
        let dphi_int_val = me.c2_int + me.dphi_int(fm);
        let dphi_mrd_val = me.dphi_mrd(fm);
        me.c2_mrd = dphi_int_val - dphi_mrd_val;
        me.c1_mrd = phi_int_val - me.phi_mrd_ansatz(fm) / eta - me.c2_mrd * fm;
        me.t0 = me.dphi_mrd(f_max_calc);
        let phi_f_ref = me.phase_mf(me.mf_ref);
        me.phi_precalc = p.phi_ref * 2.0 + phi_f_ref;
        me
    }

    fn damp_ins_ansatz(&self, pw: &Powers<T>, mf: T) -> T {
        self.a_two_thirds * (2.0 / 3.0) / pw.third
            + self.a_one
            + self.a_four_thirds * pw.third * (4.0 / 3.0)
            + self.a_five_thirds * pw.two_thirds * (5.0 / 3.0)
            + self.a_two * mf * 2.0
            + self.a_seven_thirds * pw.four_thirds * (7.0 / 3.0)
            + self.a_eight_thirds * pw.five_thirds * (8.0 / 3.0)
            + self.a_three * pw.two * 3.0
    }

    fn damp_mrd_ansatz(&self, mf: T) -> T {
        let [g1, g2, g3] = self.gamma;
        let fdm_g3 = self.f_dm * g3;
        let pow2_fdm_g3 = fdm_g3 * fdm_g3;
        let fmin = mf - self.f_rd;
        let expfactor = (fmin * g2 / fdm_g3).exp();
        let pp = fmin * fmin + pow2_fdm_g3;
        ((self.f_dm * (-2.0) * fmin * g3 * g1) / pp - g2 * g1) / (expfactor * pp)
    }

    /// Inspiral phase (TaylorF2 + calibrated terms, Eq. 16), Mf units.
    #[inline]
    fn phi_ins(&self, mf: T, pw: &Powers<T>) -> T {
        let logv = (pw.third * PI.cbrt()).ln();
        self.phi_ins_logv(mf, pw, logv)
    }

    fn dphi_ins(&self, mf: T, pn_v: &[T; 16], pn_vlogv: &[T; 16]) -> T {
        let v = (mf * PI).cbrt();
        let logv = v.ln();
        let v2 = v * v;
        let v3 = v * v2;
        let v4 = v * v3;
        let v5 = v * v4;
        let v6 = v * v5;
        let v7 = v * v6;
        let v8 = v * v7;
        let mut d = pn_v[7] * v7 * 2.0;
        d = d + (pn_v[6] + pn_vlogv[6] * (logv + 1.0)) * v6;
        d = d + pn_vlogv[5] * v5;
        d = d - pn_v[4] * v4;
        d = d - pn_v[3] * v3 * 2.0;
        d = d - pn_v[2] * v2 * 3.0;
        d = d - pn_v[1] * v * 4.0;
        d = d - pn_v[0] * 5.0;
        d = d / (v8 * (3.0 / PI));
        let [s1, s2, s3, s4] = [
            self.p_one,
            self.p_four_thirds * (4.0 / 3.0),
            self.p_five_thirds * (5.0 / 3.0),
            self.p_two * 2.0,
        ];
        let third = mf.cbrt();
        d + (s1 + s2 * third + s3 * third * third + s4 * mf) / self.eta
    }

    fn dphi_int(&self, mf: T) -> T {
        let [b1, b2, b3] = self.beta;
        let mf2 = mf * mf;
        (b1 + b3 / (mf2 * mf2) + b2 / mf) / self.eta
    }

    fn dphi_mrd(&self, mf: T) -> T {
        let [a1, a2, a3, a4, a5] = self.alpha;
        let x = mf - a5 * self.f_rd;
        (a1 + a2 / (mf * mf)
            + a3 / mf.powf(0.25)
            + a4 / (self.f_dm * (x * x / (self.f_dm * self.f_dm) + 1.0)))
            / self.eta
    }

    /// The phase (without reference shift) at dimensionless frequency `mf`.
    #[inline]
    pub(crate) fn phase_mf(&self, mf: T) -> T {
        let r = mf.re();
        if r < PHI_F_JOIN_INS {
            self.phi_ins(mf, &Powers::new(mf))
        } else if r >= self.f_mrd_join.re() {
            self.phase_mrd(mf)
        } else {
            self.phase_int(mf)
        }
    }

    /// Amplitude `A` and phase `Ψ` of the optimally oriented strain
    /// `h0 = A exp(-iΨ)` at frequency `f` [Hz] (A in strain/Hz).
    #[inline]
    pub fn amp_phase(&self, f: f64) -> (T, T) {
        self.amp_phase_grid(f, f.cbrt(), f.ln())
    }

    /// [`PhenomD::amp_phase`] given f^(1/3) and ln f (precomputed once per
    /// frequency grid, see [`super::FrequencyGrid`]).
    #[inline]
    pub fn amp_phase_grid(&self, f: f64, f_third: f64, ln_f: f64) -> (T, T) {
        let mf = self.m_sec * f;
        let r = mf.re();
        let pw = Powers::from_third(mf, self.m_sec_third * f_third);
        let ampl = if r < AMP_F_JOIN_INS {
            self.amp_ins_ansatz(&pw, mf)
        } else if r >= self.f_max_calc.re() {
            self.amp_mrd_ansatz(mf)
        } else {
            self.amp_int_ansatz(mf)
        };
        let phi = if r < PHI_F_JOIN_INS {
            self.phi_ins_logv(mf, &pw, self.ln_v_offset + ln_f / 3.0)
        } else if r >= self.f_mrd_join.re() {
            self.phase_mrd(mf)
        } else {
            self.phase_int(mf)
        };
        self.finish(mf, &pw, ampl, phi)
    }

    /// Turns the model into the non-precessing core of IMRPhenomP (LAL's
    /// `PhenomPCoreOneFrequency`): no linear time shift and no phase
    /// referencing at f_ref, phase `Ψ = Φ_D(Mf) − 2 φ_c`, and the amplitude
    /// without the (2,2) spherical-harmonic factor 2√(5/64π), which the
    /// twisting-up supplies.
    pub(crate) fn into_precessing_core(mut self, phi_c: T) -> Self {
        self.amp0 = self.amp0 / (2.0 * (5.0 / (64.0 * PI)).sqrt());
        self.t0 = T::cst(0.0);
        self.phi_precalc = phi_c * 2.0;
        self
    }

    /// The cut frequency [Hz] above which LAL's uniform-grid generator
    /// returns zero (Mf = 0.2).
    pub fn f_cut_hz(&self) -> f64 {
        F_CUT / self.m_sec.re()
    }
}

/// Coefficients δ0..δ4 of the intermediate amplitude polynomial from the
/// values v1, v2, v3 at f1, f2, f3 and the derivatives d1, d3 at f1, f3
/// (Khan et al. 2016, Eqs. 21-22 solved in closed form). IMRPhenomXAS uses
/// the same system for its intermediate amplitude (Pratten et al. 2020,
/// arXiv:2001.11412, Sec. VI.B, version 104).
#[allow(clippy::too_many_arguments)]
pub(crate) fn collocation_deltas<T: Scalar>(
    f1: T,
    f2: T,
    f3: T,
    v1: T,
    v2: T,
    v3: T,
    d1: T,
    d3: T,
) -> [T; 5] {
    let f12 = f1 - f2;
    let f13 = f1 - f3;
    let f23 = f2 - f3;
    let f12_2 = f12 * f12;
    let f13_3 = f13 * f13 * f13;
    let f23_2 = f23 * f23;
    let (f1_2, f2_2, f3_2) = (f1 * f1, f2 * f2, f3 * f3);
    let (f1_3, f2_3, f3_3) = (f1_2 * f1, f2_2 * f2, f3_2 * f3);
    let (f1_4, f2_4, f3_4) = (f1_3 * f1, f2_3 * f2, f3_3 * f3);
    let (f1_5, f3_5) = (f1_4 * f1, f3_4 * f3);
    let den = f12_2 * f13_3 * f23_2;

    let delta0 = (-(d3 * f1_2 * f12_2 * f2 * f13 * f23 * f3)
        + d1 * f1 * f12 * f2 * f13 * f23_2 * f3_2
        + f3_2
            * (f2 * f23_2 * (f1_2 * (-4.0) + f1 * f2 * 3.0 + f1 * f3 * 2.0 - f2 * f3) * v1
                + f1_2 * f13_3 * v2)
        + f1_2 * f12_2 * f2 * (f1 * f2 - f1 * f3 * 2.0 - f2 * f3 * 3.0 + f3_2 * 4.0) * v3)
        / den;
    let delta1 = (d3 * f1 * f13 * f23 * (f2 * f3 * 2.0 + f1 * (f2 + f3))
        - (f3
            * (d1 * f12 * f13 * f23_2 * (f1 * f2 * 2.0 + (f1 + f2) * f3)
                + f1 * 2.0
                    * (f3_4 * (v1 - v2)
                        + f2_4 * 3.0 * (v1 - v3)
                        + f1_4 * (v2 - v3)
                        + f2_3 * f3 * 4.0 * (v3 - v1)
                        + f1_3 * f3 * 2.0 * (v3 - v2)
                        + f1 * (f3_3 * 2.0 * (v2 - v1)
                            + f2_2 * f3 * 6.0 * (v1 - v3)
                            + f2_3 * 4.0 * (v3 - v1)))))
            / f12_2)
        / (f13_3 * f23_2);
    let delta2 = (d1 * f12 * f13 * f23_2 * (f1 * f2 + (f1 + f2) * f3 * 2.0 + f3_2)
        - d3 * f12_2 * f13 * f23 * (f1_2 + f2 * f3 + f1 * (f2 + f3) * 2.0)
        - f1_2 * f2_3 * v1 * 4.0
        + f1 * f2_4 * v1 * 3.0
        - f1 * f2_3 * f3 * v1 * 4.0
        + f2_4 * f3 * v1 * 3.0
        + f1_2 * f2 * f3_2 * v1 * 12.0
        - f2_3 * f3_2 * v1 * 4.0
        - f1_2 * f3_3 * v1 * 8.0
        + f1 * f3_4 * v1
        + f3_5 * v1
        + f1_5 * v2
        + f1_4 * f3 * v2
        - f1_3 * f3_2 * v2 * 8.0
        + f1_2 * f3_3 * v2 * 8.0
        - f1 * f3_4 * v2
        - f3_5 * v2
        - f12_2
            * (f1_3
                + f2 * (f2 * 3.0 - f3 * 4.0) * f3
                + f1_2 * (f2 * 2.0 + f3)
                + f1 * (f2 * 3.0 - f3 * 4.0) * (f2 + f3 * 2.0))
            * v3)
        / den;
    let delta3 = ((d3 * f13 * (f1 * 2.0 + f2 + f3)) / f23 - (d1 * f13 * (f1 + f2 + f3 * 2.0)) / f12
        + ((f3_4 * (v2 - v1)
            + f1_2 * f23_2 * 2.0 * (v1 - v3)
            + f2_2 * f3_2 * 2.0 * (v1 - v3)
            + f1_3 * f3 * 2.0 * (v2 - v3)
            + f2_4 * (v3 - v1)
            + f1_4 * (v3 - v2)
            + f1 * f3 * 2.0 * (f3_2 * (v1 - v2) + f2_2 * (v1 - v3) + f2 * f3 * 2.0 * (v3 - v1)))
            * 2.0)
            / (f12_2 * f23_2))
        / f13_3;
    let delta4 = (-(d3 * f12_2 * f13 * f23) + d1 * f12 * f13 * f23_2 - f1 * f2_2 * v1 * 3.0
        + f2_3 * v1 * 2.0
        + f1 * f2 * f3 * v1 * 6.0
        - f2_2 * f3 * v1 * 3.0
        - f1 * f3_2 * v1 * 3.0
        + f3_3 * v1
        + f1_3 * v2
        - f1_2 * f3 * v2 * 3.0
        + f1 * f3_2 * v2 * 3.0
        - f3_3 * v2
        - f12_2 * (f1 + f2 * 2.0 - f3 * 3.0) * v3)
        / den;
    [delta0, delta1, delta2, delta3, delta4]
}
