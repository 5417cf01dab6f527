//! Detector data of a run read from strain files: time-domain strain is cut
//! to the analysis segment [t_trigger + post − T, t_trigger + post),
//! Tukey-windowed and Fourier transformed ([`crate::strain::conditioning`]);
//! its PSD is a Welch estimate from the off-source rest of the file, a PSD
//! file, or the design curve, times the window factor ⟨w²⟩ (bilby's
//! convention). Frequency-domain strain (`.npy`, `.fd.txt`) is used as is.

use super::config::{is_frequency_domain, DetectorConfig, PeConfig};
use crate::gw::detector::Detector;
use crate::gw::likelihood::DetectorData;
use crate::gw::psd::Psd;
use crate::strain::conditioning::{read_frequency_domain, rfft_strain, tukey, welch_off_source};
use crate::strain::{Averaging, StrainError, StrainSeries, WelchOptions, WelchWindow};
use crate::{Error, Result};
use std::path::Path;

/// What was read for one detector, for reports and figures.
#[derive(Debug, Clone)]
pub struct StrainInput {
    /// Detector name.
    pub detector: String,
    /// The strain file.
    pub file: String,
    /// The time series (time-domain files only).
    pub series: Option<StrainSeries>,
    /// The PSD of the unwindowed data [1/Hz] (before the window factor).
    pub psd: Psd,
    /// How the PSD was obtained (one line).
    pub psd_method: String,
    /// Data-quality report over the analysed segment (one line), if the file
    /// has a bitmask.
    pub quality: Option<String>,
}

/// Tukey α of a configuration (default 0.2).
pub fn tukey_alpha(cfg: &PeConfig) -> f64 {
    cfg.data.tukey_alpha.unwrap_or(0.2)
}

/// Welch settings of a configuration (defaults: segments of `duration_s`,
/// half overlap, median averaging; Tukey windows of the data's α, as
/// bilby does, so that PSD and data share the window's spectral leakage:
/// with Hann segments the low-frequency noise leaking through the data's
/// Tukey window makes ⟨n|n⟩ of GW150914's off-source data 3–9 times its
/// expectation, with Tukey segments about 1.1 times).
pub fn welch_options(cfg: &PeConfig) -> Result<WelchOptions> {
    let d = &cfg.data;
    let segment_s = d.psd_segment_s.unwrap_or(d.duration_s);
    Ok(WelchOptions {
        window: WelchWindow::Tukey(tukey_alpha(cfg)),
        segment_s,
        overlap_s: d.psd_overlap_s.unwrap_or(0.5 * segment_s),
        averaging: Averaging::parse(
            d.psd_averaging.as_deref().unwrap_or("median"),
            "data.psd_averaging",
        )?,
    })
}

/// GPS start of the analysis segment [s].
pub fn segment_start(cfg: &PeConfig) -> f64 {
    cfg.data.trigger_time + cfg.data.post_trigger_s - cfg.data.duration_s
}

fn fixed_psd(i: usize, det: &DetectorConfig) -> Result<(Psd, String)> {
    if det.psd == "aligo_design" {
        Ok((Psd::aligo_design(), "aLIGO design curve".into()))
    } else {
        let p = Psd::from_file(Path::new(&det.psd), det.psd_is_asd)
            .map_err(|e| Error::invalid(format!("detectors[{i}].psd"), e.to_string()))?;
        Ok((p, format!("file {}", det.psd)))
    }
}

/// Reads every detector's strain file and builds its data on `freqs`
/// (k/T, inside [f_min, f_max]).
pub fn load_strain_data(cfg: &PeConfig, freqs: &[f64]) -> Result<(Vec<DetectorData>, Vec<StrainInput>)> {
    let d = &cfg.data;
    let t0 = segment_start(cfg);
    let mut out = Vec::new();
    let mut inputs = Vec::new();
    for (i, det) in cfg.detectors.iter().enumerate() {
        let file = det.strain.clone().unwrap_or_default();
        let detector = Detector::by_name(&det.name)?;
        let (re, im, psd, psd_method, series, quality, window_factor) = if is_frequency_domain(&file) {
            let fs = read_frequency_domain(Path::new(&file), freqs)?;
            let (psd, how) = fixed_psd(i, det)?;
            (fs.re, fs.im, psd, how, None, None, 1.0)
        } else {
            let s = StrainSeries::read(&file)?;
            if let Some(name) = &s.detector {
                if name != &det.name {
                    return Err(StrainError::Format {
                        file: file.clone(),
                        msg: format!(
                            "holds {name} data but is configured for detectors[{i}] = {}",
                            det.name
                        ),
                    }
                    .into());
                }
            }
            s.check_sample_rate(d.sampling_frequency_hz)?;
            let seg = s.segment(
                t0,
                d.duration_s,
                "analysis segment (trigger_time + post_trigger_s − duration_s)",
            )?;
            let w = tukey(seg.len(), tukey_alpha(cfg));
            let wf = w.iter().map(|v| v * v).sum::<f64>() / w.len() as f64;
            let fd = rfft_strain(seg, Some(&w), s.sample_rate);
            let mut re = Vec::with_capacity(freqs.len());
            let mut im = Vec::with_capacity(freqs.len());
            for &f in freqs {
                let k = (f * d.duration_s).round() as usize;
                re.push(fd.re[k]);
                im.push(fd.im[k]);
            }
            let (psd, how) = if det.psd == "welch" {
                let opts = welch_options(cfg)?;
                let (p, n) = welch_off_source(
                    &s.data,
                    s.sample_rate,
                    s.gps_start,
                    (t0, t0 + d.duration_s),
                    &opts,
                    &file,
                )?;
                let how = format!(
                    "Welch, {} averaging of {n} off-source segments of {} s (overlap {} s, Tukey window alpha = {}, mean removed) outside the analysed GPS [{t0}, {})",
                    match opts.averaging {
                        Averaging::Median => "bias-corrected median",
                        Averaging::Mean => "mean",
                    },
                    opts.segment_s,
                    opts.overlap_s,
                    tukey_alpha(cfg),
                    t0 + d.duration_s
                );
                (p, how)
            } else {
                fixed_psd(i, det)?
            };
            let quality = s.quality.as_ref().map(|q| q.report(t0, t0 + d.duration_s));
            (re, im, psd, how, Some(s), quality, wf)
        };
        let on_grid: Vec<f64> = psd.on_grid(freqs).iter().map(|v| v * window_factor).collect();
        if let Some(k) = on_grid.iter().position(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(Error::invalid(
                format!("detectors[{i}].psd"),
                format!("PSD ({psd_method}) is not positive and finite at {} Hz", freqs[k]),
            ));
        }
        out.push(DetectorData {
            detector,
            data_re: re,
            data_im: im,
            psd: on_grid,
        });
        inputs.push(StrainInput {
            detector: det.name.clone(),
            file,
            series,
            psd,
            psd_method,
            quality,
        });
    }
    Ok((out, inputs))
}

/// Figures of the data around the trigger in `dir`: `data_asd.png` (ASDs),
/// `data_whitened.png` (whitened, 30–350 Hz band-passed strain, ±0.25 s)
/// and `data_qscan.png` (normalised energy of whitened strain).
pub fn write_data_plots(cfg: &PeConfig, inputs: &[StrainInput], dir: &Path) -> Result<()> {
    use crate::strain::conditioning::whiten;
    use crate::strain::plots::{asd_plot, q_energy, q_plot, whitened_plot};
    let d = &cfg.data;
    let curves: Vec<(String, Vec<f64>, Vec<f64>)> = inputs
        .iter()
        .map(|s| {
            (
                s.detector.clone(),
                s.psd.frequencies.clone(),
                s.psd.values.clone(),
            )
        })
        .collect();
    asd_plot(
        &dir.join("data_asd.png"),
        &curves,
        d.f_min_hz.min(20.0),
        d.f_max_hz,
    )?;
    let mut white = Vec::new();
    let mut q_panels = Vec::new();
    let q_times: Vec<f64> = (0..=300).map(|j| -0.5 + 0.6 * j as f64 / 300.0).collect();
    let q_freqs: Vec<f64> = (0..=80)
        .map(|i| 20.0 * (512.0f64 / 20.0).powf(i as f64 / 80.0))
        .collect();
    for s in inputs {
        let Some(series) = &s.series else { continue };
        // whiten 8 s around the trigger (fewer edge effects than 4 s)
        let span = 8.0f64.min(series.duration());
        let start = (d.trigger_time - span / 2.0)
            .max(series.gps_start)
            .min(series.gps_end() - span);
        let seg = series.segment(start, span, "plotted segment")?;
        let rate = series.sample_rate;
        let band = whiten(seg, rate, &s.psd, 0.1, 30.0, 350.0);
        let broad = whiten(seg, rate, &s.psd, 0.1, 20.0, 0.5 * rate);
        let offset = d.trigger_time - start;
        let (mut t, mut v) = (Vec::new(), Vec::new());
        for (n, x) in band.iter().enumerate() {
            let tt = n as f64 / rate - offset;
            if (-0.25..=0.1).contains(&tt) {
                t.push(tt);
                v.push(*x);
            }
        }
        white.push((s.detector.clone(), t, v));
        let abs_times: Vec<f64> = q_times.iter().map(|t| t + offset).collect();
        // unit variance over the whole band: rescale the broadband series
        let var = broad.iter().map(|v| v * v).sum::<f64>() / broad.len() as f64;
        let unit: Vec<f64> = broad.iter().map(|v| v / var.sqrt()).collect();
        q_panels.push((
            s.detector.clone(),
            q_energy(&unit, rate, &abs_times, &q_freqs, 8.0),
        ));
    }
    if !white.is_empty() {
        whitened_plot(
            &dir.join("data_whitened.png"),
            "Whitened strain, 30-350 Hz (off-source Welch PSD)",
            &white,
        )?;
        q_plot(&dir.join("data_qscan.png"), &q_panels, &q_times, &q_freqs, 20.0)?;
    }
    Ok(())
}
