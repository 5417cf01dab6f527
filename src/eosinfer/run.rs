//! One `ferrax eos-infer` run: build the model from a configuration, sample
//! (with checkpoint and resume), and write the outputs into the output
//! directory:
//!
//! * `config.toml`: the exact configuration; `checkpoint.bin` (bincode);
//! * `samples.npy` (`[n, k]`, iteration-major) with its column names in
//!   `parameters.json`: the free parameters (physical units), `M_TOV` [M☉],
//!   `R_1p4_km`, `Lambda_1p4`, `p_2nsat_MeV_fm3`, `log_likelihood` and one
//!   `logL_<term>` column per likelihood term;
//! * `summary.json`: median and 5 %/95 % quantiles of the derived quantities
//!   and parameters, ESS and R̂, acceptance, rejected EOSs by reason,
//!   timings;
//! * `mass_radius.png`, `pressure_density.png` (credible bands with the
//!   observations overlaid) and `corner.png` (nuclear parameters).

use super::config::EosInferConfig;
use super::likelihood::{EosModel, Rejection, DERIVED_NAMES};
use super::plots;
use super::sampler::{run_ensemble, EnsembleState, N_DERIVED};
use super::EosInferError;
use crate::samplers::diagnostics::{ess_mean, split_rhat};
use crate::samplers::job::process_cpu_seconds;
use crate::{Error, Result};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// How a run treats its output directory.
#[derive(Debug, Clone)]
pub struct EosInferOptions {
    /// Output directory (created if missing).
    pub outdir: PathBuf,
    /// Continue from the checkpoint in `outdir`.
    pub resume: bool,
    /// Overwrite an earlier run's outputs.
    pub force: bool,
    /// Show the progress bar.
    pub progress: bool,
    /// Stop after this many iterations of this call (tests of resumption);
    /// no outputs but the checkpoint are written then.
    pub stop_after: Option<usize>,
}

/// The files of a run.
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
    /// `mass_radius.png`.
    pub mass_radius: PathBuf,
    /// `pressure_density.png`.
    pub pressure_density: PathBuf,
    /// `corner.png`.
    pub corner: PathBuf,
}

impl OutputPaths {
    /// The files in `dir`.
    pub fn new(dir: &Path) -> Self {
        let f = |n: &str| dir.join(n);
        OutputPaths {
            dir: dir.to_path_buf(),
            config: f("config.toml"),
            checkpoint: f("checkpoint.bin"),
            samples: f("samples.npy"),
            parameters: f("parameters.json"),
            summary: f("summary.json"),
            mass_radius: f("mass_radius.png"),
            pressure_density: f("pressure_density.png"),
            corner: f("corner.png"),
        }
    }
    fn all(&self) -> [&PathBuf; 8] {
        [
            &self.config,
            &self.checkpoint,
            &self.samples,
            &self.parameters,
            &self.summary,
            &self.mass_radius,
            &self.pressure_density,
            &self.corner,
        ]
    }
}

fn prepare_outdir(paths: &OutputPaths, cfg: &EosInferConfig, opts: &EosInferOptions) -> Result<()> {
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

impl crate::io::run_dir::StoredConfig for EosInferConfig {
    type Error = EosInferError;
    fn to_toml_text(&self) -> std::result::Result<String, EosInferError> {
        self.to_toml()
    }
    fn from_toml_text(text: &str, origin: &str) -> std::result::Result<Self, EosInferError> {
        EosInferConfig::from_toml(text, origin)
    }
    fn exists_error(path: String) -> EosInferError {
        EosInferError::Exists { path }
    }
}

/// What a run returns besides its files.
#[derive(Debug, Clone)]
pub struct EosInferResult {
    /// The model.
    pub model: EosModel,
    /// The final sampler state (kept draws inside).
    pub state: EnsembleState,
    /// Column names of `samples.npy`.
    pub columns: Vec<String>,
    /// The kept draws as written to `samples.npy` (`[n, columns]`).
    pub table: Vec<f64>,
    /// The summary written to `summary.json` (empty if stopped early).
    pub summary: Value,
}

/// Median and 5 %, 95 % quantiles (linear interpolation between order
/// statistics) of the finite values.
pub fn quantiles(values: &[f64]) -> (f64, f64, f64) {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| {
        let x = p * (v.len() - 1) as f64;
        let i = x.floor() as usize;
        let j = (i + 1).min(v.len() - 1);
        v[i] + (x - i as f64) * (v[j] - v[i])
    };
    (q(0.5), q(0.05), q(0.95))
}

/// Median and 5 %, 95 % quantiles of `values` with importance weights
/// `log_w` (natural log, unnormalised; −∞ allowed), and Kish's effective
/// sample size (Σw)²/Σw².
pub fn weighted_quantiles(values: &[f64], log_w: &[f64]) -> ((f64, f64, f64), f64) {
    let mx = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .zip(log_w)
        .filter(|(v, lw)| v.is_finite() && lw.is_finite())
        .map(|(&v, &lw)| (v, (lw - mx).exp()))
        .collect();
    if pairs.is_empty() || !mx.is_finite() {
        return ((f64::NAN, f64::NAN, f64::NAN), 0.0);
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let tot: f64 = pairs.iter().map(|p| p.1).sum();
    let ess = tot * tot / pairs.iter().map(|p| p.1 * p.1).sum::<f64>();
    let q = |p: f64| {
        let mut acc = 0.0;
        for &(v, w) in &pairs {
            acc += w / tot;
            if acc >= p {
                return v;
            }
        }
        pairs[pairs.len() - 1].0
    };
    ((q(0.5), q(0.05), q(0.95)), ess)
}

fn qjson(values: &[f64]) -> Value {
    let (m, a, b) = quantiles(values);
    json!({"median": m, "q05": a, "q95": b})
}

/// The columns of the kept draws: free parameters (physical units), the
/// derived quantities, ln L and the terms.
pub fn draws_table(model: &EosModel, st: &EnsembleState) -> (Vec<String>, Vec<f64>) {
    let mut cols = model.prior.free_names();
    cols.extend(DERIVED_NAMES.iter().map(|s| s.to_string()));
    cols.push("log_likelihood".into());
    cols.extend(model.terms.iter().map(|t| format!("logL_{}", t.label())));
    let n = st.kept_log_like.len();
    let (d, nb) = (st.dim, N_DERIVED + st.n_terms);
    let mut out = Vec::with_capacity(n * cols.len());
    for i in 0..n {
        let theta = model.prior.theta(&st.kept_u[i * d..(i + 1) * d]);
        out.extend(model.prior.free.iter().map(|&k| theta[k]));
        out.extend_from_slice(&st.kept_blobs[i * nb..i * nb + N_DERIVED]);
        out.push(st.kept_log_like[i]);
        out.extend_from_slice(&st.kept_blobs[i * nb + N_DERIVED..(i + 1) * nb]);
    }
    (cols, out)
}

/// The summary of a finished run.
pub fn summarize(model: &EosModel, st: &EnsembleState, cols: &[String], table: &[f64]) -> Value {
    let k = cols.len();
    let n = table.len() / k.max(1);
    let col = |j: usize| -> Vec<f64> { (0..n).map(|i| table[i * k + j]).collect() };
    let w = st.settings.n_walkers;
    let per = st.kept_per_walker();
    // walker-major copy for the diagnostics
    let chains = |j: usize| -> Vec<f64> {
        let c = col(j);
        let mut out = Vec::with_capacity(c.len());
        for walker in 0..w {
            for t in 0..per {
                out.push(c[t * w + walker]);
            }
        }
        out
    };
    let mut params = Map::new();
    let mut diag = Map::new();
    for (j, name) in cols.iter().enumerate() {
        params.insert(name.clone(), qjson(&col(j)));
        let c = chains(j);
        let finite = |v: f64| if v.is_finite() { json!(v) } else { Value::Null };
        diag.insert(
            name.clone(),
            json!({"ess": finite(ess_mean(&c, w, per)), "rhat": finite(split_rhat(&c, w, per))}),
        );
    }
    let reasons = |v: &[u64]| -> Value {
        let mut m = Map::new();
        for (r, c) in Rejection::ALL.iter().zip(v) {
            m.insert(r.name().into(), json!(c));
        }
        Value::Object(m)
    };
    let rate = |(a, p): (u64, u64)| a as f64 / p.max(1) as f64;
    let mut s = json!({
        "n_samples": n,
        "n_walkers": w,
        "iterations": st.iteration,
        "n_burn": st.settings.n_burn,
        "thin": st.settings.thin,
        "prior_only": st.prior_only,
        "likelihood_terms": model.terms.iter().map(|t| t.label()).collect::<Vec<_>>(),
        "acceptance_burn_in": rate(st.burn_accept),
        "acceptance_production": rate(st.prod_accept),
        "eos_evaluations": st.n_evals,
        "rejected_proposals": reasons(&st.rejections),
        "initial_prior_draws": st.init_draws,
        "rejected_initial_prior_draws": reasons(&st.init_rejections),
        "outlier_walkers_moved": st.outliers_moved,
        "sampling_wall_seconds": st.wall_seconds,
        "seconds_per_eos": st.wall_seconds / st.n_evals.max(1) as f64,
        "density_estimates": model.terms.iter().flat_map(|t| match t {
            super::likelihood::Term::Nicer { analyses, .. } => analyses.iter().collect::<Vec<_>>(),
            super::likelihood::Term::Gw { kde, .. } => vec![kde],
            _ => vec![],
        }).map(|k| json!({"data": k.name, "samples": k.n_samples, "masses": k.n_masses(), "mean_kernels_per_mass": k.mean_kernels()})).collect::<Vec<_>>(),
        "parameters": params,
        "diagnostics": diag,
    });
    for name in DERIVED_NAMES {
        let j = cols.iter().position(|c| c == name).unwrap_or(0);
        s[name] = qjson(&col(j));
    }
    if st.prior_only && !model.terms.is_empty() {
        // The prior draws reweighted by each term alone and by all of them:
        // which observation moves which quantity (importance sampling;
        // reliable where the effective sample size is large).
        let mut rw = Map::new();
        let labels: Vec<String> = model.terms.iter().map(|t| t.label()).collect();
        let mut sets: Vec<(String, Vec<usize>)> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.clone(), vec![i]))
            .collect();
        sets.push(("all".into(), (0..labels.len()).collect()));
        for (name, idx) in sets {
            let lw: Vec<f64> = (0..n)
                .map(|i| {
                    idx.iter()
                        .map(|&t| {
                            let j = cols
                                .iter()
                                .position(|c| *c == format!("logL_{}", labels[t]))
                                .unwrap_or(0);
                            table[i * k + j]
                        })
                        .sum()
                })
                .collect();
            let mut entry = Map::new();
            let mut ess = 0.0;
            for dn in DERIVED_NAMES {
                let j = cols.iter().position(|c| c == dn).unwrap_or(0);
                let ((m, a, b), e) = weighted_quantiles(&col(j), &lw);
                ess = e;
                entry.insert(dn.into(), json!({"median": m, "q05": a, "q95": b}));
            }
            entry.insert("effective_samples".into(), json!(ess));
            rw.insert(name, Value::Object(entry));
        }
        s["prior_reweighted_by_term"] = Value::Object(rw);
    }
    s
}

fn write_json(path: &Path, v: &Value) -> Result<()> {
    let text = serde_json::to_string_pretty(v).map_err(|e| Error::invalid("json", e.to_string()))?;
    crate::io::write_atomic(path, text.as_bytes())?;
    Ok(())
}

/// Runs `cfg` into `opts.outdir`.
pub fn run_eos_infer(cfg: &EosInferConfig, opts: &EosInferOptions) -> Result<EosInferResult> {
    let cpu0 = process_cpu_seconds();
    let wall0 = std::time::Instant::now();
    cfg.validate()?;
    let paths = OutputPaths::new(&opts.outdir);
    prepare_outdir(&paths, cfg, opts)?;
    let model = cfg.build_model()?;
    let setup_seconds = wall0.elapsed().as_secs_f64();
    let state = if opts.resume && paths.checkpoint.exists() {
        let s = EnsembleState::load(&paths.checkpoint)?;
        if s.settings != cfg.sampler || s.prior_only != cfg.prior_only || s.dim != model.prior.dim() {
            return Err(EosInferError::Checkpoint {
                path: paths.checkpoint.display().to_string(),
                msg: "written with other sampler settings".into(),
            }
            .into());
        }
        s
    } else {
        EnsembleState::initialise(&model, cfg.sampler.clone(), cfg.prior_only, cfg.seed)?
    };
    let state = run_ensemble(
        &model,
        state,
        Some(&paths.checkpoint),
        opts.progress,
        opts.stop_after,
    )?;
    crate::io::write_atomic(&paths.checkpoint, &state.to_bytes()?)?;
    let (columns, table) = draws_table(&model, &state);
    if state.iteration < state.total_iterations() {
        return Ok(EosInferResult {
            model,
            state,
            columns,
            table,
            summary: Value::Null,
        });
    }
    crate::io::write_npy(
        &paths.samples,
        &[table.len() / columns.len(), columns.len()],
        &table,
    )?;
    write_json(&paths.parameters, &json!(columns))?;
    let mut summary = summarize(&model, &state, &columns, &table);
    let t_plot = std::time::Instant::now();
    plots::write_plots(&model, &state, cfg, &paths)?;
    summary["setup_seconds"] = json!(setup_seconds);
    summary["plot_seconds"] = json!(t_plot.elapsed().as_secs_f64());
    summary["wall_seconds"] = json!(wall0.elapsed().as_secs_f64());
    summary["cpu_seconds"] = json!(process_cpu_seconds() - cpu0);
    write_json(&paths.summary, &summary)?;
    Ok(EosInferResult {
        model,
        state,
        columns,
        table,
        summary,
    })
}
