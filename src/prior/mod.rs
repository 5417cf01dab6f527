//! Priors and bijective transforms for the aligned-spin binary-black-hole
//! parameters (chirp mass, mass ratio, χ1z, χ2z, luminosity distance,
//! coalescence time, phase, inclination, polarisation, right ascension,
//! declination), as samplers need them: densities, the unit-cube maps
//! (inverse CDFs) and smooth bijections from ℝ with their log-Jacobians.
//! Everything is generic over [`Scalar`] so gradients flow through.

use ferrax_autodiff::Scalar;

/// Errors of the prior module.
#[derive(Debug, thiserror::Error)]
pub enum PriorError {
    /// Bounds or exponents that do not define a proper distribution.
    #[error("invalid prior for {name}: {msg}")]
    Invalid {
        /// The parameter.
        name: String,
        /// What is wrong.
        msg: String,
    },
}

/// A one-dimensional prior on a bounded interval [a, b].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prior1D {
    /// Uniform on [a, b].
    Uniform {
        /// Lower bound.
        a: f64,
        /// Upper bound.
        b: f64,
    },
    /// p(x) ∝ x^α on [a, b] (α = 2: uniform in Euclidean volume for distance).
    PowerLaw {
        /// Exponent α.
        alpha: f64,
        /// Lower bound (> 0).
        a: f64,
        /// Upper bound.
        b: f64,
    },
    /// p(x) ∝ sin x on [a, b] ⊂ [0, π] (isotropic inclination).
    Sine {
        /// Lower bound.
        a: f64,
        /// Upper bound.
        b: f64,
    },
    /// p(x) ∝ cos x on [a, b] ⊂ [−π/2, π/2] (isotropic declination).
    Cosine {
        /// Lower bound.
        a: f64,
        /// Upper bound.
        b: f64,
    },
}

fn sigmoid<T: Scalar>(z: T) -> T {
    ((-z).exp() + 1.0).recip()
}

/// ln σ(z) + ln(1 − σ(z)) computed stably: −|z| − 2 ln(1 + e^−|z|).
fn log_sigmoid_derivative<T: Scalar>(z: T) -> T {
    let az = z.abs();
    -az - (-az).exp().log1p() * 2.0
}

impl Prior1D {
    /// The support [a, b].
    pub fn bounds(&self) -> (f64, f64) {
        match *self {
            Prior1D::Uniform { a, b }
            | Prior1D::PowerLaw { a, b, .. }
            | Prior1D::Sine { a, b }
            | Prior1D::Cosine { a, b } => (a, b),
        }
    }

    /// Checks that the prior is proper; `name` is used in the error.
    pub fn validate(&self, name: &str) -> Result<(), PriorError> {
        let (a, b) = self.bounds();
        let bad = |msg: &str| PriorError::Invalid {
            name: name.to_string(),
            msg: msg.to_string(),
        };
        if !(a.is_finite() && b.is_finite() && a < b) {
            return Err(bad("bounds must be finite with a < b"));
        }
        match *self {
            Prior1D::PowerLaw { alpha, a, .. } if a <= 0.0 || !alpha.is_finite() => {
                Err(bad("power law needs a > 0 and a finite exponent"))
            }
            Prior1D::Sine { a, b } if a < 0.0 || b > std::f64::consts::PI => {
                Err(bad("sine prior needs [a, b] ⊂ [0, π]"))
            }
            Prior1D::Cosine { a, b }
                if a < -std::f64::consts::FRAC_PI_2 || b > std::f64::consts::FRAC_PI_2 =>
            {
                Err(bad("cosine prior needs [a, b] ⊂ [−π/2, π/2]"))
            }
            _ => Ok(()),
        }
    }

    /// Normalised log density at `x` (−∞ outside the support).
    pub fn log_prob<T: Scalar>(&self, x: T) -> T {
        let (a, b) = self.bounds();
        let v = x.re();
        if !(v >= a && v <= b) {
            return T::cst(f64::NEG_INFINITY);
        }
        match *self {
            Prior1D::Uniform { a, b } => T::cst(-(b - a).ln()),
            Prior1D::PowerLaw { alpha, a, b } => {
                if (alpha + 1.0).abs() < 1e-12 {
                    x.ln() * alpha - (b / a).ln().ln()
                } else {
                    let norm = (b.powf(alpha + 1.0) - a.powf(alpha + 1.0)) / (alpha + 1.0);
                    x.ln() * alpha - norm.ln()
                }
            }
            Prior1D::Sine { a, b } => x.sin().ln() - (a.cos() - b.cos()).ln(),
            Prior1D::Cosine { a, b } => x.cos().ln() - (b.sin() - a.sin()).ln(),
        }
    }

    /// Inverse CDF: the parameter at unit-cube coordinate u ∈ [0, 1].
    pub fn from_unit<T: Scalar>(&self, u: T) -> T {
        match *self {
            Prior1D::Uniform { a, b } => u * (b - a) + a,
            Prior1D::PowerLaw { alpha, a, b } => {
                if (alpha + 1.0).abs() < 1e-12 {
                    (u * (b / a).ln()).exp() * a
                } else {
                    let (pa, pb) = (a.powf(alpha + 1.0), b.powf(alpha + 1.0));
                    (u * (pb - pa) + pa).powf(1.0 / (alpha + 1.0))
                }
            }
            Prior1D::Sine { a, b } => {
                let (ca, cb) = (a.cos(), b.cos());
                // cos x = cos a − u (cos a − cos b)
                let c = -(u * (ca - cb)) + ca;
                acos(c)
            }
            Prior1D::Cosine { a, b } => {
                let (sa, sb) = (a.sin(), b.sin());
                asin(u * (sb - sa) + sa)
            }
        }
    }

    /// CDF: the unit-cube coordinate of `x`.
    pub fn to_unit(&self, x: f64) -> f64 {
        match *self {
            Prior1D::Uniform { a, b } => (x - a) / (b - a),
            Prior1D::PowerLaw { alpha, a, b } => {
                if (alpha + 1.0).abs() < 1e-12 {
                    (x / a).ln() / (b / a).ln()
                } else {
                    let (pa, pb) = (a.powf(alpha + 1.0), b.powf(alpha + 1.0));
                    (x.powf(alpha + 1.0) - pa) / (pb - pa)
                }
            }
            Prior1D::Sine { a, b } => (a.cos() - x.cos()) / (a.cos() - b.cos()),
            Prior1D::Cosine { a, b } => (x.sin() - a.sin()) / (b.sin() - a.sin()),
        }
    }

    /// Bijection ℝ → (a, b): x = F⁻¹(σ(z)). Returns x and ln|dx/dz|.
    /// Because x is the inverse CDF of σ(z), `log_prob(x) + ln|dx/dz| =
    /// ln σ'(z)`: sampling z from the posterior in z needs only
    /// `ln L(x(z)) + ln σ'(z)`.
    pub fn from_real<T: Scalar>(&self, z: T) -> (T, T) {
        let u = sigmoid(z);
        let x = self.from_unit(u);
        let log_jac = log_sigmoid_derivative(z) - self.log_prob(x);
        (x, log_jac)
    }

    /// Inverse of [`Prior1D::from_real`]: z = logit(F(x)).
    pub fn to_real(&self, x: f64) -> f64 {
        let u = self.to_unit(x);
        (u / (1.0 - u)).ln()
    }
}

/// arccos on any scalar (derivative −1/√(1 − x²)).
fn acos<T: Scalar>(x: T) -> T {
    let v = x.re();
    let d = -1.0 / (1.0 - v * v).sqrt();
    (x - v) * d + v.acos()
}

/// arcsin on any scalar (derivative 1/√(1 − x²)).
fn asin<T: Scalar>(x: T) -> T {
    let v = x.re();
    let d = 1.0 / (1.0 - v * v).sqrt();
    (x - v) * d + v.asin()
}

/// Names of the sampled parameters of [`BbhPrior`], in order.
pub const BBH_SAMPLED_NAMES: [&str; 11] = [
    "chirp_mass",
    "mass_ratio",
    "chi1z",
    "chi2z",
    "distance_mpc",
    "geocent_time",
    "phase",
    "theta_jn",
    "psi",
    "ra",
    "dec",
];

/// Prior on the 11 aligned-spin BBH parameters, in the order of
/// [`BBH_SAMPLED_NAMES`] (chirp mass [M☉] and mass ratio q = m2/m1 ≤ 1,
/// uniform; spins uniform; distance ∝ d² [Mpc]; time uniform [s]; phase,
/// polarisation and right ascension uniform; inclination ∝ sin;
/// declination ∝ cos).
#[derive(Debug, Clone, PartialEq)]
pub struct BbhPrior {
    /// One prior per parameter.
    pub priors: [Prior1D; 11],
}

impl BbhPrior {
    /// The usual choice around a trigger time `t_c` [s] with half-width `dt`
    /// [s]. Pass times relative to a reference GPS time (e.g. `t_c = 0`) and
    /// add the reference back outside: absolute GPS times (~1e9 s) leave only
    /// ~1e-7 s of float64 resolution for the unit-cube map.
    pub fn standard(
        chirp_mass: (f64, f64),
        q_min: f64,
        chi_max: f64,
        distance: (f64, f64),
        t_c: f64,
        dt: f64,
    ) -> Self {
        use std::f64::consts::{FRAC_PI_2, PI};
        Self {
            priors: [
                Prior1D::Uniform {
                    a: chirp_mass.0,
                    b: chirp_mass.1,
                },
                Prior1D::Uniform { a: q_min, b: 1.0 },
                Prior1D::Uniform {
                    a: -chi_max,
                    b: chi_max,
                },
                Prior1D::Uniform {
                    a: -chi_max,
                    b: chi_max,
                },
                Prior1D::PowerLaw {
                    alpha: 2.0,
                    a: distance.0,
                    b: distance.1,
                },
                Prior1D::Uniform {
                    a: t_c - dt,
                    b: t_c + dt,
                },
                Prior1D::Uniform { a: 0.0, b: 2.0 * PI },
                Prior1D::Sine { a: 0.0, b: PI },
                Prior1D::Uniform { a: 0.0, b: PI },
                Prior1D::Uniform { a: 0.0, b: 2.0 * PI },
                Prior1D::Cosine {
                    a: -FRAC_PI_2,
                    b: FRAC_PI_2,
                },
            ],
        }
    }

    /// Checks every component.
    pub fn validate(&self) -> Result<(), PriorError> {
        for (p, n) in self.priors.iter().zip(BBH_SAMPLED_NAMES) {
            p.validate(n)?;
        }
        Ok(())
    }

    /// Joint log density of a sampled point.
    pub fn log_prob<T: Scalar>(&self, x: &[T; 11]) -> T {
        let mut s = T::cst(0.0);
        for (p, v) in self.priors.iter().zip(x) {
            s = s + p.log_prob(*v);
        }
        s
    }

    /// Unconstrained z ∈ ℝ¹¹ → sampled parameters, and Σ ln|dx_i/dz_i|.
    pub fn from_real<T: Scalar>(&self, z: &[T; 11]) -> ([T; 11], T) {
        let mut x = *z;
        let mut lj = T::cst(0.0);
        for i in 0..11 {
            let (xi, l) = self.priors[i].from_real(z[i]);
            x[i] = xi;
            lj = lj + l;
        }
        (x, lj)
    }

    /// Sampled parameters → unconstrained coordinates.
    pub fn to_real(&self, x: &[f64; 11]) -> [f64; 11] {
        let mut z = [0.0; 11];
        for i in 0..11 {
            z[i] = self.priors[i].to_real(x[i]);
        }
        z
    }
}

/// Component masses (m1 ≥ m2) from chirp mass 𝓜 and q = m2/m1 ≤ 1:
/// m1 = 𝓜 (1 + q)^{1/5} q^{−3/5}, m2 = q m1.
pub fn component_masses<T: Scalar>(chirp_mass: T, q: T) -> (T, T) {
    let m1 = chirp_mass * (q + 1.0).powf(0.2) * q.powf(-0.6);
    (m1, m1 * q)
}

/// Chirp mass and mass ratio q = m2/m1 from component masses (m1 ≥ m2).
pub fn chirp_mass_and_ratio(m1: f64, m2: f64) -> (f64, f64) {
    ((m1 * m2).powf(0.6) / (m1 + m2).powf(0.2), m2 / m1)
}

/// The likelihood's parameter order (m1, m2, χ1z, χ2z, d, θ_JN, φ, ψ, α, δ,
/// t_c) from the sampled order of [`BBH_SAMPLED_NAMES`].
pub fn to_likelihood_order<T: Scalar>(x: &[T; 11]) -> [T; 11] {
    let (m1, m2) = component_masses(x[0], x[1]);
    [m1, m2, x[2], x[3], x[4], x[7], x[6], x[8], x[9], x[10], x[5]]
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrax_autodiff::Dual;

    fn priors() -> Vec<Prior1D> {
        BbhPrior::standard((20.0, 40.0), 0.125, 0.99, (100.0, 2000.0), 0.0, 0.1)
            .priors
            .to_vec()
    }

    #[test]
    fn unit_maps_round_trip_and_densities_integrate_to_one() {
        for p in priors() {
            p.validate("x").unwrap();
            let (a, b) = p.bounds();
            for u in [0.01, 0.3, 0.77, 0.99] {
                let x: f64 = p.from_unit(u);
                assert!((p.to_unit(x) - u).abs() < 1e-9, "{p:?}");
                let z = p.to_real(x);
                let (x2, _) = p.from_real(z);
                assert!((x2 - x).abs() < 1e-9 * (1.0 + x.abs()), "{p:?}");
            }
            let n = 20000;
            let h = (b - a) / n as f64;
            let integral: f64 = (0..n)
                .map(|i| p.log_prob(a + (i as f64 + 0.5) * h).exp() * h)
                .sum();
            assert!((integral - 1.0).abs() < 1e-6, "{p:?}: {integral}");
        }
    }

    #[test]
    fn log_jacobian_matches_finite_differences() {
        for p in priors() {
            for z in [-2.0, 0.3, 1.7] {
                let (_, lj) = p.from_real(z);
                let h = 1e-6;
                let (xp, _) = p.from_real(z + h);
                let (xm, _) = p.from_real(z - h);
                let fd = ((xp - xm) / (2.0 * h)).abs().ln();
                assert!((lj - fd).abs() < 1e-6, "{p:?} z={z}: {lj} vs {fd}");
                // derivative of x(z) through duals
                let (xd, _) = p.from_real(Dual::<1>::variable(z, 0));
                assert!((xd.eps[0] - (xp - xm) / (2.0 * h)).abs() < 1e-5 * (1.0 + xd.eps[0].abs()));
            }
        }
    }

    #[test]
    fn chirp_mass_round_trip() {
        let (mc, q) = chirp_mass_and_ratio(36.0, 29.0);
        let (m1, m2) = component_masses(mc, q);
        assert!((m1 - 36.0).abs() < 1e-12 && (m2 - 29.0).abs() < 1e-12);
    }
}
