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
    #[inline]
    pub fn factor(&self, err: f64, err_prev: f64, k: f64) -> f64 {
        if err == 0.0 {
            return self.factor_max;
        }
        // ε^a ε_prev^b as one exp of a sum of logarithms (cheaper than
        // two `powf`; the previous error drops out of the I controller).
        let mut log_f = -(self.icoeff + self.pcoeff) / k * err.ln();
        if self.pcoeff != 0.0 {
            log_f += self.pcoeff / k * err_prev.ln();
        }
        let f = self.safety * log_f.exp();
        f.clamp(self.factor_min, self.factor_max)
    }
}
