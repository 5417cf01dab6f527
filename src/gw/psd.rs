//! Noise power spectral densities: loading two-column text files, linear
//! interpolation onto a frequency grid, the built-in aLIGO design curve and
//! an analytic fit, and coloured Gaussian noise.

use super::{GwError, GwResult};
use rand::Rng;
use rand_distr::StandardNormal;

/// A one-sided PSD S_n(f) [1/Hz] tabulated on increasing frequencies [Hz].
#[derive(Debug, Clone, PartialEq)]
pub struct Psd {
    /// Frequencies [Hz], strictly increasing.
    pub frequencies: Vec<f64>,
    /// PSD values [1/Hz].
    pub values: Vec<f64>,
}

/// The aLIGO design PSD (zero-detuned high power, LIGO-T0900288), as
/// evaluated by LALSimulation on 20–2048 Hz every 1 Hz.
pub const ALIGO_ZERO_DET_HIGH_P: &str = include_str!("data/aLIGO_ZERO_DET_high_P_20_2048_df1.txt");

impl Psd {
    /// Parses whitespace-separated `f S(f)` rows (`#` comments allowed);
    /// `name` is used in error messages. Columns may be an ASD when
    /// `is_asd` (then squared).
    pub fn from_text(text: &str, name: &str, is_asd: bool) -> GwResult<Self> {
        let mut f = Vec::new();
        let mut s = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') || t.starts_with('%') {
                continue;
            }
            let mut it = t.split_whitespace();
            let parse = |x: Option<&str>| -> GwResult<f64> {
                x.and_then(|v| v.parse::<f64>().ok())
                    .ok_or_else(|| GwError::Input {
                        name: name.to_string(),
                        msg: format!("line {}: expected two numbers", i + 1),
                    })
            };
            let fi = parse(it.next())?;
            let si = parse(it.next())?;
            if let Some(&last) = f.last() {
                if fi <= last {
                    return Err(GwError::Input {
                        name: name.to_string(),
                        msg: format!("line {}: frequencies not increasing", i + 1),
                    });
                }
            }
            f.push(fi);
            s.push(if is_asd { si * si } else { si });
        }
        if f.len() < 2 {
            return Err(GwError::Input {
                name: name.to_string(),
                msg: "fewer than two rows".into(),
            });
        }
        Ok(Self {
            frequencies: f,
            values: s,
        })
    }

    /// Reads a two-column PSD (or ASD) file.
    pub fn from_file(path: &std::path::Path, is_asd: bool) -> GwResult<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| GwError::Input {
            name: path.display().to_string(),
            msg: e.to_string(),
        })?;
        Self::from_text(&text, &path.display().to_string(), is_asd)
    }

    /// The aLIGO design curve ([`ALIGO_ZERO_DET_HIGH_P`]).
    pub fn aligo_design() -> Self {
        Self::from_text(ALIGO_ZERO_DET_HIGH_P, "aLIGO design PSD", false).expect("built-in PSD parses")
    }

    /// Linear interpolation at `f` [Hz]; +∞ outside the tabulated range
    /// (those bins then carry no weight).
    pub fn at(&self, f: f64) -> f64 {
        let fr = &self.frequencies;
        if f < fr[0] || f > fr[fr.len() - 1] || f.is_nan() {
            return f64::INFINITY;
        }
        let k = fr.partition_point(|&x| x <= f).clamp(1, fr.len() - 1);
        let (f0, f1) = (fr[k - 1], fr[k]);
        let (s0, s1) = (self.values[k - 1], self.values[k]);
        s0 + (s1 - s0) * (f - f0) / (f1 - f0)
    }

    /// The PSD on a frequency grid.
    pub fn on_grid(&self, freqs: &[f64]) -> Vec<f64> {
        freqs.iter().map(|&f| self.at(f)).collect()
    }
}

/// Analytic fit to the aLIGO zero-detuned high-power PSD [1/Hz] (Ajith 2011,
/// Phys. Rev. D 84, 084037, Eq. 4.7): with x = f/215 Hz,
/// S = 1e-49 [x^-4.14 − 5 x^-2 + 111 (1 − x² + x⁴/2)/(1 + x²/2)].
pub fn aligo_analytic(f: f64) -> f64 {
    let x = f / 215.0;
    let x2 = x * x;
    1e-49 * (x.powf(-4.14) - 5.0 / x2 + 111.0 * (1.0 - x2 + 0.5 * x2 * x2) / (1.0 + 0.5 * x2))
}

/// Coloured Gaussian noise in the frequency domain for a segment of
/// `duration` [s]: independent real and imaginary parts with variance
/// T S(f)/4 each, so that E|ñ|² = T S(f)/2 (one-sided PSD). Bins with
/// infinite PSD get zero. Returns (re, im).
pub fn coloured_noise<R: Rng>(psd: &[f64], duration: f64, rng: &mut R) -> (Vec<f64>, Vec<f64>) {
    let mut re = Vec::with_capacity(psd.len());
    let mut im = Vec::with_capacity(psd.len());
    for &s in psd {
        if s.is_finite() {
            let sigma = (duration * s / 4.0).sqrt();
            re.push(sigma * rng.sample::<f64, _>(StandardNormal));
            im.push(sigma * rng.sample::<f64, _>(StandardNormal));
        } else {
            re.push(0.0);
            im.push(0.0);
        }
    }
    (re, im)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn design_curve_and_fit_agree_roughly() {
        let p = Psd::aligo_design();
        // the fit describes the earlier aLIGO curve: close in the bucket,
        // a few times off on the low-frequency wall
        for (f, tol) in [(30.0, 5.0), (100.0, 3.0), (500.0, 3.0)] {
            let r = p.at(f) / aligo_analytic(f);
            assert!(r > 1.0 / tol && r < tol, "{f}: ratio {r}");
        }
        assert!(p.at(10.0).is_infinite());
    }

    #[test]
    fn noise_has_the_psd_variance() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let psd = vec![2.0; 20000];
        let (re, im) = coloured_noise(&psd, 4.0, &mut rng);
        let m: f64 = re.iter().zip(&im).map(|(a, b)| a * a + b * b).sum::<f64>() / 20000.0;
        assert!((m / (4.0 * 2.0 / 2.0) - 1.0).abs() < 0.05, "{m}");
    }
}
