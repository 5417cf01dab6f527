//! IMRPhenomD_NRTidalv2: IMRPhenomD with the NRTidalv2 tidal phase,
//! tidal amplitude, higher-order spin-induced multipole terms and the Planck
//! taper beyond the merger frequency (Dietrich et al. 2019, Phys. Rev. D 100,
//! 044003, arXiv:1905.06011; merger frequency from Dietrich et al. 2018,
//! arXiv:1804.02235, Eq. 11), with LAL's conventions
//! (`XLALSimIMRPhenomDNRTidalFrequencySequence`; the tidal amplitude of
//! Eq. 24 is added to the baseline amplitude as 2√(π/5) A_T times LAL's
//! IMRPhenomD amplitude prefactor).

use super::phenomd::{AlignedInputs, PhenomD};
use super::taylorf2::quadrupole_from_lambda;
use super::AlignedModel;
use crate::gw::constants::{MPC_SI, MRSUN_SI, MTSUN_SI, PI};
use ferrax_autodiff::Scalar;

/// Tidal phase Padé coefficients (Dietrich et al. 2019, Eq. 19 and Table I).
pub mod coeffs {
    /// Newtonian coefficient c_Newt.
    pub const C_NEWT: f64 = 2.4375;
    /// Numerator n_1.
    pub const N_1: f64 = -12.615214237993088;
    /// Numerator n_3/2.
    pub const N_3OVER2: f64 = 19.0537346970349;
    /// Numerator n_2.
    pub const N_2: f64 = -21.166863146081035;
    /// Numerator n_5/2.
    pub const N_5OVER2: f64 = 90.55082156324926;
    /// Numerator n_3.
    pub const N_3: f64 = -60.25357801943598;
    /// Denominator d_1.
    pub const D_1: f64 = -15.111207827736678;
    /// Denominator d_3/2.
    pub const D_3OVER2: f64 = 22.195327350624694;
    /// Denominator d_2.
    pub const D_2: f64 = 8.064109635305156;
    /// Tidal amplitude (Eq. 24): numerator n_1.
    pub const AMP_N1: f64 = 4.157407407407407;
    /// Tidal amplitude numerator n_2.89.
    pub const AMP_N289: f64 = 2519.111111111111;
    /// Tidal amplitude denominator d.
    pub const AMP_D: f64 = 13477.8073677;
    /// Merger frequency fit (Dietrich et al. 2018, Eq. 11): a_0.
    pub const MERGER_A0: f64 = 0.3586;
    /// Merger frequency fit n_1.
    pub const MERGER_N1: f64 = 3.35411203e-2;
    /// Merger frequency fit n_2.
    pub const MERGER_N2: f64 = 4.31460284e-5;
    /// Merger frequency fit d_1.
    pub const MERGER_D1: f64 = 7.54224145e-2;
    /// Merger frequency fit d_2.
    pub const MERGER_D2: f64 = 2.23626859e-4;
    /// Spin-induced octupole vs quadrupole universal relation (Yagi 2014,
    /// Phys. Rev. D 89, 043011): ln C_Oc = Σ c_k (ln C_Q)^k.
    pub const OCTUPOLE: [f64; 5] = [0.003131, 2.071, -0.7152, 0.2458, -0.03309];
}

/// The tidal coupling constant κ₂ᵀ (Dietrich et al. 2019, Eq. 8).
pub fn kappa2t<T: Scalar>(m1: T, m2: T, lambda1: T, lambda2: T) -> T {
    let m = m1 + m2;
    let x1 = m1 / m;
    let x2 = m2 / m;
    let t1 = (x2 / x1 * 12.0 + 1.0) * x1.powi(5) * lambda1;
    let t2 = (x1 / x2 * 12.0 + 1.0) * x2.powi(5) * lambda2;
    (t1 + t2) * (3.0 / 13.0)
}

/// Merger frequency [Hz] for total mass `m` [M☉], κ₂ᵀ and q = m_heavy/m_light.
pub fn merger_frequency<T: Scalar>(m: T, kappa: T, q: T) -> T {
    use coeffs::*;
    let k2 = kappa * kappa;
    let num = kappa * MERGER_N1 + k2 * MERGER_N2 + 1.0;
    let den = kappa * MERGER_D1 + k2 * MERGER_D2 + 1.0;
    let m_omega = q.sqrt().recip() * MERGER_A0 * (num / den);
    m_omega / (m * MTSUN_SI) / (2.0 * PI)
}

/// IMRPhenomD_NRTidalv2 prepared for one parameter set.
#[derive(Debug, Clone)]
pub struct NrTidalV2<T> {
    bbh: PhenomD<T>,
    pi_m_third: T,
    ln_pi_m: T,
    kappa: T,
    x1x2: T,
    amp_t_prefactor: T,
    f_merger: T,
    ss_3p5: T,
}

/// Inputs of the tidal models (masses M☉, distance Mpc, phase rad).
pub use super::taylorf2::TaylorF2Inputs as TidalInputs;

impl<T: Scalar> NrTidalV2<T> {
    /// Prepares the model at reference frequency `f_ref` [Hz].
    pub fn new(p: &TidalInputs<T>, f_ref: f64) -> Self {
        use coeffs::*;
        let mut q = *p;
        if q.m1.re() < q.m2.re() {
            std::mem::swap(&mut q.m1, &mut q.m2);
            std::mem::swap(&mut q.chi1, &mut q.chi2);
            std::mem::swap(&mut q.lambda1, &mut q.lambda2);
        }
        // Spin-induced quadrupole (LAL's Q(Λ)) enters the PN part of the
        // baseline phase, as LAL passes dQuadMon_i to IMRPhenomD.
        let qp1 = quadrupole_from_lambda(q.lambda1);
        let qp2 = quadrupole_from_lambda(q.lambda2);
        let bbh = PhenomD::prepare(
            &AlignedInputs {
                m1: q.m1,
                m2: q.m2,
                chi1: q.chi1,
                chi2: q.chi2,
                distance_mpc: q.distance_mpc,
                phi_ref: q.phi_ref,
            },
            f_ref,
            qp1,
            qp2,
        );
        let m = q.m1 + q.m2;
        let x1 = q.m1 / m;
        let x2 = q.m2 / m;
        let eta = x1 * x2;
        let kappa = kappa2t(q.m1, q.m2, q.lambda1, q.lambda2);
        let f_merger = merger_frequency(m, kappa, q.m1 / q.m2);
        // Spin-induced octupole parameters from the quadrupole ones.
        let oct = |qp: T| {
            let l = qp.ln();
            let c = OCTUPOLE;
            (l * c[1] + l * l * c[2] + l * l * l * c[3] + l * l * l * l * c[4] + c[0]).exp()
        };
        let (op1, op2) = (oct(qp1), oct(qp2));
        let (dq1, dq2, do1, do2) = (qp1 - 1.0, qp2 - 1.0, op1 - 1.0, op2 - 1.0);
        let (c1, c2) = (q.chi1, q.chi2);
        let (x1sq, x2sq) = (x1 * x1, x2 * x2);
        let (c1sq, c2sq) = (c1 * c1, c2 * c2);
        // 3.5PN spin-squared and spin-cubed terms of the spin-induced
        // multipoles (Dietrich et al. 2019, Eq. 23; LAL's
        // XLALSimInspiralGetHOSpinTerms). The 2PN and 3PN ones (their
        // Eqs. 21-22) are already in the baseline's PN phase.
        let ss_3p5 = dq1 * c1sq * x1sq * (-400.0 * PI) - dq2 * c2sq * x2sq * (400.0 * PI);
        let sss_3p5 = ((x1sq + x1 * (308.0 / 3.0)) * c1 + (x2sq - x2 * (89.0 / 3.0)) * c2)
            * dq1
            * x1sq
            * c1sq
            * 10.0
            + ((x2sq + x2 * (308.0 / 3.0)) * c2 + (x1sq - x1 * (89.0 / 3.0)) * c1) * dq2 * x2sq * c2sq * 10.0
            - do1 * x1 * x1sq * c1sq * c1 * 440.0
            - do2 * x2 * x2sq * c2sq * c2 * 440.0;
        let pref = (eta * 128.0).rdiv(3.0);
        let amp0 =
            m * MRSUN_SI * m * MTSUN_SI / (q.distance_mpc * MPC_SI) * (2.0 * (5.0 / (64.0 * PI)).sqrt());
        Self {
            pi_m_third: (m * (MTSUN_SI * PI)).cbrt(),
            ln_pi_m: (m * (MTSUN_SI * PI)).ln(),
            kappa,
            x1x2: eta,
            amp_t_prefactor: amp0 * kappa * (-9.0 * 2.0 * (PI / 5.0).sqrt()),
            f_merger,
            ss_3p5: (ss_3p5 + sss_3p5) * pref,
            bbh,
        }
    }

    /// The Planck taper at `f` [Hz]: 1 below f_merger, 0 above 1.2 f_merger.
    #[inline]
    fn taper(&self, f: f64) -> T {
        let fm = self.f_merger;
        let fe = fm * 1.2;
        if f < fm.re() {
            T::cst(1.0)
        } else if f >= fe.re() {
            T::cst(0.0)
        } else {
            let z = (fe - fm) / (fm.rsub(f)) + (fe - fm) / (fe.rsub(f));
            (z.exp() + 1.0).recip().rsub(1.0)
        }
    }
}

impl<T: Scalar> AlignedModel<T> for NrTidalV2<T> {
    #[inline]
    fn amp_phase(&self, f: f64) -> (T, T) {
        self.amp_phase_grid(f, f.cbrt(), f.ln())
    }

    #[inline]
    fn amp_phase_grid(&self, f: f64, f_third: f64, ln_f: f64) -> (T, T) {
        use coeffs::*;
        let taper = self.taper(f);
        if taper.re() == 0.0 {
            return (T::cst(0.0), T::cst(0.0));
        }
        let (amp_bbh, psi_bbh) = self.bbh.amp_phase_grid(f, f_third, ln_f);
        let v = self.pi_m_third * f_third;
        let x = v * v;
        let ln_x = (self.ln_pi_m + ln_f) * (2.0 / 3.0);
        let sx = x.sqrt();
        let x32 = x * sx;
        let x2 = x * x;
        let x52 = x2 * sx;
        let x3 = x2 * x;
        // Tidal phase (Eq. 17-19).
        let num = x * N_1 + x32 * N_3OVER2 + x2 * N_2 + x52 * N_5OVER2 + x3 * N_3 + 1.0;
        let den = x * D_1 + x32 * D_3OVER2 + x2 * D_2 + 1.0;
        let psi_t = -(self.kappa * C_NEWT / self.x1x2 * x52) * (num / den);
        // Spin-induced multipole phase.
        let psi_ss = self.ss_3p5 * x;
        // Tidal amplitude (Eq. 24).
        let poly = (x * AMP_N1 + (ln_x * 2.89).exp() * AMP_N289 + 1.0) / (x2 * x2 * AMP_D + 1.0);
        let amp_t = self.amp_t_prefactor * (x3 * sx.sqrt()) * poly;
        (taper * (amp_bbh + amp_t), psi_bbh + psi_t + psi_ss)
    }
}
