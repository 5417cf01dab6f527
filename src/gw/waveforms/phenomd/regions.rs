//! The frequency-dependent part of IMRPhenomD, generic over [`Real`]: the
//! region ansätze (Khan et al. 2016, arXiv:1508.07253, Eqs. 14, 16, 19, 21,
//! 29), their assembly into `(A, Ψ)`, the batched tensor evaluation with a
//! per-point region choice, and the coefficient layout used to move a
//! prepared model between numbers and tensor columns.

use ferrax_autodiff::{Real, Tensor};

use super::{PhenomD, Powers, AMP_F_JOIN_INS, PHI_F_JOIN_INS};

impl<T> PhenomD<T> {
    /// Applies `f` to every frequency-independent coefficient, in a fixed
    /// order (declaration order, arrays element by element). Flattening a
    /// model to numbers and rebuilding it from tensor columns
    /// ([`super::batched`]) both go through here, so the order is defined once.
    pub(crate) fn map_fields<U>(&self, f: &mut impl FnMut(&T) -> U) -> PhenomD<U> {
        PhenomD {
            m_sec: f(&self.m_sec),
            eta: f(&self.eta),
            amp0: f(&self.amp0),
            amp0_func: f(&self.amp0_func),
            a_two_thirds: f(&self.a_two_thirds),
            a_one: f(&self.a_one),
            a_four_thirds: f(&self.a_four_thirds),
            a_five_thirds: f(&self.a_five_thirds),
            a_two: f(&self.a_two),
            a_seven_thirds: f(&self.a_seven_thirds),
            a_eight_thirds: f(&self.a_eight_thirds),
            a_three: f(&self.a_three),
            delta: self.delta.each_ref().map(&mut *f),
            gamma: self.gamma.each_ref().map(&mut *f),
            f_rd: f(&self.f_rd),
            f_dm: f(&self.f_dm),
            f_max_calc: f(&self.f_max_calc),
            p_initial: f(&self.p_initial),
            p_two_thirds: f(&self.p_two_thirds),
            p_third: f(&self.p_third),
            p_third_logv: f(&self.p_third_logv),
            p_logv: f(&self.p_logv),
            p_minus_third: f(&self.p_minus_third),
            p_minus_two_thirds: f(&self.p_minus_two_thirds),
            p_minus_one: f(&self.p_minus_one),
            p_minus_five_thirds: f(&self.p_minus_five_thirds),
            p_one: f(&self.p_one),
            p_four_thirds: f(&self.p_four_thirds),
            p_five_thirds: f(&self.p_five_thirds),
            p_two: f(&self.p_two),
            beta: self.beta.each_ref().map(&mut *f),
            alpha: self.alpha.each_ref().map(&mut *f),
            c1_int: f(&self.c1_int),
            c2_int: f(&self.c2_int),
            c1_mrd: f(&self.c1_mrd),
            c2_mrd: f(&self.c2_mrd),
            f_mrd_join: f(&self.f_mrd_join),
            t0: f(&self.t0),
            mf_ref: f(&self.mf_ref),
            phi_precalc: f(&self.phi_precalc),
            m_sec_third: f(&self.m_sec_third),
            ln_v_offset: f(&self.ln_v_offset),
        }
    }
}

/// The frequency-dependent ansätze, generic over [`Real`]: the same code
/// evaluates one frequency on `f64`/`Dual` and a whole batch × frequency
/// array on tape tensors (see [`super::batched`]).
impl<T: Real> PhenomD<T> {
    /// Inspiral amplitude (Eq. 29) without the leading A₀ f^(-7/6).
    #[inline]
    pub(super) fn amp_ins_ansatz(&self, pw: &Powers<T>, mf: T) -> T {
        pw.two_thirds.clone() * self.a_two_thirds.clone()
            + pw.four_thirds.clone() * self.a_four_thirds.clone()
            + pw.five_thirds.clone() * self.a_five_thirds.clone()
            + pw.seven_thirds.clone() * self.a_seven_thirds.clone()
            + pw.eight_thirds.clone() * self.a_eight_thirds.clone()
            + mf.clone()
                * (self.a_one.clone() + mf * self.a_two.clone() + pw.two.clone() * self.a_three.clone())
            + 1.0
    }

    /// Merger-ringdown amplitude (Eq. 19).
    #[inline]
    pub(super) fn amp_mrd_ansatz(&self, mf: T) -> T {
        let [g1, g2, g3] = self.gamma.clone();
        let fdm_g3 = self.f_dm.clone() * g3;
        let fmin = mf - self.f_rd.clone();
        (-(fmin.clone() * g2 / fdm_g3.clone())).exp() * (fdm_g3.clone() * g1)
            / (fmin.clone() * fmin + fdm_g3.clone() * fdm_g3)
    }

    /// Intermediate amplitude polynomial (Eq. 21).
    #[inline]
    pub(super) fn amp_int_ansatz(&self, mf: T) -> T {
        let [d0, d1, d2, d3, d4] = self.delta.clone();
        let mf2 = mf.clone() * mf.clone();
        d0 + mf.clone() * d1 + mf2.clone() * (d2 + mf * d3 + mf2 * d4)
    }

    /// Inspiral phase (TaylorF2 + calibrated terms, Eq. 16) given ln v,
    /// v = (π Mf)^(1/3).
    #[inline]
    pub(super) fn phi_ins_logv(&self, mf: T, pw: &Powers<T>, logv: T) -> T {
        let inv_third = pw.third.recip();
        let inv_two_thirds = inv_third.clone() * inv_third.clone();
        let inv_mf = inv_two_thirds.clone() * inv_third.clone();
        self.p_initial.clone()
            + self.p_two_thirds.clone() * pw.two_thirds.clone()
            + self.p_third.clone() * pw.third.clone()
            + self.p_third_logv.clone() * logv.clone() * pw.third.clone()
            + self.p_logv.clone() * logv
            + self.p_minus_third.clone() * inv_third
            + self.p_minus_two_thirds.clone() * inv_two_thirds.clone()
            + self.p_minus_one.clone() * inv_mf.clone()
            + self.p_minus_five_thirds.clone() * inv_mf * inv_two_thirds
            + (self.p_one.clone() * mf
                + self.p_four_thirds.clone() * pw.four_thirds.clone()
                + self.p_five_thirds.clone() * pw.five_thirds.clone()
                + self.p_two.clone() * pw.two.clone())
                / self.eta.clone()
    }

    /// Intermediate phase ansatz (Eq. 16 of Khan et al., β terms), times η.
    #[inline]
    pub(super) fn phi_int_ansatz(&self, mf: T) -> T {
        let [b1, b2, b3] = self.beta.clone();
        b1 * mf.clone() - b3 / (mf.clone() * mf.clone() * mf.clone() * 3.0) + b2 * mf.ln()
    }

    /// Merger-ringdown phase ansatz (Eq. 14, α terms), times η.
    #[inline]
    pub(super) fn phi_mrd_ansatz(&self, mf: T) -> T {
        let [a1, a2, a3, a4, a5] = self.alpha.clone();
        let sq_sqrt = mf.sqrt().sqrt();
        a1 * mf.clone() - a2 / mf.clone()
            + a3 * (4.0 / 3.0) * (sq_sqrt.clone() * sq_sqrt.clone() * sq_sqrt)
            + a4 * ((mf - a5 * self.f_rd.clone()) / self.f_dm.clone()).atan()
    }

    /// The three amplitude regions at `mf` (inspiral, intermediate,
    /// merger-ringdown), each without the common prefactor.
    #[inline]
    pub(crate) fn amp_regions(&self, mf: &T, pw: &Powers<T>) -> [T; 3] {
        [
            self.amp_ins_ansatz(pw, mf.clone()),
            self.amp_int_ansatz(mf.clone()),
            self.amp_mrd_ansatz(mf.clone()),
        ]
    }

    /// The three phase regions at `mf`, continued C(1) across the joins;
    /// `ln_f` is ln(f/Hz).
    #[inline]
    pub(crate) fn phase_regions(&self, mf: &T, pw: &Powers<T>, ln_f: T) -> [T; 3] {
        [
            self.phi_ins_logv(mf.clone(), pw, self.ln_v_offset.clone() + ln_f / 3.0),
            self.phase_int(mf.clone()),
            self.phase_mrd(mf.clone()),
        ]
    }

    /// Intermediate phase, continued C(1) from the inspiral.
    #[inline]
    pub(super) fn phase_int(&self, mf: T) -> T {
        self.phi_int_ansatz(mf.clone()) / self.eta.clone() + self.c1_int.clone() + self.c2_int.clone() * mf
    }

    /// Merger-ringdown phase, continued C(1) from the intermediate region.
    #[inline]
    pub(super) fn phase_mrd(&self, mf: T) -> T {
        self.phi_mrd_ansatz(mf.clone()) / self.eta.clone() + self.c1_mrd.clone() + self.c2_mrd.clone() * mf
    }

    /// The amplitude prefactor and phase reference applied to a region's
    /// amplitude `ampl` and phase `phi` at `mf`: `(A, Ψ)` with A in strain/Hz.
    #[inline]
    pub(crate) fn finish(&self, mf: T, pw: &Powers<T>, ampl: T, phi: T) -> (T, T) {
        let amp = self.amp0.clone() * self.amp0_func.clone() / pw.seven_sixths.clone() * ampl;
        let phi = phi - (self.t0.clone() * (mf - self.mf_ref.clone()) + self.phi_precalc.clone());
        (amp, phi)
    }

    /// The powers of `mf = M f` from `f^(1/3)` (Hz^(1/3)).
    #[inline]
    pub(crate) fn powers(&self, mf: T, f_third: T) -> Powers<T> {
        Powers::from_third(mf, self.m_sec_third.clone() * f_third)
    }
}

impl PhenomD<Tensor> {
    /// `(A, Ψ)` of many parameter sets at once: every coefficient is a
    /// `[B, 1]` tensor (one row per parameter set), `f`, `f_third` and `ln_f`
    /// are `[1, F]` tensors of f [Hz], f^(1/3) and ln f; the result is
    /// `[B, F]` on the coefficients' device. Every region is evaluated
    /// everywhere and the right one selected per point (the same choice as
    /// [`PhenomD::amp_phase_grid`] makes point by point), so gradients reach
    /// the coefficients through the chosen region only.
    pub fn amp_phase_tensor(&self, f: &Tensor, f_third: &Tensor, ln_f: &Tensor) -> (Tensor, Tensor) {
        let mf = &self.m_sec * f;
        let pw = self.powers(mf.clone(), f_third.clone());
        let [a_ins, a_int, a_mrd] = self.amp_regions(&mf, &pw);
        let amp_ins_region = mf.lt(&mf.lift(AMP_F_JOIN_INS));
        let amp_mrd_region = mf.ge(&self.f_max_calc);
        let ampl = Tensor::select(
            &amp_ins_region,
            &a_ins,
            &Tensor::select(&amp_mrd_region, &a_mrd, &a_int),
        );
        let [p_ins, p_int, p_mrd] = self.phase_regions(&mf, &pw, ln_f.clone());
        let phi_ins_region = mf.lt(&mf.lift(PHI_F_JOIN_INS));
        let phi_mrd_region = mf.ge(&self.f_mrd_join);
        let phi = Tensor::select(
            &phi_ins_region,
            &p_ins,
            &Tensor::select(&phi_mrd_region, &p_mrd, &p_int),
        );
        self.finish(mf, &pw, ampl, phi)
    }
}
