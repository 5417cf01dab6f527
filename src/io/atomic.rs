//! Atomic file writes: the bytes go to a temporary file in the same folder,
//! which is flushed to disk and then renamed over the destination, so a reader
//! (or a resumed run after a crash) sees either the old file or the new one,
//! never a half-written one.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Failure of an atomic write, naming the file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct AtomicWriteError {
    /// The destination file.
    pub path: PathBuf,
    /// The underlying error.
    #[source]
    pub source: std::io::Error,
}

/// Writes `bytes` to `path` atomically (temporary file + fsync + rename).
/// Creates missing parent folders.
pub fn write_atomic(path: impl AsRef<Path>, bytes: &[u8]) -> Result<(), AtomicWriteError> {
    let path = path.as_ref();
    let err = |source| AtomicWriteError {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(err)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces() {
        let dir = std::env::temp_dir().join(format!("ferrax-atomic-{}", std::process::id()));
        let p = dir.join("sub").join("a.bin");
        write_atomic(&p, b"first").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"first");
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        // no temporary file left behind
        let n = std::fs::read_dir(p.parent().unwrap()).unwrap().count();
        assert_eq!(n, 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unwritable_destination_is_an_error_naming_the_file() {
        let e = write_atomic("/proc/ferrax-no/such.bin", b"x").unwrap_err();
        assert!(e.to_string().contains("such.bin"));
    }
}
