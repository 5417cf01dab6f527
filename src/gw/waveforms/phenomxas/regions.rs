//! The frequency-dependent ansätze of IMRPhenomXAS (Pratten et al. 2020,
//! arXiv:2001.11412, Sec. IV–VI): inspiral, intermediate and ringdown
//! amplitude and phase, their derivatives, the C(1)-continued phase and the
//! evaluation at one frequency.

use super::*;

impl<T: Scalar> PhenomXas<T> {
    /// Folds 1/η, the connection constants, the time shift and the
    /// reference phase into the per-frequency coefficients.
    pub(super) fn fold(&self) -> Fast<T> {
        let ie = self.inv_eta;
        let sc = ie * self.phi_norm;
        let p = &self.phi;
        let [s1, s2, s3, s4] = self.sigma;
        let [b0, b1, b2, b3, b4] = self.b;
        let m_sec = self.m_sec.re();
        Fast {
            mf_max: (self.mf_cut / m_sec) * m_sec,
            f_phase_in: self.f_phase_match_in.re(),
            f_phase_im: self.f_phase_match_im.re(),
            f_amp_in: self.f_amp_match_in.re(),
            f_amp_rd: self.f_amp_rd_min.re(),
            q: [
                p[0] * sc,
                p[2] * sc,
                p[3] * sc,
                p[4] * sc,
                self.phi5l * sc,
                p[6] * sc,
                self.phi6l * sc,
                p[7] * sc,
                p[8] * sc,
                self.phi8l * sc,
                s1 * sc,
                s2 * sc,
                s3 * sc,
                s4 * sc,
            ],
            bi: [
                (self.c1_int) * ie + self.phi_f_ref,
                (b0 + self.c2_int) * ie + self.linb,
                b1 * ie,
                b2 * ie,
                b3 * 0.5 * ie,
                b4 / 3.0 * ie,
                self.c_l * 2.0 / self.f_damp * ie,
            ],
            ri: [
                self.c1_mrd * ie + self.phi_f_ref,
                (self.c0 + self.c2_mrd) * ie + self.linb,
                self.c1 * 1.5 * ie,
                self.c2 * ie,
                self.c4 / 3.0 * ie,
                self.c_l / self.f_damp * ie,
            ],
            inv_2fdamp: (self.f_damp * 2.0).recip(),
            inv_fdamp: self.f_damp.recip(),
            linb: self.linb,
            phi_f_ref: self.phi_f_ref,
            amp_rd: self.gamma_d13 * self.amp_pref,
        }
    }

    /// TaylorF2 + pseudo-PN inspiral amplitude, divided by the leading
    /// order (Eq. 5.3, LAL `IMRPhenomX_Inspiral_Amp_22_Ansatz`).
    #[inline]
    pub(super) fn amp_ins_ansatz(&self, pw: &Pw<T>) -> T {
        let mf = pw.f;
        let [r1, r2, r3] = self.rho;
        pw.two_thirds * self.pn_two_thirds
            + mf * self.pn_one
            + mf * (pw.third * self.pn_four_thirds
                + pw.two_thirds * self.pn_five_thirds
                + mf * self.pn_two
                + mf * (pw.third * r1 + pw.two_thirds * r2 + mf * r3))
            + 1.0
    }

    /// d/d(Mf) of [`Self::amp_ins_ansatz`].
    pub(super) fn damp_ins_ansatz(&self, pw: &Pw<T>) -> T {
        let mf = pw.f;
        let [r1, r2, r3] = self.rho;
        self.pn_two_thirds * (2.0 / 3.0) / pw.third
            + self.pn_one
            + self.pn_four_thirds * (4.0 / 3.0) * pw.third
            + self.pn_five_thirds * (5.0 / 3.0) * pw.two_thirds
            + self.pn_two * 2.0 * mf
            + r1 * (7.0 / 3.0) * mf * pw.third
            + r2 * (8.0 / 3.0) * mf * pw.two_thirds
            + r3 * 3.0 * mf * mf
    }

    /// Ringdown amplitude, a deformed Lorentzian (Eq. 6.17).
    #[inline]
    pub(super) fn amp_rd_ansatz(&self, mf: T) -> T {
        let dfr = mf - self.f_ring;
        (-(dfr * self.gamma_r)).exp() * self.gamma_d13 / (dfr * dfr + self.gamma_d2)
    }

    /// d/d(Mf) of [`Self::amp_rd_ansatz`].
    pub(super) fn damp_rd_ansatz(&self, mf: T, g1: T, g2: T, g3: T) -> T {
        let dfr = mf - self.f_ring;
        let dfd = self.f_damp * g3;
        let pref = -((-(g2 * dfr / dfd)).exp() * g1);
        let num = dfr * dfr * g2 + self.f_damp * 2.0 * dfr * g3 + self.f_damp * self.f_damp * g2 * g3 * g3;
        let den = (dfr * dfr + dfd * dfd) * (dfr * dfr + dfd * dfd);
        pref * num / den
    }

    /// Inspiral phase (TaylorF2 + pseudo-PN), without the 1/η scaling
    /// (LAL `IMRPhenomX_Inspiral_Phase_22_AnsatzInt`).
    #[inline]
    pub(super) fn phi_ins(&self, pw: &Pw<T>) -> T {
        let mf = pw.f;
        let (third, two_thirds, log) = (pw.third, pw.two_thirds, pw.log);
        let four_thirds = mf * third;
        let five_thirds = mf * two_thirds;
        let two = mf * mf;
        let seven_thirds = two * third;
        let eight_thirds = two * two_thirds;
        let three = two * mf;
        let p = &self.phi;
        let [s1, s2, s3, s4] = self.sigma;
        let phasing = p[0]
            + p[2] * two_thirds
            + p[3] * mf
            + p[4] * four_thirds
            + self.phi5l * five_thirds * log
            + p[6] * two
            + self.phi6l * two * log
            + p[7] * seven_thirds
            + p[8] * eight_thirds
            + self.phi8l * eight_thirds * log
            + (s1 * eight_thirds + s2 * three + s3 * third * three + s4 * two_thirds * three);
        phasing * self.phi_norm / five_thirds
    }

    /// Inspiral phase derivative (LAL `IMRPhenomX_Inspiral_Phase_22_Ansatz`).
    pub(super) fn dphi_ins(&self, pw: &Pw<T>) -> T {
        let mf = pw.f;
        let (third, two_thirds, log) = (pw.third, pw.two_thirds, pw.log);
        let four_thirds = mf * third;
        let five_thirds = mf * two_thirds;
        let two = mf * mf;
        let seven_thirds = two * third;
        let eight_thirds = two * two_thirds;
        let three = two * mf;
        let d = &self.dphi;
        let [a0, a1, a2, a3] = self.alpha;
        let s = d[0]
            + d[2] * two_thirds
            + d[3] * mf
            + d[4] * four_thirds
            + d[5] * five_thirds
            + d[6] * two
            + self.dphi6l * two * log
            + d[7] * seven_thirds
            + d[8] * eight_thirds
            + self.dphi8l * eight_thirds * log
            + (a0 * eight_thirds + a1 * three + a2 * eight_thirds * two_thirds + a3 * eight_thirds * mf);
        s / eight_thirds * self.dphase_norm
    }

    /// Intermediate phase derivative (Eq. 7.6).
    pub(super) fn dphi_int(&self, mf: T) -> T {
        let [b0, b1, b2, b3, b4] = self.b;
        let inv = mf.recip();
        let inv2 = inv * inv;
        let dfr = mf - self.f_ring;
        b0 + b1 * inv
            + b2 * inv2
            + b3 * inv2 * inv
            + b4 * inv2 * inv2
            + (self.c_l * 4.0) / (self.f_damp * self.f_damp * 4.0 + dfr * dfr)
    }

    /// Intermediate phase, the integral of Eq. 7.6.
    #[inline]
    pub(super) fn phi_int(&self, mf: T, log: T) -> T {
        let [b0, b1, b2, b3, b4] = self.b;
        let inv = mf.recip();
        let inv2 = inv * inv;
        b0 * mf + b1 * log - b2 * inv - b3 * inv2 / 2.0 - (b4 * inv2 * inv / 3.0)
            + (self.c_l * 2.0 * ((mf - self.f_ring) / (self.f_damp * 2.0)).atan()) / self.f_damp
    }

    /// Ringdown phase derivative (Eq. 7.11).
    pub(super) fn dphi_rd(&self, pw: &Pw<T>) -> T {
        let inv = pw.f.recip();
        let inv2 = inv * inv;
        let dfr = pw.f - self.f_ring;
        self.c0
            + self.c1 / pw.third
            + self.c2 * inv2
            + self.c4 * inv2 * inv2
            + self.c_l / (self.f_damp * self.f_damp + dfr * dfr)
    }

    /// Ringdown phase, the integral of Eq. 7.11.
    #[inline]
    pub(super) fn phi_rd(&self, pw: &Pw<T>) -> T {
        let inv = pw.f.recip();
        self.c0 * pw.f + self.c1 * 1.5 * pw.two_thirds - self.c2 * inv - self.c4 / 3.0 * inv * inv * inv
            + self.c_l / self.f_damp * ((pw.f - self.f_ring) / self.f_damp).atan()
    }

    /// The phase without the 1/η scaling, time shift and reference phase
    /// (LAL `IMRPhenomX_Phase_22`).
    pub(super) fn phase(&self, mf: T) -> T {
        let pw = Pw::new(mf);
        if mf.re() < self.f_phase_match_in.re() {
            self.phi_ins(&pw)
        } else if mf.re() >= self.f_phase_match_im.re() {
            self.phi_rd(&pw) + self.c1_mrd + self.c2_mrd * mf
        } else {
            self.phi_int(mf, pw.log) + self.c1_int + self.c2_int * mf
        }
    }

    /// Its derivative (LAL `IMRPhenomX_dPhase_22`).
    pub(super) fn dphase(&self, mf: T) -> T {
        let pw = Pw::new(mf);
        if mf.re() < self.f_phase_match_in.re() {
            self.dphi_ins(&pw)
        } else if mf.re() >= self.f_phase_match_im.re() {
            self.dphi_rd(&pw) + self.c2_mrd
        } else {
            self.dphi_int(mf) + self.c2_int
        }
    }

    /// Amplitude `A` and phase `Ψ` of the optimally oriented strain
    /// `h0 = A exp(-iΨ)` at frequency `f` [Hz] (A in strain/Hz, including
    /// LAL's factor Y = −2√(5/64π); both zero above the model's cut).
    #[inline]
    pub fn amp_phase(&self, f: f64) -> (T, T) {
        self.amp_phase_grid(f, f.cbrt(), f.ln())
    }

    /// [`PhenomXas::amp_phase`] given f^(1/3) and ln f (precomputed once
    /// per frequency grid, see [`super::FrequencyGrid`]).
    #[inline]
    pub fn amp_phase_grid(&self, f: f64, f_third: f64, ln_f: f64) -> (T, T) {
        let k = &self.fast;
        let mf = self.m_sec * f;
        let r = mf.re();
        if r > k.mf_max {
            return (T::cst(0.0), T::cst(0.0));
        }
        let third = self.m_sec_third * f_third;
        let log = self.ln_m_sec + ln_f;
        let phi = if r < k.f_phase_in {
            let q = &k.q;
            let two_thirds = third * third;
            let four_thirds = mf * third;
            let five_thirds = mf * two_thirds;
            let two = mf * mf;
            let seven_thirds = two * third;
            let eight_thirds = two * two_thirds;
            let three = two * mf;
            let sum = q[0]
                + q[1] * two_thirds
                + q[2] * mf
                + q[3] * four_thirds
                + q[4] * five_thirds * log
                + q[5] * two
                + q[6] * two * log
                + q[7] * seven_thirds
                + q[8] * eight_thirds
                + q[9] * eight_thirds * log
                + (q[10] * eight_thirds + q[11] * three + q[12] * third * three + q[13] * two_thirds * three);
            sum / five_thirds + k.linb * mf + k.phi_f_ref
        } else if r > k.f_phase_im {
            let c = &k.ri;
            let inv = mf.recip();
            c[0] + c[1] * mf + c[2] * (third * third) - inv * (c[3] + c[4] * inv * inv)
                + c[5] * ((mf - self.f_ring) * k.inv_fdamp).atan()
        } else {
            let c = &k.bi;
            let inv = mf.recip();
            c[0] + c[1] * mf + c[2] * log - inv * (c[3] + inv * (c[4] + inv * c[5]))
                + c[6] * ((mf - self.f_ring) * k.inv_2fdamp).atan()
        };
        let amp = if r < k.f_amp_in {
            self.amp_pref * self.amp_ins_ansatz(&Pw::from_parts(mf, third, log)) / (mf * third.sqrt())
        } else if r > k.f_amp_rd {
            let dfr = mf - self.f_ring;
            (-(dfr * self.gamma_r)).exp() * k.amp_rd / ((dfr * dfr + self.gamma_d2) * mf * third.sqrt())
        } else {
            let [d0, d1, d2, d3, d4] = self.delta;
            self.amp_pref / (d0 + mf * (d1 + mf * (d2 + mf * (d3 + mf * d4))))
        };
        (amp, -phi)
    }

    /// The cut frequency [Hz] above which the model is zero (Mf = 0.3).
    pub fn f_cut_hz(&self) -> f64 {
        self.mf_cut / self.m_sec.re()
    }
}
