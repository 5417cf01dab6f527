//! Neutron-star structure: the TOV equations with the tidal perturbation in
//! the pseudo-enthalpy form ([`solver`]), the Love number ([`love`]),
//! mass–radius–Λ families and their summaries ([`family`]), and the radius
//! loss used for gradient-descent EOS recovery ([`radius_loss`], [`recovery`]).
//!
//! Everything is generic over the number type: `Dual<N>` parameters give
//! exact derivatives of M, R, Λ (and of the loss) through the EOS
//! construction and the adaptive solve.

pub mod family;
pub mod lanes;
pub mod love;
pub mod love_series;
pub mod radius_loss;
pub mod recovery;
pub mod solver;

pub use family::{Family, FamilyOptions, PcMaxRule};
pub use solver::{solve_star, EnthalpyEos, Star, TovOptions};

/// Why a star or a family could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TovError {
    /// From the ODE solver.
    #[error("TOV integration failed: {0}")]
    Ode(#[from] ferrax_solvers::ode::OdeError),
    /// From the EOS construction.
    #[error(transparent)]
    Eos(#[from] crate::eos::EosError),
    /// A central pressure that is not finite and positive.
    #[error("invalid central pressure {0} (must be finite and > 0)")]
    InvalidCentralPressure(f64),
    /// A solution with non-finite or non-positive M, R or Λ.
    #[error("non-physical star at p_c = {p_c}: {msg}")]
    NonPhysical {
        /// Central pressure.
        p_c: f64,
        /// What came out.
        msg: String,
    },
    /// A star of a family that could not be computed.
    #[error("star {index} of the family (p_c = {p_c:e}): {source}")]
    Star {
        /// Position of the star in the family's central-pressure grid.
        index: usize,
        /// Its central pressure (EOS units: m⁻² for geometric tables).
        p_c: f64,
        /// Why it failed.
        source: Box<TovError>,
    },
    /// Invalid family options or an EOS without a usable pressure range.
    #[error("invalid {name}: {msg}")]
    Invalid {
        /// The option or input.
        name: String,
        /// What is wrong.
        msg: String,
    },
}
