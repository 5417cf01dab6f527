//! Line plots of several labelled series, and MCMC trace plots.

use super::font::ensure_font;
use super::{backend_err, finite_range, PlotError, PALETTE};
use plotters::prelude::*;
use std::path::Path;

/// One labelled curve: `x` and `y` of equal length.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Abscissae.
    pub x: Vec<f64>,
    /// Ordinates.
    pub y: Vec<f64>,
}

/// Draws `series` as lines in one panel with a legend and axis labels, into a
/// PNG of `size` = (width, height) pixels. `log_y` uses a log10 y axis
/// (non-positive values are skipped).
pub fn line_plot(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    log_y: bool,
    size: (u32, u32),
) -> Result<(), PlotError> {
    line_plot_with_references(path, title, x_label, y_label, series, 0, log_y, size)
}

/// [`line_plot`] where the first `n_references` series are reference lines
/// (bands, expectations) drawn thin and black; the others take the palette
/// colours in order.
#[allow(clippy::too_many_arguments)]
pub fn line_plot_with_references(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    n_references: usize,
    log_y: bool,
    size: (u32, u32),
) -> Result<(), PlotError> {
    ensure_font();
    if series.is_empty() {
        return Err(PlotError::Input("no series".into()));
    }
    for s in series {
        if s.x.len() != s.y.len() {
            return Err(PlotError::Input(format!(
                "series '{}': {} x values but {} y values",
                s.label,
                s.x.len(),
                s.y.len()
            )));
        }
    }
    let tf = |v: f64| {
        if log_y {
            if v > 0.0 {
                v.log10()
            } else {
                f64::NAN
            }
        } else {
            v
        }
    };
    let (x0, x1) = finite_range(series.iter().flat_map(|s| s.x.iter().copied()))
        .ok_or_else(|| PlotError::Input("no finite x values".into()))?;
    let (y0, y1) = finite_range(series.iter().flat_map(|s| s.y.iter().map(|&v| tf(v))))
        .ok_or_else(|| PlotError::Input("no finite y values".into()))?;
    let pad = 0.05 * (y1 - y0);
    let err = backend_err(path);
    let root = BitMapBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (super::font::FONT_FAMILY, 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad))
        .map_err(&err)?;
    let y_desc = if log_y {
        format!("log10 {y_label}")
    } else {
        y_label.to_string()
    };
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_desc)
        .label_style((super::font::FONT_FAMILY, 14))
        .draw()
        .map_err(&err)?;
    for (i, s) in series.iter().enumerate() {
        let (color, width) = if i < n_references {
            (RGBColor(0, 0, 0), 1)
        } else {
            let (r, g, b) = PALETTE[(i - n_references) % PALETTE.len()];
            (RGBColor(r, g, b), 2)
        };
        let pts: Vec<(f64, f64)> =
            s.x.iter()
                .zip(&s.y)
                .map(|(&x, &y)| (x, tf(y)))
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect();
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(width)))
            .map_err(&err)?
            .label(s.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(width)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font((super::font::FONT_FAMILY, 14))
        .draw()
        .map_err(&err)?;
    root.present().map_err(&err)?;
    Ok(())
}

/// Trace plot of MCMC chains: one panel per dimension, each showing up to
/// `max_chains` chains against the step index. `samples` is laid out
/// `[n_chains][n_steps][dim]` (C order), `labels` names the dimensions.
pub fn trace_plot(
    path: &Path,
    samples: &[f64],
    n_chains: usize,
    n_steps: usize,
    labels: &[String],
    max_chains: usize,
) -> Result<(), PlotError> {
    ensure_font();
    let dim = labels.len();
    if dim == 0 || n_chains == 0 || n_steps == 0 || samples.len() != n_chains * n_steps * dim {
        return Err(PlotError::Input(format!(
            "trace plot: {} values for {n_chains} chains x {n_steps} steps x {dim} dims",
            samples.len()
        )));
    }
    let err = backend_err(path);
    let root = BitMapBackend::new(path, (900, 160 * dim as u32 + 40)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let panels = root.split_evenly((dim, 1));
    let shown = n_chains.min(max_chains.max(1));
    for (d, panel) in panels.iter().enumerate() {
        let vals = (0..shown).flat_map(|c| (0..n_steps).map(move |t| samples[(c * n_steps + t) * dim + d]));
        let (y0, y1) = finite_range(vals)
            .ok_or_else(|| PlotError::Input(format!("no finite values in {}", labels[d])))?;
        let mut chart = ChartBuilder::on(panel)
            .margin(6)
            .x_label_area_size(if d + 1 == dim { 30 } else { 12 })
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..n_steps as f64, y0..y1)
            .map_err(&err)?;
        chart
            .configure_mesh()
            .y_desc(labels[d].as_str())
            .label_style((super::font::FONT_FAMILY, 12))
            .draw()
            .map_err(&err)?;
        for c in 0..shown {
            let (r, g, b) = PALETTE[c % PALETTE.len()];
            let pts = (0..n_steps).map(|t| (t as f64, samples[(c * n_steps + t) * dim + d]));
            chart
                .draw_series(LineSeries::new(pts, RGBColor(r, g, b).mix(0.7)))
                .map_err(&err)?;
        }
    }
    root.present().map_err(&err)?;
    Ok(())
}
