//! Light-curve figure of an afterglow fit: data with error bars (upper
//! limits as triangles) and the posterior median with its 5–95 % band, per band.

use super::em::EmLikelihood;
use super::SurrogateError;
use crate::plot::font::{ensure_font, FONT_FAMILY};
use crate::plot::PlotError;
use plotters::prelude::*;
use std::path::Path;

/// (log10 t, q05, median, q95) of one band at one grid time.
type QuantileRow = (f64, f64, f64, f64);

const COLORS: [(u8, u8, u8); 6] = [
    (31, 119, 180),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (255, 127, 14),
    (140, 86, 75),
];

/// Draws the observations of `lik` and the surrogate light curves of up to
/// 300 posterior draws (`samples`, `[n, dim]`) as log10 F [mJy] against
/// log10 t [days] into a PNG at `path`.
pub fn light_curve_plot(
    path: &Path,
    lik: &EmLikelihood,
    samples: &[f64],
    dim: usize,
) -> Result<(), SurrogateError> {
    ensure_font();
    let model = &lik.model;
    let obs = &lik.obs;
    let n = samples.len() / dim.max(1);
    if n == 0 {
        return Err(PlotError::Input("no posterior draws".into()).into());
    }
    let take = n.min(300);
    let stride = (n / take).max(1);
    let sub: Vec<f64> = (0..take)
        .flat_map(|k| samples[k * stride * dim..(k * stride + 1) * dim].to_vec())
        .collect();
    let curves = model.predict_batch(&sub, take)?;
    let (nb, nt) = (model.bands.len(), model.times_days.len());
    // bands that hold data
    let band_of = |nu: f64| {
        model
            .bands
            .iter()
            .position(|b| ((b.nu_hz - nu) / b.nu_hz).abs() < 1e-6)
    };
    let used: Vec<usize> = (0..nb)
        .filter(|&b| obs.nu_hz.iter().any(|&nu| band_of(nu) == Some(b)))
        .collect();
    let t_lo = obs
        .t_days
        .iter()
        .cloned()
        .fold(f64::INFINITY, f64::min)
        .max(model.times_days[0])
        / 2.0;
    let t_hi = (obs.t_days.iter().cloned().fold(0.0, f64::max) * 2.0).min(model.times_days[nt - 1]);
    let t_lo = t_lo.max(model.times_days[0]);
    let tsel: Vec<usize> = (0..nt)
        .filter(|&k| model.times_days[k] >= t_lo * 0.8 && model.times_days[k] <= t_hi * 1.25)
        .collect();
    let mut bands_q: Vec<(usize, Vec<QuantileRow>)> = Vec::new();
    let (mut y_lo, mut y_hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &b in &used {
        let mut rows = Vec::new();
        for &k in &tsel {
            let mut v: Vec<f64> = (0..take).map(|s| curves[s * nb * nt + b * nt + k]).collect();
            v.sort_by(|a, b| a.total_cmp(b));
            let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
            let (a, m, c) = (q(0.05), q(0.5), q(0.95));
            y_lo = y_lo.min(a);
            y_hi = y_hi.max(c);
            rows.push((model.times_days[k].log10(), a, m, c));
        }
        bands_q.push((b, rows));
    }
    for i in 0..obs.len() {
        let y = (super::AB_MJY_ZERO_POINT - obs.mag[i]) / 2.5;
        let e = 0.4 * obs.mag_err[i];
        y_lo = y_lo.min(y - e);
        y_hi = y_hi.max(y + e);
    }
    if !(y_lo.is_finite() && y_hi.is_finite()) {
        return Err(PlotError::Input("no finite light-curve values".into()).into());
    }
    let pad = 0.05 * (y_hi - y_lo).max(0.1);
    let err = |e: &dyn std::fmt::Display| -> SurrogateError {
        PlotError::Backend {
            path: path.display().to_string(),
            msg: e.to_string(),
        }
        .into()
    };
    let root = BitMapBackend::new(path, (900, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "{} jet surrogate fit: data and posterior 5-95 %",
                model.jet.name()
            ),
            (FONT_FAMILY, 22),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(t_lo.log10()..t_hi.log10(), (y_lo - pad)..(y_hi + pad))
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("log10 t [days]")
        .y_desc("log10 F_nu [mJy]")
        .label_style((FONT_FAMILY, 14))
        .draw()
        .map_err(|e| err(&e))?;
    for (ci, (b, rows)) in bands_q.iter().enumerate() {
        let (r, g, bl) = COLORS[ci % COLORS.len()];
        let color = RGBColor(r, g, bl);
        let mut poly: Vec<(f64, f64)> = rows.iter().map(|r| (r.0, r.1)).collect();
        poly.extend(rows.iter().rev().map(|r| (r.0, r.3)));
        chart
            .draw_series(std::iter::once(Polygon::new(poly, color.mix(0.25).filled())))
            .map_err(|e| err(&e))?;
        chart
            .draw_series(LineSeries::new(
                rows.iter().map(|r| (r.0, r.2)),
                color.stroke_width(2),
            ))
            .map_err(|e| err(&e))?
            .label(model.bands[*b].name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        for i in 0..obs.len() {
            if band_of(obs.nu_hz[i]) != Some(*b) {
                continue;
            }
            let x = obs.t_days[i].log10();
            let y = (super::AB_MJY_ZERO_POINT - obs.mag[i]) / 2.5;
            if obs.upper_limit[i] {
                chart
                    .draw_series(std::iter::once(TriangleMarker::new((x, y), 6, color.filled())))
                    .map_err(|e| err(&e))?;
            } else {
                let e = 0.4 * obs.mag_err[i];
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x, y - e), (x, y + e)],
                        BLACK,
                    )))
                    .map_err(|e| err(&e))?;
                chart
                    .draw_series(std::iter::once(Circle::new((x, y), 4, color.filled())))
                    .map_err(|e| err(&e))?;
                chart
                    .draw_series(std::iter::once(Circle::new((x, y), 4, BLACK)))
                    .map_err(|e| err(&e))?;
            }
        }
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font((FONT_FAMILY, 14))
        .draw()
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))?;
    Ok(())
}
