//! Overlay corner plot of original and decompressed samples: 1-D marginal
//! histograms (normalised) on the diagonal and, below it, the 2-D regions
//! holding 39.3 % and 86.5 % of each sample set (the 1σ and 2σ levels of a
//! 2-D Gaussian) outlined along the edges of histogram cells (half as many
//! cells per axis as 1-D bins, smoothed by a 3×3 box).

use crate::plot::font::{ensure_font, FONT_FAMILY};
use crate::plot::PlotError;
use plotters::prelude::*;
use std::path::Path;

/// Colour of the original samples.
const ORIGINAL: RGBColor = RGBColor(31, 119, 180);
/// Colour of the decompressed samples.
const DECOMPRESSED: RGBColor = RGBColor(255, 127, 14);
/// Probability content of the outlined 2-D regions.
const LEVELS: [f64; 2] = [0.393, 0.865];

fn err(path: &Path) -> impl Fn(String) -> PlotError + '_ {
    move |msg| PlotError::Backend {
        path: path.display().to_string(),
        msg,
    }
}

/// Draws the overlay of `original` and `decompressed` (rows of
/// `labels.len()` values) into a PNG with `panel_px` pixels per panel and
/// `bins` histogram bins per axis over each parameter's 0.5–99.5 % range
/// (of the original samples).
pub fn overlay_corner(
    path: &Path,
    original: &[f64],
    decompressed: &[f64],
    labels: &[String],
    panel_px: u32,
    bins: usize,
) -> Result<(), PlotError> {
    ensure_font();
    let d = labels.len();
    if d == 0 || bins < 2 || original.len() % d != 0 || decompressed.len() % d != 0 || original.is_empty() {
        return Err(PlotError::Input(
            "overlay corner: empty data, bad shape or fewer than 2 bins".into(),
        ));
    }
    let ranges: Vec<(f64, f64)> = (0..d)
        .map(|j| {
            let mut c: Vec<f64> = original.iter().skip(j).step_by(d).copied().collect();
            c.sort_by(f64::total_cmp);
            let lo = super::fidelity::quantile_sorted(&c, 0.005);
            let hi = super::fidelity::quantile_sorted(&c, 0.995);
            let pad = 0.05 * (hi - lo).max(1e-12 * (1.0 + lo.abs()));
            (lo - pad, hi + pad)
        })
        .collect();
    let e = err(path);
    let root = BitMapBackend::new(path, (panel_px * d as u32, panel_px * d as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(x.to_string()))?;
    let panels = root.split_evenly((d, d));
    let bin = |v: f64, (lo, hi): (f64, f64)| -> Option<usize> {
        if !(v >= lo && v < hi) {
            return None;
        }
        Some((((v - lo) / (hi - lo)) * bins as f64) as usize).map(|b| b.min(bins - 1))
    };
    for i in 0..d {
        for j in 0..=i {
            let panel = &panels[i * d + j];
            let xl = if i + 1 == d { 32 } else { 0 };
            let yl = if j == 0 && i > 0 { 62 } else { 0 };
            let (x0, x1) = ranges[j];
            if i == j {
                let hist = |s: &[f64]| -> Vec<f64> {
                    let mut h = vec![0.0; bins];
                    let n = (s.len() / d) as f64;
                    for row in s.chunks_exact(d) {
                        if let Some(b) = bin(row[j], ranges[j]) {
                            h[b] += 1.0 / n;
                        }
                    }
                    h
                };
                let (ha, hb) = (hist(original), hist(decompressed));
                let top = ha.iter().chain(&hb).fold(0.0f64, |a, &b| a.max(b)).max(1e-12);
                let mut chart = ChartBuilder::on(panel)
                    .margin(4)
                    .x_label_area_size(xl)
                    .y_label_area_size(yl)
                    .build_cartesian_2d(x0..x1, 0.0..1.15 * top)
                    .map_err(|x| e(x.to_string()))?;
                let mut mesh = chart.configure_mesh();
                mesh.disable_mesh()
                    .y_labels(0)
                    .x_labels(4)
                    .label_style((FONT_FAMILY, 11));
                if i + 1 == d {
                    mesh.x_desc(labels[j].as_str());
                }
                mesh.draw().map_err(|x| e(x.to_string()))?;
                let w = (x1 - x0) / bins as f64;
                for (h, c) in [(&ha, ORIGINAL), (&hb, DECOMPRESSED)] {
                    let mut pts = vec![(x0, 0.0)];
                    for (b, &v) in h.iter().enumerate() {
                        pts.push((x0 + b as f64 * w, v));
                        pts.push((x0 + (b + 1) as f64 * w, v));
                    }
                    pts.push((x1, 0.0));
                    chart
                        .draw_series(LineSeries::new(pts, c.stroke_width(2)))
                        .map_err(|x| e(x.to_string()))?;
                }
                panel
                    .draw(&Text::new(labels[j].clone(), (8, 6), (FONT_FAMILY, 12)))
                    .map_err(|x| e(x.to_string()))?;
            } else {
                let (y0, y1) = ranges[i];
                let mut chart = ChartBuilder::on(panel)
                    .margin(4)
                    .x_label_area_size(xl)
                    .y_label_area_size(yl)
                    .build_cartesian_2d(x0..x1, y0..y1)
                    .map_err(|x| e(x.to_string()))?;
                let mut mesh = chart.configure_mesh();
                mesh.disable_mesh()
                    .x_labels(4)
                    .y_labels(4)
                    .label_style((FONT_FAMILY, 11));
                if i + 1 == d {
                    mesh.x_desc(labels[j].as_str());
                }
                if j == 0 {
                    mesh.y_desc(labels[i].as_str());
                }
                mesh.draw().map_err(|x| e(x.to_string()))?;
                // coarser cells and a 3×3 box smoothing for the 2-D regions
                let nb = (bins / 2).max(8);
                let (wx, wy) = ((x1 - x0) / nb as f64, (y1 - y0) / nb as f64);
                let cell = |v: f64, (lo, hi): (f64, f64)| -> Option<usize> {
                    if !(v >= lo && v < hi) {
                        return None;
                    }
                    Some((((v - lo) / (hi - lo)) * nb as f64) as usize).map(|b| b.min(nb - 1))
                };
                for (s, c) in [(original, ORIGINAL), (decompressed, DECOMPRESSED)] {
                    let mut raw: Vec<f64> = vec![0.0; nb * nb];
                    let mut total = 0.0;
                    for row in s.chunks_exact(d) {
                        total += 1.0;
                        if let (Some(bx), Some(by)) = (cell(row[j], ranges[j]), cell(row[i], ranges[i])) {
                            raw[by * nb + bx] += 1.0;
                        }
                    }
                    let mut h: Vec<f64> = vec![0.0; nb * nb];
                    for by in 0..nb {
                        for bx in 0..nb {
                            let mut acc = 0.0;
                            for (dy, dx) in (0..9).map(|k| (k / 3, k % 3)) {
                                let (yy, xx) = ((by + dy) as isize - 1, (bx + dx) as isize - 1);
                                if yy >= 0 && xx >= 0 && (yy as usize) < nb && (xx as usize) < nb {
                                    acc += raw[yy as usize * nb + xx as usize];
                                }
                            }
                            h[by * nb + bx] = acc / 9.0;
                        }
                    }
                    let total = total * h.iter().sum::<f64>() / raw.iter().sum::<f64>().max(1.0);
                    let mut sorted: Vec<f64> = h.clone();
                    sorted.sort_by(|a, b| b.total_cmp(a));
                    for level in LEVELS {
                        let (mut acc, mut thr) = (0.0, f64::INFINITY);
                        for &v in &sorted {
                            if acc >= level * total || v == 0.0 {
                                break;
                            }
                            acc += v;
                            thr = v;
                        }
                        let above = |bx: isize, by: isize| -> bool {
                            bx >= 0
                                && by >= 0
                                && (bx as usize) < nb
                                && (by as usize) < nb
                                && h[by as usize * nb + bx as usize] >= thr
                        };
                        let mut segs = Vec::new();
                        for by in 0..nb as isize {
                            for bx in 0..nb as isize {
                                if !above(bx, by) {
                                    continue;
                                }
                                let (xa, xb) = (x0 + bx as f64 * wx, x0 + (bx + 1) as f64 * wx);
                                let (ya, yb) = (y0 + by as f64 * wy, y0 + (by + 1) as f64 * wy);
                                if !above(bx - 1, by) {
                                    segs.push([(xa, ya), (xa, yb)]);
                                }
                                if !above(bx + 1, by) {
                                    segs.push([(xb, ya), (xb, yb)]);
                                }
                                if !above(bx, by - 1) {
                                    segs.push([(xa, ya), (xb, ya)]);
                                }
                                if !above(bx, by + 1) {
                                    segs.push([(xa, yb), (xb, yb)]);
                                }
                            }
                        }
                        chart
                            .draw_series(
                                segs.into_iter()
                                    .map(|s| PathElement::new(s.to_vec(), c.stroke_width(2))),
                            )
                            .map_err(|x| e(x.to_string()))?;
                    }
                }
            }
        }
    }
    // legend in the empty upper-right corner
    let width = (panel_px * d as u32) as i32;
    for (k, (name, c)) in [
        ("original samples", ORIGINAL),
        ("decompressed (flow)", DECOMPRESSED),
    ]
    .into_iter()
    .enumerate()
    {
        let (x, y) = (width - 220, 20 + 22 * k as i32);
        root.draw(&PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3)))
            .map_err(|z| e(z.to_string()))?;
        root.draw(&Text::new(name, (x + 30, y - 7), (FONT_FAMILY, 14)))
            .map_err(|z| e(z.to_string()))?;
    }
    root.present().map_err(|x| e(x.to_string()))?;
    Ok(())
}
