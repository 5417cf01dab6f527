//! Adaptive step-size control: the PI(D) controller of Hairer (Sec. IV.2 of
//! *Solving ODEs II*, Söderlind's digital-filter form) as parametrised in
//! diffrax's `PIDController` (pcoeff, icoeff; dcoeff = 0).
//!
//! With ε_n the scaled RMS error norm of step n and k the error order (5 for
//! Dopri5's 4th-order embedded estimate), the proposed step factor is
//! `safety · ε_n^(−(icoeff+pcoeff)/k) · ε_{n−1}^(pcoeff/k)`, clamped to
//! `[factor_min, factor_max]`. `pcoeff = 0, icoeff = 1` is the classical
//! integral (I) controller (diffrax's default); Hairer's DOPRI5 PI
//! controller (β = 0.04) is `pcoeff = 0.2, icoeff = 0.65`
//! (`ControllerOptions::hairer_pi`).

/// Options of the step-size controller and of the integration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControllerOptions {
    /// Relative tolerance (dimensionless).
    pub rtol: f64,
    /// Absolute tolerance (state units).
    pub atol: f64,
    /// Initial step size magnitude (time units); `None` picks one with
    /// Hairer's starting-step heuristic.
    pub dt0: Option<f64>,
    /// Maximum number of steps (accepted + rejected).
    pub max_steps: usize,
    /// Smallest allowed step magnitude (time units).
    pub min_step: f64,
    /// Largest allowed step magnitude (time units).
    pub max_step: f64,
    /// Proportional coefficient (diffrax convention).
    pub pcoeff: f64,
    /// Integral coefficient (diffrax convention).
    pub icoeff: f64,
    /// Safety factor.
    pub safety: f64,
    /// Smallest step-size factor per step.
    pub factor_min: f64,
    /// Largest step-size factor per step.
    pub factor_max: f64,
}

impl Default for ControllerOptions {
    /// diffrax's `PIDController` defaults with rtol 1e-6, atol 1e-9,
    /// max_steps 4096.
    fn default() -> Self {
        ControllerOptions {
            rtol: 1e-6,
            atol: 1e-9,
            dt0: None,
            max_steps: 4096,
            min_step: 0.0,
            max_step: f64::INFINITY,
            pcoeff: 0.0,
            icoeff: 1.0,
            safety: 0.9,
            factor_min: 0.2,
            factor_max: 10.0,
        }
    }
}

impl ControllerOptions {
    /// Defaults with the given tolerances.
    pub fn with_tolerances(rtol: f64, atol: f64) -> Self {
        ControllerOptions {
            rtol,
            atol,
            ..Default::default()
        }
    }
    /// Hairer's DOPRI5 PI controller (β = 0.04, exponent 0.2 − 0.75β on the
    /// current error): pcoeff = 0.2, icoeff = 0.65 in diffrax's convention
    /// with error order 5 (Hairer I, Sec. II.4, routine DOPRI5).
    pub fn hairer_pi(mut self) -> Self {
        self.pcoeff = 0.2;
        self.icoeff = 0.65;
        self
    }
    /// Checks the options; the error names the offending one.
    pub fn validate(&self) -> Result<(), super::OdeError> {
        let bad = |name: &'static str, msg: &str| {
            Err(super::OdeError::InvalidOption {
                name,
                msg: msg.to_string(),
            })
        };
        if !(self.rtol >= 0.0 && self.rtol.is_finite()) {
            return bad("rtol", "must be finite and >= 0");
        }
        if !(self.atol >= 0.0 && self.atol.is_finite()) {
            return bad("atol", "must be finite and >= 0");
        }
        if self.rtol == 0.0 && self.atol == 0.0 {
            return bad("atol", "rtol and atol cannot both be 0");
        }
        if let Some(dt0) = self.dt0 {
            if !(dt0.is_finite() && dt0 != 0.0) {
                return bad("dt0", "must be finite and non-zero");
            }
        }
        if self.max_steps == 0 {
            return bad("max_steps", "must be > 0");
        }
        if self.min_step.is_nan() || self.min_step < 0.0 {
            return bad("min_step", "must be >= 0");
        }
        if self.max_step.is_nan() || self.max_step <= 0.0 {
            return bad("max_step", "must be > 0");
        }
        if !(self.safety > 0.0 && self.factor_min > 0.0 && self.factor_max >= 1.0) {
            return bad("safety", "safety, factor_min must be > 0 and factor_max >= 1");
        }
        Ok(())
    }

    /// The step-size factor after a step with scaled error `err` (previous
    /// accepted step's error `err_prev`), for error order `k`.
    #[inline(always)]
    pub fn factor(&self, err: f64, err_prev: f64, k: f64) -> f64 {
        if err == 0.0 {
            return self.factor_max;
        }
        let f = if self.pcoeff == 0.0 && self.icoeff / k == 0.2 && err.is_normal() {
            // The I controller of a fifth-order error estimate (Dopri5 with
            // diffrax's defaults): ε^(−1/5) from a table, no exp/ln.
            self.safety * inv_fifth_root(err)
        } else {
            // ε^a ε_prev^b as one exp of a sum of logarithms (cheaper than
            // two `powf`; the previous error drops out of the I controller).
            let mut log_f = -(self.icoeff + self.pcoeff) / k * err.ln();
            if self.pcoeff != 0.0 {
                log_f += self.pcoeff / k * err_prev.ln();
            }
            self.safety * log_f.exp()
        };
        f.clamp(self.factor_min, self.factor_max)
    }
}

/// Mantissa cells per octave of the x^(−1/5) table: 2^ROOT_BITS.
const ROOT_BITS: u32 = 6;
/// Number of mantissa cells.
const ROOT_CELLS: usize = 1 << ROOT_BITS;
/// Degree of the Taylor polynomial of (1 + t)^(−1/5) on one cell.
const ROOT_DEGREE: usize = 6;

/// c^(−1/5) for c in [1, 16] by Newton's iteration y ← y (6 − c y⁵)/5 on
/// y⁻⁵ = c, started below the root (c y⁵ < 1), from where it increases
/// monotonically to it (y⁻⁵ is convex); exact to an ulp or two.
const fn newton_inv_fifth_root(c: f64) -> f64 {
    let mut y = 0.5;
    let mut i = 0;
    while i < 100 {
        let y2 = y * y;
        y = y * (6.0 - c * (y2 * y2 * y)) / 5.0;
        i += 1;
    }
    y
}

/// Tables of [`inv_fifth_root`]: for cell j of the mantissa, its centre
/// c_j = 1 + (j + ½)/2^ROOT_BITS enters as 1/c_j and c_j^(−1/5); 2^(−r/5)
/// for r = 0..4; the Taylor coefficients C(−1/5, k) of (1 + t)^(−1/5).
struct RootTables {
    inv_c: [f64; ROOT_CELLS],
    root_c: [f64; ROOT_CELLS],
    pow2: [f64; 5],
    taylor: [f64; ROOT_DEGREE + 1],
}

const ROOT_TABLES: RootTables = {
    let mut t = RootTables {
        inv_c: [0.0; ROOT_CELLS],
        root_c: [0.0; ROOT_CELLS],
        pow2: [0.0; 5],
        taylor: [0.0; ROOT_DEGREE + 1],
    };
    let mut j = 0;
    while j < ROOT_CELLS {
        let c = 1.0 + (j as f64 + 0.5) / ROOT_CELLS as f64;
        t.inv_c[j] = 1.0 / c;
        t.root_c[j] = newton_inv_fifth_root(c);
        j += 1;
    }
    let mut r = 0;
    while r < 5 {
        t.pow2[r] = newton_inv_fifth_root((1u64 << r) as f64);
        r += 1;
    }
    let mut b = 1.0;
    let mut k = 0;
    while k <= ROOT_DEGREE {
        t.taylor[k] = b;
        b = b * (-0.2 - k as f64) / (k + 1) as f64;
        k += 1;
    }
    t
};

/// x^(−1/5) for a positive normal x, to a few ulps, without exp/ln:
/// x = 2^(5q+r) m, m ∈ [1, 2) in mantissa cell j, gives
/// x^(−1/5) = 2^(−q) · 2^(−r/5) · c_j^(−1/5) · (1 + t)^(−1/5) with
/// t = m/c_j − 1, |t| ≤ 2^−7, the last factor by its Taylor polynomial of
/// degree 6 (remainder |C(−1/5, 7)| t⁷ < 1e-16).
#[inline(always)]
pub fn inv_fifth_root(x: f64) -> f64 {
    debug_assert!(x.is_normal() && x > 0.0, "inv_fifth_root({x})");
    let tb = &ROOT_TABLES;
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let j = ((bits >> (52 - ROOT_BITS)) as usize) & (ROOT_CELLS - 1);
    let m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    let t = m * tb.inv_c[j] - 1.0;
    let a = &tb.taylor;
    let t2 = t * t;
    let poly = (a[0] + a[1] * t) + t2 * ((a[2] + a[3] * t) + t2 * ((a[4] + a[5] * t) + t2 * a[6]));
    let (q, r) = (e.div_euclid(5), e.rem_euclid(5) as usize);
    // 2^(−q): |q| ≤ 205 for normal x, a normal power of two.
    let scale = f64::from_bits(((1023 - q) as u64) << 52);
    tb.root_c[j] * tb.pow2[r] * poly * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    /// x^(−1/5) against `powf` over the whole normal range (every mantissa
    /// cell, every residue of the exponent mod 5): within 6e-16 relative
    /// plus |ln x| · 1.2e-17, the difference between x^(−1/5) and `powf`'s
    /// x^(−0.2) with the rounded exponent (0.2 is 1/5 + 1.1e-17).
    #[test]
    fn inv_fifth_root_matches_powf() {
        let mut worst = 0.0f64;
        let mut x = f64::MIN_POSITIVE;
        while x < 1e300 {
            for k in 0..97 {
                let v = x * (1.0 + k as f64 / 97.0);
                let want = v.powf(-0.2);
                let rel = ((inv_fifth_root(v) - want) / want).abs();
                worst = worst.max(rel / (6e-16 + 1.2e-17 * v.ln().abs()));
            }
            x *= 1.7;
        }
        assert!(worst < 1.0, "relative error {worst} of the bound");
        for (x, want) in [(32.0, 0.5), (1.0, 1.0), (1.0 / 1024.0, 4.0), (1e-5, 10.0)] {
            assert!((inv_fifth_root(x) / want - 1.0).abs() < 6e-16, "{x}");
        }
    }

    /// The I controller's factor agrees with safety·ε^(−1/5) from `powf`
    /// (and is clamped) across the error range.
    #[test]
    fn i_controller_factor_matches_powf() {
        let o = ControllerOptions::default();
        for i in 0..2000 {
            let err = 10f64.powf(-12.0 + 16.0 * i as f64 / 2000.0);
            let want = (o.safety * err.powf(-0.2)).clamp(o.factor_min, o.factor_max);
            let got = o.factor(err, 0.5, 5.0);
            assert!(
                ((got - want) / want).abs() < 8e-16,
                "err {err:e}: {got} vs {want}"
            );
        }
        assert_eq!(o.factor(0.0, 1.0, 5.0), o.factor_max);
        assert_eq!(o.factor(f64::INFINITY, 1.0, 5.0), o.factor_min);
        assert_eq!(o.factor(1e-310, 1.0, 5.0), o.factor_max);
    }
}
