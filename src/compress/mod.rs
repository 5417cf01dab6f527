//! Posterior compression: a normalizing flow fitted to posterior samples
//! stands in for them. A catalogue keeps the flow file (tens to hundreds of
//! kB) instead of the samples (MB per event) and draws samples on demand.
//!
//! The chain, from a parameter vector `x` to the flow's base point:
//! each bounded parameter is mapped to the real line ([`BoundTransform`]:
//! log for half-lines, logit for finite ranges, so no draw can fall outside
//! the support), the result is standardised by the sample mean and the
//! Cholesky factor of the sample covariance, and a rational-quadratic spline
//! coupling flow ([`SplineFlow`]) maps it to `N(0, I)`. The flow is fitted
//! by maximum likelihood with a validation split and early stopping
//! ([`train::fit`]), then the linear map is recalibrated so that the flow's
//! draws have exactly the samples' mean and covariance in the mapped
//! coordinates ([`SplineFlow::calibrate`]; kept where it lowers
//! [`Fidelity::score`]); the fidelity of draws from it is measured against the
//! original samples ([`fidelity::fidelity`]). [`format`] defines the
//! versioned, checksummed file.

pub mod bounds;
pub mod fidelity;
pub mod flow;
pub mod format;
pub mod plot;
pub mod spline;
pub mod symmetry;
pub mod train;

pub use bounds::BoundTransform;
pub use fidelity::{fidelity, Fidelity};
pub use flow::{FlowArchitecture, SplineFlow};
pub use format::{Header, FORMAT_VERSION, MAGIC};
pub use symmetry::{Symmetry, SymmetrySpec};
pub use train::{TrainSettings, TrainSummary};

use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;

/// Errors of posterior compression, naming the parameter or file at fault.
#[derive(Debug, thiserror::Error)]
pub enum CompressError {
    /// An invalid input or setting, naming it.
    #[error("invalid {name}: {msg}")]
    Invalid {
        /// The input, parameter or setting.
        name: String,
        /// What is wrong.
        msg: String,
    },
    /// A sample on or outside the support given by the bounds.
    #[error(
        "parameter '{name}': sample {row} = {value} is not strictly inside its bounds ({lower:?}, {upper:?})"
    )]
    OutOfSupport {
        /// Parameter name.
        name: String,
        /// Row of the sample (0-based).
        row: usize,
        /// The value.
        value: f64,
        /// Lower bound, if any.
        lower: Option<f64>,
        /// Upper bound, if any.
        upper: Option<f64>,
    },
    /// Training produced a non-finite loss.
    #[error("flow training diverged in epoch {epoch}: {msg}")]
    Diverged {
        /// The epoch (1-based).
        epoch: usize,
        /// What was not finite.
        msg: String,
    },
    /// The file does not start with the magic bytes of a flow file.
    #[error("{path}: not a ferrax posterior-flow file (bad magic bytes)")]
    NotAFlowFile {
        /// The file.
        path: String,
    },
    /// The file is shorter than its header says.
    #[error("{path}: truncated flow file ({found} bytes, expected {expected})")]
    Truncated {
        /// The file.
        path: String,
        /// Bytes expected.
        expected: u64,
        /// Bytes found.
        found: u64,
    },
    /// Written by a newer ferrax with a newer format.
    #[error("{path}: flow file format version {found} is newer than the supported version {supported}; upgrade ferrax")]
    NewerVersion {
        /// The file.
        path: String,
        /// Version in the file.
        found: u32,
        /// Newest version this build reads.
        supported: u32,
    },
    /// The checksum over header and payload does not match.
    #[error("{path}: corrupted flow file (CRC32 {computed:#010x} of the contents, {stored:#010x} stored)")]
    Checksum {
        /// The file.
        path: String,
        /// Stored CRC32.
        stored: u32,
        /// CRC32 of the bytes read.
        computed: u32,
    },
    /// The header or payload cannot be decoded or is inconsistent.
    #[error("{path}: malformed flow file: {msg}")]
    Malformed {
        /// The file.
        path: String,
        /// What is wrong.
        msg: String,
    },
    /// Reading or writing a file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// A posterior stored as a flow: parameter names, support maps, the flow,
/// and how well it reproduces the samples it was fitted to.
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorFlow {
    /// Parameter names, one per column.
    pub names: Vec<String>,
    /// Support map of each parameter.
    pub transforms: Vec<BoundTransform>,
    /// The flow in the mapped coordinates.
    pub flow: SplineFlow,
    /// Number of samples fitted.
    pub n_samples: usize,
    /// The fit.
    pub training: TrainSummary,
    /// Fidelity of draws against the fitted samples (if measured).
    pub fidelity: Option<Fidelity>,
    /// An exact symmetry folded out before the fit (draws are unfolded
    /// with a uniformly drawn copy).
    pub symmetry: Option<Symmetry>,
}

/// Draws of the fitted flow used by [`SplineFlow::calibrate`] to match the
/// samples' mean and covariance (Monte Carlo error ≈ 0.002 in a correlation).
pub const CALIBRATION_DRAWS: usize = 200_000;

/// Rows per independently seeded block of [`PosteriorFlow::sample`].
pub const SAMPLE_BLOCK: usize = 4096;

/// Checks samples (`[n, dim]`) against names and support maps.
pub fn check_samples(
    samples: &[f64],
    names: &[String],
    transforms: &[BoundTransform],
) -> Result<(), CompressError> {
    let d = names.len();
    let bad = |name: &str, msg: String| CompressError::Invalid {
        name: name.into(),
        msg,
    };
    if d == 0 || transforms.len() != d {
        return Err(bad(
            "names",
            format!("{d} names for {} support maps", transforms.len()),
        ));
    }
    if samples.is_empty() || samples.len() % d != 0 {
        return Err(bad(
            "samples",
            format!("{} values do not form rows of {d}", samples.len()),
        ));
    }
    for (i, a) in names.iter().enumerate() {
        if names[..i].contains(a) {
            return Err(bad("names", format!("'{a}' appears twice")));
        }
    }
    for (r, row) in samples.chunks_exact(d).enumerate() {
        for (j, &x) in row.iter().enumerate() {
            if !transforms[j].contains(x) {
                let (lower, upper) = transforms[j].bounds();
                return Err(CompressError::OutOfSupport {
                    name: names[j].clone(),
                    row: r,
                    value: x,
                    lower,
                    upper,
                });
            }
        }
    }
    Ok(())
}

/// Fits a flow to `samples` (`[n, names.len()]`) and measures the fidelity
/// of `n_fidelity` draws (0: `max(n, 1e5)`) against the samples.
pub fn compress(
    samples: &[f64],
    names: &[String],
    transforms: &[BoundTransform],
    arch: &FlowArchitecture,
    settings: &TrainSettings,
    n_fidelity: usize,
) -> Result<PosteriorFlow, CompressError> {
    compress_with_symmetry(samples, names, transforms, None, arch, settings, n_fidelity)
}

/// [`compress`] with an optional exact symmetry folded out first (see
/// [`symmetry`]); errors if the samples are not invariant under it.
pub fn compress_with_symmetry(
    samples: &[f64],
    names: &[String],
    transforms: &[BoundTransform],
    symmetry: Option<&SymmetrySpec>,
    arch: &FlowArchitecture,
    settings: &TrainSettings,
    n_fidelity: usize,
) -> Result<PosteriorFlow, CompressError> {
    check_samples(samples, names, transforms)?;
    let d = names.len();
    let mut y = samples.to_vec();
    let symmetry = match symmetry {
        Some(spec) => {
            let mut sym = Symmetry::new(spec, names, transforms)?;
            sym.fold(&mut y, d)?;
            Some(sym)
        }
        None => None,
    };
    let mut post = PosteriorFlow {
        names: names.to_vec(),
        transforms: transforms.to_vec(),
        flow: SplineFlow::new(d, arch.clone(), settings.seed)?,
        n_samples: samples.len() / d,
        training: TrainSummary::default(),
        fidelity: None,
        symmetry,
    };
    let maps = post.flow_transforms();
    for row in y.chunks_exact_mut(d) {
        for (v, t) in row.iter_mut().zip(&maps) {
            *v = t.forward(*v);
        }
    }
    post.training = train::fit(&mut post.flow, &y, settings)?;
    let n_fid = if n_fidelity == 0 {
        post.n_samples.max(100_000)
    } else {
        n_fidelity
    };
    let draws = post.sample(n_fid, settings.seed.wrapping_add(1));
    post.fidelity = Some(fidelity(samples, &draws, names));
    // Moment calibration, kept only where it makes the draws more faithful:
    // heavy tails of a mapped parameter (a logit near a bound) can dominate
    // the sample covariance, and matching it then widens the bulk.
    let mut calibrated = post.clone();
    calibrated
        .flow
        .calibrate(&y, CALIBRATION_DRAWS, settings.seed ^ 0xca1b_7a7e)?;
    calibrated.training.calibrated = true;
    let draws = calibrated.sample(n_fid, settings.seed.wrapping_add(1));
    let fid = fidelity(samples, &draws, names);
    if post.fidelity.as_ref().is_none_or(|f| fid.score() < f.score()) {
        calibrated.fidelity = Some(fid);
        post = calibrated;
    }
    Ok(post)
}

impl PosteriorFlow {
    /// Dimension.
    pub fn dim(&self) -> usize {
        self.flow.dim
    }

    /// The support maps in which the flow is fitted: the parameters' own,
    /// except the anchor of a folded symmetry, mapped by logit on its
    /// fundamental window.
    pub fn flow_transforms(&self) -> Vec<BoundTransform> {
        let mut t = self.transforms.clone();
        if let Some(s) = &self.symmetry {
            t[s.columns[0]] = s.anchor_transform();
        }
        t
    }

    /// Draws `n` samples (`[n, dim]`, parameter units) with seed `seed`, on
    /// all cores, without the autodiff tape. Block `b` of [`SAMPLE_BLOCK`]
    /// rows uses stream `b` of a ChaCha8 generator seeded with `seed`, so the
    /// draws do not depend on the number of threads.
    pub fn sample(&self, n: usize, seed: u64) -> Vec<f64> {
        let d = self.dim();
        let mut out = vec![0.0; n * d];
        let blocks: Vec<(usize, &mut [f64])> = out.chunks_mut(SAMPLE_BLOCK * d).enumerate().collect();
        let threads = std::thread::available_parallelism()
            .map_or(1, |t| t.get())
            .min(blocks.len())
            .max(1);
        let mut per_thread: Vec<Vec<(usize, &mut [f64])>> = (0..threads).map(|_| Vec::new()).collect();
        for (i, b) in blocks.into_iter().enumerate() {
            per_thread[i % threads].push(b);
        }
        std::thread::scope(|s| {
            for work in per_thread {
                s.spawn(move || {
                    let mut ws = flow::Workspace::default();
                    for (b, block) in work {
                        self.fill_block(block, seed, b as u64, &mut ws);
                    }
                });
            }
        });
        out
    }

    /// The draws of [`PosteriorFlow::sample`] (the same numbers), handed
    /// to `sink` in order, one block of at most [`SAMPLE_BLOCK`] rows at a
    /// time, while the other cores draw the next blocks: for writing a large
    /// draw to disk without holding it in memory twice and with the disk
    /// working alongside. Stops at the first error of `sink`.
    pub fn sample_with<E>(
        &self,
        n: usize,
        seed: u64,
        mut sink: impl FnMut(&[f64]) -> Result<(), E>,
    ) -> Result<(), E> {
        let d = self.dim();
        let n_blocks = n.div_ceil(SAMPLE_BLOCK);
        let threads = std::thread::available_parallelism()
            .map_or(1, |t| t.get())
            .min(n_blocks)
            .max(1);
        let stop = std::sync::atomic::AtomicBool::new(false);
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<f64>)>(8 * threads);
        std::thread::scope(|s| {
            for t in 0..threads {
                let (tx, stop) = (tx.clone(), &stop);
                s.spawn(move || {
                    let mut ws = flow::Workspace::default();
                    for b in (t..n_blocks).step_by(threads) {
                        if stop.load(std::sync::atomic::Ordering::Relaxed) {
                            return;
                        }
                        let rows = SAMPLE_BLOCK.min(n - b * SAMPLE_BLOCK);
                        let mut block = vec![0.0; rows * d];
                        self.fill_block(&mut block, seed, b as u64, &mut ws);
                        if tx.send((b, block)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(tx);
            let mut pending = std::collections::BTreeMap::new();
            let mut next = 0;
            let mut result = Ok(());
            for (b, block) in rx.iter() {
                pending.insert(b, block);
                while let Some(block) = pending.remove(&next) {
                    next += 1;
                    if result.is_ok() {
                        result = sink(&block);
                        if result.is_err() {
                            stop.store(true, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                }
            }
            result
        })
    }

    fn fill_block(&self, block: &mut [f64], seed: u64, stream: u64, ws: &mut flow::Workspace) {
        let d = self.dim();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        for v in block.iter_mut() {
            *v = rng.sample(StandardNormal);
        }
        self.flow.inverse_u_with(block, ws);
        self.flow.unstandardise(block);
        let maps = self.flow_transforms();
        for row in block.chunks_exact_mut(d) {
            for (v, t) in row.iter_mut().zip(&maps) {
                *v = t.inverse(*v);
            }
        }
        if let Some(s) = &self.symmetry {
            for row in block.chunks_exact_mut(d) {
                s.shift_row(row, rng.gen_range(0..s.spec.order));
            }
        }
    }

    /// `log q(x)` of rows `x` (`[n, dim]`, parameter units); `−∞` outside
    /// the support. With a folded symmetry, `q(x) = q_fold(fold(x)) / order`.
    pub fn log_prob(&self, x: &[f64]) -> Vec<f64> {
        let d = self.dim();
        let mut y = x.to_vec();
        let mut jac = vec![0.0; x.len() / d];
        let mut inside = vec![true; x.len() / d];
        let maps = self.flow_transforms();
        let ln_order = self.symmetry.as_ref().map_or(0.0, |s| (s.spec.order as f64).ln());
        for (r, row) in y.chunks_exact_mut(d).enumerate() {
            if row.iter().zip(&self.transforms).any(|(v, t)| !t.contains(*v)) {
                inside[r] = false;
                row.fill(0.0);
                continue;
            }
            if let Some(s) = &self.symmetry {
                s.fold_row(row);
            }
            jac[r] -= ln_order;
            for (v, t) in row.iter_mut().zip(&maps) {
                if !t.contains(*v) {
                    inside[r] = false;
                    *v = 0.0;
                } else {
                    jac[r] += t.log_jacobian(*v);
                    *v = t.forward(*v);
                }
            }
        }
        self.flow
            .log_prob(&y)
            .into_iter()
            .zip(jac)
            .zip(inside)
            .map(|((l, j), ok)| if ok { l + j } else { f64::NEG_INFINITY })
            .collect()
    }
}
