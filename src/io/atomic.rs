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

/// A file written atomically in pieces: the bytes go to a temporary file in
/// the destination's folder; [`AtomicFile::commit`] flushes it to disk and
/// renames it over the destination. Dropped without a commit (an error on
/// the way), the temporary file is removed and the destination untouched.
#[derive(Debug)]
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<std::fs::File>,
}

impl AtomicFile {
    /// Creates the temporary file for `path` (and missing parent folders).
    pub fn create(path: impl AsRef<Path>) -> Result<Self, AtomicWriteError> {
        let path = path.as_ref().to_path_buf();
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
        let opened = std::fs::create_dir_all(&dir).and_then(|_| std::fs::File::create(&tmp));
        match opened {
            Ok(f) => Ok(AtomicFile {
                path,
                tmp,
                file: Some(f),
            }),
            Err(source) => Err(AtomicWriteError { path, source }),
        }
    }

    fn err(&self, source: std::io::Error) -> AtomicWriteError {
        AtomicWriteError {
            path: self.path.clone(),
            source,
        }
    }

    /// Appends `bytes`.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), AtomicWriteError> {
        let r = match self.file.as_mut() {
            Some(f) => f.write_all(bytes),
            None => Ok(()),
        };
        r.map_err(|e| self.err(e))
    }

    /// Flushes the bytes written so far to disk (`fdatasync`), so that a
    /// long write reaches the disk while more is being produced and the
    /// final flush of [`AtomicFile::commit`] is short.
    pub fn sync_data(&mut self) -> Result<(), AtomicWriteError> {
        let r = match self.file.as_ref() {
            Some(f) => f.sync_data(),
            None => Ok(()),
        };
        r.map_err(|e| self.err(e))
    }

    /// Flushes the file to disk and renames it over the destination.
    pub fn commit(mut self) -> Result<(), AtomicWriteError> {
        let r = match self.file.take() {
            Some(f) => f.sync_all().and_then(|_| {
                drop(f);
                std::fs::rename(&self.tmp, &self.path)
            }),
            None => Ok(()),
        };
        r.map_err(|e| self.err(e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
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
    fn pieces_commit_or_vanish() {
        let dir = std::env::temp_dir().join(format!("ferrax-atomic-pieces-{}", std::process::id()));
        let p = dir.join("b.bin");
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"ab").unwrap();
        f.sync_data().unwrap();
        f.write_all(b"cd").unwrap();
        assert!(!p.exists());
        f.commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"abcd");
        let mut g = AtomicFile::create(&p).unwrap();
        g.write_all(b"xyz").unwrap();
        drop(g);
        assert_eq!(std::fs::read(&p).unwrap(), b"abcd");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unwritable_destination_is_an_error_naming_the_file() {
        let e = write_atomic("/proc/ferrax-no/such.bin", b"x").unwrap_err();
        assert!(e.to_string().contains("such.bin"));
    }
}
