//! Time series of strain read from GWOSC files, with GPS bookkeeping and
//! the 1 Hz data-quality bitmask.
//!
//! Formats (chosen by the file name):
//! - `*.hdf5`, `*.h5`: the GWOSC layout, `strain/Strain` with attributes
//!   `Xstart` [GPS s], `Xspacing` [s] and `Npoints`; `meta/Detector`,
//!   `meta/GPSstart`, `meta/Duration`; `quality/simple/DQmask` (1 Hz, one
//!   bit per flag) with `DQShortnames`.
//! - `*.txt.gz`, `*.gz`, `*.txt`: GWOSC text, `#` header lines
//!   `... 4096 samples per second` and `starting GPS 1126259446 duration 32`
//!   then one sample per line; or two columns `t h(t)` (GPS s, uniform).

use super::{StrainError, StrainResult};
use crate::io::hdf5::Hdf5File;
use std::io::Read;
use std::path::Path;

/// The 1 Hz data-quality bitmask of a GWOSC file.
#[derive(Debug, Clone, PartialEq)]
pub struct DataQuality {
    /// Flag names, bit 0 first (e.g. `DATA`, `CBC_CAT1`, ...).
    pub names: Vec<String>,
    /// GPS time of the first mask entry [s].
    pub start: f64,
    /// Seconds per mask entry (1 for GWOSC).
    pub spacing: f64,
    /// One bitmask per `spacing` seconds.
    pub mask: Vec<u32>,
}

impl DataQuality {
    /// Names of the flags that are not set at some second overlapping
    /// [t0, t1) (GPS s); empty when every flag is set throughout.
    pub fn missing_flags(&self, t0: f64, t1: f64) -> Vec<String> {
        let mut out = Vec::new();
        for (bit, name) in self.names.iter().enumerate().take(32) {
            let unset = self.mask.iter().enumerate().any(|(i, &m)| {
                let (a, b) = (
                    self.start + i as f64 * self.spacing,
                    self.start + (i + 1) as f64 * self.spacing,
                );
                b > t0 && a < t1 && m & (1 << bit) == 0
            });
            if unset {
                out.push(name.clone());
            }
        }
        out
    }

    /// One line: which flags hold over [t0, t1).
    pub fn report(&self, t0: f64, t1: f64) -> String {
        let missing = self.missing_flags(t0, t1);
        if missing.is_empty() {
            format!(
                "all {} data-quality flags set over GPS [{t0}, {t1}): {}",
                self.names.len(),
                self.names.join(", ")
            )
        } else {
            format!(
                "data-quality flags NOT set somewhere in GPS [{t0}, {t1}): {}",
                missing.join(", ")
            )
        }
    }
}

/// Uniformly sampled strain.
#[derive(Debug, Clone, PartialEq)]
pub struct StrainSeries {
    /// The file it came from (for error messages).
    pub source: String,
    /// Detector name when the file says it (e.g. `H1`).
    pub detector: Option<String>,
    /// GPS time of the first sample [s].
    pub gps_start: f64,
    /// Sampling rate [Hz].
    pub sample_rate: f64,
    /// Dimensionless strain samples.
    pub data: Vec<f64>,
    /// Data-quality bitmask, when the file has one.
    pub quality: Option<DataQuality>,
}

fn fmt_err(file: &str, msg: impl Into<String>) -> StrainError {
    StrainError::Format {
        file: file.to_string(),
        msg: msg.into(),
    }
}

impl StrainSeries {
    /// Reads a GWOSC strain file (HDF5 or text, by extension); rejects
    /// non-finite samples.
    pub fn read(path: impl AsRef<Path>) -> StrainResult<Self> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let lower = name.to_ascii_lowercase();
        let s = if lower.ends_with(".hdf5") || lower.ends_with(".h5") {
            Self::read_hdf5(path)?
        } else {
            let bytes = std::fs::read(path).map_err(|source| StrainError::Io {
                file: name.clone(),
                source,
            })?;
            let text = if lower.ends_with(".gz") {
                let mut out = String::new();
                flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_string(&mut out)
                    .map_err(|e| fmt_err(&name, format!("bad gzip stream ({e})")))?;
                out
            } else {
                String::from_utf8(bytes).map_err(|_| fmt_err(&name, "not UTF-8 text"))?
            };
            Self::from_text(&text, &name)?
        };
        s.check_finite()?;
        Ok(s)
    }

    /// Reads the GWOSC HDF5 layout (see the module documentation).
    pub fn read_hdf5(path: &Path) -> StrainResult<Self> {
        let f = Hdf5File::open(path)?;
        let name = f.name().to_string();
        let ds = f.dataset("strain/Strain")?;
        let data = ds.read_f64(&f)?;
        let x0 = ds.attribute_f64(&f, "Xstart")?;
        let dx = ds.attribute_f64(&f, "Xspacing")?;
        if !(dx.is_finite() && dx > 0.0) {
            return Err(fmt_err(
                &name,
                format!("strain/Strain@Xspacing = {dx} is not a positive spacing"),
            ));
        }
        if let Ok(n) = ds.attribute_f64(&f, "Npoints") {
            if n as usize != data.len() {
                return Err(fmt_err(
                    &name,
                    format!(
                        "strain/Strain@Npoints = {n} but the dataset holds {} samples",
                        data.len()
                    ),
                ));
            }
        }
        // meta/ is optional; when present it must agree with the attributes
        let detector = f
            .dataset("meta/Detector")
            .and_then(|d| d.read_strings(&f))
            .ok()
            .and_then(|v| v.into_iter().next());
        if let Ok(Some(gps)) = f
            .dataset("meta/GPSstart")
            .and_then(|d| d.read_f64(&f))
            .map(|v| v.first().copied())
        {
            if gps != x0 {
                return Err(fmt_err(
                    &name,
                    format!("meta/GPSstart = {gps} but strain/Strain@Xstart = {x0}"),
                ));
            }
        }
        if let Ok(Some(dur)) = f
            .dataset("meta/Duration")
            .and_then(|d| d.read_f64(&f))
            .map(|v| v.first().copied())
        {
            let have = data.len() as f64 * dx;
            if (dur - have).abs() > 0.5 * dx {
                return Err(fmt_err(
                    &name,
                    format!("meta/Duration = {dur} s but the strain spans {have} s (truncated data?)"),
                ));
            }
        }
        let quality = match f.dataset("quality/simple/DQmask") {
            Ok(dq) => {
                let mask = dq.read_f64(&f)?.into_iter().map(|v| v as u32).collect();
                let names = f.dataset("quality/simple/DQShortnames")?.read_strings(&f)?;
                Some(DataQuality {
                    names,
                    start: dq.attribute_f64(&f, "Xstart").unwrap_or(x0),
                    spacing: dq.attribute_f64(&f, "Xspacing").unwrap_or(1.0),
                    mask,
                })
            }
            Err(_) => None,
        };
        Ok(StrainSeries {
            source: name,
            detector,
            gps_start: x0,
            sample_rate: 1.0 / dx,
            data,
            quality,
        })
    }

    /// Parses GWOSC text (header + one column) or two columns `t h(t)`.
    pub fn from_text(text: &str, name: &str) -> StrainResult<Self> {
        let mut rate = None;
        let mut start = None;
        let mut detector = None;
        let mut t = Vec::new();
        let mut h = Vec::new();
        let mut columns = 0;
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() {
                continue;
            }
            if let Some(c) = l.strip_prefix('#') {
                let w: Vec<&str> = c.split_whitespace().collect();
                if let Some(k) = w.iter().position(|&x| x == "samples") {
                    if k > 0 && w.get(k + 2) == Some(&"second") {
                        rate = w[k - 1].parse::<f64>().ok();
                    }
                }
                if let Some(k) = w.iter().position(|&x| x == "GPS") {
                    start = w.get(k + 1).and_then(|v| v.parse::<f64>().ok());
                }
                if let Some(k) = w.iter().position(|&x| x == "for") {
                    if w.get(k.wrapping_sub(1)) == Some(&"strain") {
                        detector = w.get(k + 1).map(|s| s.to_string());
                    }
                }
                continue;
            }
            let nums: Vec<f64> = l
                .split_whitespace()
                .map(|x| x.parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| fmt_err(name, format!("line {}: not a number: '{}'", i + 1, trunc(l))))?;
            if columns == 0 {
                columns = nums.len();
                if columns != 1 && columns != 2 {
                    return Err(fmt_err(
                        name,
                        format!("line {}: expected 1 or 2 columns, got {columns}", i + 1),
                    ));
                }
            } else if nums.len() != columns {
                return Err(fmt_err(
                    name,
                    format!(
                        "line {}: {} columns, earlier lines have {columns}",
                        i + 1,
                        nums.len()
                    ),
                ));
            }
            if columns == 2 {
                t.push(nums[0]);
                h.push(nums[1]);
            } else {
                h.push(nums[0]);
            }
        }
        if h.len() < 2 {
            return Err(fmt_err(name, "fewer than two strain samples"));
        }
        let (gps_start, sample_rate) = if columns == 2 {
            let dt = (t[t.len() - 1] - t[0]) / (t.len() - 1) as f64;
            if dt.is_nan() || dt <= 0.0 {
                return Err(fmt_err(name, "times are not increasing"));
            }
            if let Some(k) = (1..t.len()).find(|&k| ((t[k] - t[k - 1]) - dt).abs() > 1e-3 * dt) {
                return Err(fmt_err(
                    name,
                    format!("sample {k}: times are not uniformly spaced"),
                ));
            }
            (t[0], 1.0 / dt)
        } else {
            let r = rate.ok_or_else(|| fmt_err(name, "no '... N samples per second' header line"))?;
            let s = start.ok_or_else(|| fmt_err(name, "no 'starting GPS T' header line"))?;
            (s, r)
        };
        if !(sample_rate.is_finite() && sample_rate > 0.0) {
            return Err(fmt_err(
                name,
                format!("sample rate {sample_rate} Hz is not positive"),
            ));
        }
        Ok(StrainSeries {
            source: name.to_string(),
            detector,
            gps_start,
            sample_rate,
            data: h,
            quality: None,
        })
    }

    /// GPS time just after the last sample [s].
    pub fn gps_end(&self) -> f64 {
        self.gps_start + self.data.len() as f64 / self.sample_rate
    }

    /// Duration [s].
    pub fn duration(&self) -> f64 {
        self.data.len() as f64 / self.sample_rate
    }

    /// Errors on the first NaN or infinite sample.
    pub fn check_finite(&self) -> StrainResult<()> {
        if let Some((i, &v)) = self.data.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(StrainError::NonFinite {
                file: self.source.clone(),
                index: i,
                gps: self.gps_start + i as f64 / self.sample_rate,
                value: v,
            });
        }
        Ok(())
    }

    /// Errors unless the sample rate is `expected` [Hz].
    pub fn check_sample_rate(&self, expected: f64) -> StrainResult<()> {
        if (self.sample_rate - expected).abs() > 1e-9 * expected {
            return Err(StrainError::SampleRate {
                file: self.source.clone(),
                found: self.sample_rate,
                expected,
            });
        }
        Ok(())
    }

    /// Index range of the samples in [t0, t0 + duration) (GPS s); an error
    /// naming `what` when the span is not inside the file.
    pub fn index_range(&self, t0: f64, duration: f64, what: &str) -> StrainResult<std::ops::Range<usize>> {
        let n = (duration * self.sample_rate).round() as usize;
        let i0 = ((t0 - self.gps_start) * self.sample_rate).round();
        if i0.is_nan() || i0 < 0.0 || i0 as usize + n > self.data.len() || n == 0 {
            return Err(StrainError::OutsideFile {
                file: self.source.clone(),
                what: what.to_string(),
                t0,
                t1: t0 + duration,
                start: self.gps_start,
                end: self.gps_end(),
            });
        }
        Ok(i0 as usize..i0 as usize + n)
    }

    /// The samples of [t0, t0 + duration) (GPS s).
    pub fn segment(&self, t0: f64, duration: f64, what: &str) -> StrainResult<&[f64]> {
        let r = self.index_range(t0, duration, what)?;
        Ok(&self.data[r])
    }
}

fn trunc(s: &str) -> String {
    s.chars().take(40).collect()
}
