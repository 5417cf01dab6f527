//! `.npy` files (NumPy format version 1.0) holding `f64` arrays:
//! little-endian (`<f8`), C order. Readers accept versions 1.0–3.0 headers and
//! big-endian `>f8` data; anything else is a typed [`NpyError`].
//!
//! Format: magic `\x93NUMPY`, major, minor, header length (u16 LE for v1,
//! u32 LE for v2/3), an ASCII Python dict
//! `{'descr': '<f8', 'fortran_order': False, 'shape': (n, m), }` padded with
//! spaces and ending in `\n` so the data starts at a multiple of 64 bytes.

use std::path::Path;

const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// A dense `f64` array read from or written to a `.npy` file.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// Dimensions, C order (last index fastest).
    pub shape: Vec<usize>,
    /// The values, `shape.iter().product()` of them.
    pub data: Vec<f64>,
}

/// Errors reading or writing `.npy` files.
#[derive(Debug, thiserror::Error)]
pub enum NpyError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The bytes do not start with the `.npy` magic string.
    #[error("not a .npy file (bad magic string)")]
    BadMagic,
    /// The file ends before the header or the data does.
    #[error("truncated .npy file: {0}")]
    Truncated(String),
    /// The header dict cannot be parsed.
    #[error("malformed .npy header: {0}")]
    BadHeader(String),
    /// The dtype or layout is not `f64` in C order.
    #[error("unsupported .npy array: {0}")]
    Unsupported(String),
    /// The shape does not match the number of values.
    #[error("shape {shape:?} needs {expected} values, got {got}")]
    ShapeMismatch {
        /// The requested shape.
        shape: Vec<usize>,
        /// Values the shape needs.
        expected: usize,
        /// Values given.
        got: usize,
    },
}

impl NpyError {
    fn in_file(self, path: &Path) -> NpyError {
        match self {
            NpyError::Io { .. } => self,
            other => NpyError::Io {
                path: path.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, other.to_string()),
            },
        }
    }
}

/// Encodes `data` with `shape` as `.npy` bytes (v1.0, `<f8`, C order).
pub fn write_npy_bytes(shape: &[usize], data: &[f64]) -> Result<Vec<u8>, NpyError> {
    let expected: usize = shape.iter().product();
    if expected != data.len() {
        return Err(NpyError::ShapeMismatch {
            shape: shape.to_vec(),
            expected,
            got: data.len(),
        });
    }
    let mut out = npy_header(shape)?;
    out.reserve(8 * data.len());
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    Ok(out)
}

/// The magic string, version, header length and header dict of a v1.0
/// `<f8` C-order array of `shape`: the bytes before the data.
fn npy_header(shape: &[usize]) -> Result<Vec<u8>, NpyError> {
    let shape_str = match shape.len() {
        0 => "()".to_string(),
        1 => format!("({},)", shape[0]),
        _ => format!(
            "({})",
            shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
        ),
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape_str}, }}");
    // magic(6) + version(2) + len(2) + header + '\n' must be a multiple of 64
    let unpadded = 10 + header.len() + 1;
    let pad = (64 - unpadded % 64) % 64;
    header.extend(std::iter::repeat_n(' ', pad));
    header.push('\n');
    if header.len() > u16::MAX as usize {
        return Err(NpyError::BadHeader("header longer than 65535 bytes".into()));
    }
    let mut out = Vec::with_capacity(10 + header.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    Ok(out)
}

/// Writes an `f64` `.npy` file (v1.0, `<f8`, C order) piece by piece,
/// atomically ([`super::atomic::AtomicFile`]): [`NpyWriter::write`] appends
/// values in C order, [`NpyWriter::finish`] checks that the shape is filled
/// and commits the file. Every 16 MiB the data written so far is flushed to
/// disk, so that the disk works while the caller produces the rest.
#[derive(Debug)]
pub struct NpyWriter {
    file: super::atomic::AtomicFile,
    path: String,
    shape: Vec<usize>,
    expected: usize,
    written: usize,
    unsynced: usize,
    buf: Vec<u8>,
}

/// Bytes between the intermediate flushes of [`NpyWriter`].
const SYNC_BYTES: usize = 16 << 20;

impl NpyWriter {
    /// Starts the file at `path` for an array of `shape`.
    pub fn create(path: impl AsRef<Path>, shape: &[usize]) -> Result<Self, NpyError> {
        let path = path.as_ref();
        let io = |e: super::atomic::AtomicWriteError| NpyError::Io {
            path: path.display().to_string(),
            source: e.source,
        };
        let header = npy_header(shape)?;
        let mut file = super::atomic::AtomicFile::create(path).map_err(io)?;
        file.write_all(&header).map_err(io)?;
        Ok(NpyWriter {
            file,
            path: path.display().to_string(),
            shape: shape.to_vec(),
            expected: shape.iter().product(),
            written: 0,
            unsynced: 0,
            buf: Vec::new(),
        })
    }

    fn io(&self, e: super::atomic::AtomicWriteError) -> NpyError {
        NpyError::Io {
            path: self.path.clone(),
            source: e.source,
        }
    }

    /// Appends `data` (the next values in C order).
    pub fn write(&mut self, data: &[f64]) -> Result<(), NpyError> {
        if self.written + data.len() > self.expected {
            return Err(NpyError::ShapeMismatch {
                shape: self.shape.clone(),
                expected: self.expected,
                got: self.written + data.len(),
            });
        }
        self.buf.clear();
        self.buf.reserve(8 * data.len());
        for v in data {
            self.buf.extend_from_slice(&v.to_le_bytes());
        }
        let r = self.file.write_all(&self.buf);
        r.map_err(|e| self.io(e))?;
        self.written += data.len();
        self.unsynced += self.buf.len();
        if self.unsynced >= SYNC_BYTES {
            self.unsynced = 0;
            let r = self.file.sync_data();
            r.map_err(|e| self.io(e))?;
        }
        Ok(())
    }

    /// Checks that all values were written and commits the file.
    pub fn finish(self) -> Result<(), NpyError> {
        if self.written != self.expected {
            return Err(NpyError::ShapeMismatch {
                shape: self.shape,
                expected: self.expected,
                got: self.written,
            });
        }
        let path = self.path;
        self.file.commit().map_err(|e| NpyError::Io {
            path,
            source: e.source,
        })
    }
}

/// Decodes `.npy` bytes holding an `f64` array (or an `f32` array, widened
/// exactly to `f64`) in C order.
pub fn read_npy_bytes(bytes: &[u8]) -> Result<NpyArray, NpyError> {
    if bytes.len() < 8 || &bytes[..6] != MAGIC {
        return Err(NpyError::BadMagic);
    }
    let major = bytes[6];
    let (hlen, hstart) = match major {
        1 => {
            if bytes.len() < 10 {
                return Err(NpyError::Truncated("header length".into()));
            }
            (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10)
        }
        2 | 3 => {
            if bytes.len() < 12 {
                return Err(NpyError::Truncated("header length".into()));
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        v => return Err(NpyError::Unsupported(format!("format version {v}"))),
    };
    let hend = hstart + hlen;
    if bytes.len() < hend {
        return Err(NpyError::Truncated("header".into()));
    }
    let header = std::str::from_utf8(&bytes[hstart..hend])
        .map_err(|_| NpyError::BadHeader("header is not UTF-8".into()))?;
    let descr = dict_value(header, "descr")?;
    let (big_endian, width) = match descr.trim_matches(|c| c == '\'' || c == '"') {
        "<f8" | "f8" | "float64" => (false, 8),
        ">f8" => (true, 8),
        "<f4" | "f4" | "float32" => (false, 4),
        ">f4" => (true, 4),
        d => return Err(NpyError::Unsupported(format!("dtype {d} (only f64 and f32)"))),
    };
    let fortran = dict_value(header, "fortran_order")?;
    match fortran.trim() {
        "False" => {}
        "True" => return Err(NpyError::Unsupported("Fortran order".into())),
        f => return Err(NpyError::BadHeader(format!("fortran_order = {f}"))),
    }
    let shape = parse_shape(dict_value(header, "shape")?)?;
    let n = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| NpyError::BadHeader("shape overflows".into()))?;
    let body = &bytes[hend..];
    if body.len() < width * n {
        return Err(NpyError::Truncated(format!(
            "data: need {} bytes, have {}",
            width * n,
            body.len()
        )));
    }
    if width == 4 {
        let data = body[..4 * n]
            .chunks_exact(4)
            .map(|c| {
                let a: [u8; 4] = [c[0], c[1], c[2], c[3]];
                f64::from(if big_endian {
                    f32::from_be_bytes(a)
                } else {
                    f32::from_le_bytes(a)
                })
            })
            .collect();
        return Ok(NpyArray { shape, data });
    }
    let data = body[..8 * n]
        .chunks_exact(8)
        .map(|c| {
            let a: [u8; 8] = [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]];
            if big_endian {
                f64::from_be_bytes(a)
            } else {
                f64::from_le_bytes(a)
            }
        })
        .collect();
    Ok(NpyArray { shape, data })
}

/// Writes an `f64` array to a `.npy` file atomically.
pub fn write_npy(path: impl AsRef<Path>, shape: &[usize], data: &[f64]) -> Result<(), NpyError> {
    let path = path.as_ref();
    let bytes = write_npy_bytes(shape, data)?;
    super::atomic::write_atomic(path, &bytes).map_err(|e| NpyError::Io {
        path: path.display().to_string(),
        source: e.source,
    })
}

/// Reads an `f64` array from a `.npy` file; errors name the file.
pub fn read_npy(path: impl AsRef<Path>) -> Result<NpyArray, NpyError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| NpyError::Io {
        path: path.display().to_string(),
        source,
    })?;
    read_npy_bytes(&bytes).map_err(|e| e.in_file(path))
}

/// The text after `'key':` up to the next top-level comma or closing brace.
fn dict_value<'a>(header: &'a str, key: &str) -> Result<&'a str, NpyError> {
    let pat_s = format!("'{key}'");
    let pat_d = format!("\"{key}\"");
    let pos = header
        .find(&pat_s)
        .map(|p| p + pat_s.len())
        .or_else(|| header.find(&pat_d).map(|p| p + pat_d.len()))
        .ok_or_else(|| NpyError::BadHeader(format!("no '{key}' key")))?;
    let rest = header[pos..].trim_start();
    let rest = rest
        .strip_prefix(':')
        .ok_or_else(|| NpyError::BadHeader(format!("no ':' after '{key}'")))?
        .trim_start();
    let mut depth = 0i32;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(&rest[..=i]);
                }
            }
            ',' | '}' if depth == 0 => return Ok(rest[..i].trim()),
            _ => {}
        }
    }
    Err(NpyError::BadHeader(format!("unterminated value of '{key}'")))
}

fn parse_shape(s: &str) -> Result<Vec<usize>, NpyError> {
    let inner = s
        .trim()
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .ok_or_else(|| NpyError::BadHeader(format!("shape {s} is not a tuple")))?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.trim_end_matches('L')
                .parse::<usize>()
                .map_err(|_| NpyError::BadHeader(format!("shape entry {t}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_shapes() {
        for shape in [vec![], vec![5], vec![3, 4], vec![2, 0, 3], vec![2, 3, 4]] {
            let n: usize = shape.iter().product();
            let data: Vec<f64> = (0..n).map(|i| i as f64 * 0.5 - 1.25).collect();
            let b = write_npy_bytes(&shape, &data).unwrap();
            assert_eq!((b.len() - 8 * n) % 64, 0, "data aligned to 64 bytes");
            let a = read_npy_bytes(&b).unwrap();
            assert_eq!(a.shape, shape);
            assert_eq!(a.data, data);
        }
    }

    /// Piecewise writing gives the bytes of the one-shot encoder; a short or
    /// overlong write is a shape error and leaves no file.
    #[test]
    fn writer_matches_bytes_and_checks_the_shape() {
        let dir = std::env::temp_dir().join(format!("ferrax-npy-writer-{}", std::process::id()));
        let p = dir.join("a.npy");
        let data: Vec<f64> = (0..12).map(|i| i as f64 * 0.75 - 2.0).collect();
        let mut w = NpyWriter::create(&p, &[4, 3]).unwrap();
        w.write(&data[..5]).unwrap();
        w.write(&data[5..]).unwrap();
        w.finish().unwrap();
        assert_eq!(
            std::fs::read(&p).unwrap(),
            write_npy_bytes(&[4, 3], &data).unwrap()
        );
        let q = dir.join("b.npy");
        let mut w = NpyWriter::create(&q, &[4, 3]).unwrap();
        w.write(&data[..5]).unwrap();
        assert!(matches!(w.write(&data), Err(NpyError::ShapeMismatch { .. })));
        assert!(matches!(w.finish(), Err(NpyError::ShapeMismatch { .. })));
        assert!(!q.exists());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn header_is_numpy_v1() {
        let b = write_npy_bytes(&[2, 3], &[0.0; 6]).unwrap();
        let h = std::str::from_utf8(&b[10..b.len() - 48]).unwrap();
        assert!(h.starts_with("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"));
        assert!(h.ends_with('\n'));
        assert_eq!(&b[..8], b"\x93NUMPY\x01\x00");
    }

    #[test]
    fn corrupt_files_are_typed_errors() {
        let good = write_npy_bytes(&[4], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!(matches!(read_npy_bytes(b"hello world"), Err(NpyError::BadMagic)));
        assert!(matches!(
            read_npy_bytes(&good[..good.len() - 3]),
            Err(NpyError::Truncated(_))
        ));
        assert!(matches!(read_npy_bytes(&good[..20]), Err(NpyError::Truncated(_))));
        let f4 = String::from_utf8(good.clone())
            .unwrap_or_default()
            .replace("<f8", "<i4");
        if !f4.is_empty() {
            assert!(matches!(
                read_npy_bytes(f4.as_bytes()),
                Err(NpyError::Unsupported(_))
            ));
        }
        let mut fo = good.clone();
        let pos = fo.windows(5).position(|w| w == b"False").unwrap();
        fo[pos..pos + 5].copy_from_slice(b"True ");
        assert!(matches!(read_npy_bytes(&fo), Err(NpyError::Unsupported(_))));
        assert!(matches!(
            write_npy_bytes(&[3], &[1.0]),
            Err(NpyError::ShapeMismatch { .. })
        ));
    }

    #[test]
    fn reads_big_endian_and_v2() {
        let mut b = write_npy_bytes(&[2], &[1.5, -2.0]).unwrap();
        let pos = b.windows(3).position(|w| w == b"<f8").unwrap();
        b[pos] = b'>';
        let n = b.len();
        for chunk in b[n - 16..].chunks_exact_mut(8) {
            chunk.reverse();
        }
        assert_eq!(read_npy_bytes(&b).unwrap().data, vec![1.5, -2.0]);
        // the same array as version 2.0 (u32 header length)
        let v1 = write_npy_bytes(&[2], &[1.5, -2.0]).unwrap();
        let hlen = u16::from_le_bytes([v1[8], v1[9]]) as u32;
        let mut v2 = b"\x93NUMPY\x02\x00".to_vec();
        v2.extend_from_slice(&hlen.to_le_bytes());
        v2.extend_from_slice(&v1[10..]);
        assert_eq!(read_npy_bytes(&v2).unwrap().data, vec![1.5, -2.0]);
    }

    #[test]
    fn file_round_trip_and_missing_file() {
        let p = std::env::temp_dir().join(format!("ferrax-npy-{}.npy", std::process::id()));
        write_npy(&p, &[2, 2], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        let a = read_npy(&p).unwrap();
        assert_eq!(a.shape, vec![2, 2]);
        std::fs::remove_file(&p).unwrap();
        let e = read_npy(&p).unwrap_err();
        assert!(e.to_string().contains("ferrax-npy"));
    }
}
