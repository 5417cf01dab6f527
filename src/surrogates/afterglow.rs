//! The afterglow surrogate: physical parameters of a gamma-ray-burst jet →
//! log10 flux density [mJy] on a (band × time) grid, emulating afterglowpy
//! (Ryan, van Eerten, Piro & Troja 2020, ApJ 896, 166) as fiesta does
//! (Koehler et al. 2025), with its scalers, grids, prior box and training
//! record, saved as one bincode file.
//!
//! Pipeline (both on plain `f64` and on the tape):
//! parameters → features (stored coordinate, `ln` for log-uniform ones,
//! mapped to [-1, 1] by the prior box, plus the combinations `ln(1 + θ_obs/θ_c)`,
//! `ln(θ_obs + θ_c)` and `ln(p − 2)` scaled the same way: see `DerivedFeature`)
//! → MLP → `y' = mean + scale · out` → `log10 F = C⁻¹(y') + s(x)`, where `C`
//! compresses the very faint tail (see [`Compression`]) and `s` is the exact
//! flux offset of the energy–density scaling (see [`EnergyDensityScaling`];
//! with it the network sees only the two combinations of `E0`, `n0` and
//! `ε_B` the light curve's shape depends on, so it learns a function of one
//! variable fewer). With the time-stretch fold ([`StretchFold`]) the
//! network predicts the curve in the frame of one fixed `E0/n0` on a wider
//! time grid, and each curve is read off it at its own stretched times
//! before `C⁻¹` (one variable fewer again).

pub use super::accuracy::{accuracy_of, Accuracy};
pub use super::compression::Compression;
use super::interp::GridShift;
use super::mlp::Mlp;
use super::stretch::StretchFold;
use super::SurrogateError;
use ferrax_autodiff::Tensor;
use serde::{Deserialize, Serialize};

/// AB magnitude of 1 mJy: `m_AB = AB_MJY_ZERO_POINT − 2.5 log10(F / mJy)`
/// (Oke & Gunn 1983: m_AB = −2.5 log10 F[erg s⁻¹ cm⁻² Hz⁻¹] − 48.60, 1 mJy = 1e-26 cgs).
pub const AB_MJY_ZERO_POINT: f64 = 16.40;

/// Converts log10(F / mJy) to AB magnitude.
#[inline]
pub fn log_flux_to_mag(log10_f_mjy: f64) -> f64 {
    AB_MJY_ZERO_POINT - 2.5 * log10_f_mjy
}

/// The jet structure of afterglowpy the model emulates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Jet {
    /// Top-hat jet (afterglowpy `jetType = -1`).
    TopHat,
    /// Gaussian jet truncated at θ_w = alphaWing · θ_c (afterglowpy `jetType = 0`).
    Gaussian,
}

impl Jet {
    /// The name used in file names and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Jet::TopHat => "tophat",
            Jet::Gaussian => "gaussian",
        }
    }
}

impl std::str::FromStr for Jet {
    type Err = SurrogateError;
    fn from_str(s: &str) -> Result<Self, SurrogateError> {
        match s.to_ascii_lowercase().as_str() {
            "tophat" | "top-hat" => Ok(Jet::TopHat),
            "gaussian" => Ok(Jet::Gaussian),
            _ => Err(SurrogateError::invalid(
                "jet",
                format!("unknown jet '{s}' (tophat or gaussian)"),
            )),
        }
    }
}

/// One model parameter with its prior (training) range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    /// Name, as in the training data (e.g. `log10_E0`).
    pub name: String,
    /// Lower edge of the range (in the parameter's own unit).
    pub min: f64,
    /// Upper edge of the range.
    pub max: f64,
    /// Drawn uniformly in `ln` of the value (else uniformly in the value).
    pub log_uniform: bool,
    /// Unit, for documentation (`rad`, `log10 erg`, ...).
    pub unit: String,
}

impl ParamSpec {
    /// A parameter drawn uniformly in its value over `[min, max]` (unit left blank).
    pub fn uniform(name: &str, min: f64, max: f64) -> Self {
        ParamSpec {
            name: name.into(),
            min,
            max,
            log_uniform: false,
            unit: String::new(),
        }
    }

    /// The coordinate the prior is uniform in: `ln x` or `x`.
    #[inline]
    pub fn to_uniform(&self, x: f64) -> f64 {
        if self.log_uniform {
            x.ln()
        } else {
            x
        }
    }

    /// Range of [`ParamSpec::to_uniform`].
    pub fn uniform_range(&self) -> (f64, f64) {
        (self.to_uniform(self.min), self.to_uniform(self.max))
    }
}

/// One photometric band: a name and its frequency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Name, as in the training data and observation files (e.g. `optical_r`).
    pub name: String,
    /// Observer-frame frequency [Hz].
    pub nu_hz: f64,
}

/// An exact scaling symmetry of afterglowpy's model (synchrotron
/// `SimpleSpec`, no self-absorption): `E0 → λ E0`, `n0 → λ n0`,
/// `ε_B → ε_B / λ` multiplies the flux density at every time and frequency
/// by `λ`. The blast-wave dynamics depend on `E0` and `n0` only through the
/// Sedov length `(E0 / n0 m_p c²)^(1/3)`, so `Γ(t)` and `R(t)` are unchanged;
/// so are `B ∝ (ε_B n0)^(1/2) Γ` and the electron Lorentz factors `γ_m`,
/// `γ_c`, hence `ν_m` and `ν_c`; the number of radiating electrons, and with
/// it `F_ν,max`, scales as `n0` (Sari, Piran & Narayan 1998, ApJ 497, L17,
/// eqs. 3-7; van Eerten, Zhang & MacFadyen 2010, ApJ 722, 235, sec. 5).
/// afterglowpy 0.8.1 obeys it to 1e-12 dex (checked on the reference point
/// and two others for `log10 λ = 0.7` and `-1.3`).
///
/// The surrogate therefore writes `log10 F(x) = G(u, v, …) + s(x)` with the
/// offset `s = log10 E0 − reference_log_energy` and the invariants
/// `u = log10(E0/n0)`, `v = log10(n0 ε_B)` as network inputs in place of
/// the three parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnergyDensityScaling {
    /// Column of `log10_E0` [log10 erg].
    pub log_energy: usize,
    /// Column of `log10_n0` [log10 cm⁻³].
    pub log_density: usize,
    /// Column of `log10_epsilon_B`.
    pub log_epsilon_b: usize,
    /// `log10 E0` [log10 erg] at which the offset `s` is zero (mid-range).
    pub reference_log_energy: f64,
}

impl EnergyDensityScaling {
    /// The symmetry of a parameter list with `log10_E0`, `log10_n0` and
    /// `log10_epsilon_B`, all uniform in the stored coordinate; `None` otherwise.
    pub fn detect(params: &[ParamSpec]) -> Option<Self> {
        let find = |name: &str| {
            params
                .iter()
                .position(|p| p.name == name)
                .filter(|&i| !params[i].log_uniform)
        };
        let (e, n, b) = (find("log10_E0")?, find("log10_n0")?, find("log10_epsilon_B")?);
        Some(EnergyDensityScaling {
            log_energy: e,
            log_density: n,
            log_epsilon_b: b,
            reference_log_energy: 0.5 * (params[e].min + params[e].max),
        })
    }

    /// Flux offset `s(x)` [dex] of the parameter row `x`.
    #[inline]
    pub fn offset(&self, x: &[f64]) -> f64 {
        x[self.log_energy] - self.reference_log_energy
    }

    /// [`EnergyDensityScaling::offset`] on the tape: `[n, n_params]` → `[n, 1]`.
    fn offset_tensor(&self, x: &Tensor) -> Tensor {
        &x.slice(1, self.log_energy, self.log_energy + 1) - self.reference_log_energy
    }

    /// Whether column `j` is replaced by the invariants.
    fn replaces(&self, j: usize) -> bool {
        j == self.log_energy || j == self.log_density || j == self.log_epsilon_b
    }
}

/// How the surrogate was trained and how well it did on the validation set.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TrainingRecord {
    /// Training light curves.
    pub n_train: usize,
    /// Epochs run (summed over the members of an ensemble).
    pub epochs: usize,
    /// Wall time [s].
    pub seconds: f64,
    /// Random seed of the initialisation and the batches (of the first
    /// member of an ensemble; the others follow it, see the notes).
    pub seed: u64,
    /// Final training loss (mean squared error of the scaled, compressed
    /// targets; the members' mean for an ensemble).
    pub final_loss: f64,
    /// Accuracy on the validation set, if one was given.
    pub validation: Option<Accuracy>,
    /// Free-form description (data source, settings).
    pub notes: String,
}

/// A network input computed from several parameters, where the physics
/// depends on a combination the raw coordinates give only nonlinearly.
/// Each is mapped to [-1, 1] by its range over the prior box.
#[derive(Clone, Copy, Debug, PartialEq)]
enum DerivedFeature {
    /// `ln(1 + θ_obs/θ_c)`: on-axis (≈ 0) versus off-axis viewing.
    AngleRatio { obs: usize, core: usize },
    /// `ln(θ_obs + θ_c)`: the angle an off-axis observer sees the jet's
    /// edge at, which sets the time of the off-axis peak,
    /// t_peak ∝ (E/n)^(1/3) θ^(8/3) (e.g. Granot et al. 2002, ApJ 570, L61).
    AngleSum { obs: usize, core: usize },
    /// `ln(p − 2)`: the minimum electron Lorentz factor and ν_m scale as
    /// (p − 2)/(p − 1) (Sari, Piran & Narayan 1998, ApJ 497, L17, eq. 4),
    /// singular as p → 2.
    LogPMinusTwo { index: usize },
    /// `log10(E0 / n0)`: the energy per density that sets the blast-wave
    /// dynamics (an invariant of [`EnergyDensityScaling`]).
    EnergyPerDensity { energy: usize, density: usize },
    /// `log10(n0 ε_B)`: sets the magnetic field behind the shock (the other
    /// invariant of [`EnergyDensityScaling`]).
    MagneticDensity { density: usize, epsilon_b: usize },
    /// `log10 ε_e` in the canonical frame of the time-stretch fold.
    CanonicalEpsilonE(StretchFold),
    /// `log10(n0 ε_B)` in the canonical frame of the time-stretch fold.
    CanonicalMagneticDensity(StretchFold),
}

impl DerivedFeature {
    fn value(self, x: &[f64]) -> f64 {
        match self {
            DerivedFeature::AngleRatio { obs, core } => (x[obs] / x[core]).ln_1p(),
            DerivedFeature::AngleSum { obs, core } => (x[obs] + x[core]).ln(),
            DerivedFeature::LogPMinusTwo { index } => (x[index] - 2.0).ln(),
            DerivedFeature::EnergyPerDensity { energy, density } => x[energy] - x[density],
            DerivedFeature::MagneticDensity { density, epsilon_b } => x[density] + x[epsilon_b],
            DerivedFeature::CanonicalEpsilonE(f) => f.canonical_log_epsilon_e(x),
            DerivedFeature::CanonicalMagneticDensity(f) => f.canonical_magnetic_density(x),
        }
    }

    fn tensor(self, x: &Tensor) -> Tensor {
        let col = |j: usize| x.slice(1, j, j + 1);
        match self {
            DerivedFeature::AngleRatio { obs, core } => (&col(obs) / &col(core)).log1p(),
            DerivedFeature::AngleSum { obs, core } => (&col(obs) + &col(core)).ln(),
            DerivedFeature::LogPMinusTwo { index } => (&col(index) - 2.0).ln(),
            DerivedFeature::EnergyPerDensity { energy, density } => &col(energy) - &col(density),
            DerivedFeature::MagneticDensity { density, epsilon_b } => &col(density) + &col(epsilon_b),
            DerivedFeature::CanonicalEpsilonE(f) => f.canonical_log_epsilon_e_tensor(x),
            DerivedFeature::CanonicalMagneticDensity(f) => f.canonical_magnetic_density_tensor(x),
        }
    }
}

/// The network inputs of a surrogate: parameter columns fed as they are,
/// then derived features with their ranges over the prior box.
pub(crate) struct Inputs {
    direct: Vec<usize>,
    derived: Vec<(DerivedFeature, f64, f64)>,
}

impl Inputs {
    fn len(&self) -> usize {
        self.direct.len() + self.derived.len()
    }
}

/// The afterglow surrogate (see the module documentation).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AfterglowSurrogate {
    /// Jet structure.
    pub jet: Jet,
    /// Parameters in input order (the column order of the training X).
    pub params: Vec<ParamSpec>,
    /// Observer-frame times of the grid [days], increasing, log-spaced.
    pub times_days: Vec<f64>,
    /// Bands of the grid, in output order.
    pub bands: Vec<Band>,
    /// Fixed source settings (d_L [Mpc], z, xi_N) the data were made with.
    pub fixed: Vec<(String, f64)>,
    /// The exact scaling symmetry folded out of the network, if the
    /// parameters have it (see [`EnergyDensityScaling`]).
    pub symmetry: Option<EnergyDensityScaling>,
    /// The time-stretch symmetry folded into the network, if the parameters
    /// and grid have it (see [`StretchFold`]; needs `symmetry`).
    pub stretch: Option<StretchFold>,
    /// Target compression (applied to `log10 F − s(x)`).
    pub compression: Compression,
    /// Per-output mean of the compressed targets [dex], one per network
    /// output (`bands × times`, or `bands × wide times` with the fold).
    pub out_mean: Vec<f64>,
    /// Common scale of the compressed targets [dex].
    pub out_scale: f64,
    /// The networks: one, or an ensemble of members trained independently
    /// (different seeds) on the same scalers, whose scaled outputs are
    /// averaged.
    pub networks: Vec<Mlp>,
    /// Training record.
    pub training: TrainingRecord,
}

impl AfterglowSurrogate {
    /// Number of physical parameters.
    pub fn n_params(&self) -> usize {
        self.params.len()
    }

    /// Number of grid outputs (`bands × times`).
    pub fn n_out(&self) -> usize {
        self.bands.len() * self.times_days.len()
    }

    /// Number of network outputs: `bands × times`, or `bands × wide times`
    /// with the time-stretch fold.
    pub fn n_net_out(&self) -> usize {
        self.bands.len() * self.stretch.map_or(self.times_days.len(), |f| f.n_wide())
    }

    /// Number of trainable values of all networks together.
    pub fn n_weights(&self) -> usize {
        self.networks.iter().map(Mlp::n_params).sum()
    }

    /// The scale of the summed network outputs: `out_scale` over the number
    /// of networks (their outputs are averaged).
    fn net_scale(&self) -> f64 {
        self.out_scale / self.networks.len().max(1) as f64
    }

    /// Sum over the networks of `eval(network, out)`, written to `out`.
    fn sum_networks(&self, out: &mut [f64], mut eval: impl FnMut(&Mlp, &mut [f64])) {
        if let [one] = self.networks.as_slice() {
            return eval(one, out);
        }
        let mut member = vec![0.0; out.len()];
        out.fill(0.0);
        for net in &self.networks {
            eval(net, &mut member);
            for (o, m) in out.iter_mut().zip(&member) {
                *o += m;
            }
        }
    }

    /// Number of network inputs (features).
    pub fn n_features(&self) -> usize {
        self.direct_inputs().len() + self.derived_features().len()
    }

    /// Parameter columns fed to the network as they are (all but those the
    /// symmetry replaces by its invariants).
    fn direct_inputs(&self) -> Vec<usize> {
        (0..self.params.len())
            .filter(|&j| !self.symmetry.is_some_and(|s| s.replaces(j)))
            .filter(|&j| self.stretch.is_none_or(|f| f.log_epsilon_e != j))
            .collect()
    }

    /// Flux offset `s(x)` [dex] of the symmetries (0 without them).
    #[inline]
    pub fn flux_offset(&self, x: &[f64]) -> f64 {
        self.symmetry.map_or(0.0, |s| s.offset(x))
            + self.stretch.map_or(0.0, |f| f.flux_offset(f.log_stretch(x)))
    }

    /// The output means of the row `x` on the data grid (`bands × times`):
    /// read at the row's stretched times with the fold, else as they are.
    pub(crate) fn grid_mean(&self, x: &[f64]) -> Vec<f64> {
        match self.stretch {
            Some(f) => {
                let mut out = vec![0.0; self.n_out()];
                let sh = f.shift(x);
                for (o, w) in out
                    .chunks_exact_mut(f.n_times)
                    .zip(self.out_mean.chunks_exact(f.n_wide()))
                {
                    sh.read(w, o);
                }
                out
            }
            None => self.out_mean.clone(),
        }
    }

    /// Index of a parameter by name.
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }

    /// The derived features this parameter set has (see [`DerivedFeature`]),
    /// each with its range over the prior box.
    fn derived_features(&self) -> Vec<(DerivedFeature, f64, f64)> {
        let mut out = Vec::new();
        if let Some(f) = self.stretch {
            let (ee, nb) = f.canonical_ranges(&self.params);
            out.push((DerivedFeature::CanonicalEpsilonE(f), ee.0, ee.1));
            out.push((DerivedFeature::CanonicalMagneticDensity(f), nb.0, nb.1));
        } else if let Some(s) = self.symmetry {
            let (e, n, b) = (
                &self.params[s.log_energy],
                &self.params[s.log_density],
                &self.params[s.log_epsilon_b],
            );
            out.push((
                DerivedFeature::EnergyPerDensity {
                    energy: s.log_energy,
                    density: s.log_density,
                },
                e.min - n.max,
                e.max - n.min,
            ));
            out.push((
                DerivedFeature::MagneticDensity {
                    density: s.log_density,
                    epsilon_b: s.log_epsilon_b,
                },
                n.min + b.min,
                n.max + b.max,
            ));
        }
        if let (Some(obs), Some(core)) = (self.param_index("thetaObs"), self.param_index("thetaCore")) {
            let (o, c) = (&self.params[obs], &self.params[core]);
            let ratio = DerivedFeature::AngleRatio { obs, core };
            out.push((ratio, 0.0, (1.0 + o.max / c.min).ln()));
            if o.min >= 0.0 && c.min > 0.0 {
                let sum = DerivedFeature::AngleSum { obs, core };
                out.push((sum, (o.min + c.min).ln(), (o.max + c.max).ln()));
            }
        }
        if let Some(index) = self.param_index("p") {
            let p = &self.params[index];
            if p.min > 2.0 {
                out.push((
                    DerivedFeature::LogPMinusTwo { index },
                    (p.min - 2.0).ln(),
                    (p.max - 2.0).ln(),
                ));
            }
        }
        out
    }

    /// The network's inputs: direct parameter columns, then derived features.
    pub(crate) fn inputs(&self) -> Inputs {
        Inputs {
            direct: self.direct_inputs(),
            derived: self.derived_features(),
        }
    }

    /// Network features of one parameter vector (physical units), written to `out`.
    pub fn features_into(&self, x: &[f64], out: &mut [f64]) {
        self.features_with(&self.inputs(), x, out);
    }

    /// [`AfterglowSurrogate::features_into`] with the inputs already listed
    /// (looked up once per batch, not once per row).
    pub(crate) fn features_with(&self, inputs: &Inputs, x: &[f64], out: &mut [f64]) {
        for (k, &j) in inputs.direct.iter().enumerate() {
            let p = &self.params[j];
            let (lo, hi) = p.uniform_range();
            out[k] = 2.0 * (p.to_uniform(x[j]) - lo) / (hi - lo) - 1.0;
        }
        let nd = inputs.direct.len();
        for (k, &(f, lo, hi)) in inputs.derived.iter().enumerate() {
            out[nd + k] = 2.0 * (f.value(x) - lo) / (hi - lo) - 1.0;
        }
    }

    /// Features of `n` rows (`n × n_params`).
    pub fn features_batch(&self, x: &[f64], n: usize) -> Vec<f64> {
        let inputs = self.inputs();
        let (d, f) = (self.n_params(), inputs.len());
        let mut out = vec![0.0; n * f];
        for i in 0..n {
            self.features_with(&inputs, &x[i * d..(i + 1) * d], &mut out[i * f..(i + 1) * f]);
        }
        out
    }

    /// Features on the tape: `x` is `[n, n_params]`, the result `[n, n_features]`.
    pub fn features_tensor(&self, x: &Tensor) -> Tensor {
        let inputs = self.inputs();
        let mut cols = Vec::with_capacity(inputs.len());
        for &j in &inputs.direct {
            let p = &self.params[j];
            let c = x.slice(1, j, j + 1);
            let u = if p.log_uniform { c.ln() } else { c };
            let (lo, hi) = p.uniform_range();
            cols.push(&(&(&u - lo) * (2.0 / (hi - lo))) - 1.0);
        }
        for &(f, lo, hi) in &inputs.derived {
            cols.push(&(&(&f.tensor(x) - lo) * (2.0 / (hi - lo))) - 1.0);
        }
        Tensor::concat(&cols, 1)
    }

    /// Checks a parameter vector: right length, finite, inside the
    /// training box (and θ_w = alphaWing · θ_c ≤ π/2 for the Gaussian jet).
    /// The surrogate never extrapolates silently.
    pub fn check_params(&self, x: &[f64]) -> Result<(), SurrogateError> {
        if x.len() != self.n_params() {
            return Err(SurrogateError::invalid(
                "parameters",
                format!(
                    "{} values for the {} parameters of the {} jet",
                    x.len(),
                    self.n_params(),
                    self.jet.name()
                ),
            ));
        }
        for (p, &v) in self.params.iter().zip(x) {
            if !v.is_finite() {
                return Err(SurrogateError::invalid(&p.name, format!("not finite ({v})")));
            }
            if v < p.min || v > p.max {
                return Err(SurrogateError::OutOfRange {
                    name: p.name.clone(),
                    value: v,
                    min: p.min,
                    max: p.max,
                });
            }
        }
        if let (Some(ia), Some(ic)) = (self.param_index("alphaWing"), self.param_index("thetaCore")) {
            let tw = x[ia] * x[ic];
            if tw > std::f64::consts::FRAC_PI_2 {
                return Err(SurrogateError::OutOfRange {
                    name: "thetaWing = alphaWing * thetaCore".into(),
                    value: tw,
                    min: 0.0,
                    max: std::f64::consts::FRAC_PI_2,
                });
            }
        }
        Ok(())
    }

    /// Maps network outputs `net` (scaled, `n × n_net_out`) of the
    /// parameter rows `x` (`n × n_params`) to log10 F [mJy] on the grid
    /// (`n × n_out`).
    fn decode(&self, x: &[f64], net: &[f64]) -> Vec<f64> {
        let (m, mw, d) = (self.n_out(), self.n_net_out(), self.n_params());
        let mut out = vec![0.0; net.len() / mw.max(1) * m];
        let mut yc = vec![0.0; mw];
        let scale = self.net_scale();
        for (row, (o, h)) in out.chunks_exact_mut(m).zip(net.chunks_exact(mw)).enumerate() {
            let xr = &x[row * d..(row + 1) * d];
            let shift = self.flux_offset(xr);
            for ((c, &v), &mean) in yc.iter_mut().zip(h).zip(&self.out_mean) {
                *c = mean + scale * v;
            }
            match self.stretch {
                Some(f) => {
                    let sh = f.shift(xr);
                    for (ob, wb) in o.chunks_exact_mut(f.n_times).zip(yc.chunks_exact(f.n_wide())) {
                        sh.read(wb, ob);
                    }
                }
                None => o.copy_from_slice(&yc),
            }
            self.uncompress(o, shift);
        }
        out
    }

    /// `C⁻¹` and the symmetry offset `shift` [dex], in place.
    #[inline]
    fn uncompress(&self, yc: &mut [f64], shift: f64) {
        for v in yc.iter_mut() {
            *v = self.compression.inverse(*v) + shift;
        }
    }

    /// One curve with the time-stretch fold: only the network outputs its
    /// stretched times read (`n_times + 3` of the wide grid per band) are
    /// computed.
    fn predict_folded(&self, f: &StretchFold, x: &[f64], feats: &[f64]) -> Vec<f64> {
        let (nw, nt, len) = (f.n_wide(), f.n_times, f.n_times + 3);
        let sh = f.shift(x);
        let cols: Vec<_> = (0..self.bands.len())
            .map(|b| b * nw + sh.first..b * nw + sh.first + len)
            .collect();
        let mut win = vec![0.0; cols.len() * len];
        let mut buf = [Vec::new(), Vec::new()];
        self.sum_networks(&mut win, |net, w| {
            net.forward_one_columns(feats, &mut buf, &cols, w)
        });
        let (local, scale) = (GridShift { first: 0, ..sh }, self.net_scale());
        let mut out = vec![0.0; self.n_out()];
        for ((r, w), o) in cols
            .iter()
            .zip(win.chunks_exact_mut(len))
            .zip(out.chunks_exact_mut(nt))
        {
            for (v, &mean) in w.iter_mut().zip(&self.out_mean[r.clone()]) {
                *v = mean + scale * *v;
            }
            local.read(w, o);
        }
        self.uncompress(&mut out, self.flux_offset(x));
        out
    }

    /// One light curve, log10(F / mJy) on the grid, `bands × times`
    /// (band-major, as the training Y), for physical parameters `x`
    /// (checked by [`AfterglowSurrogate::check_params`]). Plain `f64` path.
    pub fn predict(&self, x: &[f64]) -> Result<Vec<f64>, SurrogateError> {
        self.check_params(x)?;
        let inputs = self.inputs();
        let mut feats = vec![0.0; inputs.len()];
        self.features_with(&inputs, x, &mut feats);
        if let Some(f) = &self.stretch {
            return Ok(self.predict_folded(f, x, &feats));
        }
        let mut net = vec![0.0; self.n_net_out()];
        let mut buf = [Vec::new(), Vec::new()];
        self.sum_networks(&mut net, |m, o| m.forward_one(&feats, &mut buf, o));
        Ok(self.decode(x, &net))
    }

    /// `n` light curves at once (`x` is `n × n_params`); `n × bands × times`.
    pub fn predict_batch(&self, x: &[f64], n: usize) -> Result<Vec<f64>, SurrogateError> {
        let d = self.n_params();
        if x.len() != n * d {
            return Err(SurrogateError::invalid(
                "parameters",
                format!("{} values are not {n} rows of {d}", x.len()),
            ));
        }
        for i in 0..n {
            self.check_params(&x[i * d..(i + 1) * d])
                .map_err(|e| SurrogateError::invalid(format!("row {i}"), e.to_string()))?;
        }
        Ok(self.predict_batch_unchecked(x, n))
    }

    /// [`AfterglowSurrogate::predict_batch`] without the checks, for rows
    /// already known to lie inside the box (the sampler's transformed draws).
    pub(crate) fn predict_batch_unchecked(&self, x: &[f64], n: usize) -> Vec<f64> {
        let feats = self.features_batch(x, n);
        let mut net = vec![0.0; n * self.n_net_out()];
        self.sum_networks(&mut net, |m, o| o.copy_from_slice(&m.forward_batch(&feats, n)));
        self.decode(x, &net)
    }

    /// Light curves on the tape: `x` is `[n, n_params]` (physical units,
    /// assumed inside the box: check with [`AfterglowSurrogate::check_params`]),
    /// the result `[n, bands·times]` log10 F [mJy], differentiable in `x`.
    pub fn predict_tensor(&self, x: &Tensor) -> Result<Tensor, SurrogateError> {
        Ok(self.predict_tensor_with(&self.constant_tensors()?, x))
    }

    /// The weights of every network (in order) and the output means as
    /// tensors, for [`AfterglowSurrogate::predict_tensor_with`] (build once,
    /// reuse).
    pub fn constant_tensors(&self) -> Result<Vec<Tensor>, SurrogateError> {
        let mut ps = Vec::new();
        for net in &self.networks {
            ps.extend(net.param_tensors()?);
        }
        ps.push(Tensor::from_vec(self.out_mean.clone(), &[self.n_net_out()])?);
        Ok(ps)
    }

    /// As [`AfterglowSurrogate::predict_tensor`] with the tensors of
    /// [`AfterglowSurrogate::constant_tensors`] (weights first, output means last).
    pub fn predict_tensor_with(&self, consts: &[Tensor], x: &Tensor) -> Tensor {
        let f = self.features_tensor(x);
        let mut h: Option<Tensor> = None;
        let mut first = 0;
        for net in &self.networks {
            let k = 2 * net.layers.len();
            let out = net.forward_tensor_with(&consts[first..first + k], &f);
            first += k;
            h = Some(match h {
                None => out,
                Some(sum) => &sum + &out,
            });
        }
        let Some(h) = h else {
            return Tensor::error(ferrax_autodiff::AdError::InvalidArgument {
                op: "afterglow surrogate",
                msg: "the surrogate has no network".into(),
            });
        };
        let mut yc = &(&h * self.net_scale()) + &consts[first];
        if let Some(f) = self.stretch {
            let rows = match x.to_vec() {
                Ok(v) => v,
                Err(e) => return Tensor::error(e),
            };
            let shifts: Vec<_> = rows.chunks_exact(self.n_params()).map(|r| f.shift(r)).collect();
            yc = f.read_tensor(&yc, x, &shifts, self.bands.len());
        }
        let mut y = self.compression.inverse_tensor(&yc);
        if let Some(s) = self.symmetry {
            y = &y + &s.offset_tensor(x);
        }
        if let Some(f) = self.stretch {
            y = &y + &f.flux_offset_tensor(x);
        }
        y
    }

    /// Accuracy against reference light curves `y_ref` (log10 mJy,
    /// `n × bands × times`) at parameters `x` (`n × n_params`).
    pub fn accuracy(
        &self,
        x: &[f64],
        y_ref: &[f64],
        n: usize,
        bright_limit_mag: f64,
    ) -> Result<Accuracy, SurrogateError> {
        let pred = self.predict_batch(x, n)?;
        if y_ref.len() != pred.len() {
            return Err(SurrogateError::invalid(
                "reference light curves",
                format!("{} values, expected {}", y_ref.len(), pred.len()),
            ));
        }
        Ok(accuracy_of(&pred, y_ref, n, bright_limit_mag))
    }

    /// Index of a band by name.
    pub fn band_index(&self, name: &str) -> Option<usize> {
        self.bands.iter().position(|b| b.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jet_names_parse() {
        assert_eq!("tophat".parse::<Jet>().unwrap(), Jet::TopHat);
        assert_eq!("Gaussian".parse::<Jet>().unwrap(), Jet::Gaussian);
        assert!("cocoon".parse::<Jet>().is_err());
    }
}
