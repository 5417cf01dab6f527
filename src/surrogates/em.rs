//! Observations of an electromagnetic counterpart and their likelihood.
//!
//! Gaussian in AB magnitude: for a detection `i` with observed magnitude
//! `m_i` and error `σ_i`, and a model magnitude `M_i(θ)`,
//! `ln L_i = −(M_i − m_i)² / (2 s_i²) − ½ ln(2π s_i²)` with
//! `s_i² = σ_i² + σ_sys²` (fiesta's systematic error budget, default
//! σ_sys = 0.3 mag; Koehler et al. 2025). An upper limit `m_lim` (no
//! detection: the source is fainter than `m_lim`) contributes the one-sided
//! `ln L_i = ln Φ((M_i − m_lim) / s_i)`, with Φ the standard normal CDF.

use super::afterglow::{AfterglowSurrogate, AB_MJY_ZERO_POINT};
use super::interp::PointMap;
use super::SurrogateError;
use ferrax_autodiff::{vjp, Tensor};
use serde_json::Value;
use std::path::Path;

/// fiesta's default systematic error [AB mag].
pub const DEFAULT_SYSTEMATIC_MAG: f64 = 0.3;

/// Photometric points (parallel arrays, one entry per point).
#[derive(Clone, Debug, Default)]
pub struct Observations {
    /// Observer-frame times [days].
    pub t_days: Vec<f64>,
    /// Band names (empty string where only a frequency was given).
    pub band: Vec<String>,
    /// Observer-frame frequencies [Hz].
    pub nu_hz: Vec<f64>,
    /// Observed AB magnitudes (the limiting magnitude for an upper limit).
    pub mag: Vec<f64>,
    /// 1σ magnitude errors [AB mag].
    pub mag_err: Vec<f64>,
    /// Whether each point is an upper limit.
    pub upper_limit: Vec<bool>,
    /// True parameters (name, value), if the file records them (mocks).
    pub truth: Option<Vec<(String, f64)>>,
}

impl Observations {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.t_days.len()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.t_days.is_empty()
    }

    /// Parses the JSON format of the shipped mock observations: parallel
    /// arrays `t_days`, `band` (names known to `model`) and/or `nu_Hz`,
    /// `mag_AB`, `mag_err`, optional `upper_limit` (booleans; `mag_AB` then
    /// holds the limiting magnitude) and `true_parameters` (name → value);
    /// other keys are ignored. `origin` names the source in errors. Every
    /// point is checked: positive finite time inside the model's time grid,
    /// a known band (or a frequency inside the bands), finite magnitude,
    /// positive finite error.
    pub fn from_json(text: &str, origin: &str, model: &AfterglowSurrogate) -> Result<Self, SurrogateError> {
        let err = |msg: String| SurrogateError::Format {
            path: origin.to_string(),
            msg,
        };
        let v: Value = serde_json::from_str(text).map_err(|e| err(e.to_string()))?;
        let nums = |key: &str| -> Result<Option<Vec<f64>>, SurrogateError> {
            match v.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Array(a)) => a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        x.as_f64()
                            .ok_or_else(|| err(format!("{key}[{i}] is not a number")))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Some),
                Some(_) => Err(err(format!("{key} is not an array"))),
            }
        };
        let t_days = nums("t_days")?.ok_or_else(|| err("missing t_days".into()))?;
        let n = t_days.len();
        if n == 0 {
            return Err(err("no observations".into()));
        }
        let mag = nums("mag_AB")?.ok_or_else(|| err("missing mag_AB".into()))?;
        let mag_err = nums("mag_err")?.ok_or_else(|| err("missing mag_err".into()))?;
        let nu_given = nums("nu_Hz")?;
        let band_given: Option<Vec<String>> = match v.get("band") {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) => Some(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| {
                        x.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| err(format!("band[{i}] is not a string")))
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(_) => return Err(err("band is not an array".into())),
        };
        let upper_limit: Vec<bool> = match v.get("upper_limit") {
            None | Some(Value::Null) => vec![false; n],
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    x.as_bool()
                        .ok_or_else(|| err(format!("upper_limit[{i}] is not a boolean")))
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(err("upper_limit is not an array".into())),
        };
        for (key, len) in [
            ("mag_AB", mag.len()),
            ("mag_err", mag_err.len()),
            ("upper_limit", upper_limit.len()),
            ("nu_Hz", nu_given.as_ref().map_or(n, Vec::len)),
            ("band", band_given.as_ref().map_or(n, Vec::len)),
        ] {
            if len != n {
                return Err(err(format!("{key} has {len} entries, t_days has {n}")));
            }
        }
        if band_given.is_none() && nu_given.is_none() {
            return Err(err("neither band nor nu_Hz given".into()));
        }
        let mut band = Vec::with_capacity(n);
        let mut nu_hz = Vec::with_capacity(n);
        for i in 0..n {
            let t = t_days[i];
            if !t.is_finite() || t <= 0.0 {
                return Err(err(format!(
                    "point {i}: time {t} days must be positive and finite"
                )));
            }
            match &band_given {
                Some(b) => {
                    let j = model.band_index(&b[i]).ok_or_else(|| {
                        let known: Vec<&str> = model.bands.iter().map(|b| b.name.as_str()).collect();
                        err(format!(
                            "point {i}: unknown band '{}' (known: {})",
                            b[i],
                            known.join(", ")
                        ))
                    })?;
                    band.push(b[i].clone());
                    nu_hz.push(model.bands[j].nu_hz);
                }
                None => {
                    band.push(String::new());
                    nu_hz.push(nu_given.as_ref().map_or(f64::NAN, |v| v[i]));
                }
            }
            if !mag[i].is_finite() {
                return Err(err(format!("point {i}: mag_AB {} is not finite", mag[i])));
            }
            if !mag_err[i].is_finite() || mag_err[i] < 0.0 {
                return Err(err(format!(
                    "point {i}: mag_err {} must be finite and >= 0",
                    mag_err[i]
                )));
            }
        }
        let truth = v.get("true_parameters").and_then(Value::as_object).map(|o| {
            o.iter()
                .filter_map(|(k, x)| x.as_f64().map(|x| (k.clone(), x)))
                .collect::<Vec<_>>()
        });
        let obs = Observations {
            t_days,
            band,
            nu_hz,
            mag,
            mag_err,
            upper_limit,
            truth,
        };
        // grid coverage (times inside the grid, frequencies inside the bands)
        obs.point_map(model).map_err(|e| err(e.to_string()))?;
        Ok(obs)
    }

    /// Reads and parses an observation file (see [`Observations::from_json`]).
    pub fn from_file(path: impl AsRef<Path>, model: &AfterglowSurrogate) -> Result<Self, SurrogateError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SurrogateError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text, &path.display().to_string(), model)
    }

    /// The map from the model's grid to these points.
    pub fn point_map(&self, model: &AfterglowSurrogate) -> Result<PointMap, SurrogateError> {
        let band_nu: Vec<f64> = model.bands.iter().map(|b| b.nu_hz).collect();
        let pts: Vec<(f64, f64)> = self
            .t_days
            .iter()
            .copied()
            .zip(self.nu_hz.iter().copied())
            .collect();
        PointMap::new(&model.times_days, &band_nu, &pts)
    }

    /// The true parameters in the model's order, if the file gives all of them.
    pub fn truth_for(&self, model: &AfterglowSurrogate) -> Option<Vec<f64>> {
        let t = self.truth.as_ref()?;
        model
            .params
            .iter()
            .map(|p| t.iter().find(|(k, _)| *k == p.name).map(|(_, v)| *v))
            .collect()
    }
}

/// ln Φ(z), the log of the standard normal CDF, accurate in both tails:
/// Φ(z) = ½ erfc(−z/√2), with erfc from the Chebyshev fit `erfcc` of Press
/// et al. (Numerical Recipes in C, 2nd ed. 1992, §6.2; relative error
/// < 1.2e-7) written as `t · exp(poly)` so that its log never underflows.
pub fn ln_normal_cdf(z: f64) -> f64 {
    let x = -z / std::f64::consts::SQRT_2;
    if x < 0.0 {
        // erfc(x) = 2 − erfc(−x) for negative x: no tail problem there
        let (lt, e) = ln_erfc_pos(-x);
        (1.0 - 0.5 * (lt + e).exp()).ln()
    } else {
        let (lt, e) = ln_erfc_pos(x);
        lt + e - std::f64::consts::LN_2
    }
}

/// `(ln t, exponent)` with erfc(x) = t · exp(exponent) for x ≥ 0
/// (Numerical Recipes in C, 2nd ed. 1992, §6.2, `erfcc`).
fn ln_erfc_pos(x: f64) -> (f64, f64) {
    let t = 1.0 / (1.0 + 0.5 * x);
    let poly = -x * x - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    (t.ln(), poly)
}

/// d ln Φ(z) / dz = φ(z) / Φ(z) (the inverse Mills ratio), stable in the tails.
pub fn d_ln_normal_cdf(z: f64) -> f64 {
    let ln_phi = -0.5 * z * z - 0.5 * (2.0 * std::f64::consts::PI).ln();
    (ln_phi - ln_normal_cdf(z)).exp()
}

/// The EM likelihood of [`Observations`] under a surrogate (see the module
/// documentation).
#[derive(Clone, Debug)]
pub struct EmLikelihood {
    /// The surrogate.
    pub model: AfterglowSurrogate,
    /// The data.
    pub obs: Observations,
    /// Systematic error added in quadrature [AB mag].
    pub systematic_mag: f64,
    map: PointMap,
    dense: Tensor,
    consts: Vec<Tensor>,
    s2: Vec<f64>,
}

impl EmLikelihood {
    /// The likelihood of `obs` under `model` with systematic error `systematic_mag`.
    pub fn new(
        model: AfterglowSurrogate,
        obs: Observations,
        systematic_mag: f64,
    ) -> Result<Self, SurrogateError> {
        if !systematic_mag.is_finite() || systematic_mag < 0.0 {
            return Err(SurrogateError::invalid(
                "systematic error",
                format!("{systematic_mag} mag must be finite and >= 0"),
            ));
        }
        let map = obs.point_map(&model)?;
        let s2: Vec<f64> = obs
            .mag_err
            .iter()
            .map(|e| e * e + systematic_mag * systematic_mag)
            .collect();
        if let Some(i) = s2.iter().position(|&s| s <= 0.0) {
            return Err(SurrogateError::invalid(
                format!("point {i}"),
                "zero total error (mag_err = 0 and no systematic error)",
            ));
        }
        let dense = Tensor::from_vec(map.dense(), &[map.n_grid, map.n_points()])?;
        let consts = model.constant_tensors()?;
        Ok(EmLikelihood {
            consts,
            model,
            obs,
            systematic_mag,
            map,
            dense,
            s2,
        })
    }

    /// Model AB magnitudes at the observation points for parameters `x`.
    pub fn model_mags(&self, x: &[f64]) -> Result<Vec<f64>, SurrogateError> {
        let grid = self.model.predict(x)?;
        Ok(self
            .map
            .apply(&grid)
            .into_iter()
            .map(|y| AB_MJY_ZERO_POINT - 2.5 * y)
            .collect())
    }

    /// `ln L` and `d ln L / dM_i` for model magnitudes `mags`.
    fn terms_from_mags(&self, mags: &[f64], dmag: &mut [f64]) -> f64 {
        let two_pi = 2.0 * std::f64::consts::PI;
        let mut ll = 0.0;
        for i in 0..mags.len() {
            let s2 = self.s2[i];
            if self.obs.upper_limit[i] {
                let s = s2.sqrt();
                let z = (mags[i] - self.obs.mag[i]) / s;
                ll += ln_normal_cdf(z);
                dmag[i] = d_ln_normal_cdf(z) / s;
            } else {
                let r = mags[i] - self.obs.mag[i];
                ll += -0.5 * (r * r / s2 + (two_pi * s2).ln());
                dmag[i] = -r / s2;
            }
        }
        ll
    }

    /// `ln L(x)` at physical parameters `x` (checked against the training box).
    pub fn log_likelihood(&self, x: &[f64]) -> Result<f64, SurrogateError> {
        let mags = self.model_mags(x)?;
        let mut d = vec![0.0; mags.len()];
        Ok(self.terms_from_mags(&mags, &mut d))
    }

    /// `ln L` of `n` points (`x` is `n × n_params`, all inside the box) on
    /// the plain `f64` path.
    pub fn log_likelihood_batch(&self, x: &[f64], n: usize) -> Result<Vec<f64>, SurrogateError> {
        let out = self.model.predict_batch_unchecked(x, n);
        let m = self.model.n_out();
        let mut dm = vec![0.0; self.map.n_points()];
        Ok((0..n)
            .map(|i| {
                let y = self.map.apply(&out[i * m..(i + 1) * m]);
                let mags: Vec<f64> = y.iter().map(|y| AB_MJY_ZERO_POINT - 2.5 * y).collect();
                self.terms_from_mags(&mags, &mut dm)
            })
            .collect())
    }

    /// `ln L` and its gradient with respect to the physical parameters for
    /// `n` points (`x` is `n × n_params`, all inside the box): the surrogate
    /// and the interpolation run on the tape, the magnitude terms by hand.
    pub fn log_likelihood_and_grad(
        &self,
        x: &[f64],
        n: usize,
    ) -> Result<(Vec<f64>, Vec<f64>), SurrogateError> {
        let d = self.model.n_params();
        let xt = Tensor::from_vec(x.to_vec(), &[n, d])?;
        let (logf, pullback) = vjp(
            |p| {
                self.model
                    .predict_tensor_with(&self.consts, &p[0])
                    .matmul(&self.dense)
            },
            &[xt],
        )?;
        let y = logf.to_vec()?;
        let np = self.map.n_points();
        let mut ll = vec![0.0; n];
        let mut cot = vec![0.0; n * np];
        let mut mags = vec![0.0; np];
        for i in 0..n {
            for k in 0..np {
                mags[k] = AB_MJY_ZERO_POINT - 2.5 * y[i * np + k];
            }
            ll[i] = self.terms_from_mags(&mags, &mut cot[i * np..(i + 1) * np]);
            for c in &mut cot[i * np..(i + 1) * np] {
                *c *= -2.5; // dM/dlog10F
            }
        }
        let g = pullback.call(&Tensor::from_vec(cot, &[n, np])?)?;
        Ok((ll, g[0].to_vec()?))
    }
}
