//! Reading the JSON formats of waveform and likelihood reference files
//! (also the input format of `ferrax waveform` and `ferrax likelihood`).
//! Errors name the missing or malformed key.

use super::detector::{Detector, Site};
use super::likelihood::{AnalysisGrid, DetectorData, GwLikelihood, N_PARAMS, PARAM_NAMES};
use super::waveforms::WaveformParams;
use super::{GwError, GwResult};
use serde_json::Value;

fn bad(key: &str, msg: &str) -> GwError {
    GwError::Input {
        name: key.to_string(),
        msg: msg.to_string(),
    }
}

/// `v[key]` as a number.
pub fn num(v: &Value, key: &str) -> GwResult<f64> {
    v.get(key)
        .and_then(Value::as_f64)
        .ok_or_else(|| bad(key, "missing or not a number"))
}

/// `v[key]` as an array of numbers.
pub fn num_array(v: &Value, key: &str) -> GwResult<Vec<f64>> {
    let a = v
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| bad(key, "missing or not an array"))?;
    a.iter()
        .enumerate()
        .map(|(i, x)| {
            x.as_f64()
                .ok_or_else(|| bad(&format!("{key}[{i}]"), "not a number"))
        })
        .collect()
}

/// Waveform parameters from a case's `params` object (absent spin
/// components and tidal parameters default to zero).
pub fn waveform_params(p: &Value) -> GwResult<WaveformParams> {
    let opt = |k: &str| -> GwResult<f64> {
        match p.get(k) {
            None | Some(Value::Null) => Ok(0.0),
            Some(x) => x
                .as_f64()
                .ok_or_else(|| bad(&format!("params.{k}"), "not a number")),
        }
    };
    let req = |k: &str| -> GwResult<f64> {
        num(p, k).map_err(|_| bad(&format!("params.{k}"), "missing or not a number"))
    };
    Ok(WaveformParams {
        m1: req("m1")?,
        m2: req("m2")?,
        chi1x: opt("chi1x")?,
        chi1y: opt("chi1y")?,
        chi1z: opt("chi1z")?,
        chi2x: opt("chi2x")?,
        chi2y: opt("chi2y")?,
        chi2z: opt("chi2z")?,
        lambda1: opt("lambda1")?,
        lambda2: opt("lambda2")?,
        distance_mpc: req("distance_mpc")?,
        inclination: req("inclination")?,
        phi_ref: req("phi_ref")?,
        f_ref: req("f_ref")?,
    })
}

/// The 11 likelihood parameters of a point's `params` object.
pub fn bbh_params(p: &Value) -> GwResult<[f64; N_PARAMS]> {
    let mut out = [0.0; N_PARAMS];
    for (i, k) in PARAM_NAMES.iter().enumerate() {
        out[i] = num(p, k).map_err(|_| bad(&format!("params.{k}"), "missing or not a number"))?;
    }
    Ok(out)
}

/// A labelled parameter point of a likelihood file.
#[derive(Debug, Clone)]
pub struct LikelihoodPoint {
    /// The point's label.
    pub label: String,
    /// Parameters in the order of [`PARAM_NAMES`].
    pub params: [f64; N_PARAMS],
    /// The stored reference value, if any.
    pub log_likelihood_ratio: Option<f64>,
}

/// Builds the likelihood (and reads the injection and points) from a file
/// in the likelihood reference format (`setup`, `injection`, `points`).
pub fn likelihood_from_json(v: &Value) -> GwResult<(GwLikelihood, [f64; N_PARAMS], Vec<LikelihoodPoint>)> {
    let setup = v.get("setup").ok_or_else(|| bad("setup", "missing"))?;
    let duration = num(setup, "duration_s")?;
    let start_time = num(setup, "start_time")?;
    let freqs = num_array(setup, "frequencies_on_mask")?;
    let wargs = setup
        .get("waveform_arguments")
        .ok_or_else(|| bad("setup.waveform_arguments", "missing"))?;
    if let Some(a) = wargs.get("waveform_approximant").and_then(Value::as_str) {
        if a != "IMRPhenomD" {
            return Err(bad(
                "setup.waveform_arguments.waveform_approximant",
                "only IMRPhenomD is supported by the likelihood",
            ));
        }
    }
    let grid = AnalysisGrid {
        frequencies: freqs,
        delta_f: 1.0 / duration,
        duration,
        start_time,
        f_ref: num(wargs, "reference_frequency")?,
        f_max: num(wargs, "maximum_frequency")?,
    };
    let dets = setup
        .get("detectors")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("setup.detectors", "missing or not an object"))?;
    let mut detectors = Vec::new();
    for (name, d) in dets {
        let key = |k: &str| format!("setup.detectors.{name}.{k}");
        let g = |k: &str| num(d, k).map_err(|_| bad(&key(k), "missing or not a number"));
        let site = Site {
            latitude_deg: g("latitude_deg")?,
            longitude_deg: g("longitude_deg")?,
            elevation_m: g("elevation_m")?,
            xarm_azimuth_deg: g("xarm_azimuth_deg")?,
            yarm_azimuth_deg: g("yarm_azimuth_deg")?,
            xarm_tilt_rad: g("xarm_tilt_rad")?,
            yarm_tilt_rad: g("yarm_tilt_rad")?,
            length_km: d.get("length_km").and_then(Value::as_f64).unwrap_or(4.0),
        };
        let arr = |k: &str| num_array(d, k).map_err(|_| bad(&key(k), "missing or not a number array"));
        detectors.push(DetectorData {
            detector: Detector::from_site(name, site),
            data_re: arr("data_real_on_mask")?,
            data_im: arr("data_imag_on_mask")?,
            psd: arr("psd_on_mask")?,
        });
    }
    let lik = GwLikelihood::new(grid, detectors, false)?;
    let inj = v
        .get("injection")
        .and_then(|i| i.get("params"))
        .ok_or_else(|| bad("injection.params", "missing"))?;
    let injection = bbh_params(inj)?;
    let pts = v
        .get("points")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("points", "missing or not an array"))?;
    let mut points = Vec::new();
    for (i, p) in pts.iter().enumerate() {
        let label = p
            .get("label")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("point{i}"));
        let params = bbh_params(
            p.get("params")
                .ok_or_else(|| bad(&format!("points[{i}].params"), "missing"))?,
        )?;
        points.push(LikelihoodPoint {
            label,
            params,
            log_likelihood_ratio: p.get("log_likelihood_ratio").and_then(Value::as_f64),
        });
    }
    Ok((lik, injection, points))
}
