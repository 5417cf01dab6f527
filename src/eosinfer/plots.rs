//! Figures of an EOS-inference run: the mass–radius and pressure–density
//! credible bands (5–95 % and 25–75 %, median) of a thinned set of posterior
//! EOSs, re-solved, with the observations overlaid (NICER samples, the radio
//! mass, the chiral-EFT band), and the corner plot of the nuclear
//! parameters. The band arrays are written to `bands.json` as well.

use super::config::EosInferConfig;
use super::data::{chieft_band, load_samples};
use super::likelihood::EosModel;
use super::run::{quantiles, OutputPaths};
use super::sampler::{par_map, EnsembleState};
use crate::eos::numerics::interp_log;
use crate::eos::units::{FM3_TO_GEOMETRIC, MEV_FM3_TO_GEOMETRIC, NSAT_FM3};
use crate::plot::font::{ensure_font, FONT_FAMILY};
use crate::plot::{backend_err, corner_plot, CornerOptions, PlotError};
use crate::Result;
use plotters::prelude::*;
use serde_json::json;

/// Quantile bands of curves on a grid: for each grid point the 5, 25, 50,
/// 75, 95 % quantiles of the finite values (NaN where fewer than
/// `min_count` curves reach it).
#[derive(Debug, Clone)]
pub struct Bands {
    /// The grid.
    pub x: Vec<f64>,
    /// Quantiles [5, 25, 50, 75, 95 %] per grid point.
    pub q: Vec<[f64; 5]>,
}

fn bands(x: Vec<f64>, curves: &[Vec<f64>], min_count: usize) -> Bands {
    let q = (0..x.len())
        .map(|i| {
            let mut v: Vec<f64> = curves.iter().map(|c| c[i]).filter(|v| v.is_finite()).collect();
            if v.len() < min_count.max(1) {
                return [f64::NAN; 5];
            }
            v.sort_by(|a, b| a.total_cmp(b));
            let at = |p: f64| {
                let t = p * (v.len() - 1) as f64;
                let (a, b) = (t.floor() as usize, (t.floor() as usize + 1).min(v.len() - 1));
                v[a] + (t - a as f64) * (v[b] - v[a])
            };
            [at(0.05), at(0.25), at(0.5), at(0.75), at(0.95)]
        })
        .collect();
    Bands { x, q }
}

/// The M–R and p–n bands of (up to) `n_curves` kept draws, evenly spaced.
pub fn posterior_bands(model: &EosModel, st: &EnsembleState, n_curves: usize) -> (Bands, Bands) {
    let n = st.kept_log_like.len();
    let d = st.dim;
    let pick: Vec<usize> = (0..n_curves.min(n))
        .map(|i| i * n / n_curves.min(n).max(1))
        .collect();
    let m_grid: Vec<f64> = (0..=100).map(|i| 0.8 + 2.0 * i as f64 / 100.0).collect();
    let n_grid: Vec<f64> = (0..=100).map(|i| 0.5 * (12f64).powf(i as f64 / 100.0)).collect();
    let curves = par_map(pick.len(), st.settings.threads, |k| {
        let i = pick[k];
        match model.solve(&st.kept_u[i * d..(i + 1) * d]) {
            Ok(s) => {
                let r: Vec<f64> = m_grid
                    .iter()
                    .map(|&m| {
                        if m <= s.derived.m_tov {
                            s.family.radius_at(m)
                        } else {
                            f64::NAN
                        }
                    })
                    .collect();
                let p: Vec<f64> = n_grid
                    .iter()
                    .map(|&x| {
                        interp_log(x * NSAT_FM3 * FM3_TO_GEOMETRIC, &s.table.n, &s.table.p)
                            / MEV_FM3_TO_GEOMETRIC
                    })
                    .collect();
                Some((r, p))
            }
            Err(_) => None,
        }
    });
    let (rs, ps): (Vec<Vec<f64>>, Vec<Vec<f64>>) = curves.into_iter().flatten().unzip();
    let min_count = rs.len() / 10;
    (bands(m_grid, &rs, min_count), bands(n_grid, &ps, 1))
}

type Chart<'a, 'b> = ChartContext<
    'a,
    BitMapBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

fn band_polygon(b: &Bands, lo: usize, hi: usize, swap: bool, f: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
    let ok: Vec<usize> = (0..b.x.len()).filter(|&i| b.q[i][lo].is_finite()).collect();
    let pt = |x: f64, y: f64| if swap { (f(y), x) } else { (x, f(y)) };
    let mut pts: Vec<(f64, f64)> = ok.iter().map(|&i| pt(b.x[i], b.q[i][lo])).collect();
    pts.extend(ok.iter().rev().map(|&i| pt(b.x[i], b.q[i][hi])));
    pts
}

fn draw_bands(
    chart: &mut Chart,
    b: &Bands,
    swap: bool,
    f: impl Fn(f64) -> f64 + Copy,
    color: RGBColor,
    label: &str,
    path: &std::path::Path,
) -> std::result::Result<(), PlotError> {
    let err = backend_err(path);
    chart
        .draw_series(std::iter::once(Polygon::new(
            band_polygon(b, 0, 4, swap, f),
            color.mix(0.25).filled(),
        )))
        .map_err(&err)?
        .label(format!("{label}: 90 %"))
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], color.mix(0.25).filled()));
    chart
        .draw_series(std::iter::once(Polygon::new(
            band_polygon(b, 1, 3, swap, f),
            color.mix(0.45).filled(),
        )))
        .map_err(&err)?
        .label(format!("{label}: 50 %"))
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], color.mix(0.45).filled()));
    let med: Vec<(f64, f64)> = (0..b.x.len())
        .filter(|&i| b.q[i][2].is_finite())
        .map(|i| {
            if swap {
                (f(b.q[i][2]), b.x[i])
            } else {
                (b.x[i], f(b.q[i][2]))
            }
        })
        .collect();
    chart
        .draw_series(LineSeries::new(med, color.stroke_width(2)))
        .map_err(&err)?
        .label(format!("{label}: median"))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
    Ok(())
}

/// Draws the M–R band with the NICER samples and radio masses of `cfg`.
pub fn mass_radius_plot(
    path: &std::path::Path,
    b: &Bands,
    cfg: &EosInferConfig,
    title: &str,
    what: &str,
) -> std::result::Result<(), PlotError> {
    ensure_font();
    let err = backend_err(path);
    let root = BitMapBackend::new(path, (800, 700)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FONT_FAMILY, 22))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(9.0f64..17.0f64, 0.8f64..2.8f64)
        .map_err(&err)?;
    chart
        .configure_mesh()
        .x_desc("R [km]")
        .y_desc("M [M☉]")
        .label_style((FONT_FAMILY, 15))
        .draw()
        .map_err(&err)?;
    let colors = [
        RGBColor(214, 39, 40),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
        RGBColor(255, 127, 14),
    ];
    for (k, r) in cfg.radio.iter().enumerate() {
        let c = RGBColor(127, 127, 127);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(9.0, r.mean - r.std), (17.0, r.mean + r.std)],
                c.mix(0.18).filled(),
            )))
            .map_err(&err)?
            .label(format!("radio {}: {} ± {} M☉", r.name, r.mean, r.std))
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], c.mix(0.3).filled()));
        let _ = k;
    }
    for (k, n) in cfg.nicer.iter().enumerate() {
        let c = colors[k % colors.len()];
        let mut pts = Vec::new();
        for s in &n.samples {
            if let Ok(a) = load_samples(s, 2) {
                let rows = a.len() / 2;
                let step = (rows / 1500).max(1);
                pts.extend((0..rows).step_by(step).map(|i| (a[2 * i + 1], a[2 * i])));
            }
        }
        chart
            .draw_series(pts.into_iter().map(|p| Circle::new(p, 1, c.mix(0.12).filled())))
            .map_err(&err)?
            .label(format!("NICER {} samples", n.name))
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, c.filled()));
    }
    draw_bands(&mut chart, b, true, |v| v, RGBColor(31, 119, 180), what, path)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT_FAMILY, 14))
        .draw()
        .map_err(&err)?;
    root.present().map_err(&err)?;
    Ok(())
}

/// Draws the p–n band (log10 p) with the chiral-EFT band of `cfg`.
pub fn pressure_density_plot(
    path: &std::path::Path,
    b: &Bands,
    cfg: &EosInferConfig,
    title: &str,
    what: &str,
) -> std::result::Result<(), PlotError> {
    ensure_font();
    let err = backend_err(path);
    let root = BitMapBackend::new(path, (800, 700)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FONT_FAMILY, 22))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(0.5f64..6.0f64, -0.5f64..3.3f64)
        .map_err(&err)?;
    chart
        .configure_mesh()
        .x_desc("n / n_sat")
        .y_desc("log10 p [MeV fm⁻³]")
        .label_style((FONT_FAMILY, 15))
        .draw()
        .map_err(&err)?;
    draw_bands(
        &mut chart,
        b,
        false,
        |v| v.log10(),
        RGBColor(31, 119, 180),
        what,
        path,
    )?;
    if let Ok(band) = chieft_band(&cfg.chieft.low, &cfg.chieft.high, 2) {
        let c = RGBColor(214, 39, 40);
        let mut pts: Vec<(f64, f64)> = band
            .n_low
            .iter()
            .zip(&band.p_low)
            .filter(|(n, _)| **n >= 0.5 * NSAT_FM3)
            .map(|(n, p)| (n / NSAT_FM3, p.log10()))
            .collect();
        pts.extend(
            band.n_high
                .iter()
                .zip(&band.p_high)
                .rev()
                .filter(|(n, _)| **n >= 0.5 * NSAT_FM3)
                .map(|(n, p)| (n / NSAT_FM3, p.log10())),
        );
        chart
            .draw_series(std::iter::once(Polygon::new(pts, c.mix(0.35).filled())))
            .map_err(&err)?
            .label("chiral EFT (Koehn et al. 2024)")
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], c.mix(0.35).filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT_FAMILY, 14))
        .draw()
        .map_err(&err)?;
    root.present().map_err(&err)?;
    Ok(())
}

fn bands_json(b: &Bands, x_name: &str) -> serde_json::Value {
    let col = |k: usize| {
        b.q.iter()
            .map(|q| {
                if q[k].is_finite() {
                    json!(q[k])
                } else {
                    json!(null)
                }
            })
            .collect::<Vec<_>>()
    };
    json!({x_name: b.x, "q05": col(0), "q25": col(1), "median": col(2), "q75": col(3), "q95": col(4)})
}

/// Writes `mass_radius.png`, `pressure_density.png`, `corner.png` and
/// `bands.json` of a finished run.
pub fn write_plots(
    model: &EosModel,
    st: &EnsembleState,
    cfg: &EosInferConfig,
    paths: &OutputPaths,
) -> Result<()> {
    if st.kept_log_like.is_empty() {
        return Ok(());
    }
    let (mr, pn) = posterior_bands(model, st, 400);
    let what = if cfg.prior_only { "prior" } else { "posterior" };
    mass_radius_plot(
        &paths.mass_radius,
        &mr,
        cfg,
        &format!("Mass–radius: {what} of metamodel + CSE"),
        what,
    )?;
    pressure_density_plot(
        &paths.pressure_density,
        &pn,
        cfg,
        &format!("Pressure–density: {what}"),
        what,
    )?;
    let v = json!({"mass_radius": bands_json(&mr, "mass_Msun"), "pressure_density": bands_json(&pn, "n_over_nsat"), "note": "R [km] quantiles over EOSs whose M_TOV reaches each mass; p [MeV fm^-3] quantiles"});
    let text = serde_json::to_string_pretty(&v).map_err(|e| crate::Error::invalid("json", e.to_string()))?;
    crate::io::write_atomic(paths.dir.join("bands.json"), text.as_bytes())?;
    // corner of the free nuclear parameters (and n_break)
    let names = model.prior.free_names();
    let ranges = model.prior.free_ranges();
    let sel: Vec<usize> = (0..names.len())
        .filter(|&i| !names[i].starts_with("n_CSE") && !names[i].starts_with("cs2_CSE"))
        .collect();
    let d = st.dim;
    let n = st.kept_log_like.len();
    let mut rows = Vec::with_capacity(n * sel.len());
    for i in 0..n {
        let th = model.prior.theta(&st.kept_u[i * d..(i + 1) * d]);
        for &k in &sel {
            rows.push(th[model.prior.free[k]]);
        }
    }
    let labels: Vec<String> = sel.iter().map(|&k| names[k].clone()).collect();
    let opts = CornerOptions {
        bins: 30,
        panel_px: 150,
        truths: None,
        ranges: Some(sel.iter().map(|&k| ranges[k]).collect()),
    };
    corner_plot(&paths.corner, &rows, &labels, &opts)?;
    let _ = quantiles;
    Ok(())
}
