//! Corner plots: 1-D histograms on the diagonal, 2-D histograms (shaded
//! cells) below it, optional truth lines.

use super::font::ensure_font;
use super::{backend_err, finite_range, PlotError};
use plotters::prelude::*;
use std::path::Path;

/// Options of [`corner_plot`].
#[derive(Debug, Clone)]
pub struct CornerOptions {
    /// Histogram bins per axis.
    pub bins: usize,
    /// Side of one panel, pixels.
    pub panel_px: u32,
    /// Truth values drawn as lines (one per dimension), if any.
    pub truths: Option<Vec<f64>>,
    /// Axis range per dimension; `None` uses the 0.5–99.5 % quantiles.
    pub ranges: Option<Vec<(f64, f64)>>,
}

impl Default for CornerOptions {
    fn default() -> Self {
        CornerOptions {
            bins: 40,
            panel_px: 200,
            truths: None,
            ranges: None,
        }
    }
}

fn quantile_range(col: &mut Vec<f64>) -> Option<(f64, f64)> {
    col.retain(|v| v.is_finite());
    if col.is_empty() {
        return None;
    }
    col.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| col[((col.len() - 1) as f64 * p).round() as usize];
    finite_range([q(0.005), q(0.995)])
}

/// Draws a corner plot of `samples` (`[n][dim]`, C order) with dimension
/// names `labels` into a PNG.
pub fn corner_plot(
    path: &Path,
    samples: &[f64],
    labels: &[String],
    opts: &CornerOptions,
) -> Result<(), PlotError> {
    ensure_font();
    let dim = labels.len();
    if dim == 0 || samples.is_empty() || samples.len() % dim != 0 {
        return Err(PlotError::Input(format!(
            "corner plot: {} values do not form rows of {dim}",
            samples.len()
        )));
    }
    if opts.bins == 0 {
        return Err(PlotError::Input("bins must be positive".into()));
    }
    let n = samples.len() / dim;
    let col = |d: usize| -> Vec<f64> { (0..n).map(|i| samples[i * dim + d]).collect() };
    let ranges: Vec<(f64, f64)> = match &opts.ranges {
        Some(r) if r.len() == dim => r.clone(),
        Some(r) => {
            return Err(PlotError::Input(format!(
                "{} ranges for {dim} dimensions",
                r.len()
            )))
        }
        None => (0..dim)
            .map(|d| {
                quantile_range(&mut col(d))
                    .ok_or_else(|| PlotError::Input(format!("no finite values in {}", labels[d])))
            })
            .collect::<Result<_, _>>()?,
    };
    if let Some(t) = &opts.truths {
        if t.len() != dim {
            return Err(PlotError::Input(format!(
                "{} truths for {dim} dimensions",
                t.len()
            )));
        }
    }
    let err = backend_err(path);
    let side = opts.panel_px * dim as u32;
    let root = BitMapBackend::new(path, (side, side)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let panels = root.split_evenly((dim, dim));
    let nb = opts.bins;
    let bin_of = |v: f64, (lo, hi): (f64, f64)| -> Option<usize> {
        if !(v >= lo && v < hi) {
            return None;
        }
        Some((((v - lo) / (hi - lo)) * nb as f64).floor().min(nb as f64 - 1.0) as usize)
    };
    let blue = RGBColor(31, 119, 180);
    let truth_color = RGBColor(214, 39, 40);
    for i in 0..dim {
        for j in 0..dim {
            let panel = &panels[i * dim + j];
            if j > i {
                continue;
            }
            let xl = if i + 1 == dim { 30 } else { 0 };
            let yl = if j == 0 && i > 0 { 45 } else { 0 };
            let (xr0, xr1) = ranges[j];
            if i == j {
                let mut h = vec![0f64; nb];
                for r in 0..n {
                    if let Some(b) = bin_of(samples[r * dim + j], ranges[j]) {
                        h[b] += 1.0;
                    }
                }
                let hmax = h.iter().cloned().fold(0.0, f64::max).max(1.0);
                let mut chart = ChartBuilder::on(panel)
                    .margin(4)
                    .x_label_area_size(xl)
                    .y_label_area_size(yl)
                    .build_cartesian_2d(xr0..xr1, 0.0..1.1 * hmax)
                    .map_err(&err)?;
                let mut mesh = chart.configure_mesh();
                mesh.disable_mesh()
                    .y_labels(0)
                    .label_style((super::font::FONT_FAMILY, 11));
                if i + 1 == dim {
                    mesh.x_desc(labels[j].as_str());
                }
                mesh.draw().map_err(&err)?;
                let w = (xr1 - xr0) / nb as f64;
                let mut pts = Vec::with_capacity(2 * nb + 2);
                pts.push((xr0, 0.0));
                for (b, &c) in h.iter().enumerate() {
                    pts.push((xr0 + b as f64 * w, c));
                    pts.push((xr0 + (b + 1) as f64 * w, c));
                }
                pts.push((xr1, 0.0));
                chart
                    .draw_series(LineSeries::new(pts, blue.stroke_width(2)))
                    .map_err(&err)?;
                if let Some(t) = &opts.truths {
                    chart
                        .draw_series(LineSeries::new(
                            vec![(t[j], 0.0), (t[j], 1.1 * hmax)],
                            truth_color.stroke_width(1),
                        ))
                        .map_err(&err)?;
                }
                if i == 0 {
                    panel
                        .draw(&Text::new(
                            labels[0].clone(),
                            (8, 8),
                            (super::font::FONT_FAMILY, 13),
                        ))
                        .map_err(&err)?;
                }
            } else {
                let (yr0, yr1) = ranges[i];
                let mut h = vec![0f64; nb * nb];
                for r in 0..n {
                    if let (Some(bx), Some(by)) = (
                        bin_of(samples[r * dim + j], ranges[j]),
                        bin_of(samples[r * dim + i], ranges[i]),
                    ) {
                        h[by * nb + bx] += 1.0;
                    }
                }
                let hmax = h.iter().cloned().fold(0.0, f64::max).max(1.0);
                let mut chart = ChartBuilder::on(panel)
                    .margin(4)
                    .x_label_area_size(xl)
                    .y_label_area_size(yl)
                    .build_cartesian_2d(xr0..xr1, yr0..yr1)
                    .map_err(&err)?;
                let mut mesh = chart.configure_mesh();
                mesh.disable_mesh().label_style((super::font::FONT_FAMILY, 11));
                if i + 1 == dim {
                    mesh.x_desc(labels[j].as_str());
                }
                if j == 0 {
                    mesh.y_desc(labels[i].as_str());
                }
                mesh.draw().map_err(&err)?;
                let wx = (xr1 - xr0) / nb as f64;
                let wy = (yr1 - yr0) / nb as f64;
                let cells = (0..nb * nb).filter(|&k| h[k] > 0.0).map(|k| {
                    let (by, bx) = (k / nb, k % nb);
                    let f = (h[k] / hmax).sqrt();
                    let shade = |c: u8| (255.0 - f * (255.0 - c as f64)) as u8;
                    Rectangle::new(
                        [
                            (xr0 + bx as f64 * wx, yr0 + by as f64 * wy),
                            (xr0 + (bx + 1) as f64 * wx, yr0 + (by + 1) as f64 * wy),
                        ],
                        RGBColor(shade(31), shade(119), shade(180)).filled(),
                    )
                });
                chart.draw_series(cells).map_err(&err)?;
                if let Some(t) = &opts.truths {
                    chart
                        .draw_series(LineSeries::new(
                            vec![(t[j], yr0), (t[j], yr1)],
                            truth_color.stroke_width(1),
                        ))
                        .map_err(&err)?;
                    chart
                        .draw_series(LineSeries::new(
                            vec![(xr0, t[i]), (xr1, t[i])],
                            truth_color.stroke_width(1),
                        ))
                        .map_err(&err)?;
                }
            }
        }
    }
    root.present().map_err(&err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};

    fn tmp(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("ferrax-plot-{}-{name}", std::process::id()))
    }

    fn is_png(p: &Path) -> bool {
        let b = std::fs::read(p).unwrap();
        b.len() > 1000 && &b[..8] == b"\x89PNG\r\n\x1a\n"
    }

    #[test]
    fn corner_line_and_trace_write_pngs() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let s: Vec<f64> = (0..3000).map(|_| StandardNormal.sample(&mut rng)).collect();
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let p = tmp("corner.png");
        let opts = CornerOptions {
            truths: Some(vec![0.0; 3]),
            ..Default::default()
        };
        corner_plot(&p, &s, &labels, &opts).unwrap();
        assert!(is_png(&p));
        let p2 = tmp("line.png");
        let x: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let series = vec![
            crate::plot::Series {
                label: "sq".into(),
                x: x.clone(),
                y: x.iter().map(|v| v * v + 1.0).collect(),
            },
            crate::plot::Series {
                label: "lin".into(),
                x: x.clone(),
                y: x.iter().map(|v| v + 1.0).collect(),
            },
        ];
        crate::plot::line_plot(&p2, "title", "x", "y", &series, true, (640, 480)).unwrap();
        assert!(is_png(&p2));
        let p3 = tmp("trace.png");
        crate::plot::trace_plot(&p3, &s, 3, 500, &labels[..2], 4).unwrap();
        assert!(is_png(&p3));
        for f in [p, p2, p3] {
            std::fs::remove_file(f).unwrap();
        }
        // bad input is an error, not a panic
        assert!(corner_plot(&tmp("x.png"), &s[..5], &labels, &opts).is_err());
    }
}
