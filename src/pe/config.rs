//! The configuration of a `ferrax pe` run (TOML): data and noise,
//! detectors and PSDs, the injected signal, priors, likelihood and sampler
//! settings. Unknown keys are errors; [`PeConfig::validate`] names the bad
//! key.

// `!(a < b)` deliberately rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::PeError;
use crate::gw::likelihood::N_PARAMS;
use serde::{Deserialize, Serialize};

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeConfig {
    /// Seed of every random number of the run (noise has its own seed).
    pub seed: u64,
    /// Data segment, band and noise.
    pub data: DataConfig,
    /// The interferometers (at least one).
    pub detectors: Vec<DetectorConfig>,
    /// The injected signal (absent when the data come from strain files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub injection: Option<InjectionConfig>,
    /// Prior bounds.
    pub prior: PriorConfig,
    /// Likelihood settings.
    pub likelihood: LikelihoodConfig,
    /// Sampler settings.
    pub sampler: SamplerConfig,
    /// Published values to set beside the posterior (`comparison.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<PublishedConfig>,
}

/// Published medians and 90 % intervals of some output columns, written
/// beside this run's values in `comparison.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedConfig {
    /// The source (paper, table).
    pub citation: String,
    /// Output column name (e.g. `chirp_mass`) → `[median, 5 %, 95 %]`.
    pub values: std::collections::BTreeMap<String, [f64; 3]>,
    /// Notes on individual entries (e.g. how a value was derived).
    #[serde(default)]
    pub notes: std::collections::BTreeMap<String, String>,
}

/// Data segment and noise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// Segment duration T [s].
    pub duration_s: f64,
    /// Sampling frequency [Hz]; sets the Nyquist frequency.
    pub sampling_frequency_hz: f64,
    /// Lower end of the analysed band [Hz].
    pub f_min_hz: f64,
    /// Upper end of the analysed band [Hz] (≤ Nyquist).
    pub f_max_hz: f64,
    /// Waveform reference frequency [Hz].
    pub f_ref_hz: f64,
    /// Trigger (GPS) time [s]: centre of the coalescence-time prior.
    pub trigger_time: f64,
    /// Seconds of data after the trigger (the segment starts at
    /// `trigger_time + post_trigger_s − duration_s`).
    pub post_trigger_s: f64,
    /// `"gaussian"` (coloured Gaussian noise from each PSD) or `"zero"`.
    pub noise: String,
    /// Seed of the Gaussian noise.
    pub noise_seed: u64,
    /// Tukey window taper fraction α applied to time-domain strain files
    /// before the FFT (default 0.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tukey_alpha: Option<f64>,
    /// Welch PSD (`psd = "welch"`): segment length [s] (default `duration_s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psd_segment_s: Option<f64>,
    /// Welch PSD: overlap of consecutive segments [s] (default half a segment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psd_overlap_s: Option<f64>,
    /// Welch PSD: `"median"` (default; bias-corrected, as gwpy and bilby)
    /// or `"mean"` averaging of the periodograms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psd_averaging: Option<String>,
}

/// One interferometer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorConfig {
    /// Built-in name: H1, L1, V1, K1, CE, ET1, ET2, ET3.
    pub name: String,
    /// `"aligo_design"`, `"welch"` (estimated from the off-source part of
    /// the time-domain `strain` file) or a two-column text file `f S(f)`
    /// [Hz, 1/Hz].
    pub psd: String,
    /// The file's second column is an ASD [1/√Hz] rather than a PSD.
    #[serde(default)]
    pub psd_is_asd: bool,
    /// Strain file: time domain (GWOSC `.hdf5`/`.h5`, `.txt.gz`/`.txt`
    /// with the GWOSC header, or two columns `t h(t)`), or frequency domain
    /// (`.npy` of shape `[n, 3]`, or text `*.fd.txt`, columns `f`, Re d̃,
    /// Im d̃ [Hz, 1/Hz]). Absent: simulated data (`[injection]` and
    /// `data.noise`). Relative paths are relative to the working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strain: Option<String>,
}

/// The injected aligned-spin binary black hole (detector-frame masses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InjectionConfig {
    /// Primary mass [M☉].
    pub m1: f64,
    /// Secondary mass [M☉].
    pub m2: f64,
    /// Primary dimensionless aligned spin.
    pub chi1z: f64,
    /// Secondary dimensionless aligned spin.
    pub chi2z: f64,
    /// Luminosity distance [Mpc].
    pub distance_mpc: f64,
    /// Inclination of the total angular momentum [rad].
    pub theta_jn: f64,
    /// Orbital phase at the reference frequency [rad].
    pub phase: f64,
    /// Polarisation angle [rad].
    pub psi: f64,
    /// Right ascension [rad].
    pub ra: f64,
    /// Declination [rad].
    pub dec: f64,
    /// Coalescence time minus the trigger time [s].
    pub geocent_time_offset_s: f64,
}

/// Prior bounds (shapes: chirp mass and mass ratio uniform, spins uniform,
/// distance ∝ d², time uniform, angles isotropic/uniform).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorConfig {
    /// Detector-frame chirp mass range [M☉].
    pub chirp_mass: [f64; 2],
    /// Mass ratio q = m2/m1 range (upper end ≤ 1).
    pub mass_ratio: [f64; 2],
    /// Largest |χ| of either aligned spin (< 1).
    pub chi_max: f64,
    /// Luminosity distance range [Mpc].
    pub luminosity_distance: [f64; 2],
    /// Half-width of the coalescence-time window around the trigger [s].
    pub time_half_width_s: f64,
    /// Sample (φ, ψ) on a fundamental domain of the exact
    /// (φ, ψ) → (φ + π/2, ψ + π/2) degeneracy of dominant-mode waveforms,
    /// of width π × π/2 and centred on the reference point [rad], and map
    /// each draw back to one of its four images in [0, 2π) × [0, π) at random (the
    /// posterior on the full ranges, without the sampler having to hop
    /// between four identical modes).
    #[serde(default = "default_true")]
    pub fold_phase_polarization: bool,
}

fn default_true() -> bool {
    true
}

/// Likelihood settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LikelihoodConfig {
    /// `"relative_binning"` or `"full"`.
    pub kind: String,
    /// Relative-binning frequency bins.
    pub n_bins: usize,
    /// Relative-binning interpolation order (1 or 2).
    pub order: usize,
    /// Gradient-ascent steps of the reference-parameter search.
    pub reference_iterations: usize,
    /// Adam learning rate of that search.
    pub reference_learning_rate: f64,
    /// Independent coherent sky/orientation searches of the reference
    /// search on real data (no injection to start from; see
    /// [`crate::pe::search`]); the best is refined by Adam (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_starts: Option<usize>,
}

/// Flow-enhanced sampler settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamplerConfig {
    /// Parallel chains.
    pub n_chains: usize,
    /// Local (MALA) steps per training loop.
    pub n_local_steps: usize,
    /// Local steps per production loop.
    pub n_local_steps_production: usize,
    /// Global (flow) steps per loop.
    pub n_global_steps: usize,
    /// Training loops (adaptation and flow training; discarded).
    pub n_training_loops: usize,
    /// Production loops (kept).
    pub n_production_loops: usize,
    /// Initial local step size (in the unconstrained coordinates).
    pub step_size: f64,
    /// Flow coupling layers.
    pub flow_layers: usize,
    /// Hidden widths of the flow's conditioner networks.
    pub flow_hidden: Vec<usize>,
    /// Flow training epochs per training loop.
    pub train_epochs: usize,
    /// Flow training batch size.
    pub train_batch_size: usize,
    /// Most recent positions kept for flow training.
    pub max_buffer: usize,
    /// Chains start at the reference point with this spread in the
    /// unconstrained coordinates (`0` would start them all at one point).
    pub init_spread: f64,
    /// Start the chains from the Laplace approximation at the reference
    /// point (and at its approximate images), over-dispersed by 2:
    /// z ~ N(z_ref, 4 (−∇²log p + 0.1 I)⁻¹) in the unconstrained coordinates
    /// (Hessian by central differences of the exact gradient; steps capped
    /// at 3), so that they begin wider than the posterior and with its
    /// correlations (default false: `init_spread` around the reference
    /// point and its images). Used for the low-SNR injections of the P-P
    /// test; at high SNR (the default event, SNR 97) chains started this
    /// wide do not reach the posterior within 8 training loops.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_laplace: Option<bool>,
    /// Inverse mass matrix of the MALA kernel: `"dense"` (pooled
    /// within-chain covariance, shrunk towards its diagonal; the default)
    /// or `"diagonal"` (within-chain variances).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mass_matrix: Option<String>,
    /// Keep every `thin`-th production step of each chain (default 1: all).
    /// With more production loops, a thinned run gives nearly independent
    /// draws at the same file size (e.g. 10× the loops with `thin = 10`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thin: Option<usize>,
    /// Checkpoint every this many loops.
    pub checkpoint_every: usize,
    /// Estimate the evidence (learned harmonic mean).
    pub evidence: bool,
    /// Worker threads for the likelihood (0: all cores).
    pub threads: usize,
}

impl Default for PeConfig {
    /// The built-in run: an IMRPhenomD binary black hole in H1, L1, V1.
    fn default() -> Self {
        let det = |n: &str| DetectorConfig {
            name: n.into(),
            psd: "aligo_design".into(),
            psd_is_asd: false,
            strain: None,
        };
        PeConfig {
            seed: 0,
            data: DataConfig {
                duration_s: 4.0,
                sampling_frequency_hz: 2048.0,
                f_min_hz: 20.0,
                f_max_hz: 1024.0,
                f_ref_hz: 20.0,
                trigger_time: 1126259462.0,
                post_trigger_s: 2.0,
                noise: "gaussian".into(),
                noise_seed: 1234,
                tukey_alpha: None,
                psd_segment_s: None,
                psd_overlap_s: None,
                psd_averaging: None,
            },
            detectors: vec![det("H1"), det("L1"), det("V1")],
            injection: Some(InjectionConfig {
                m1: 36.0,
                m2: 29.0,
                chi1z: 0.3,
                chi2z: -0.1,
                distance_mpc: 400.0,
                theta_jn: 0.4,
                phase: 1.3,
                psi: 2.659,
                ra: 1.375,
                dec: -1.2108,
                geocent_time_offset_s: 0.0,
            }),
            prior: PriorConfig {
                chirp_mass: [20.0, 40.0],
                mass_ratio: [0.125, 1.0],
                chi_max: 0.99,
                luminosity_distance: [100.0, 2000.0],
                time_half_width_s: 0.1,
                fold_phase_polarization: true,
            },
            likelihood: LikelihoodConfig {
                kind: "relative_binning".into(),
                n_bins: 100,
                order: 2,
                reference_iterations: 150,
                reference_learning_rate: 0.05,
                reference_starts: None,
            },
            sampler: SamplerConfig {
                n_chains: 200,
                n_local_steps: 30,
                n_local_steps_production: 10,
                n_global_steps: 30,
                n_training_loops: 8,
                n_production_loops: 6,
                step_size: 0.05,
                flow_layers: 6,
                flow_hidden: vec![64, 64],
                train_epochs: 5,
                train_batch_size: 2000,
                max_buffer: 10_000,
                init_spread: 0.05,
                init_laplace: None,
                mass_matrix: Some("dense".into()),
                thin: None,
                checkpoint_every: 2,
                evidence: true,
                threads: 0,
            },
            published: None,
        }
    }
}

fn bad(key: &str, msg: impl Into<String>) -> PeError {
    PeError::Config {
        key: key.into(),
        msg: msg.into(),
    }
}

fn positive(key: &str, v: f64) -> Result<(), PeError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(bad(key, format!("must be positive and finite, got {v}")))
    }
}

fn range(key: &str, r: [f64; 2]) -> Result<(), PeError> {
    if r[0].is_finite() && r[1].is_finite() && r[0] < r[1] {
        Ok(())
    } else {
        Err(bad(
            key,
            format!("bounds [{}, {}] must be finite and increasing", r[0], r[1]),
        ))
    }
}

impl PeConfig {
    /// Parses TOML text; `origin` (a file name) prefixes errors. Errors are
    /// one line and name the offending key.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, PeError> {
        let cfg: PeConfig = toml::from_str(text).map_err(|e| {
            let start = e.span().map(|s| s.start.min(text.len()));
            // the offending line names the key when the message does not
            let context = start
                .and_then(|st| text[st..].lines().next().map(|rest| (st, rest)))
                .map(|(st, rest)| {
                    let head = text[..st].rsplit('\n').next().unwrap_or("");
                    let line: String = format!("{head}{rest}").trim().chars().take(80).collect();
                    format!(" (at `{line}`)")
                })
                .unwrap_or_default();
            PeError::Parse {
                origin: origin.into(),
                msg: format!("{}{context}", e.message().replace('\n', " ")),
                line: start.map(|st| text[..st].lines().count().max(1)),
            }
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// The configuration as TOML.
    pub fn to_toml(&self) -> Result<String, PeError> {
        toml::to_string(self).map_err(|e| bad("config", e.to_string()))
    }

    /// Checks every setting, naming the first bad key.
    pub fn validate(&self) -> Result<(), PeError> {
        let d = &self.data;
        positive("data.duration_s", d.duration_s)?;
        positive("data.sampling_frequency_hz", d.sampling_frequency_hz)?;
        positive("data.f_min_hz", d.f_min_hz)?;
        positive("data.f_ref_hz", d.f_ref_hz)?;
        if !(d.f_min_hz < d.f_max_hz) {
            return Err(bad(
                "data.f_max_hz",
                format!("f_min_hz ({}) must be < f_max_hz ({})", d.f_min_hz, d.f_max_hz),
            ));
        }
        if d.f_max_hz > d.sampling_frequency_hz / 2.0 {
            return Err(bad(
                "data.f_max_hz",
                format!(
                    "{} exceeds the Nyquist frequency {}",
                    d.f_max_hz,
                    d.sampling_frequency_hz / 2.0
                ),
            ));
        }
        if !(d.post_trigger_s >= 0.0 && d.post_trigger_s < d.duration_s) {
            return Err(bad("data.post_trigger_s", "must lie in [0, duration_s)"));
        }
        if !d.trigger_time.is_finite() {
            return Err(bad("data.trigger_time", "must be finite"));
        }
        if d.noise != "gaussian" && d.noise != "zero" {
            return Err(bad(
                "data.noise",
                format!("'{}' is not \"gaussian\" or \"zero\"", d.noise),
            ));
        }
        if self.detectors.is_empty() {
            return Err(bad("detectors", "at least one detector is needed"));
        }
        for (i, det) in self.detectors.iter().enumerate() {
            crate::gw::detector::Detector::by_name(&det.name).map_err(|_| {
                bad(
                    &format!("detectors[{i}].name"),
                    format!("unknown detector '{}'", det.name),
                )
            })?;
            if self.detectors[..i].iter().any(|o| o.name == det.name) {
                return Err(bad(
                    &format!("detectors[{i}].name"),
                    format!("detector '{}' listed twice", det.name),
                ));
            }
        }
        let p = &self.prior;
        range("prior.chirp_mass", p.chirp_mass)?;
        positive("prior.chirp_mass", p.chirp_mass[0])?;
        range("prior.mass_ratio", p.mass_ratio)?;
        if !(p.mass_ratio[0] > 0.0 && p.mass_ratio[1] <= 1.0) {
            return Err(bad("prior.mass_ratio", "must lie in (0, 1]"));
        }
        if !(p.chi_max > 0.0 && p.chi_max < 1.0) {
            return Err(bad("prior.chi_max", "must lie in (0, 1)"));
        }
        range("prior.luminosity_distance", p.luminosity_distance)?;
        positive("prior.luminosity_distance", p.luminosity_distance[0])?;
        positive("prior.time_half_width_s", p.time_half_width_s)?;
        let n_strain = self.detectors.iter().filter(|d| d.strain.is_some()).count();
        if n_strain != 0 && n_strain != self.detectors.len() {
            let i = self
                .detectors
                .iter()
                .position(|d| d.strain.is_none())
                .unwrap_or(0);
            return Err(bad(
                &format!("detectors[{i}].strain"),
                "either every detector or none has a strain file",
            ));
        }
        for (i, det) in self.detectors.iter().enumerate() {
            if det.psd == "welch" && det.strain.as_deref().is_none_or(is_frequency_domain) {
                return Err(bad(
                    &format!("detectors[{i}].psd"),
                    "\"welch\" needs a time-domain strain file",
                ));
            }
        }
        if let Some(a) = d.tukey_alpha {
            if !(0.0..=1.0).contains(&a) {
                return Err(bad("data.tukey_alpha", format!("{a} is not in [0, 1]")));
            }
        }
        if let Some(v) = d.psd_segment_s {
            positive("data.psd_segment_s", v)?;
        }
        if let Some(v) = d.psd_overlap_s {
            if !(v >= 0.0 && v < d.psd_segment_s.unwrap_or(d.duration_s)) {
                return Err(bad("data.psd_overlap_s", "must lie in [0, psd_segment_s)"));
            }
        }
        if let Some(a) = &d.psd_averaging {
            if a != "median" && a != "mean" {
                return Err(bad(
                    "data.psd_averaging",
                    format!("'{a}' is not \"median\" or \"mean\""),
                ));
            }
        }
        match (&self.injection, n_strain) {
            (None, 0) => {
                return Err(bad(
                    "injection",
                    "missing: give [injection] or a strain file for every detector",
                ))
            }
            (Some(_), n) if n > 0 => {
                return Err(bad(
                    "injection",
                    "an injection into strain files is not supported; remove [injection] or the strain files",
                ))
            }
            _ => {}
        }
        if let Some(inj) = &self.injection {
            for (v, k) in injection_values(inj).iter().zip(INJECTION_KEYS) {
                if !v.is_finite() {
                    return Err(bad(&format!("injection.{k}"), "must be finite"));
                }
            }
            if inj.m2 > inj.m1 || inj.m2 <= 0.0 {
                return Err(bad("injection.m2", "need 0 < m2 ≤ m1"));
            }
        }
        let l = &self.likelihood;
        if l.kind != "relative_binning" && l.kind != "full" {
            return Err(bad(
                "likelihood.kind",
                format!("'{}' is not \"relative_binning\" or \"full\"", l.kind),
            ));
        }
        if l.order != 1 && l.order != 2 {
            return Err(bad("likelihood.order", "must be 1 or 2"));
        }
        if l.n_bins == 0 {
            return Err(bad("likelihood.n_bins", "must be positive"));
        }
        let s = &self.sampler;
        for (k, v) in [
            ("sampler.n_chains", s.n_chains),
            ("sampler.n_training_loops", s.n_training_loops),
            ("sampler.n_production_loops", s.n_production_loops),
            ("sampler.flow_layers", s.flow_layers),
            ("sampler.train_batch_size", s.train_batch_size),
        ] {
            if v == 0 {
                return Err(bad(k, "must be positive"));
            }
        }
        if s.thin == Some(0) {
            return Err(bad("sampler.thin", "must be ≥ 1"));
        }
        if s.n_local_steps_production + s.n_global_steps == 0 {
            return Err(bad("sampler.n_global_steps", "production keeps no draws"));
        }
        positive("sampler.step_size", s.step_size)?;
        if !(s.init_spread >= 0.0) {
            return Err(bad("sampler.init_spread", "must be ≥ 0"));
        }
        if let Some(m) = &s.mass_matrix {
            if m != "dense" && m != "diagonal" {
                return Err(bad(
                    "sampler.mass_matrix",
                    format!("'{m}' is not \"dense\" or \"diagonal\""),
                ));
            }
        }
        Ok(())
    }

    /// The injection in the likelihood's parameter order (absolute GPS
    /// time), when the data are simulated.
    pub fn injection_params(&self) -> Option<[f64; N_PARAMS]> {
        let i = self.injection.as_ref()?;
        Some([
            i.m1,
            i.m2,
            i.chi1z,
            i.chi2z,
            i.distance_mpc,
            i.theta_jn,
            i.phase,
            i.psi,
            i.ra,
            i.dec,
            self.data.trigger_time + i.geocent_time_offset_s,
        ])
    }

    /// Whether the data come from strain files.
    pub fn uses_strain_files(&self) -> bool {
        self.detectors.iter().any(|d| d.strain.is_some())
    }
}

/// Whether a strain file name denotes frequency-domain data (`.npy`, or
/// text ending in `.fd.txt`).
pub fn is_frequency_domain(path: &str) -> bool {
    let l = path.to_ascii_lowercase();
    l.ends_with(".npy") || l.ends_with(".fd.txt")
}

fn injection_values(i: &InjectionConfig) -> [f64; N_PARAMS] {
    [
        i.m1,
        i.m2,
        i.chi1z,
        i.chi2z,
        i.distance_mpc,
        i.theta_jn,
        i.phase,
        i.psi,
        i.ra,
        i.dec,
        i.geocent_time_offset_s,
    ]
}

const INJECTION_KEYS: [&str; N_PARAMS] = [
    "m1",
    "m2",
    "chi1z",
    "chi2z",
    "distance_mpc",
    "theta_jn",
    "phase",
    "psi",
    "ra",
    "dec",
    "geocent_time_offset_s",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips_through_toml() {
        let c = PeConfig::default();
        let text = c.to_toml().unwrap();
        assert_eq!(PeConfig::from_toml(&text, "x").unwrap(), c);
    }

    #[test]
    fn errors_name_the_key() {
        let text = PeConfig::default().to_toml().unwrap();
        let e = PeConfig::from_toml(&text.replace("f_min_hz = 20.0", "f_min_hz = 2000.0"), "c.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("data.f_max_hz"), "{e}");
        let e = PeConfig::from_toml(
            &text.replace("chirp_mass = [20.0, 40.0]", "chirp_mass = [40.0, 20.0]"),
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("prior.chirp_mass"), "{e}");
        let e = PeConfig::from_toml(&text.replace("noise_seed", "noise_sed"), "c.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("noise_sed") && !e.contains('\n'), "{e}");
    }
}
