//! PNG figures with plotters, drawn with an embedded DejaVu Sans font (no
//! system fonts needed): line plots, trace plots and corner plots.

pub mod corner;
pub mod font;
pub mod line;

pub use corner::{corner_plot, CornerOptions};
pub use line::{line_plot, trace_plot, Series};

/// Errors drawing a figure, naming the output file.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The input data cannot be drawn (empty, wrong lengths, no finite values).
    #[error("plot input: {0}")]
    Input(String),
    /// The drawing backend failed (e.g. the PNG could not be written).
    #[error("{path}: {msg}")]
    Backend {
        /// The PNG file.
        path: String,
        /// What failed.
        msg: String,
    },
}

/// Wraps a plotters error for `path`.
pub(crate) fn backend_err<E: std::fmt::Display>(path: &std::path::Path) -> impl Fn(E) -> PlotError + '_ {
    move |e| PlotError::Backend {
        path: path.display().to_string(),
        msg: e.to_string(),
    }
}

/// Finite min and max of `values`, widened when they coincide.
pub(crate) fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return None;
    }
    if hi - lo < 1e-12 * (1.0 + lo.abs()) {
        let w = 0.5 * (1.0 + lo.abs());
        return Some((lo - w, hi + w));
    }
    Some((lo, hi))
}

/// A palette of distinguishable colours (Tableau 10, then navy and maroon
/// so that the 11 parameters of a GW event get different colours).
pub(crate) const PALETTE: [(u8, u8, u8); 12] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
    (0, 0, 128),
    (128, 0, 0),
];
