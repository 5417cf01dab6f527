//! The radius loss of gradient-descent EOS recovery:
//! L(θ) = (1/N) Σᵢ |R(Mᵢ; θ) − R̂ᵢ| / R̂ᵢ, with R(M; θ) read off the
//! metamodel + CSE family by linear interpolation in mass, and its exact
//! gradient by forward-mode dual numbers through the EOS construction, the
//! adaptive TOV solves and the family post-processing.

use super::family::{construct_family, FamilyOptions};
use super::TovError;
use crate::eos::cse::{metamodel_cse_table, CseParams, CseSettings};
use crate::eos::metamodel::Variant;
use crate::eos::numerics::interp;
use ferrax_autodiff::{scalar_value_and_grad, Dual, Scalar, Var};
use std::collections::BTreeMap;

/// A radius-loss problem: which parameters are free, the fixed ones, the
/// target masses [M☉] and radii [km], and the EOS/family settings.
#[derive(Debug, Clone)]
pub struct RadiusLoss {
    /// Names of the free parameters, in the order of θ.
    pub free: Vec<String>,
    /// Values of the fixed parameters by name.
    pub fixed: BTreeMap<String, f64>,
    /// Masses Mᵢ [M☉].
    pub masses: Vec<f64>,
    /// Target radii R̂ᵢ [km].
    pub target_radii_km: Vec<f64>,
    /// EOS construction settings.
    pub eos: CseSettings,
    /// Family settings.
    pub family: FamilyOptions,
}

/// Tangent directions per forward-mode pass of [`RadiusLoss::value_and_grad`].
pub const GRAD_CHUNK: usize = 9;

impl RadiusLoss {
    /// A problem from a JSON document with `free_parameters` (names),
    /// `fixed_parameters` (name → value), `masses_Msun` and `Rhat_km`; EOS
    /// tables built as jester 0.1.1 builds them (the `jester-0.1.1` variant)
    /// and jester's family settings.
    pub fn from_json(doc: &serde_json::Value) -> Result<Self, TovError> {
        let bad = |name: &str, msg: &str| TovError::Invalid {
            name: name.into(),
            msg: msg.into(),
        };
        let free = doc["free_parameters"]
            .as_array()
            .ok_or_else(|| bad("free_parameters", "missing or not an array"))?
            .iter()
            .map(|v| {
                v.as_str()
                    .map(String::from)
                    .ok_or_else(|| bad("free_parameters", "names must be strings"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let fixed = doc["fixed_parameters"]
            .as_object()
            .ok_or_else(|| bad("fixed_parameters", "missing or not an object"))?
            .iter()
            .map(|(k, v)| {
                v.as_f64()
                    .map(|f| (k.clone(), f))
                    .ok_or_else(|| bad(k, "must be a number"))
            })
            .collect::<Result<BTreeMap<_, _>, _>>()?;
        let nums = |key: &str| {
            doc[key]
                .as_array()
                .ok_or_else(|| bad(key, "missing or not an array"))?
                .iter()
                .map(|v| v.as_f64().ok_or_else(|| bad(key, "must hold numbers")))
                .collect::<Result<Vec<f64>, _>>()
        };
        let masses = nums("masses_Msun")?;
        let target_radii_km = nums("Rhat_km")?;
        if masses.len() != target_radii_km.len() || masses.is_empty() {
            return Err(bad("Rhat_km", "must have one radius per mass"));
        }
        let mut eos = CseSettings::default();
        eos.metamodel.variant = Variant::Jester011;
        Ok(RadiusLoss {
            free,
            fixed,
            masses,
            target_radii_km,
            eos,
            family: FamilyOptions::default(),
        })
    }

    /// θ as a vector in the order of `free` from a name → value object.
    pub fn theta_from_json(&self, obj: &serde_json::Value) -> Result<Vec<f64>, TovError> {
        self.free
            .iter()
            .map(|n| {
                obj[n].as_f64().ok_or_else(|| TovError::Invalid {
                    name: n.clone(),
                    msg: "missing in theta".into(),
                })
            })
            .collect()
    }

    /// EOS parameters at θ.
    pub fn params<T: Scalar>(&self, theta: &[T]) -> Result<CseParams<T>, TovError> {
        if theta.len() != self.free.len() {
            return Err(TovError::Invalid {
                name: "theta".into(),
                msg: format!("expected {} values, got {}", self.free.len(), theta.len()),
            });
        }
        for (name, v) in self.free.iter().zip(theta) {
            if !v.re().is_finite() {
                return Err(TovError::Invalid {
                    name: name.clone(),
                    msg: "non-finite".into(),
                });
            }
        }
        Ok(CseParams::from_named(|name| {
            self.free
                .iter()
                .position(|f| f == name)
                .map(|i| theta[i])
                .or_else(|| self.fixed.get(name).map(|&v| T::cst(v)))
        })?)
    }

    /// R(Mᵢ; θ) [km].
    pub fn radii<T: Scalar>(&self, theta: &[T]) -> Result<Vec<T>, TovError> {
        let table = metamodel_cse_table(&self.params(theta)?, &self.eos)?;
        let fam = construct_family(&table, &self.family)?;
        Ok(self
            .masses
            .iter()
            .map(|&m| interp(T::cst(m), &fam.mass, &fam.radius_km))
            .collect())
    }

    /// L(θ).
    pub fn loss<T: Scalar>(&self, theta: &[T]) -> Result<T, TovError> {
        let r = self.radii(theta)?;
        let n = r.len() as f64;
        let mut acc = T::cst(0.0);
        for (ri, &rh) in r.iter().zip(&self.target_radii_km) {
            acc = acc + (*ri - rh).abs() / rh;
        }
        Ok(acc / n)
    }

    /// L(θ) and ∇L(θ) in reverse mode: one recording of the whole pipeline
    /// (EOS construction, every accepted and rejected Dopri5 stage, family
    /// post-processing) on the scalar tape, then one backward sweep
    /// (backpropagation through the accepted steps). Same derivative as
    /// [`RadiusLoss::value_and_grad`] to rounding.
    pub fn value_and_grad_reverse(&self, theta: &[f64]) -> Result<(f64, Vec<f64>), TovError> {
        let mut failure = None;
        let res = scalar_value_and_grad(
            |x: &[Var]| match self.loss(x) {
                Ok(l) => l,
                Err(e) => {
                    failure = Some(e);
                    Var::constant(f64::NAN)
                }
            },
            theta,
        );
        if let Some(e) = failure {
            return Err(e);
        }
        res.map_err(|e| TovError::Invalid {
            name: "reverse-mode tape".into(),
            msg: e.to_string(),
        })
    }

    /// L(θ) and ∇L(θ) (exact derivative of the discrete computation), in
    /// ⌈len θ / GRAD_CHUNK⌉ forward-mode passes.
    pub fn value_and_grad(&self, theta: &[f64]) -> Result<(f64, Vec<f64>), TovError> {
        let mut grad = vec![0.0; theta.len()];
        let mut value = f64::NAN;
        for start in (0..theta.len().max(1)).step_by(GRAD_CHUNK) {
            let x: Vec<Dual<GRAD_CHUNK>> = theta
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    if i >= start && i < start + GRAD_CHUNK {
                        Dual::variable(v, i - start)
                    } else {
                        Dual::constant(v)
                    }
                })
                .collect();
            let l = self.loss(&x)?;
            value = l.re;
            for k in 0..GRAD_CHUNK {
                if start + k < theta.len() {
                    grad[start + k] = l.eps[k];
                }
            }
        }
        Ok((value, grad))
    }
}
