//! The likelihood terms of EOS inference and the evaluation of one EOS.
//!
//! An EOS (a unit-cube point of the [`PriorBox`]) is built (metamodel + CSE),
//! its M–R–Λ family solved (jester's `construct_family`: 100 log-spaced
//! central pressures, full TOV + tidal solves), and then each term is
//! evaluated:
//!
//! * NICER mass–radius ([`Term::Nicer`]): per analysis a [`ConditionalKde`]
//!   of the released (M, R) samples evaluated along R(M), marginalised over
//!   the mass; the analyses of one pulsar (Amsterdam and Maryland groups) are
//!   combined as an equal-weight mixture, ln L = ln[(L_A + L_M)/2] (jester).
//! * GW tidal ([`Term::Gw`]): a [`ConditionalKde`] of (m1, m2, Λ1, Λ2)
//!   evaluated at Λ(m1), Λ(m2), marginalised over both masses.
//! * Radio-pulsar mass ([`Term::Radio`]): the true mass m uniform on
//!   [m_min, M_TOV], the measurement Gaussian (jester's
//!   `RadioTimingLikelihood`): L = [Φ((M_TOV − μ)/σ) − Φ((m_min − μ)/σ)] /
//!   (M_TOV − m_min).
//! * Chiral EFT ([`Term::ChiEft`]): jester's band score (Koehn et al. 2024,
//!   arXiv:2402.04172, sec. III A): on a grid of nb_n densities from
//!   0.75 n_sat to n_break, f(n) = 0 inside [p_low, p_high], −β (p − p_high)
//!   above and −β (p_low − p) below, β = 6/(p_high − p_low); ln L = the mean
//!   of f over the grid (jester divides the trapezoid-free sum Σ f Δn, with
//!   Δn in units of n_sat, by n_break/n_sat − 0.12, mixing units; the mean
//!   used here is the unit-consistent form of the same score).
//!
//! EOSs that are not physical are rejected with a [`Rejection`] reason and
//! counted by the sampler; nothing returns NaN.

// `!(a > b)` deliberately rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::kde::{logsumexp, ConditionalKde};
use super::params::PriorBox;
use crate::eos::cse::{metamodel_cse_table, CseSettings};
use crate::eos::numerics::{interp, interp_log};
use crate::eos::units::{FM3_TO_GEOMETRIC, MEV_FM3_TO_GEOMETRIC, NSAT_FM3};
use crate::eos::{EosError, EosTable};
use crate::tov::family::{construct_family, Family, FamilyOptions};
use serde::{Deserialize, Serialize};

/// Why an EOS was rejected (an unphysical EOS, or one the data exclude
/// outright). Counted by name in the sampler's statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Rejection {
    /// The unit-cube point lies outside [0, 1]^d (a proposal outside the prior).
    OutsidePrior,
    /// The EOS construction rejected a parameter.
    InvalidParameter,
    /// Pressure, energy density or enthalpy not strictly increasing
    /// (e.g. cs² < 0 in the metamodel).
    NonMonotonic,
    /// Squared sound speed above 1 somewhere in the table.
    Acausal,
    /// NaN, infinity or a non-positive value in the table.
    NonFinite,
    /// The TOV integration failed or returned a non-physical star.
    TovFailure,
    /// The maximum mass is below the configured minimum.
    MtovBelowMinimum,
    /// Some observation's likelihood is exactly zero: every mass it allows
    /// lies above M_TOV.
    MtovBelowObserved,
}

impl Rejection {
    /// All reasons, in reporting order.
    pub const ALL: [Rejection; 8] = [
        Rejection::OutsidePrior,
        Rejection::InvalidParameter,
        Rejection::NonMonotonic,
        Rejection::Acausal,
        Rejection::NonFinite,
        Rejection::TovFailure,
        Rejection::MtovBelowMinimum,
        Rejection::MtovBelowObserved,
    ];

    /// The snake-case name used in summaries.
    pub fn name(&self) -> &'static str {
        match self {
            Rejection::OutsidePrior => "outside_prior",
            Rejection::InvalidParameter => "invalid_parameter",
            Rejection::NonMonotonic => "non_monotonic",
            Rejection::Acausal => "acausal",
            Rejection::NonFinite => "non_finite",
            Rejection::TovFailure => "tov_failure",
            Rejection::MtovBelowMinimum => "m_tov_below_minimum",
            Rejection::MtovBelowObserved => "m_tov_below_observed",
        }
    }

    /// Index into [`Rejection::ALL`].
    pub fn index(&self) -> usize {
        Rejection::ALL.iter().position(|r| r == self).unwrap_or(0)
    }

    fn of_eos_error(e: &EosError) -> Self {
        match e {
            EosError::NotIncreasing { .. } => Rejection::NonMonotonic,
            EosError::Acausal { .. } => Rejection::Acausal,
            EosError::NonFinite { .. } | EosError::NonPositive { .. } => Rejection::NonFinite,
            _ => Rejection::InvalidParameter,
        }
    }
}

/// Quantities derived from an accepted EOS.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Derived {
    /// Maximum (TOV) mass [M☉].
    pub m_tov: f64,
    /// Radius of a 1.4 M☉ star [km].
    pub r_1p4_km: f64,
    /// Tidal deformability of a 1.4 M☉ star.
    pub lambda_1p4: f64,
    /// Pressure at 2 n_sat [MeV fm⁻³].
    pub p_2nsat_mev_fm3: f64,
}

/// Names of [`Derived`] in output order.
pub const DERIVED_NAMES: [&str; 4] = ["M_TOV", "R_1p4_km", "Lambda_1p4", "p_2nsat_MeV_fm3"];

impl Derived {
    /// The values in [`DERIVED_NAMES`] order.
    pub fn to_array(&self) -> [f64; 4] {
        [self.m_tov, self.r_1p4_km, self.lambda_1p4, self.p_2nsat_mev_fm3]
    }
}

/// The result of evaluating one EOS.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A physical EOS: total log-likelihood, one value per term, derived
    /// quantities.
    Accepted {
        /// Σ of the terms (0 in prior-only mode).
        log_likelihood: f64,
        /// Each term's ln L, in [`EosModel::terms`] order.
        terms: Vec<f64>,
        /// Derived quantities.
        derived: Derived,
    },
    /// Rejected, with the reason.
    Rejected(Rejection),
}

/// The chiral-EFT pressure band (n [fm⁻³], p [MeV fm⁻³] of the lower and
/// upper bounds).
#[derive(Debug, Clone)]
pub struct ChiEftBand {
    /// Densities of the lower bound [fm⁻³], increasing.
    pub n_low: Vec<f64>,
    /// Lower-bound pressures [MeV fm⁻³].
    pub p_low: Vec<f64>,
    /// Densities of the upper bound [fm⁻³], increasing.
    pub n_high: Vec<f64>,
    /// Upper-bound pressures [MeV fm⁻³].
    pub p_high: Vec<f64>,
    /// Number of grid densities of the score (jester: 100).
    pub nb_n: usize,
}

impl ChiEftBand {
    /// The band score ln L for pressures `p_of_n` [MeV fm⁻³] at n [fm⁻³]
    /// (module documentation), from 0.75 n_sat to `n_break` [fm⁻³].
    pub fn log_likelihood(&self, n_break: f64, p_of_n: impl Fn(f64) -> f64) -> f64 {
        let (a, b) = (0.75 * NSAT_FM3, n_break);
        let k = self.nb_n.max(2);
        let mut s = 0.0;
        for i in 0..k {
            let n = a + (b - a) * i as f64 / (k - 1) as f64;
            let lo = interp(n, &self.n_low, &self.p_low);
            let hi = interp(n, &self.n_high, &self.p_high);
            let p = p_of_n(n);
            let beta = 6.0 / (hi - lo);
            if p > hi {
                s -= beta * (p - hi);
            } else if p < lo {
                s -= beta * (lo - p);
            }
        }
        s / k as f64
    }
}

/// One likelihood term.
#[derive(Debug, Clone)]
pub enum Term {
    /// NICER mass–radius of one pulsar: one KDE per analysis, combined as an
    /// equal-weight mixture.
    Nicer {
        /// Pulsar name.
        name: String,
        /// The analyses' KDEs of (M [M☉], R [km]).
        analyses: Vec<ConditionalKde>,
    },
    /// GW tidal deformabilities: a KDE of (m1, m2 [M☉], Λ1, Λ2).
    Gw {
        /// Event name.
        name: String,
        /// The KDE.
        kde: ConditionalKde,
    },
    /// A radio-timing mass measurement (Gaussian, mean ± std [M☉]).
    Radio {
        /// Pulsar name.
        name: String,
        /// Measured mass [M☉].
        mean: f64,
        /// 1σ uncertainty [M☉].
        std: f64,
        /// Lower end of the uniform true-mass prior [M☉] (jester: 0.1).
        m_min: f64,
    },
    /// The chiral-EFT band.
    ChiEft(ChiEftBand),
}

impl Term {
    /// A short label, e.g. `nicer_J0030`, `gw_GW170817`, `radio_J0740`, `chieft`.
    pub fn label(&self) -> String {
        match self {
            Term::Nicer { name, .. } => format!("nicer_{name}"),
            Term::Gw { name, .. } => format!("gw_{name}"),
            Term::Radio { name, .. } => format!("radio_{name}"),
            Term::ChiEft(_) => "chieft".into(),
        }
    }
}

/// Standard normal CDF Φ(z) and ln Φ(z), accurate to ~1e-7 relative
/// everywhere, from the complementary error function of Numerical Recipes
/// (Press et al. 2007, sec. 6.2.2, Chebyshev fit `erfccheb`-like form with
/// fractional error < 1.2e-7).
pub fn log_normal_cdf(z: f64) -> f64 {
    // erfc(x) = t exp(−x² + P(t)), t = 1/(1 + x/2), x ≥ 0.
    const C: [f64; 10] = [
        -1.26551223,
        1.00002368,
        0.37409196,
        0.09678418,
        -0.18628806,
        0.27886807,
        -1.13520398,
        1.48851587,
        -0.82215223,
        0.17087277,
    ];
    let ln_erfc = |x: f64| {
        let t = 1.0 / (1.0 + 0.5 * x);
        let mut poly = 0.0;
        for c in C.iter().rev() {
            poly = poly * t + c;
        }
        t.ln() - x * x + poly
    };
    let x = -z / std::f64::consts::SQRT_2;
    if x >= 0.0 {
        // Φ(z) = erfc(x)/2 for z ≤ 0.
        ln_erfc(x) - std::f64::consts::LN_2
    } else {
        // Φ(z) = 1 − erfc(−x)/2.
        (-0.5 * ln_erfc(-x).exp()).ln_1p()
    }
}

/// The EOS model, its prior, the family options and the likelihood terms.
#[derive(Debug, Clone)]
pub struct EosModel {
    /// Prior over the metamodel + CSE parameters.
    pub prior: PriorBox,
    /// The CSE construction settings.
    pub cse: CseSettings,
    /// Family options (stars per family, TOV tolerances).
    pub family: FamilyOptions,
    /// EOSs with M_TOV below this are rejected [M☉].
    pub m_tov_min: f64,
    /// The likelihood terms (empty: prior only).
    pub terms: Vec<Term>,
}

/// The table, family and derived quantities of one EOS.
#[derive(Debug, Clone)]
pub struct Solved {
    /// All parameters (physical units).
    pub theta: Vec<f64>,
    /// The EOS table (geometric units).
    pub table: EosTable<f64>,
    /// The M–R–Λ family.
    pub family: Family<f64>,
    /// Derived quantities.
    pub derived: Derived,
}

impl EosModel {
    /// Builds the EOS at unit-cube point `u` and solves its family; the
    /// rejection reason when it is not physical.
    pub fn solve(&self, u: &[f64]) -> Result<Solved, Rejection> {
        if u.len() != self.prior.dim() || u.iter().any(|&v| !(0.0..=1.0).contains(&v)) {
            return Err(Rejection::OutsidePrior);
        }
        let theta = self.prior.theta(u);
        let params = self
            .prior
            .cse_params(&theta)
            .map_err(|e| Rejection::of_eos_error(&e))?;
        let table = metamodel_cse_table(&params, &self.cse).map_err(|e| Rejection::of_eos_error(&e))?;
        if let Some(cs2) = &table.cs2 {
            if cs2.iter().any(|c| !c.is_finite()) {
                return Err(Rejection::NonFinite);
            }
            if cs2.iter().any(|&c| c > 1.0) {
                return Err(Rejection::Acausal);
            }
        }
        let family = construct_family(&table, &self.family).map_err(|e| match e {
            crate::tov::TovError::Eos(ee) => Rejection::of_eos_error(&ee),
            _ => Rejection::TovFailure,
        })?;
        let all_finite = family
            .mass
            .iter()
            .chain(&family.radius_km)
            .chain(&family.lambda)
            .all(|v| v.is_finite() && *v > 0.0);
        if !all_finite {
            return Err(Rejection::TovFailure);
        }
        let m_tov = family.m_max();
        if !(m_tov >= self.m_tov_min) {
            return Err(Rejection::MtovBelowMinimum);
        }
        let n2 = 2.0 * NSAT_FM3 * FM3_TO_GEOMETRIC;
        let p2 = interp_log(n2, &table.n, &table.p) / MEV_FM3_TO_GEOMETRIC;
        let derived = Derived {
            m_tov,
            r_1p4_km: family.radius_at(1.4),
            lambda_1p4: family.lambda_at(1.4),
            p_2nsat_mev_fm3: p2,
        };
        if !derived.to_array().iter().all(|v| v.is_finite()) {
            return Err(Rejection::NonFinite);
        }
        Ok(Solved {
            theta,
            table,
            family,
            derived,
        })
    }

    /// ln L of each term for a solved EOS (−∞ where a term is exactly zero).
    pub fn term_values(&self, s: &Solved) -> Vec<f64> {
        let fam = &s.family;
        let m_tov = s.derived.m_tov;
        let m_lo = fam.mass[0];
        self.terms
            .iter()
            .map(|t| match t {
                Term::Nicer { analyses, .. } => {
                    let per: Vec<f64> = analyses
                        .iter()
                        .map(|kde| {
                            kde.log_likelihood(|m| {
                                (m[0] <= m_tov && m[0] >= m_lo).then(|| [fam.radius_at(m[0]), 0.0])
                            })
                        })
                        .collect();
                    logsumexp(&per) - (per.len() as f64).ln()
                }
                Term::Gw { kde, .. } => kde.log_likelihood(|m| {
                    (m[0] <= m_tov && m[1] <= m_tov && m[0] >= m_lo && m[1] >= m_lo)
                        .then(|| [fam.lambda_at(m[0]), fam.lambda_at(m[1])])
                }),
                Term::Radio { mean, std, m_min, .. } => {
                    if m_tov <= *m_min {
                        return f64::NEG_INFINITY;
                    }
                    let lu = log_normal_cdf((m_tov - mean) / std);
                    let ll = log_normal_cdf((m_min - mean) / std);
                    lu + (-(ll - lu).exp()).ln_1p() - (m_tov - m_min).ln()
                }
                Term::ChiEft(band) => {
                    let nb = s.theta[self.prior.names.iter().position(|n| n == "nbreak").unwrap_or(9)];
                    let t = &s.table;
                    band.log_likelihood(nb, |n| {
                        interp_log(n * FM3_TO_GEOMETRIC, &t.n, &t.p) / MEV_FM3_TO_GEOMETRIC
                    })
                }
            })
            .collect()
    }

    /// Evaluates the EOS at unit-cube point `u`: solve, then the likelihood
    /// terms. With `prior_only` the terms are still computed and returned
    /// (so that a prior run can be reweighted by any of them afterwards) but
    /// the total is 0 and a zero term does not reject the EOS.
    pub fn evaluate(&self, u: &[f64], prior_only: bool) -> Outcome {
        let s = match self.solve(u) {
            Ok(s) => s,
            Err(r) => return Outcome::Rejected(r),
        };
        let terms = self.term_values(&s);
        if !prior_only {
            if terms.contains(&f64::NEG_INFINITY) {
                return Outcome::Rejected(Rejection::MtovBelowObserved);
            }
            if terms.iter().any(|v| !v.is_finite()) {
                return Outcome::Rejected(Rejection::NonFinite);
            }
        } else if terms.iter().any(|v| v.is_nan()) {
            return Outcome::Rejected(Rejection::NonFinite);
        }
        Outcome::Accepted {
            log_likelihood: if prior_only { 0.0 } else { terms.iter().sum() },
            terms,
            derived: s.derived,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_matches_known_values() {
        // Φ(0) = 1/2, Φ(1) = 0.8413447460685429, Φ(−3) = 1.3498980316300946e-3,
        // Φ(−10) = 7.619853024160527e-24 (scipy.stats.norm.cdf).
        let cases = [
            (0.0, 0.5),
            (1.0, 0.8413447460685429),
            (-3.0, 1.3498980316300946e-3),
            (-10.0, 7.619853024160527e-24),
            (4.0, 0.9999683287581669),
        ];
        for (z, p) in cases {
            let got = log_normal_cdf(z).exp();
            assert!((got / p - 1.0).abs() < 2e-7, "Φ({z}) = {got} vs {p}");
        }
    }

    #[test]
    fn chieft_score_is_zero_inside_and_linear_outside() {
        let band = ChiEftBand {
            n_low: vec![0.1, 0.4],
            p_low: vec![1.0, 1.0],
            n_high: vec![0.1, 0.4],
            p_high: vec![2.0, 2.0],
            nb_n: 100,
        };
        assert_eq!(band.log_likelihood(0.32, |_| 1.5), 0.0);
        // half a band width above everywhere: −6 · 0.5 = −3.
        assert!((band.log_likelihood(0.32, |_| 2.5) + 3.0).abs() < 1e-12);
        assert!((band.log_likelihood(0.32, |_| 0.0) + 6.0).abs() < 1e-12);
    }
}
