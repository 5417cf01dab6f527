//! Equations of state (EOS) of dense matter: tabulated tables with the
//! interpolation the TOV solver reads ([`table`]), the nuclear metamodel
//! ([`metamodel`]) and its speed-of-sound extension ([`cse`]), polytropes,
//! the Read et al. (2009) piecewise polytropes ([`polytrope`]), the
//! Douchin–Haensel crust ([`crust`]), and the 4-parameter spectral EOS
//! ([`spectral`]).
//!
//! Everything is generic over the number type (`T: Scalar`): building a
//! table with `Dual<N>` parameters gives d(table)/d(parameters) exactly.
//! Units: nuclear (n in fm⁻³, p and e in MeV fm⁻³) at the construction
//! interface, geometric (G = c = 1, SI lengths) in [`EosTable`].

pub mod crust;
pub mod cse;
pub mod metamodel;
pub mod numerics;
pub mod piecewise;
pub mod polytrope;
pub mod spectral;
pub mod table;
pub mod units;

pub use table::{EosPoint, EosTable, TableLookup};

/// Why an EOS could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EosError {
    /// No (or a single) table node.
    #[error("empty EOS table (need at least 2 points)")]
    EmptyTable,
    /// Columns of different lengths.
    #[error("EOS columns differ in length: n {n}, p {p}, e {e}")]
    LengthMismatch {
        /// Length of n.
        n: usize,
        /// Length of p.
        p: usize,
        /// Length of e.
        e: usize,
    },
    /// NaN or infinity in a column.
    #[error("non-finite value in EOS column {name} at index {index}")]
    NonFinite {
        /// The column.
        name: String,
        /// First bad index.
        index: usize,
    },
    /// A value that must be positive is not.
    #[error("non-positive value in EOS column {name} at index {index}")]
    NonPositive {
        /// The column.
        name: String,
        /// First bad index.
        index: usize,
    },
    /// A column that must increase strictly does not.
    #[error("EOS column {name} is not strictly increasing at index {index}")]
    NotIncreasing {
        /// The column.
        name: String,
        /// First bad index.
        index: usize,
    },
    /// Speed of sound above light where that is forbidden.
    #[error("acausal EOS: cs2 = {cs2} > 1 at index {index} ({name})")]
    Acausal {
        /// Where it was detected.
        name: String,
        /// Index of the node.
        index: usize,
        /// The squared sound speed.
        cs2: f64,
    },
    /// A model parameter that is missing, non-finite or out of range.
    #[error("invalid EOS parameter {name}: {msg}")]
    InvalidParameter {
        /// The parameter.
        name: String,
        /// What is wrong.
        msg: String,
    },
}

impl EosError {
    /// An `InvalidParameter` error.
    pub fn param(name: impl Into<String>, msg: impl Into<String>) -> Self {
        EosError::InvalidParameter {
            name: name.into(),
            msg: msg.into(),
        }
    }
}
