//! The configuration of a `ferrax eos-infer` run (TOML). Every section has a
//! default, so a file need only name what it changes; unknown keys are
//! errors, and [`EosInferConfig::build_model`] names the bad key.
//!
//! The built-in default: metamodel + CSE (8 free nodes) with jester's prior
//! ranges; NICER J0030 and J0740 (Amsterdam and Maryland analyses each),
//! GW170817, the radio mass of J0740 (2.08 ± 0.07 M☉, Fonseca et al. 2021,
//! ApJL 915, L12), and the chiral-EFT band of Koehn et al. (2024).

// `!(a > b)` deliberately rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::data::{chieft_band, load_samples};
use super::kde::{ConditionalKde, KdeOptions};
use super::likelihood::{EosModel, Term};
use super::params::{ParamPrior, PriorBox};
use super::sampler::SamplerSettings;
use super::EosInferError;
use crate::eos::cse::CseSettings;
use crate::eos::metamodel::Variant;
use crate::tov::family::FamilyOptions;
use crate::tov::TovOptions;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EosInferConfig {
    /// Seed of every random number of the run.
    pub seed: u64,
    /// Sample the prior only (the likelihood terms are built but not used).
    pub prior_only: bool,
    /// EOS construction.
    pub eos: EosConfig,
    /// M–R–Λ family.
    pub family: FamilyConfig,
    /// Prior overrides by parameter name: a value (fixed) or [lo, hi].
    pub prior: BTreeMap<String, ParamPrior>,
    /// Density estimates of the released samples.
    pub kde: KdeConfig,
    /// NICER pulsars.
    pub nicer: Vec<NicerConfig>,
    /// GW events.
    pub gw: Vec<GwConfig>,
    /// Radio-timing masses.
    pub radio: Vec<RadioConfig>,
    /// Chiral-EFT band.
    pub chieft: ChiEftConfig,
    /// Sampler.
    pub sampler: SamplerSettings,
}

/// EOS construction settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EosConfig {
    /// Free CSE nodes (jester: 8).
    pub nb_cse: usize,
    /// Highest density of the table / n_sat (jester: 25).
    pub nmax_nsat: f64,
    /// `"corrected"` or `"jester-0.1.1"` (symmetry energy of the proton
    /// fraction, see `eos::metamodel::Variant`).
    pub variant: String,
    /// EOSs whose maximum mass is below this are rejected [M☉]: every EOS
    /// must support the canonical 1.4 M☉ star at which R_1.4, Λ_1.4 are quoted.
    pub m_tov_min: f64,
}

impl Default for EosConfig {
    fn default() -> Self {
        EosConfig {
            nb_cse: 8,
            nmax_nsat: 25.0,
            variant: "corrected".into(),
            m_tov_min: 1.4,
        }
    }
}

/// Family settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FamilyConfig {
    /// Central pressures per family (jester: 100).
    pub ndat: usize,
    /// Dopri5 relative tolerance (jester: 1e-5).
    pub rtol: f64,
    /// Dopri5 absolute tolerance [m] (jester: 1e-6).
    pub atol: f64,
}

impl Default for FamilyConfig {
    fn default() -> Self {
        FamilyConfig {
            ndat: 100,
            rtol: 1e-5,
            atol: 1e-6,
        }
    }
}

/// KDE settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KdeConfig {
    /// Pre-sampled masses per data set.
    pub n_masses: usize,
    /// Kernel-weight tail dropped per mass.
    pub weight_tol: f64,
}

impl Default for KdeConfig {
    fn default() -> Self {
        KdeConfig {
            n_masses: 100,
            weight_tol: 1e-5,
        }
    }
}

/// One NICER pulsar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NicerConfig {
    /// Pulsar name.
    pub name: String,
    /// (M [M☉], R [km]) sample sources, one per analysis (mixed with equal weights).
    pub samples: Vec<String>,
}

/// One GW event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GwConfig {
    /// Event name.
    pub name: String,
    /// (m1, m2 [M☉], Λ1, Λ2) sample source.
    pub samples: String,
}

/// One radio-timing mass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RadioConfig {
    /// Pulsar name.
    pub name: String,
    /// Measured mass [M☉].
    pub mean: f64,
    /// 1σ uncertainty [M☉].
    pub std: f64,
    /// Lower end of the true-mass prior [M☉].
    #[serde(default = "default_m_min")]
    pub m_min: f64,
}

fn default_m_min() -> f64 {
    0.1
}

/// The chiral-EFT term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChiEftConfig {
    /// Use the term.
    pub enabled: bool,
    /// Lower band edge (n [fm⁻³], p [MeV fm⁻³]) source.
    pub low: String,
    /// Upper band edge source.
    pub high: String,
    /// Densities of the score grid.
    pub nb_n: usize,
}

impl Default for ChiEftConfig {
    fn default() -> Self {
        ChiEftConfig {
            enabled: true,
            low: "builtin:chieft_low".into(),
            high: "builtin:chieft_high".into(),
            nb_n: 100,
        }
    }
}

impl Default for EosInferConfig {
    fn default() -> Self {
        EosInferConfig {
            seed: 1,
            prior_only: false,
            eos: EosConfig::default(),
            family: FamilyConfig::default(),
            prior: BTreeMap::new(),
            kde: KdeConfig::default(),
            nicer: vec![
                NicerConfig {
                    name: "J0030".into(),
                    samples: vec!["builtin:J0030_amsterdam".into(), "builtin:J0030_maryland".into()],
                },
                NicerConfig {
                    name: "J0740".into(),
                    samples: vec!["builtin:J0740_amsterdam".into(), "builtin:J0740_maryland".into()],
                },
            ],
            gw: vec![GwConfig {
                name: "GW170817".into(),
                samples: "builtin:GW170817".into(),
            }],
            radio: vec![RadioConfig {
                name: "J0740".into(),
                mean: 2.08,
                std: 0.07,
                m_min: 0.1,
            }],
            chieft: ChiEftConfig::default(),
            sampler: SamplerSettings::default(),
        }
    }
}

impl EosInferConfig {
    /// Parses TOML (`origin` names the file in errors) and validates.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, EosInferError> {
        let cfg: EosInferConfig = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            EosInferError::Parse {
                origin: match line {
                    Some(l) => format!("{origin} line {l}"),
                    None => origin.to_string(),
                },
                msg: e.message().replace('\n', " "),
            }
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// The configuration as TOML.
    pub fn to_toml(&self) -> Result<String, EosInferError> {
        toml::to_string(self).map_err(|e| EosInferError::config("config", e.to_string()))
    }

    /// Checks the settings that do not need the data, naming the bad key.
    pub fn validate(&self) -> Result<(), EosInferError> {
        let bad = |k: &str, m: String| Err(EosInferError::config(k, m));
        if self.eos.nb_cse == 0 || self.eos.nb_cse > 32 {
            return bad("eos.nb_cse", "must lie in 1..=32".into());
        }
        if !(self.eos.nmax_nsat > 2.0 && self.eos.nmax_nsat <= 100.0) {
            return bad("eos.nmax_nsat", "must lie in (2, 100]".into());
        }
        self.variant()?;
        if !(self.eos.m_tov_min >= 0.0 && self.eos.m_tov_min < 3.5) {
            return bad("eos.m_tov_min", "must lie in [0, 3.5) M_sun".into());
        }
        if self.family.ndat < 10 || self.family.ndat > 2000 {
            return bad("family.ndat", "must lie in 10..=2000".into());
        }
        if !(self.family.rtol > 0.0 && self.family.rtol < 1e-1) {
            return bad("family.rtol", "must lie in (0, 0.1)".into());
        }
        if !(self.family.atol > 0.0 && self.family.atol.is_finite()) {
            return bad("family.atol", "must be positive".into());
        }
        if self.kde.n_masses == 0 {
            return bad("kde.n_masses", "must be > 0".into());
        }
        if !(self.kde.weight_tol > 0.0 && self.kde.weight_tol < 0.1) {
            return bad("kde.weight_tol", "must lie in (0, 0.1)".into());
        }
        for (i, n) in self.nicer.iter().enumerate() {
            if n.samples.is_empty() {
                return bad(&format!("nicer[{i}].samples"), "need at least one source".into());
            }
        }
        for (i, r) in self.radio.iter().enumerate() {
            if !(r.mean > 0.0 && r.std > 0.0 && r.m_min >= 0.0 && r.m_min < r.mean) {
                return bad(
                    &format!("radio[{i}]"),
                    "need mean > 0, std > 0 and 0 <= m_min < mean".into(),
                );
            }
        }
        self.sampler.validate()?;
        PriorBox::new(self.eos.nb_cse, &self.prior)?;
        Ok(())
    }

    fn variant(&self) -> Result<Variant, EosInferError> {
        match self.eos.variant.as_str() {
            "corrected" => Ok(Variant::Corrected),
            "jester-0.1.1" => Ok(Variant::Jester011),
            v => Err(EosInferError::config(
                "eos.variant",
                format!("'{v}' (known: corrected, jester-0.1.1)"),
            )),
        }
    }

    /// Loads the data and builds the model (prior, EOS and family settings,
    /// likelihood terms).
    pub fn build_model(&self) -> Result<EosModel, EosInferError> {
        self.validate()?;
        let prior = PriorBox::new(self.eos.nb_cse, &self.prior)?;
        let mut cse = CseSettings {
            nmax_nsat: self.eos.nmax_nsat,
            ..CseSettings::default()
        };
        cse.metamodel.variant = self.variant()?;
        let family = FamilyOptions {
            ndat: self.family.ndat,
            tov: TovOptions {
                rtol: self.family.rtol,
                atol: self.family.atol,
                ..TovOptions::jester_default()
            },
            ..FamilyOptions::default()
        };
        let kde_opts = |seed: u64| KdeOptions {
            n_masses: self.kde.n_masses,
            weight_tol: self.kde.weight_tol,
            seed,
        };
        let mut terms = Vec::new();
        let mut seed = self.seed.wrapping_mul(7919);
        for n in &self.nicer {
            let mut analyses = Vec::new();
            for s in &n.samples {
                seed = seed.wrapping_add(1);
                let data = load_samples(s, 2)?;
                analyses.push(ConditionalKde::new(s, &data, 1, 1, &kde_opts(seed))?);
            }
            terms.push(Term::Nicer {
                name: n.name.clone(),
                analyses,
            });
        }
        for g in &self.gw {
            seed = seed.wrapping_add(1);
            let data = load_samples(&g.samples, 4)?;
            terms.push(Term::Gw {
                name: g.name.clone(),
                kde: ConditionalKde::new(&g.samples, &data, 2, 2, &kde_opts(seed))?,
            });
        }
        for r in &self.radio {
            terms.push(Term::Radio {
                name: r.name.clone(),
                mean: r.mean,
                std: r.std,
                m_min: r.m_min,
            });
        }
        if self.chieft.enabled {
            terms.push(Term::ChiEft(chieft_band(
                &self.chieft.low,
                &self.chieft.high,
                self.chieft.nb_n,
            )?));
        }
        Ok(EosModel {
            prior,
            cse,
            family,
            m_tov_min: self.eos.m_tov_min,
            terms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips_through_toml() {
        let c = EosInferConfig::default();
        let text = c.to_toml().unwrap();
        let back = EosInferConfig::from_toml(&text, "x.toml").unwrap();
        assert_eq!(c, back);
    }

    #[test]
    fn partial_files_and_bad_keys() {
        let c = EosInferConfig::from_toml(
            "seed = 3\nprior_only = true\n[prior]\nK_sat = [200, 250]\nE_sym = 32\n",
            "a.toml",
        )
        .unwrap();
        assert_eq!(c.seed, 3);
        assert_eq!(c.prior["E_sym"], ParamPrior::Fixed(32.0));
        assert_eq!(c.prior["K_sat"], ParamPrior::Uniform([200.0, 250.0]));
        let e = EosInferConfig::from_toml("[sampler]\nn_walkers = 7\n", "b.toml").unwrap_err();
        assert!(e.to_string().contains("sampler.n_walkers"), "{e}");
        let e = EosInferConfig::from_toml("[eos]\nfoo = 1\n", "c.toml").unwrap_err();
        assert!(
            e.to_string().contains("c.toml") && e.to_string().contains("foo"),
            "{e}"
        );
        let e = EosInferConfig::from_toml("[prior]\nL_sym = [100, 50]\n", "d.toml").unwrap_err();
        assert!(e.to_string().contains("prior.L_sym"), "{e}");
    }
}
