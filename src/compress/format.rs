//! The posterior-flow file (`.flow`), little-endian:
//!
//! | offset | size | content |
//! |---|---|---|
//! | 0 | 8 | magic `FRXFLOW\0` |
//! | 8 | 4 | format version (`u32`, currently 2; version 1 had no symmetry) |
//! | 12 | 4 | header length `H` (`u32`) |
//! | 16 | 8 | payload length `P` (`u64`) |
//! | 24 | 4 | CRC-32 (IEEE) of header and payload |
//! | 28 | H | header, UTF-8 JSON ([`Header`]) |
//! | 28 + H | P | payload: the [`SplineFlow`] in bincode 1 |
//!
//! The header is human-readable (`ferrax inspect`): parameter names, support
//! maps and bounds, architecture, training summary, fidelity, sizes. A reader
//! checks, in order: magic, version (a newer one is refused with
//! [`CompressError::NewerVersion`] before anything else is read), length,
//! checksum, then decodes header and payload and checks their consistency.

use super::{
    BoundTransform, CompressError, Fidelity, FlowArchitecture, PosteriorFlow, SplineFlow, Symmetry,
    TrainSummary,
};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Magic bytes at the start of every flow file.
pub const MAGIC: [u8; 8] = *b"FRXFLOW\0";
/// The format version written (and the newest one read).
pub const FORMAT_VERSION: u32 = 2;
/// Bytes before the header.
pub const PREAMBLE: usize = 28;

/// The JSON header of a flow file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Format version (repeats the binary field).
    pub format_version: u32,
    /// ferrax version that wrote the file.
    pub ferrax_version: String,
    /// Parameter names.
    pub names: Vec<String>,
    /// Support map of each parameter (with its bounds, parameter units).
    pub transforms: Vec<BoundTransform>,
    /// Flow architecture.
    pub architecture: FlowArchitecture,
    /// Number of flow weights.
    pub n_weights: usize,
    /// Number of samples fitted.
    pub n_samples: usize,
    /// Size of those samples as float64, bytes.
    pub samples_bytes: u64,
    /// The fit.
    pub training: TrainSummary,
    /// Fidelity of draws against the fitted samples.
    pub fidelity: Option<Fidelity>,
    /// Exact symmetry folded out before the fit (absent in version 1).
    #[serde(default)]
    pub symmetry: Option<Symmetry>,
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) of `bytes`.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(bytes);
    h.finalize()
}

impl PosteriorFlow {
    /// The header describing this flow.
    pub fn header(&self) -> Header {
        Header {
            format_version: FORMAT_VERSION,
            ferrax_version: env!("CARGO_PKG_VERSION").to_string(),
            names: self.names.clone(),
            transforms: self.transforms.clone(),
            architecture: self.flow.arch.clone(),
            n_weights: self.flow.params.len(),
            n_samples: self.n_samples,
            samples_bytes: (self.n_samples * self.dim() * 8) as u64,
            training: self.training.clone(),
            fidelity: self.fidelity.clone(),
            symmetry: self.symmetry.clone(),
        }
    }

    /// The file contents.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CompressError> {
        let header = serde_json::to_vec(&self.header()).map_err(|e| CompressError::Invalid {
            name: "header".into(),
            msg: e.to_string(),
        })?;
        let payload = bincode::serialize(&self.flow).map_err(|e| CompressError::Invalid {
            name: "payload".into(),
            msg: e.to_string(),
        })?;
        let mut out = Vec::with_capacity(PREAMBLE + header.len() + payload.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        let mut h = crc32fast::Hasher::new();
        h.update(&header);
        h.update(&payload);
        out.extend_from_slice(&h.finalize().to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Writes the file atomically.
    pub fn save(&self, path: &Path) -> Result<u64, CompressError> {
        let bytes = self.to_bytes()?;
        crate::io::write_atomic(path, &bytes).map_err(|e| CompressError::Io {
            path: path.display().to_string(),
            source: e.source,
        })?;
        Ok(bytes.len() as u64)
    }

    /// Reads a file written by [`Self::save`].
    pub fn load(path: &Path) -> Result<Self, CompressError> {
        let bytes = std::fs::read(path).map_err(|e| CompressError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        Self::from_bytes(&bytes, &path.display().to_string())
    }

    /// Decodes file contents; `origin` names the file in errors.
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<Self, CompressError> {
        let (header, payload) = split(bytes, origin)?;
        let malformed = |msg: String| CompressError::Malformed {
            path: origin.to_string(),
            msg,
        };
        let header: Header = serde_json::from_slice(header).map_err(|e| malformed(format!("header: {e}")))?;
        let flow: SplineFlow =
            bincode::deserialize(payload).map_err(|e| malformed(format!("payload: {e}")))?;
        flow.validate().map_err(|m| malformed(format!("payload: {m}")))?;
        let d = flow.dim;
        if header.names.len() != d || header.transforms.len() != d {
            return Err(malformed(format!(
                "{} names and {} support maps for a {d}-dimensional flow",
                header.names.len(),
                header.transforms.len()
            )));
        }
        if header.architecture != flow.arch || header.n_weights != flow.params.len() {
            return Err(malformed("header and payload describe different flows".into()));
        }
        for (n, t) in header.names.iter().zip(&header.transforms) {
            let (a, b) = t.bounds();
            if BoundTransform::from_bounds(a, b) != Some(*t) {
                return Err(malformed(format!("parameter '{n}': invalid bounds {a:?}, {b:?}")));
            }
        }
        if let Some(sym) = &header.symmetry {
            let check = Symmetry::new(&sym.spec, &header.names, &header.transforms)
                .map_err(|e| malformed(format!("symmetry: {e}")))?;
            let w = sym.window - check.lower[0];
            if check.columns != sym.columns
                || check.lower != sym.lower
                || check.period != sym.period
                || !(0.0..sym.width()).contains(&w)
            {
                return Err(malformed(
                    "symmetry inconsistent with the names and bounds".into(),
                ));
            }
        }
        Ok(PosteriorFlow {
            names: header.names,
            transforms: header.transforms,
            flow,
            n_samples: header.n_samples,
            training: header.training,
            fidelity: header.fidelity,
            symmetry: header.symmetry,
        })
    }
}

/// Checks magic, version, length and checksum; returns header and payload.
fn split<'a>(bytes: &'a [u8], origin: &str) -> Result<(&'a [u8], &'a [u8]), CompressError> {
    let path = origin.to_string();
    let n = bytes.len() as u64;
    let m = bytes.len().min(MAGIC.len());
    if bytes[..m] != MAGIC[..m] {
        return Err(CompressError::NotAFlowFile { path });
    }
    if bytes.len() < PREAMBLE {
        return Err(CompressError::Truncated {
            path,
            expected: PREAMBLE as u64,
            found: n,
        });
    }
    let u32_at = |o: usize| u32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]);
    let version = u32_at(8);
    if version > FORMAT_VERSION {
        return Err(CompressError::NewerVersion {
            path,
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if version == 0 {
        return Err(CompressError::Malformed {
            path,
            msg: "format version 0".into(),
        });
    }
    let h = u32_at(12) as u64;
    let mut p8 = [0u8; 8];
    p8.copy_from_slice(&bytes[16..24]);
    let p = u64::from_le_bytes(p8);
    let expected = (PREAMBLE as u64).saturating_add(h).saturating_add(p);
    if n < expected {
        return Err(CompressError::Truncated {
            path,
            expected,
            found: n,
        });
    }
    if n > expected {
        return Err(CompressError::Malformed {
            path,
            msg: format!("{} bytes after the payload", n - expected),
        });
    }
    let body = &bytes[PREAMBLE..];
    let stored = u32_at(24);
    let computed = crc32(body);
    if stored != computed {
        return Err(CompressError::Checksum {
            path,
            stored,
            computed,
        });
    }
    Ok(body.split_at(h as usize))
}
