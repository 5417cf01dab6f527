//! The metamodel + CSE parameters sampled in EOS inference and their prior:
//! independent uniform distributions (or fixed values) for every parameter,
//! sampled as a point u of the unit cube, θ_i = lo_i + u_i (hi_i − lo_i).
//!
//! Default ranges: jester's inference prior (Koehn et al. 2024,
//! arXiv:2402.04172, Table I; jester `examples/inference/*/prior.prior`):
//! E_sat = −16 MeV fixed; K_sat ∈ [150, 300], Q_sat ∈ [−500, 1100],
//! Z_sat ∈ [−2500, 1500], E_sym ∈ [28, 45], L_sym ∈ [10, 200],
//! K_sym ∈ [−300, 100], Q_sym ∈ [−800, 800], Z_sym ∈ [−2500, 1500] (MeV);
//! n_break ∈ [0.16, 0.32] fm⁻³; 8 CSE node positions n_CSE_i_u ∈ [0, 1]
//! and 9 node values cs2_CSE_i ∈ [0, 1].

// `!(a > b)` deliberately rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::EosInferError;
use crate::eos::cse::CseParams;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Names of the nuclear empirical parameters [MeV], in sampling order.
pub const NUCLEAR_NAMES: [&str; 9] = [
    "E_sat", "K_sat", "Q_sat", "Z_sat", "E_sym", "L_sym", "K_sym", "Q_sym", "Z_sym",
];

/// Every parameter name of a metamodel + CSE EOS with `nb` free CSE nodes,
/// in sampling order: the nuclear parameters, `nbreak`, `n_CSE_i_u`
/// (i < nb), `cs2_CSE_i` (i ≤ nb).
pub fn all_names(nb: usize) -> Vec<String> {
    let mut v: Vec<String> = NUCLEAR_NAMES.iter().map(|s| s.to_string()).collect();
    v.push("nbreak".into());
    v.extend((0..nb).map(|i| format!("n_CSE_{i}_u")));
    v.extend((0..=nb).map(|i| format!("cs2_CSE_{i}")));
    v
}

/// The prior of one parameter: a fixed value or a uniform range [lo, hi].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamPrior {
    /// Held at this value (units of the parameter).
    Fixed(f64),
    /// Uniform on [lo, hi] (units of the parameter).
    Uniform([f64; 2]),
}

/// jester's default prior of `name` (see the module documentation), `None`
/// for unknown names.
pub fn jester_default(name: &str) -> Option<ParamPrior> {
    use ParamPrior::*;
    Some(match name {
        "E_sat" => Fixed(-16.0),
        "K_sat" => Uniform([150.0, 300.0]),
        "Q_sat" => Uniform([-500.0, 1100.0]),
        "Z_sat" => Uniform([-2500.0, 1500.0]),
        "E_sym" => Uniform([28.0, 45.0]),
        "L_sym" => Uniform([10.0, 200.0]),
        "K_sym" => Uniform([-300.0, 100.0]),
        "Q_sym" => Uniform([-800.0, 800.0]),
        "Z_sym" => Uniform([-2500.0, 1500.0]),
        "nbreak" => Uniform([0.16, 0.32]),
        n if n.starts_with("n_CSE_") || n.starts_with("cs2_CSE_") => Uniform([0.0, 1.0]),
        _ => return None,
    })
}

/// The product prior over all parameters of a metamodel + CSE EOS.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorBox {
    /// All parameter names in sampling order ([`all_names`]).
    pub names: Vec<String>,
    /// The prior of each.
    pub priors: Vec<ParamPrior>,
    /// Indices (into `names`) of the free parameters.
    pub free: Vec<usize>,
    /// Number of free CSE nodes.
    pub nb_cse: usize,
}

impl PriorBox {
    /// jester's prior with `nb_cse` CSE nodes.
    pub fn jester(nb_cse: usize) -> Self {
        let map = BTreeMap::new();
        Self::new(nb_cse, &map).expect("the defaults are valid")
    }

    /// The prior with `nb_cse` nodes, taking each parameter from `overrides`
    /// where given and from jester's defaults otherwise. Unknown names,
    /// inverted or non-finite ranges are errors naming the key
    /// (`prior.<name>`).
    pub fn new(nb_cse: usize, overrides: &BTreeMap<String, ParamPrior>) -> Result<Self, EosInferError> {
        let names = all_names(nb_cse);
        for k in overrides.keys() {
            if !names.contains(k) {
                return Err(EosInferError::config(
                    format!("prior.{k}"),
                    format!("unknown parameter (known: {})", names.join(", ")),
                ));
            }
        }
        let mut priors = Vec::with_capacity(names.len());
        let mut free = Vec::new();
        for (i, n) in names.iter().enumerate() {
            let p = match overrides.get(n) {
                Some(p) => *p,
                None => jester_default(n).expect("all names have defaults"),
            };
            match p {
                ParamPrior::Fixed(v) if !v.is_finite() => {
                    return Err(EosInferError::config(
                        format!("prior.{n}"),
                        "fixed value must be finite",
                    ))
                }
                ParamPrior::Uniform([a, b]) if !(a.is_finite() && b.is_finite() && b > a) => {
                    return Err(EosInferError::config(
                        format!("prior.{n}"),
                        format!("range [{a}, {b}] must be finite with lo < hi"),
                    ))
                }
                ParamPrior::Uniform(_) => free.push(i),
                ParamPrior::Fixed(_) => {}
            }
            let unit_interval = n.starts_with("n_CSE_") || n.starts_with("cs2_CSE_");
            let (lo, hi) = match p {
                ParamPrior::Fixed(v) => (v, v),
                ParamPrior::Uniform([a, b]) => (a, b),
            };
            if unit_interval && !(lo >= 0.0 && hi <= 1.0) {
                return Err(EosInferError::config(
                    format!("prior.{n}"),
                    "must lie inside [0, 1]",
                ));
            }
            priors.push(p);
        }
        if free.is_empty() {
            return Err(EosInferError::config("prior", "no free parameter"));
        }
        Ok(PriorBox {
            names,
            priors,
            free,
            nb_cse,
        })
    }

    /// Number of free (sampled) parameters.
    pub fn dim(&self) -> usize {
        self.free.len()
    }

    /// Names of the free parameters, in sampling order.
    pub fn free_names(&self) -> Vec<String> {
        self.free.iter().map(|&i| self.names[i].clone()).collect()
    }

    /// (lo, hi) of each free parameter.
    pub fn free_ranges(&self) -> Vec<(f64, f64)> {
        self.free
            .iter()
            .map(|&i| match self.priors[i] {
                ParamPrior::Uniform([a, b]) => (a, b),
                ParamPrior::Fixed(v) => (v, v),
            })
            .collect()
    }

    /// All parameter values (physical units) of the unit-cube point `u`
    /// (free parameters only, each in [0, 1]).
    pub fn theta(&self, u: &[f64]) -> Vec<f64> {
        let mut out: Vec<f64> = self
            .priors
            .iter()
            .map(|p| match p {
                ParamPrior::Fixed(v) => *v,
                ParamPrior::Uniform([a, _]) => *a,
            })
            .collect();
        for (k, &i) in self.free.iter().enumerate() {
            if let ParamPrior::Uniform([a, b]) = self.priors[i] {
                out[i] = a + u[k] * (b - a);
            }
        }
        out
    }

    /// The unit-cube point of the free parameters of `theta` (all parameters).
    pub fn to_unit(&self, theta: &[f64]) -> Vec<f64> {
        self.free
            .iter()
            .map(|&i| match self.priors[i] {
                ParamPrior::Uniform([a, b]) => (theta[i] - a) / (b - a),
                ParamPrior::Fixed(_) => 0.0,
            })
            .collect()
    }

    /// The metamodel + CSE parameters of `theta` (all parameters).
    pub fn cse_params(&self, theta: &[f64]) -> Result<CseParams<f64>, crate::eos::EosError> {
        CseParams::from_named(|name| self.names.iter().position(|n| n == name).map(|i| theta[i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jester_prior_has_26_free_parameters_and_round_trips() {
        let p = PriorBox::jester(8);
        assert_eq!(p.dim(), 26);
        assert_eq!(p.names.len(), 27);
        let u: Vec<f64> = (0..26).map(|i| (i as f64 + 0.5) / 26.0).collect();
        let th = p.theta(&u);
        assert_eq!(th[0], -16.0);
        let back = p.to_unit(&th);
        for (a, b) in u.iter().zip(&back) {
            assert!((a - b).abs() < 1e-12);
        }
        let cse = p.cse_params(&th).unwrap();
        assert_eq!(cse.node_u.len(), 8);
        assert_eq!(cse.node_cs2.len(), 9);
    }

    #[test]
    fn bad_priors_name_the_key() {
        let mut m = BTreeMap::new();
        m.insert("K_sat".to_string(), ParamPrior::Uniform([300.0, 150.0]));
        let e = PriorBox::new(8, &m).unwrap_err().to_string();
        assert!(e.contains("prior.K_sat"), "{e}");
        let mut m = BTreeMap::new();
        m.insert("K_zz".to_string(), ParamPrior::Fixed(1.0));
        assert!(PriorBox::new(8, &m)
            .unwrap_err()
            .to_string()
            .contains("prior.K_zz"));
        let mut m = BTreeMap::new();
        m.insert("cs2_CSE_3".to_string(), ParamPrior::Uniform([0.0, 1.5]));
        assert!(PriorBox::new(8, &m).is_err());
    }
}
