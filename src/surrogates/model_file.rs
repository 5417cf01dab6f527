//! The surrogate as a file: the versioned binary format (header +
//! bincode), atomic saving, the models built into the binary, and merging
//! separately trained surrogates into an ensemble.

use super::afterglow::{AfterglowSurrogate, Jet};
use super::SurrogateError;
use std::path::Path;

/// File header of a saved surrogate (magic + format version).
const MAGIC: &[u8; 8] = b"FXAGSU05";

const BUILTIN_TOPHAT: &[u8] = include_bytes!("models/tophat.bin");
const BUILTIN_GAUSSIAN: &[u8] = include_bytes!("models/gaussian.bin");

impl AfterglowSurrogate {
    /// An ensemble of surrogates trained on the same data with different
    /// seeds: all their networks on the shared scalers, outputs averaged.
    /// The members must agree in everything but their networks and training
    /// records; the result keeps the first member's record, with every
    /// member's settings in its notes (its validation is the caller's to
    /// measure).
    pub fn ensemble(members: Vec<AfterglowSurrogate>) -> Result<Self, SurrogateError> {
        let mut members = members.into_iter();
        let Some(mut out) = members.next() else {
            return Err(SurrogateError::invalid("ensemble", "no members"));
        };
        let mut notes = vec![format!("seed {}: {}", out.training.seed, out.training.notes)];
        for (k, m) in members.enumerate() {
            let same = m.jet == out.jet
                && m.params == out.params
                && m.times_days == out.times_days
                && m.bands == out.bands
                && m.symmetry == out.symmetry
                && m.stretch == out.stretch
                && m.compression == out.compression
                && m.out_mean == out.out_mean
                && m.out_scale == out.out_scale;
            if !same {
                return Err(SurrogateError::invalid(
                    format!("ensemble member {}", k + 2),
                    "its grids, parameters or scalers differ from the first member's",
                ));
            }
            notes.push(format!("seed {}: {}", m.training.seed, m.training.notes));
            out.networks.extend(m.networks);
        }
        out.training.notes = format!(
            "ensemble of {} networks; {}",
            out.networks.len(),
            notes.join("; ")
        );
        Ok(out)
    }

    /// Encodes the surrogate (header + bincode).
    pub fn to_bytes(&self) -> Result<Vec<u8>, SurrogateError> {
        let mut out = MAGIC.to_vec();
        let body = bincode::serialize(self).map_err(|e| SurrogateError::Format {
            path: "<memory>".into(),
            msg: e.to_string(),
        })?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Decodes a surrogate; `origin` names the source in errors.
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<Self, SurrogateError> {
        let fmt = |msg: String| SurrogateError::Format {
            path: origin.to_string(),
            msg,
        };
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(fmt("not a ferrax afterglow surrogate (bad header)".into()));
        }
        let s: AfterglowSurrogate =
            bincode::deserialize(&bytes[MAGIC.len()..]).map_err(|e| fmt(e.to_string()))?;
        let sym_ok = s
            .symmetry
            .is_none_or(|y| y.log_energy.max(y.log_density).max(y.log_epsilon_b) < s.n_params());
        let fold_ok = s.stretch.is_none_or(|f| {
            Some(f.scaling) == s.symmetry
                && f.n_times == s.times_days.len()
                && f.log_epsilon_e < s.n_params()
                && f.grid_step_dex > 0.0
                && f.pad >= 2
        });
        let ok = sym_ok
            && fold_ok
            && !s.networks.is_empty()
            && s.networks
                .iter()
                .all(|m| m.n_in() == s.n_features() && m.n_out() == s.n_net_out())
            && s.out_mean.len() == s.n_net_out()
            && s.out_scale > 0.0;
        if !ok {
            return Err(fmt("inconsistent sizes of network, grids and scalers".into()));
        }
        Ok(s)
    }

    /// Saves to `path` atomically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), SurrogateError> {
        crate::io::write_atomic(path, &self.to_bytes()?)?;
        Ok(())
    }

    /// Loads from `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, SurrogateError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| SurrogateError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(&bytes, &path.display().to_string())
    }

    /// The model built into the binary for `jet` (trained on the afterglowpy
    /// data set described in `experiments/afterglow/README.md`).
    pub fn builtin(jet: Jet) -> Result<Self, SurrogateError> {
        let bytes = match jet {
            Jet::TopHat => BUILTIN_TOPHAT,
            Jet::Gaussian => BUILTIN_GAUSSIAN,
        };
        let s = Self::from_bytes(bytes, &format!("built-in {} model", jet.name()))?;
        if s.jet != jet {
            return Err(SurrogateError::invalid("jet", "built-in model of the wrong jet"));
        }
        Ok(s)
    }
}
