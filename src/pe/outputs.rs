//! The files of a run's output directory: `config.toml` (the exact
//! configuration), `checkpoint.bin`, `samples.npy` (`[n, 12]`, chain-major)
//! with its column names in `parameters.json`, `summary.json`, `corner.png`
//! and `trace.png`. Parameter names and conventions follow bilby
//! (`chirp_mass` in the detector frame, `mass_ratio` = m2/m1 ≤ 1).

use super::config::PeConfig;
use super::run::{shift_phase_polarization, PeOptions, PeSetup};
use super::PeError;
use crate::evidence::EvidenceResult;
use crate::gw::likelihood::N_PARAMS;
use crate::plot::{corner_plot, trace_plot, CornerOptions};
use crate::prior::chirp_mass_and_ratio;
use crate::samplers::run::SampleSet;
use crate::samplers::summary::summarize;
use crate::{Error, Result};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// Output columns, in the order of `samples.npy`.
pub const COLUMNS: [&str; 12] = [
    "chirp_mass",
    "mass_ratio",
    "chi_1",
    "chi_2",
    "chi_eff",
    "luminosity_distance",
    "geocent_time",
    "phase",
    "theta_jn",
    "psi",
    "ra",
    "dec",
];

/// Index of `geocent_time` in [`COLUMNS`].
const TIME_COLUMN: usize = 6;

/// The files of an output directory.
#[derive(Debug, Clone)]
pub struct OutputPaths {
    /// The directory.
    pub dir: PathBuf,
    /// `config.toml`.
    pub config: PathBuf,
    /// `checkpoint.bin`.
    pub checkpoint: PathBuf,
    /// `samples.npy`.
    pub samples: PathBuf,
    /// `parameters.json`.
    pub parameters: PathBuf,
    /// `summary.json`.
    pub summary: PathBuf,
    /// `corner.png`.
    pub corner: PathBuf,
    /// `trace.png`.
    pub trace: PathBuf,
}

impl OutputPaths {
    /// The paths inside `dir`.
    pub fn new(dir: &Path) -> Self {
        let f = |n: &str| dir.join(n);
        OutputPaths {
            dir: dir.to_path_buf(),
            config: f("config.toml"),
            checkpoint: f("checkpoint.bin"),
            samples: f("samples.npy"),
            parameters: f("parameters.json"),
            summary: f("summary.json"),
            corner: f("corner.png"),
            trace: f("trace.png"),
        }
    }

    fn all(&self) -> [&PathBuf; 7] {
        [
            &self.config,
            &self.checkpoint,
            &self.samples,
            &self.parameters,
            &self.summary,
            &self.corner,
            &self.trace,
        ]
    }
}

/// Creates the directory, refuses to overwrite an earlier run (unless
/// `force` or `resume`), checks that a resumed run has the same
/// configuration, and writes `config.toml`.
pub fn prepare_outdir(paths: &OutputPaths, cfg: &PeConfig, opts: &PeOptions) -> Result<()> {
    let folder = crate::io::run_dir::RunFolder {
        dir: &paths.dir,
        config: &paths.config,
        checkpoint: &paths.checkpoint,
    };
    crate::io::run_dir::prepare(
        folder,
        paths.all().into_iter().map(|p| p.as_path()),
        cfg,
        opts.resume,
        opts.force,
    )
}

impl crate::io::run_dir::StoredConfig for PeConfig {
    type Error = PeError;
    fn to_toml_text(&self) -> std::result::Result<String, PeError> {
        self.to_toml()
    }
    fn from_toml_text(text: &str, origin: &str) -> std::result::Result<Self, PeError> {
        PeConfig::from_toml(text, origin)
    }
    fn exists_error(path: String) -> PeError {
        PeError::Exists { path }
    }
}

/// Timing and counters of the run.
#[derive(Debug, Clone)]
pub struct Timing {
    /// Wall time of this invocation [s].
    pub wall_seconds: f64,
    /// CPU time of this invocation (user + system, all threads) [s].
    pub cpu_seconds: f64,
    /// Acceptance of the global (flow) moves in production.
    pub global_acceptance: f64,
}

/// The 12 output columns of one sampled-order point `x` (time relative to
/// the trigger) with the trigger time added back.
pub fn columns_of(x: &[f64; N_PARAMS], trigger_time: f64) -> [f64; 12] {
    let (mc, q) = (x[0], x[1]);
    let chi_eff = (x[2] + q * x[3]) / (1.0 + q);
    [
        mc,
        q,
        x[2],
        x[3],
        chi_eff,
        x[4],
        x[5] + trigger_time,
        x[6],
        x[7],
        x[8],
        x[9],
        x[10],
    ]
}

/// The injection's values of [`COLUMNS`].
pub fn injected_columns(p: &[f64; N_PARAMS]) -> [f64; 12] {
    let (mc, q) = chirp_mass_and_ratio(p[0], p[1]);
    let chi_eff = (p[0] * p[2] + p[1] * p[3]) / (p[0] + p[1]);
    [
        mc, q, p[2], p[3], chi_eff, p[4], p[10], p[6], p[5], p[7], p[8], p[9],
    ]
}

/// The draws of `set` (unconstrained coordinates) as [`COLUMNS`], same
/// layout. With `unfold_seed`, each draw of the folded (φ, ψ) domain is
/// mapped to one of its four images, drawn uniformly with that seed.
pub fn physical_set(setup: &PeSetup, set: &SampleSet, unfold_seed: Option<u64>) -> SampleSet {
    use rand::{Rng, SeedableRng};
    let d = setup.density.trigger_time;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(unfold_seed.unwrap_or(0));
    let samples = set
        .samples
        .chunks(N_PARAMS)
        .flat_map(|z| {
            let mut zz = [0.0; N_PARAMS];
            zz.copy_from_slice(z);
            let mut x = setup.density.sampled(&zz);
            if unfold_seed.is_some() {
                x = shift_phase_polarization(&x, rng.gen_range(0..4));
            }
            columns_of(&x, d)
        })
        .collect();
    SampleSet {
        n_chains: set.n_chains,
        n_draws: set.n_draws,
        dim: COLUMNS.len(),
        samples,
        logp: set.logp.clone(),
        acceptance: set.acceptance,
        n_logdensity_evals: set.n_logdensity_evals,
    }
}

fn finite_or_null(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        Value::Null
    }
}

fn write_json(path: &Path, v: &Value) -> Result<()> {
    let text = serde_json::to_string_pretty(v).map_err(|e| Error::invalid("json", e.to_string()))?;
    crate::io::write_atomic(path, text.as_bytes())?;
    Ok(())
}

/// Writes samples, column names, summary and plots; returns the summary.
pub fn write_outputs(
    paths: &OutputPaths,
    cfg: &PeConfig,
    setup: &PeSetup,
    draws: &SampleSet,
    evidence: Option<&EvidenceResult>,
    timing: &Timing,
) -> Result<Value> {
    let unfold = cfg
        .prior
        .fold_phase_polarization
        .then_some(cfg.seed.wrapping_add(3));
    let phys = physical_set(setup, draws, unfold);
    let dim = COLUMNS.len();
    let rows = phys.n_chains * phys.n_draws;
    crate::io::write_npy(&paths.samples, &[rows, dim], &phys.samples)?;
    write_json(&paths.parameters, &json!(COLUMNS))?;
    let s = summarize(&phys);
    let inj = setup.injection.map(|p| injected_columns(&p));
    let inj_or_null = |j: usize| inj.map_or(Value::Null, |v| json!(v[j]));
    let mut params = Map::new();
    for (j, name) in COLUMNS.iter().enumerate() {
        let [q05, med, q95] = s.quantiles[j];
        params.insert(
            name.to_string(),
            json!({
                "median": med, "q05": q05, "q95": q95, "injected": inj_or_null(j),
                "mean": s.mean[j], "std": s.std[j],
                "ess": finite_or_null(s.ess[j]), "rhat": finite_or_null(s.rhat[j]),
            }),
        );
    }
    let covered = inj.map(|inj| {
        (0..dim)
            .filter(|&j| inj[j] >= s.quantiles[j][0] && inj[j] <= s.quantiles[j][2])
            .count()
    });
    let mut summary = json!({
        "generator": format!("ferrax {}", env!("CARGO_PKG_VERSION")),
        "seed": cfg.seed,
        "parameters": params,
        "n_chains": phys.n_chains,
        "n_draws_per_chain": phys.n_draws,
        "n_samples": rows,
        "ess_min": finite_or_null(s.ess_min),
        "ess_median": finite_or_null(s.ess_median),
        "rhat_max": finite_or_null(s.rhat_max),
        "local_and_global_acceptance": finite_or_null(phys.acceptance),
        "global_acceptance": finite_or_null(timing.global_acceptance),
        "injected_within_90_percent": covered.map_or(Value::Null, |c| json!(format!("{c}/{dim}"))),
        "optimal_snr": setup.optimal_snr,
        "matched_filter_snr_at_reference": setup.matched_filter_snr,
        "log_likelihood_ratio_at_injection": setup.injection_log_likelihood_ratio,
        "log_likelihood_ratio_at_reference": setup.reference_log_likelihood_ratio,
        "likelihood": cfg.likelihood.kind,
        "n_likelihood_evaluations": phys.n_logdensity_evals,
        "wall_seconds": timing.wall_seconds,
        "cpu_seconds": timing.cpu_seconds,
        "threads": setup.density.threads,
    });
    if !setup.strain.is_empty() {
        summary["data"] = json!(setup
            .strain
            .iter()
            .map(|st| json!({
                "detector": st.detector,
                "file": st.file,
                "gps_start": st.series.as_ref().map(|x| x.gps_start),
                "duration_s": st.series.as_ref().map(|x| x.duration()),
                "sample_rate_hz": st.series.as_ref().map(|x| x.sample_rate),
                "data_quality": st.quality,
                "psd": st.psd_method,
            }))
            .collect::<Vec<_>>());
        summary["tukey_alpha"] = json!(super::data::tukey_alpha(cfg));
    }
    if let Some(sc) = &setup.scan {
        summary["matched_filter_scan"] = json!({
            "chirp_mass": sc.chirp_mass, "mass_ratio": sc.mass_ratio,
            "geocent_time": sc.geocent_time, "network_snr": sc.network_snr,
        });
    }
    if let Some(ev) = evidence {
        // the density is ln Λ (signal vs noise) times a normalised prior, so
        // this is the log Bayes factor against the noise hypothesis
        summary["log_evidence"] = json!(ev.log_z);
        summary["log_evidence_err"] = json!(ev.log_z_err);
        summary["log_evidence_definition"] =
            json!("ln of ∫ Λ(θ) π(θ) dθ, Λ the likelihood ratio against noise (ln Bayes factor signal/noise), learned harmonic mean");
    }
    write_json(&paths.summary, &summary)?;
    // plots: time relative to the trigger
    let mut labels: Vec<String> = COLUMNS.iter().map(|s| s.to_string()).collect();
    labels[TIME_COLUMN] = "geocent_time - t_trigger [s]".into();
    let t0 = cfg.data.trigger_time;
    let rel = |mut v: Vec<f64>| {
        for r in v.chunks_mut(dim) {
            r[TIME_COLUMN] -= t0;
        }
        v
    };
    let stride = rows.div_ceil(20_000).max(1);
    let pts: Vec<f64> = (0..rows)
        .step_by(stride)
        .flat_map(|r| phys.samples[r * dim..(r + 1) * dim].iter().copied())
        .collect();
    let truths = inj.map(|inj| {
        let mut t = inj.to_vec();
        t[TIME_COLUMN] -= t0;
        t
    });
    corner_plot(
        &paths.corner,
        &rel(pts),
        &labels,
        &CornerOptions {
            truths,
            ..Default::default()
        },
    )?;
    trace_plot(
        &paths.trace,
        &rel(phys.samples.clone()),
        phys.n_chains,
        phys.n_draws,
        &labels,
        8,
    )?;
    if let Some(p) = &cfg.published {
        let table = comparison_table(p, &s.quantiles, &summary);
        crate::io::write_atomic(paths.dir.join("comparison.md"), table.as_bytes())?;
    }
    Ok(summary)
}

/// A Markdown table of this run's medians and 90 % intervals beside the
/// published ones, with a column saying whether the median lies inside the
/// published interval.
pub fn comparison_table(
    p: &super::config::PublishedConfig,
    quantiles: &[[f64; 3]],
    summary: &Value,
) -> String {
    let mut out = String::from(
        "| parameter | this run: median [5 %, 95 %] | published: median [5 %, 95 %] | median inside published 90 % |\n|---|---|---|---|\n",
    );
    for (name, [med, lo, hi]) in &p.values {
        let Some(j) = COLUMNS.iter().position(|c| c == name) else {
            continue;
        };
        let [q05, m, q95] = quantiles[j];
        let prec = |v: f64| {
            if v.abs() >= 100.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.3}")
            }
        };
        out.push_str(&format!(
            "| {name} | {} [{}, {}] | {} [{}, {}]{} | {} |\n",
            prec(m),
            prec(q05),
            prec(q95),
            prec(*med),
            prec(*lo),
            prec(*hi),
            p.notes.get(name).map(|n| format!(" ({n})")).unwrap_or_default(),
            if m >= *lo && m <= *hi { "yes" } else { "NO" }
        ));
    }
    out.push_str(&format!(
        "\nPublished values: {}.\nThis run: {} samples, ESS_min {:.0}, R-hat_max {:.3}, {:.0} s wall.\n",
        p.citation,
        summary["n_samples"],
        summary["ess_min"].as_f64().unwrap_or(f64::NAN),
        summary["rhat_max"].as_f64().unwrap_or(f64::NAN),
        summary["wall_seconds"].as_f64().unwrap_or(f64::NAN),
    ));
    out
}
