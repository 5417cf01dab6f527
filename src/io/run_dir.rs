//! The output folder of a long run (`ferrax pe`, `ferrax eos-infer`): it
//! keeps the exact configuration next to the results, refuses to overwrite
//! an earlier run unless asked to, and lets a resumed run continue only
//! with the configuration it started with.

use crate::{Error, Result};
use std::path::Path;

/// A run configuration as it is stored in its output folder (TOML).
pub trait StoredConfig: PartialEq + Sized {
    /// The configuration's own error type.
    type Error: Into<Error>;
    /// The configuration as TOML text.
    fn to_toml_text(&self) -> std::result::Result<String, Self::Error>;
    /// Parses TOML text; `origin` names the file in errors.
    fn from_toml_text(text: &str, origin: &str) -> std::result::Result<Self, Self::Error>;
    /// The error for an output folder that holds an earlier run (`path`:
    /// the file found).
    fn exists_error(path: String) -> Self::Error;
}

/// The files of a run's output folder that [`prepare`] looks at.
#[derive(Debug, Clone, Copy)]
pub struct RunFolder<'a> {
    /// The folder.
    pub dir: &'a Path,
    /// Where the configuration is written (`config.toml`).
    pub config: &'a Path,
    /// The checkpoint, removed when a run is forced to start afresh.
    pub checkpoint: &'a Path,
}

/// Creates the folder, refuses to overwrite an earlier run (any of
/// `outputs` present) unless `force` or `resume`, checks that a resumed run
/// has the same configuration, removes a stale checkpoint when forced, and
/// writes the configuration atomically.
pub fn prepare<'a, C: StoredConfig>(
    folder: RunFolder<'_>,
    outputs: impl IntoIterator<Item = &'a Path>,
    cfg: &C,
    resume: bool,
    force: bool,
) -> Result<()> {
    std::fs::create_dir_all(folder.dir).map_err(|e| Error::io(folder.dir, e))?;
    let text = cfg.to_toml_text().map_err(Into::into)?;
    if resume {
        if folder.config.exists() {
            let old = std::fs::read_to_string(folder.config).map_err(|e| Error::io(folder.config, e))?;
            let old = C::from_toml_text(&old, &folder.config.display().to_string()).map_err(Into::into)?;
            if &old != cfg {
                return Err(Error::Input {
                    path: folder.config.display().to_string(),
                    msg: "the run to resume used another configuration".into(),
                });
            }
        }
    } else if !force {
        if let Some(p) = outputs.into_iter().find(|p| p.exists()) {
            return Err(C::exists_error(p.display().to_string()).into());
        }
    } else if folder.checkpoint.exists() {
        std::fs::remove_file(folder.checkpoint).map_err(|e| Error::io(folder.checkpoint, e))?;
    }
    crate::io::write_atomic(folder.config, text.as_bytes())?;
    Ok(())
}

/// The configuration a run starts from: the file given with `--config`,
/// else, when resuming, the one saved in the output folder, else the
/// built-in default.
pub fn initial_config<C: StoredConfig + Default>(
    config: Option<&Path>,
    outdir: &Path,
    resume: bool,
) -> Result<C> {
    let saved = outdir.join("config.toml");
    let path = match config {
        Some(p) => p.to_path_buf(),
        None if resume && saved.exists() => saved,
        None => return Ok(C::default()),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    C::from_toml_text(&text, &path.display().to_string()).map_err(Into::into)
}
