//! The afterglowpy training data: `metadata.json` (grids, bands, prior box,
//! fixed source settings) and the `<jet>_<split>_{X,Y}.npy` light curves,
//! read and checked against each other.

use super::afterglow::{Band, Jet, ParamSpec};
use super::SurrogateError;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Grids, bands, parameters and fixed settings of a data set, read from its
/// `metadata.json`.
#[derive(Clone, Debug)]
pub struct DataMeta {
    /// Jet the metadata was read for.
    pub jet: Jet,
    /// Parameters in column order with their prior ranges.
    pub params: Vec<ParamSpec>,
    /// Time grid [days].
    pub times_days: Vec<f64>,
    /// Bands in output order.
    pub bands: Vec<Band>,
    /// Fixed source settings (name, value).
    pub fixed: Vec<(String, f64)>,
}

/// A set of light curves: `x` is `n × n_params` (physical units), `y` is
/// `n × bands × times` log10(F / mJy).
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Number of light curves.
    pub n: usize,
    /// Parameters, row-major.
    pub x: Vec<f64>,
    /// Light curves, row-major.
    pub y: Vec<f64>,
}

fn fmt_err(path: &Path, msg: impl Into<String>) -> SurrogateError {
    SurrogateError::Format {
        path: path.display().to_string(),
        msg: msg.into(),
    }
}

/// Reads `metadata.json` of the data folder `dir` for `jet`.
pub fn read_meta(dir: &Path, jet: Jet) -> Result<DataMeta, SurrogateError> {
    let path = dir.join("metadata.json");
    let text = std::fs::read_to_string(&path).map_err(|source| SurrogateError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let v: Value = serde_json::from_str(&text).map_err(|e| fmt_err(&path, e.to_string()))?;
    let num = |v: &Value, what: &str| {
        v.as_f64()
            .ok_or_else(|| fmt_err(&path, format!("{what} is not a number")))
    };
    let times_days = v["times_days"]
        .as_array()
        .ok_or_else(|| fmt_err(&path, "missing times_days"))?
        .iter()
        .map(|t| num(t, "times_days entry"))
        .collect::<Result<Vec<_>, _>>()?;
    let bands = v["bands"]
        .as_array()
        .ok_or_else(|| fmt_err(&path, "missing bands"))?
        .iter()
        .map(|b| {
            Ok(Band {
                name: b["name"]
                    .as_str()
                    .ok_or_else(|| fmt_err(&path, "band without name"))?
                    .to_string(),
                nu_hz: num(&b["nu_Hz"], "band nu_Hz")?,
            })
        })
        .collect::<Result<Vec<_>, SurrogateError>>()?;
    let model = &v["models"][jet.name()];
    let params = model["prior"]
        .as_array()
        .ok_or_else(|| fmt_err(&path, format!("missing models.{}.prior", jet.name())))?
        .iter()
        .map(|p| {
            let dist = p["distribution"].as_str().unwrap_or("uniform");
            Ok(ParamSpec {
                name: p["name"]
                    .as_str()
                    .ok_or_else(|| fmt_err(&path, "prior entry without name"))?
                    .to_string(),
                min: num(&p["min"], "prior min")?,
                max: num(&p["max"], "prior max")?,
                log_uniform: dist == "log-uniform",
                unit: p["unit"].as_str().unwrap_or("").to_string(),
            })
        })
        .collect::<Result<Vec<_>, SurrogateError>>()?;
    let fixed = v["fixed_parameters"]
        .as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, x)| x.as_f64().map(|x| (k.clone(), x)))
                .collect()
        })
        .unwrap_or_default();
    if times_days.len() < 4 || bands.is_empty() || params.is_empty() {
        return Err(fmt_err(&path, "empty time grid, band list or parameter list"));
    }
    Ok(DataMeta {
        jet,
        params,
        times_days,
        bands,
        fixed,
    })
}

/// Reads `<jet>_<split>_X.npy` and `<jet>_<split>_Y.npy` (split `train` or
/// `val`) from `dir`, checking their shapes against `meta`.
pub fn read_split(dir: &Path, meta: &DataMeta, split: &str) -> Result<Dataset, SurrogateError> {
    let px: PathBuf = dir.join(format!("{}_{split}_X.npy", meta.jet.name()));
    let py: PathBuf = dir.join(format!("{}_{split}_Y.npy", meta.jet.name()));
    let x = crate::io::read_npy(&px)?;
    let y = crate::io::read_npy(&py)?;
    let d = meta.params.len();
    let (nb, nt) = (meta.bands.len(), meta.times_days.len());
    if x.shape.len() != 2 || x.shape[1] != d {
        return Err(fmt_err(&px, format!("shape {:?}, expected [n, {d}]", x.shape)));
    }
    let n = x.shape[0];
    if y.shape != [n, nb, nt] {
        return Err(fmt_err(
            &py,
            format!("shape {:?}, expected [{n}, {nb}, {nt}]", y.shape),
        ));
    }
    if let Some(i) = y.data.iter().position(|v| !v.is_finite()) {
        return Err(fmt_err(&py, format!("non-finite value at flat index {i}")));
    }
    Ok(Dataset {
        n,
        x: x.data,
        y: y.data,
    })
}
