//! Conditioning of strain for a frequency-domain likelihood.
//!
//! Conventions (those of bilby and gwpy, so results compare directly):
//! - Fourier transform d̃(f_k) = Δt Σ_n w_n x_n e^{−2πikn/N} (bilby's
//!   `nfft`: the FFT divided by the sampling rate), f_k = k/T.
//! - Tukey window of scipy (`scipy.signal.windows.tukey(N, α)`, symmetric),
//!   α = 0.2 by default; the PSD used with windowed data is multiplied by
//!   the window factor ⟨w²⟩ = Σ w_n²/N (bilby,
//!   `Interferometer.power_spectral_density_array`).
//! - Welch PSD (Welch 1967, IEEE Trans. Audio Electroacoust. 15, 70) as
//!   `scipy.signal.welch`: segments of `nperseg` samples overlapping by
//!   `noverlap`, mean removed from each, a periodic window (Hann, scipy's
//!   default, or Tukey with the data's α as bilby/gwpy use, so that the PSD
//!   sees the same spectral leakage as the windowed data), one-sided
//!   density |X_k|² · 2/(f_s Σ w²) (DC and Nyquist not doubled), averaged
//!   with the median divided by its bias for n segments,
//!   b(n) = Σ_{k=1}^{n} (−1)^{k+1}/k for odd n (scipy's `_median_bias`,
//!   the default of gwpy's `psd(method="median")` that bilby uses), or with
//!   the mean.

use super::{StrainError, StrainResult};
use crate::gw::psd::Psd;
use realfft::RealFftPlanner;

/// How Welch periodograms are averaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Averaging {
    /// Median over segments divided by [`median_bias`] (robust to glitches).
    Median,
    /// Arithmetic mean over segments.
    Mean,
}

impl Averaging {
    /// Parses `"median"` or `"mean"`.
    pub fn parse(s: &str, key: &str) -> StrainResult<Self> {
        match s {
            "median" => Ok(Averaging::Median),
            "mean" => Ok(Averaging::Mean),
            _ => Err(StrainError::Invalid {
                name: key.to_string(),
                msg: format!("'{s}' is not \"median\" or \"mean\""),
            }),
        }
    }
}

/// The window of each Welch segment (periodic, as `scipy.signal.get_window`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WelchWindow {
    /// Hann window (scipy's default).
    Hann,
    /// Tukey window with taper fraction α.
    Tukey(f64),
}

impl WelchWindow {
    /// The periodic window of `n` points: the symmetric window of n + 1
    /// points without its last point.
    pub fn values(&self, n: usize) -> Vec<f64> {
        match *self {
            WelchWindow::Hann => hann_periodic(n),
            WelchWindow::Tukey(a) => {
                let mut w = tukey(n + 1, a);
                w.pop();
                w
            }
        }
    }
}

/// Welch settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WelchOptions {
    /// Window of each segment.
    pub window: WelchWindow,
    /// Segment length [s].
    pub segment_s: f64,
    /// Overlap of consecutive segments [s].
    pub overlap_s: f64,
    /// Averaging of the periodograms.
    pub averaging: Averaging,
}

/// One-sided frequency-domain strain on k/T: `re`, `im` [1/Hz] at
/// `frequencies` [Hz].
#[derive(Debug, Clone, PartialEq)]
pub struct FrequencySeries {
    /// Frequencies [Hz].
    pub frequencies: Vec<f64>,
    /// Real parts [strain/Hz].
    pub re: Vec<f64>,
    /// Imaginary parts [strain/Hz].
    pub im: Vec<f64>,
}

/// The symmetric Tukey window of `n` points with taper fraction `alpha`
/// (scipy's definition; α = 0 is rectangular, α = 1 a Hann window).
pub fn tukey(n: usize, alpha: f64) -> Vec<f64> {
    if n <= 1 || alpha <= 0.0 {
        return vec![1.0; n];
    }
    let alpha = alpha.min(1.0);
    let m = (n - 1) as f64;
    let width = (alpha * m / 2.0).floor() as usize;
    (0..n)
        .map(|i| {
            let x = i as f64;
            if i <= width {
                0.5 * (1.0 + (std::f64::consts::PI * (-1.0 + 2.0 * x / alpha / m)).cos())
            } else if i >= n - width - 1 {
                0.5 * (1.0 + (std::f64::consts::PI * (-2.0 / alpha + 1.0 + 2.0 * x / alpha / m)).cos())
            } else {
                1.0
            }
        })
        .collect()
}

/// The periodic Hann window of `n` points, 0.5 − 0.5 cos(2πk/n).
pub fn hann_periodic(n: usize) -> Vec<f64> {
    (0..n)
        .map(|k| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * k as f64 / n as f64).cos())
        .collect()
}

/// Bias of the median of n periodogram values (χ²₂/2 distributed) relative
/// to their mean: Σ_{k=1}^{n} (−1)^{k+1}/k for odd n (scipy, gwpy; the
/// expression scipy uses for every n).
pub fn median_bias(n: usize) -> f64 {
    let m = (n.saturating_sub(1)) / 2;
    1.0 + (1..=m)
        .map(|i| {
            let ii = 2.0 * i as f64;
            1.0 / (ii + 1.0) - 1.0 / ii
        })
        .sum::<f64>()
}

/// Δt × real FFT of `x · window` (`window` of the same length or `None`):
/// the one-sided frequency-domain strain on k/T, k = 0..N/2.
pub fn rfft_strain(x: &[f64], window: Option<&[f64]>, sample_rate: f64) -> FrequencySeries {
    let n = x.len();
    let mut planner = RealFftPlanner::<f64>::new();
    let fft = planner.plan_fft_forward(n);
    let mut input: Vec<f64> = match window {
        Some(w) => x.iter().zip(w).map(|(a, b)| a * b).collect(),
        None => x.to_vec(),
    };
    let mut out = fft.make_output_vec();
    // lengths match by construction: the error case cannot happen
    fft.process(&mut input, &mut out)
        .expect("FFT buffers of the planned length");
    let dt = 1.0 / sample_rate;
    let t = n as f64 / sample_rate;
    FrequencySeries {
        frequencies: (0..out.len()).map(|k| k as f64 / t).collect(),
        re: out.iter().map(|c| c.re * dt).collect(),
        im: out.iter().map(|c| c.im * dt).collect(),
    }
}

/// Inverse of [`rfft_strain`] without window: the N real samples.
pub fn irfft_strain(fs: &FrequencySeries, n: usize, sample_rate: f64) -> Vec<f64> {
    let mut planner = RealFftPlanner::<f64>::new();
    let ifft = planner.plan_fft_inverse(n);
    let mut spec = ifft.make_input_vec();
    for (k, c) in spec.iter_mut().enumerate() {
        if k < fs.re.len() {
            *c = realfft::num_complex::Complex::new(fs.re[k] * sample_rate, fs.im[k] * sample_rate);
        }
    }
    // DC and Nyquist must be real for the inverse real FFT
    spec[0].im = 0.0;
    if n % 2 == 0 {
        let last = spec.len() - 1;
        spec[last].im = 0.0;
    }
    let mut out = ifft.make_output_vec();
    ifft.process(&mut spec, &mut out)
        .expect("FFT buffers of the planned length");
    out.iter().map(|v| v / n as f64).collect()
}

/// One-sided periodograms [1/Hz] of the Welch segments of `x`: segments of
/// `nperseg` samples every `nperseg − noverlap`, each with its mean removed
/// and multiplied by `window` (scipy's definitions).
pub fn welch_periodograms(
    x: &[f64],
    sample_rate: f64,
    nperseg: usize,
    noverlap: usize,
    window: WelchWindow,
) -> Vec<Vec<f64>> {
    let step = nperseg.saturating_sub(noverlap).max(1);
    let w = window.values(nperseg);
    let s2: f64 = w.iter().map(|v| v * v).sum();
    let mut planner = RealFftPlanner::<f64>::new();
    let fft = planner.plan_fft_forward(nperseg);
    let mut out = Vec::new();
    let mut start = 0;
    while start + nperseg <= x.len() {
        let seg = &x[start..start + nperseg];
        let mean = seg.iter().sum::<f64>() / nperseg as f64;
        let mut buf: Vec<f64> = seg.iter().zip(&w).map(|(v, wi)| (v - mean) * wi).collect();
        let mut spec = fft.make_output_vec();
        fft.process(&mut buf, &mut spec)
            .expect("FFT buffers of the planned length");
        let nyq = if nperseg % 2 == 0 {
            spec.len() - 1
        } else {
            usize::MAX
        };
        out.push(
            spec.iter()
                .enumerate()
                .map(|(k, c)| {
                    let p = c.norm_sqr() / (sample_rate * s2);
                    if k == 0 || k == nyq {
                        p
                    } else {
                        2.0 * p
                    }
                })
                .collect(),
        );
        start += step;
    }
    out
}

/// Averages periodograms (all of one length) per frequency.
pub fn average_periodograms(p: &[Vec<f64>], averaging: Averaging) -> Vec<f64> {
    let n = p.len();
    let m = p.first().map_or(0, |v| v.len());
    let bias = median_bias(n);
    (0..m)
        .map(|k| match averaging {
            Averaging::Mean => p.iter().map(|v| v[k]).sum::<f64>() / n as f64,
            Averaging::Median => {
                let mut col: Vec<f64> = p.iter().map(|v| v[k]).collect();
                col.sort_by(|a, b| a.total_cmp(b));
                let med = if n % 2 == 1 {
                    col[n / 2]
                } else {
                    0.5 * (col[n / 2 - 1] + col[n / 2])
                };
                med / bias
            }
        })
        .collect()
}

/// Welch PSD of the parts of `x` (sampled at `sample_rate`, first sample at
/// GPS `gps_start`) outside the window [`exclude.0`, `exclude.1`) (GPS s):
/// periodograms from the stretch before and the stretch after, averaged
/// together. Returns the PSD and the number of segments; `file` names errors.
pub fn welch_off_source(
    x: &[f64],
    sample_rate: f64,
    gps_start: f64,
    exclude: (f64, f64),
    opts: &WelchOptions,
    file: &str,
) -> StrainResult<(Psd, usize)> {
    let nperseg = (opts.segment_s * sample_rate).round() as usize;
    let noverlap = (opts.overlap_s * sample_rate).round() as usize;
    if nperseg < 2 || noverlap >= nperseg {
        return Err(StrainError::Invalid {
            name: "data.psd_segment_s".into(),
            msg: format!(
                "segment {} s with overlap {} s gives no valid Welch segments",
                opts.segment_s, opts.overlap_s
            ),
        });
    }
    let cut0 = (((exclude.0 - gps_start) * sample_rate).floor().max(0.0) as usize).min(x.len());
    let cut1 = (((exclude.1 - gps_start) * sample_rate).ceil().max(0.0) as usize).min(x.len());
    let mut p = welch_periodograms(&x[..cut0], sample_rate, nperseg, noverlap, opts.window);
    p.extend(welch_periodograms(
        &x[cut1..],
        sample_rate,
        nperseg,
        noverlap,
        opts.window,
    ));
    if p.is_empty() {
        return Err(StrainError::Format {
            file: file.to_string(),
            msg: format!(
                "no {} s of off-source data outside GPS [{}, {}) for the Welch PSD",
                opts.segment_s, exclude.0, exclude.1
            ),
        });
    }
    let values = average_periodograms(&p, opts.averaging);
    let df = sample_rate / nperseg as f64;
    let frequencies: Vec<f64> = (0..values.len()).map(|k| k as f64 * df).collect();
    Ok((Psd { frequencies, values }, p.len()))
}

/// Reads frequency-domain strain: `.npy` of shape `[n, 3]` or a text file of
/// three columns, `f [Hz], Re d̃, Im d̃ [1/Hz]`, and picks the rows at
/// `frequencies` (each must be present within 10⁻⁶ of its spacing).
pub fn read_frequency_domain(path: &std::path::Path, frequencies: &[f64]) -> StrainResult<FrequencySeries> {
    let name = path.display().to_string();
    let rows: Vec<[f64; 3]> = if name.to_ascii_lowercase().ends_with(".npy") {
        let a = crate::io::read_npy(path).map_err(|source| StrainError::Npy {
            file: name.clone(),
            source,
        })?;
        if a.shape.len() != 2 || a.shape[1] != 3 {
            return Err(StrainError::Grid {
                file: name,
                msg: format!("shape {:?}, expected [n, 3] (f, re, im)", a.shape),
            });
        }
        a.data.chunks(3).map(|c| [c[0], c[1], c[2]]).collect()
    } else {
        let text = std::fs::read_to_string(path).map_err(|source| StrainError::Io {
            file: name.clone(),
            source,
        })?;
        let mut rows = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let v: Vec<f64> = l
                .split_whitespace()
                .map(|x| x.parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| StrainError::Format {
                    file: name.clone(),
                    msg: format!("line {}: not a number", i + 1),
                })?;
            if v.len() != 3 {
                return Err(StrainError::Format {
                    file: name.clone(),
                    msg: format!("line {}: {} columns, expected 3 (f, re, im)", i + 1, v.len()),
                });
            }
            rows.push([v[0], v[1], v[2]]);
        }
        rows
    };
    if let Some((i, _)) = rows
        .iter()
        .enumerate()
        .find(|(_, r)| r.iter().any(|v| !v.is_finite()))
    {
        return Err(StrainError::Format {
            file: name,
            msg: format!("row {i} is not finite"),
        });
    }
    if rows.len() < 2 {
        return Err(StrainError::Grid {
            file: name,
            msg: "fewer than two rows".into(),
        });
    }
    let df = rows[1][0] - rows[0][0];
    let f0 = rows[0][0];
    if df.is_nan() || df <= 0.0 {
        return Err(StrainError::Grid {
            file: name,
            msg: "frequencies not increasing".into(),
        });
    }
    let mut out = FrequencySeries {
        frequencies: frequencies.to_vec(),
        re: Vec::with_capacity(frequencies.len()),
        im: Vec::with_capacity(frequencies.len()),
    };
    for &f in frequencies {
        let k = ((f - f0) / df).round();
        let row = (k >= 0.0).then(|| rows.get(k as usize)).flatten();
        match row {
            Some(r) if (r[0] - f).abs() <= 1e-6 * df.max(1e-12) + 1e-9 * f.abs() => {
                out.re.push(r[1]);
                out.im.push(r[2]);
            }
            _ => {
                return Err(StrainError::Grid {
                    file: name,
                    msg: format!(
                        "{} rows spaced {df} Hz from {f0} Hz do not contain the analysis frequency {f} Hz \
                         (wrong length or spacing for this segment)",
                        rows.len()
                    ),
                })
            }
        }
    }
    Ok(out)
}

/// Whitens `x` (sampled at `sample_rate`) by `psd` after a Tukey window
/// (`alpha`), keeps [f_lo, f_hi] and scales so that stationary Gaussian
/// noise of that PSD has unit variance per sample.
pub fn whiten(x: &[f64], sample_rate: f64, psd: &Psd, alpha: f64, f_lo: f64, f_hi: f64) -> Vec<f64> {
    let n = x.len();
    let w = tukey(n, alpha);
    let wf = w.iter().map(|v| v * v).sum::<f64>() / n as f64;
    let mut fs = rfft_strain(x, Some(&w), sample_rate);
    let dt = 1.0 / sample_rate;
    let band = (f_hi.min(sample_rate / 2.0) - f_lo).max(1e-9);
    // E|d̃|² = T S ⟨w²⟩/2; unit-variance white noise has E|FFT|² = N, and a
    // band B keeps the fraction 2BΔt of its variance
    let norm = (1.0 / (2.0 * band * dt)).sqrt();
    for k in 0..fs.re.len() {
        let f = fs.frequencies[k];
        let s = psd.at(f);
        let keep = f >= f_lo && f <= f_hi && s.is_finite() && s > 0.0;
        // d̃ · Δt √(2/(Δt S ⟨w²⟩)) is Δt × the FFT of the whitened series
        let g = if keep {
            dt * (2.0 / (dt * s * wf)).sqrt() * norm
        } else {
            0.0
        };
        fs.re[k] *= g;
        fs.im[k] *= g;
    }
    irfft_strain(&fs, n, sample_rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tukey_matches_scipy() {
        // scipy.signal.windows.tukey(11, 0.5)
        let w = tukey(11, 0.5);
        let want = [
            0.0, 0.3454915, 0.9045085, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9045085, 0.3454915, 0.0,
        ];
        for (a, b) in w.iter().zip(want) {
            assert!((a - b).abs() < 1e-7, "{w:?}");
        }
    }

    #[test]
    fn median_bias_values() {
        // scipy.signal._spectral_py._median_bias
        assert_eq!(median_bias(1), 1.0);
        assert!((median_bias(3) - (1.0 - 0.5 + 1.0 / 3.0)).abs() < 1e-15);
        assert!((median_bias(11) - 0.7365440115440115).abs() < 1e-12);
    }

    #[test]
    fn fft_round_trip_and_parseval() {
        let x: Vec<f64> = (0..64).map(|i| ((i * 7919) % 13) as f64 - 6.0).collect();
        let fs = rfft_strain(&x, None, 16.0);
        let y = irfft_strain(&fs, 64, 16.0);
        for (a, b) in x.iter().zip(&y) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn whitening_makes_white_noise_unit_variance() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, StandardNormal};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let fs = 256.0;
        let sigma = 3e-3;
        let x: Vec<f64> = (0..8192)
            .map(|_| sigma * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng))
            .collect();
        // white noise of variance σ² has one-sided PSD 2σ²/f_s
        let psd = Psd {
            frequencies: vec![0.0, 128.0],
            values: vec![2.0 * sigma * sigma / fs; 2],
        };
        let w = whiten(&x, fs, &psd, 0.1, 10.0, 100.0);
        let mid = &w[1000..7000];
        let var = mid.iter().map(|v| v * v).sum::<f64>() / mid.len() as f64;
        assert!((var - 1.0).abs() < 0.1, "{var}");
    }
}
