//! Figures of detector data: amplitude spectral densities, whitened strain
//! around a trigger, and a Q-transform-like time-frequency map of the
//! whitened strain (constant-Q tiles: at each frequency f a Hann window of
//! duration Q/f, so every tile spans about Q cycles), in which a chirp is
//! seen as a rising track.

use super::StrainResult;
use crate::plot::font::{ensure_font, FONT_FAMILY};
use crate::plot::{line_plot, Series};
use plotters::prelude::*;
use std::path::Path;

/// Amplitude spectral densities √S(f) [1/√Hz] of several detectors on a
/// log-log plot between `f_lo` and `f_hi` [Hz]. `curves` holds
/// (label, frequencies [Hz], PSD [1/Hz]).
pub fn asd_plot(
    path: &Path,
    curves: &[(String, Vec<f64>, Vec<f64>)],
    f_lo: f64,
    f_hi: f64,
) -> StrainResult<()> {
    let series: Vec<Series> = curves
        .iter()
        .map(|(label, f, s)| {
            let (x, y): (Vec<f64>, Vec<f64>) = f
                .iter()
                .zip(s)
                .filter(|(f, s)| **f >= f_lo && **f <= f_hi && s.is_finite() && **s > 0.0)
                .map(|(f, s)| (f.log10(), s.sqrt()))
                .unzip();
            Series {
                label: label.clone(),
                x,
                y,
            }
        })
        .collect();
    line_plot(
        path,
        "Amplitude spectral density (Welch, off-source)",
        "log10 frequency [Hz]",
        "ASD [1/sqrt(Hz)]",
        &series,
        true,
        (900, 600),
    )?;
    Ok(())
}

/// Whitened strain of several detectors against time [s] (relative to a
/// trigger), one curve each: `curves` holds (label, times, values).
pub fn whitened_plot(path: &Path, title: &str, curves: &[(String, Vec<f64>, Vec<f64>)]) -> StrainResult<()> {
    let series: Vec<Series> = curves
        .iter()
        .map(|(l, t, v)| Series {
            label: l.clone(),
            x: t.clone(),
            y: v.clone(),
        })
        .collect();
    line_plot(
        path,
        title,
        "time - t_trigger [s]",
        "whitened strain [noise sigma]",
        &series,
        false,
        (1000, 500),
    )?;
    Ok(())
}

/// Normalised energy |Σ x_n w_n e^{−2πif nΔt}|² / Σ w_n² of whitened,
/// unit-variance data `x` (sampled at `rate`) on the tiles (t_j, f_i), each
/// with a Hann window of duration `q`/f centred on t_j; `t` [s] from the
/// first sample. Mean 1 for white noise. Returns rows per frequency.
pub fn q_energy(x: &[f64], rate: f64, times: &[f64], freqs: &[f64], q: f64) -> Vec<Vec<f64>> {
    freqs
        .iter()
        .map(|&f| {
            let half = ((q / f) * rate / 2.0).round().max(2.0) as isize;
            let len = (2 * half + 1) as usize;
            let w: Vec<f64> = (0..len)
                .map(|k| {
                    let u = k as f64 / (len - 1) as f64;
                    0.5 - 0.5 * (2.0 * std::f64::consts::PI * u).cos()
                })
                .collect();
            let w2: f64 = w.iter().map(|v| v * v).sum();
            let (s, c): (Vec<f64>, Vec<f64>) = (0..len)
                .map(|k| (2.0 * std::f64::consts::PI * f * (k as f64 - half as f64) / rate).sin_cos())
                .unzip();
            times
                .iter()
                .map(|&t| {
                    let centre = (t * rate).round() as isize;
                    let (mut re, mut im) = (0.0, 0.0);
                    for k in 0..len {
                        let i = centre + k as isize - half;
                        if i < 0 || i as usize >= x.len() {
                            continue;
                        }
                        let v = x[i as usize] * w[k];
                        re += v * c[k];
                        im -= v * s[k];
                    }
                    (re * re + im * im) / w2
                })
                .collect()
        })
        .collect()
}

/// A colour from a perceptually ordered dark-blue → yellow ramp, `u` ∈ [0, 1].
fn ramp(u: f64) -> RGBColor {
    // anchor colours of the viridis map
    const A: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let u = u.clamp(0.0, 1.0) * 4.0;
    let i = (u.floor() as usize).min(3);
    let t = u - i as f64;
    let (a, b) = (A[i], A[i + 1]);
    let m = |x: f64, y: f64| (x + (y - x) * t).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Time-frequency maps of normalised energy, one panel per detector:
/// `panels` holds (label, energy rows per frequency); `times` [s] relative
/// to the trigger; `freqs` [Hz] increasing (drawn on a log axis). Colours
/// saturate at `vmax`.
pub fn q_plot(
    path: &Path,
    panels: &[(String, Vec<Vec<f64>>)],
    times: &[f64],
    freqs: &[f64],
    vmax: f64,
) -> StrainResult<()> {
    ensure_font();
    let err = |e: &dyn std::fmt::Display| crate::plot::PlotError::Backend {
        path: path.display().to_string(),
        msg: e.to_string(),
    };
    let n = panels.len().max(1) as u32;
    let root = BitMapBackend::new(path, (1000, 360 * n)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let areas = root.split_evenly((n as usize, 1));
    let (t0, t1) = (times[0], times[times.len() - 1]);
    let dt = if times.len() > 1 { times[1] - times[0] } else { 1.0 };
    let (lf0, lf1) = (freqs[0].log10(), freqs[freqs.len() - 1].log10());
    for ((label, rows), area) in panels.iter().zip(&areas) {
        let mut chart = ChartBuilder::on(area)
            .caption(
                format!("{label}: normalised energy of whitened strain (Q-like tiles)"),
                (FONT_FAMILY, 18),
            )
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(t0..t1, lf0..lf1)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("time - t_trigger [s]")
            .y_desc("log10 frequency [Hz]")
            .label_style((FONT_FAMILY, 13))
            .draw()
            .map_err(|e| err(&e))?;
        for (i, row) in rows.iter().enumerate() {
            let lf = freqs[i].log10();
            let lo = if i == 0 {
                lf
            } else {
                0.5 * (lf + freqs[i - 1].log10())
            };
            let hi = if i + 1 == freqs.len() {
                lf
            } else {
                0.5 * (lf + freqs[i + 1].log10())
            };
            chart
                .draw_series(row.iter().enumerate().map(|(j, &e)| {
                    let t = times[j];
                    Rectangle::new([(t - 0.5 * dt, lo), (t + 0.5 * dt, hi)], ramp(e / vmax).filled())
                }))
                .map_err(|e| err(&e))?;
        }
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}
