//! The observations ferrax ships for EOS inference (compiled into the
//! binary; provenance in `src/eosinfer/data/README.md`) and loaders for
//! user-supplied `.npy` sample files.
//!
//! A data source is written `builtin:<name>` or as a path to a `.npy` file
//! (float64, one row per sample). Built-in names: `J0030_amsterdam`,
//! `J0030_maryland`, `J0740_amsterdam`, `J0740_maryland` (M [M☉], R [km]),
//! `GW170817` (m1, m2 [M☉], Λ1, Λ2), `chieft_low`, `chieft_high`
//! (n [fm⁻³], p [MeV fm⁻³]).

// `!(a > b)` deliberately rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::likelihood::ChiEftBand;
use super::EosInferError;
use crate::io::npy::read_npy_bytes;

/// The built-in data sets: (name, bytes of the `.npy` file).
const BUILTIN: [(&str, &[u8]); 7] = [
    (
        "J0030_amsterdam",
        include_bytes!("data/nicer_J0030_amsterdam.npy"),
    ),
    ("J0030_maryland", include_bytes!("data/nicer_J0030_maryland.npy")),
    (
        "J0740_amsterdam",
        include_bytes!("data/nicer_J0740_amsterdam.npy"),
    ),
    ("J0740_maryland", include_bytes!("data/nicer_J0740_maryland.npy")),
    (
        "GW170817",
        include_bytes!("data/gw170817_m1_m2_lambda1_lambda2.npy"),
    ),
    ("chieft_low", include_bytes!("data/chieft_koehn2024_low.npy")),
    ("chieft_high", include_bytes!("data/chieft_koehn2024_high.npy")),
];

/// Names of the built-in data sets.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

/// Loads `source` (`builtin:<name>` or a `.npy` path) as a row-major array
/// with `cols` columns. Errors name the source: unknown built-in, unreadable
/// file, wrong shape.
pub fn load_samples(source: &str, cols: usize) -> Result<Vec<f64>, EosInferError> {
    let arr = if let Some(name) = source.strip_prefix("builtin:") {
        let bytes = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| *b)
            .ok_or_else(|| {
                EosInferError::data(
                    source,
                    format!(
                        "unknown built-in data set (known: {})",
                        builtin_names().join(", ")
                    ),
                )
            })?;
        read_npy_bytes(bytes).map_err(|e| EosInferError::data(source, e.to_string()))?
    } else {
        crate::io::read_npy(source).map_err(|e| EosInferError::data(source, e.to_string()))?
    };
    if arr.shape.len() != 2 || arr.shape[1] != cols {
        return Err(EosInferError::data(
            source,
            format!(
                "expected a 2-D array with {cols} columns, got shape {:?}",
                arr.shape
            ),
        ));
    }
    Ok(arr.data)
}

/// The chiral-EFT band from two (n [fm⁻³], p [MeV fm⁻³]) sources; densities
/// must increase and the upper pressure exceed the lower one.
pub fn chieft_band(low: &str, high: &str, nb_n: usize) -> Result<ChiEftBand, EosInferError> {
    let split = |src: &str| -> Result<(Vec<f64>, Vec<f64>), EosInferError> {
        let a = load_samples(src, 2)?;
        let n: Vec<f64> = a.iter().step_by(2).copied().collect();
        let p: Vec<f64> = a.iter().skip(1).step_by(2).copied().collect();
        if n.len() < 2 || n.windows(2).any(|w| !(w[1] > w[0])) {
            return Err(EosInferError::data(
                src,
                "densities must increase strictly (need >= 2 rows)",
            ));
        }
        if p.iter().any(|v| !v.is_finite()) {
            return Err(EosInferError::data(src, "non-finite pressure"));
        }
        Ok((n, p))
    };
    let (n_low, p_low) = split(low)?;
    let (n_high, p_high) = split(high)?;
    if nb_n < 2 {
        return Err(EosInferError::config("chieft.nb_n", "need at least 2 densities"));
    }
    let band = ChiEftBand {
        n_low,
        p_low,
        n_high,
        p_high,
        nb_n,
    };
    for &n in &band.n_low {
        let lo = crate::eos::numerics::interp(n, &band.n_low, &band.p_low);
        let hi = crate::eos::numerics::interp(n, &band.n_high, &band.p_high);
        if !(hi > lo) {
            return Err(EosInferError::data(
                high,
                format!("upper bound {hi} <= lower bound {lo} at n = {n}"),
            ));
        }
    }
    Ok(band)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_sets_load_with_the_documented_medians() {
        let median = |v: &mut Vec<f64>| {
            v.sort_by(|a, b| a.total_cmp(b));
            v[v.len() / 2]
        };
        // README of the released data: J0030 Amsterdam (1.34, 12.7), J0740
        // Maryland (2.09, 13.6); GW170817 m1 = 1.47, Λ2 = 446.
        let a = load_samples("builtin:J0030_amsterdam", 2).unwrap();
        let mut m: Vec<f64> = a.iter().step_by(2).copied().collect();
        let mut r: Vec<f64> = a.iter().skip(1).step_by(2).copied().collect();
        assert!((median(&mut m) - 1.34).abs() < 0.01 && (median(&mut r) - 12.7).abs() < 0.1);
        let a = load_samples("builtin:J0740_maryland", 2).unwrap();
        let mut r: Vec<f64> = a.iter().skip(1).step_by(2).copied().collect();
        assert!((median(&mut r) - 13.6).abs() < 0.1);
        let g = load_samples("builtin:GW170817", 4).unwrap();
        let mut m1: Vec<f64> = g.iter().step_by(4).copied().collect();
        let mut l2: Vec<f64> = g.iter().skip(3).step_by(4).copied().collect();
        assert!((median(&mut m1) - 1.47).abs() < 0.01);
        assert!((median(&mut l2) - 446.0).abs() < 15.0);
        let band = chieft_band("builtin:chieft_low", "builtin:chieft_high", 100).unwrap();
        assert!(band.n_low[0] <= 0.12 && *band.n_high.last().unwrap() >= 0.32 - 1e-9);
    }

    #[test]
    fn bad_sources_are_named() {
        let e = load_samples("builtin:nope", 2).unwrap_err().to_string();
        assert!(e.contains("builtin:nope"), "{e}");
        let e = load_samples("builtin:GW170817", 2).unwrap_err().to_string();
        assert!(e.contains("4]") || e.contains("columns"), "{e}");
        let e = load_samples("/nonexistent/x.npy", 2).unwrap_err().to_string();
        assert!(e.contains("/nonexistent/x.npy"), "{e}");
    }
}
