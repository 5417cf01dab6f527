//! The radius loss of gradient-descent EOS recovery:
//! L(θ) = (1/N) Σᵢ |R(Mᵢ; θ) − R̂ᵢ| / R̂ᵢ, with R(M; θ) read off the
//! metamodel + CSE family by linear interpolation in mass, and its exact
//! gradient by forward-mode dual numbers through the EOS construction, the
//! adaptive TOV solves and the family post-processing.

use super::family::{central_pressures, construct_family, postprocess, solve_stars, FamilyOptions};
use super::{solve_star, Star, TovError};
use crate::eos::cse::{metamodel_cse_table, CseParams, CseSettings};
use crate::eos::metamodel::Variant;
use crate::eos::numerics::{interp, linspace};
use crate::eos::TableLookup;
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

    /// [`RadiusLoss::loss`] with star `i` taken from `known[i]` (f64
    /// solution, as a constant) where given, else solved with `T`.
    fn loss_with_known_stars<T: Scalar>(
        &self,
        theta: &[T],
        known: &[Option<&Star<f64>>],
    ) -> Result<T, TovError> {
        let table = metamodel_cse_table(&self.params(theta)?, &self.eos)?;
        table.validate()?;
        let pcs = central_pressures(&table, &self.family)?;
        let lookup = TableLookup::new(&table);
        let stars = pcs
            .iter()
            .zip(known)
            .enumerate()
            .map(|(i, (&pc, k))| match k {
                Some(s) => Ok(constant_star(s)),
                None => solve_star(&lookup, pc, &self.family.tov).map_err(|e| TovError::Star {
                    index: i,
                    p_c: pc.re(),
                    source: Box::new(e),
                }),
            })
            .collect::<Result<Vec<Star<T>>, TovError>>()?;
        let fam = postprocess(pcs, &stars, self.family.ndat);
        let n = self.masses.len() as f64;
        let mut acc = T::cst(0.0);
        for (&m, &rh) in self.masses.iter().zip(&self.target_radii_km) {
            let ri = interp(T::cst(m), &fam.mass, &fam.radius_km);
            acc = acc + (ri - rh).abs() / rh;
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
        // The loss reads R(Mᵢ) by two linear interpolations (stars → mass
        // grid → Mᵢ) whose brackets and grid ends involve a few stars only;
        // the others do not enter the loss's arithmetic at all. A plain f64
        // pass finds them; the dual passes then solve only those stars with
        // dual numbers and take the others' f64 solutions as constants: the
        // same value and the same derivatives as dual numbers throughout
        // (tested), with about a quarter of the dual star solves.
        let table = metamodel_cse_table(&self.params(theta)?, &self.eos)?;
        table.validate()?;
        let pcs = central_pressures(&table, &self.family)?;
        let stars = solve_stars(&TableLookup::new(&table), &pcs, &self.family.tov)?;
        let raw_masses = postprocess(pcs, &stars, self.family.ndat).mass_raw;
        let active = active_stars(&raw_masses, self.family.ndat, &self.masses);
        let known: Vec<Option<&Star<f64>>> = stars
            .iter()
            .zip(&active)
            .map(|(s, &a)| (!a).then_some(s))
            .collect();
        self.dual_passes(theta, &known)
    }

    /// [`RadiusLoss::value_and_grad`] with dual numbers through every star
    /// (its reference).
    pub fn value_and_grad_all_stars(&self, theta: &[f64]) -> Result<(f64, Vec<f64>), TovError> {
        self.dual_passes(theta, &[])
    }

    /// ⌈len θ / GRAD_CHUNK⌉ forward-mode passes; star `i` is taken from
    /// `known[i]` (as a constant) where given, else solved with duals.
    fn dual_passes(&self, theta: &[f64], known: &[Option<&Star<f64>>]) -> Result<(f64, Vec<f64>), TovError> {
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
            let l = if known.is_empty() {
                self.loss(&x)?
            } else {
                self.loss_with_known_stars(&x, known)?
            };
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

/// A star's f64 solution as constants of any number type.
fn constant_star<T: Scalar>(s: &Star<f64>) -> Star<T> {
    Star {
        mass: T::cst(s.mass),
        radius: T::cst(s.radius),
        y: T::cst(s.y),
        compactness: T::cst(s.compactness),
        k2: T::cst(s.k2),
        lambda: T::cst(s.lambda),
        h_c: T::cst(s.h_c),
        stats: s.stats,
    }
}

/// The indices [`interp`] reads for `x` in `xp`: the bracketing pair, or
/// the end it clamps to.
fn interp_reads(x: f64, xp: &[f64]) -> [usize; 2] {
    let n = xp.len();
    if x < xp[0] {
        return [0, 0];
    }
    if x > xp[n - 1] {
        return [n - 1, n - 1];
    }
    let i = xp.partition_point(|v| *v <= x).clamp(1, n - 1);
    [i - 1, i]
}

/// Which of the raw stars (masses `raw_masses` [M☉], in central-pressure
/// order) the radius loss at `targets` [M☉] reads, following
/// [`postprocess`]: the stable-branch selection and sort of
/// `limit_by_mtov` (a discarded star is replaced by the heaviest), the
/// mass grid between the lightest and the heaviest kept star, and the two
/// interpolations.
fn active_stars(raw_masses: &[f64], ndat: usize, targets: &[f64]) -> Vec<bool> {
    let n = raw_masses.len();
    let mut active = vec![false; n];
    if n == 0 {
        return active;
    }
    let m = raw_masses;
    let heaviest = (1..n).fold(0, |b, i| if m[i] > m[b] { i } else { b });
    // source star of each position after the stable-branch selection
    let source: Vec<usize> = (0..n)
        .map(|i| {
            if i == heaviest || (i < heaviest && m[i + 1] - m[i] > 0.0) {
                i
            } else {
                heaviest
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| m[source[a]].total_cmp(&m[source[b]]));
    let sorted: Vec<f64> = order.iter().map(|&i| m[source[i]]).collect();
    let star_at = |s: usize| source[order[s]];
    let grid = linspace(sorted[0], sorted[n - 1], ndat, true);
    active[star_at(0)] = true;
    active[star_at(n - 1)] = true;
    for &target in targets {
        for g in interp_reads(target, &grid) {
            for s in interp_reads(grid[g], &sorted) {
                active[star_at(s)] = true;
            }
        }
    }
    active
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dual numbers through only the stars the loss reads give the value
    /// and gradient of dual numbers through every star, at the truth (where
    /// the loss is 0 and its kinks sit) and at the three perturbed points;
    /// fewer than half of the stars are solved with duals.
    #[test]
    fn active_stars_give_the_all_stars_gradient() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/tov/radius_loss.json")).expect("JSON");
        let problem = RadiusLoss::from_json(&doc).expect("case");
        let points =
            std::iter::once(&doc["theta_true"]).chain((0..3).map(|k| &doc["perturbed_points"][k]["theta"]));
        for th in points {
            let theta = problem.theta_from_json(th).expect("θ");
            let (v, g) = problem.value_and_grad(&theta).expect("active stars");
            let (va, ga) = problem.value_and_grad_all_stars(&theta).expect("all stars");
            assert_eq!(v.to_bits(), va.to_bits());
            let norm = ga.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-300);
            for (a, b) in g.iter().zip(&ga) {
                assert!((a - b).abs() <= 1e-12 * norm, "{a} vs {b}");
            }
            // the active set is a small part of the family
            let table = metamodel_cse_table(&problem.params(&theta).expect("p"), &problem.eos).expect("EOS");
            let fam = construct_family(&table, &problem.family).expect("family");
            let n_active = active_stars(&fam.mass_raw, problem.family.ndat, &problem.masses)
                .iter()
                .filter(|&&a| a)
                .count();
            assert!((4..50).contains(&n_active), "{n_active} active stars");
        }
    }
}
