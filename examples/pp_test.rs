//! P-P test of `ferrax pe`: N injections drawn from the prior into Gaussian
//! noise, each analysed with the configuration's sampler; the credible level
//! of every injected value, a Kolmogorov–Smirnov p-value per parameter and
//! Fisher's combined p-value (`pp.json`), and the P-P plot (`pp.png`).
//!
//! ```sh
//! cargo run --release --example pp_test -- \
//!     [--config experiments/pp_test/config.toml] [--n 50] \
//!     [--runs pp_runs] [--out experiments/pp_test] [--only I]
//! ```
//! `--only I` analyses injection I alone (into `RUNS/I`) and prints its
//! credible levels and R̂, without the test statistics.
//! Each finished injection leaves `RUNS/<i>/levels.json`; a restarted test
//! skips those, so it can be stopped and continued.

use ferrax::pe::outputs::{injected_columns, physical_set, COLUMNS};
use ferrax::pe::pp::{binomial_band, credible_level, fisher_combined, injection_from_prior, ks_uniform};
use ferrax::pe::{run_pe, PeConfig, PeOptions};
use ferrax::plot::line::{line_plot_with_references, Series};
use serde_json::json;
use std::path::PathBuf;

/// The columns tested: the 11 sampled parameters (χ_eff is derived).
fn tested() -> Vec<(usize, &'static str)> {
    COLUMNS
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, n)| *n != "chi_eff")
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = PathBuf::from("experiments/pp_test/config.toml");
    let mut n = 50usize;
    let mut runs = PathBuf::from("pp_runs");
    let mut out = PathBuf::from("experiments/pp_test");
    let mut only: Option<usize> = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).ok_or_else(|| format!("{} needs a value", pair[0]))?;
        match pair[0].as_str() {
            "--config" => config = value.into(),
            "--n" => n = value.parse()?,
            "--runs" => runs = value.into(),
            "--out" => out = value.into(),
            "--only" => only = Some(value.parse()?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let text = std::fs::read_to_string(&config)?;
    let base = PeConfig::from_toml(&text, &config.display().to_string())?;
    let cols = tested();
    let mut levels: Vec<Vec<f64>> = vec![Vec::new(); cols.len()];
    let mut snrs = Vec::new();
    let mut wall = 0.0;
    let bar = indicatif::ProgressBar::new(n as u64);
    bar.set_style(indicatif::ProgressStyle::with_template(
        "P-P {bar:30} {pos}/{len} injections, elapsed {elapsed}, ETA {eta}",
    )?);
    for i in 0..n {
        if only.is_some_and(|k| k != i) {
            continue;
        }
        let dir = runs.join(i.to_string());
        let saved = dir.join("levels.json");
        let record: serde_json::Value = if saved.exists() {
            serde_json::from_str(&std::fs::read_to_string(&saved)?)?
        } else {
            let mut cfg = base.clone();
            cfg.seed = i as u64;
            cfg.data.noise_seed = 100_000 + i as u64;
            cfg.injection = Some(injection_from_prior(&base, 200_000 + i as u64)?);
            let opts = PeOptions {
                outdir: dir.clone(),
                resume: false,
                force: true,
                progress: false,
            };
            let res = run_pe(&cfg, &opts)?;
            let phys = physical_set(&res.setup, &res.draws, Some(cfg.seed.wrapping_add(7)));
            let truth = injected_columns(&res.setup.injection.ok_or("the P-P test needs injections")?);
            let lv: Vec<f64> = cols
                .iter()
                .map(|&(c, _)| {
                    let s: Vec<f64> = phys.samples.chunks(phys.dim).map(|r| r[c]).collect();
                    credible_level(&s, truth[c])
                })
                .collect();
            let rec = json!({
                "levels": lv,
                "optimal_snr": res.setup.optimal_snr,
                "wall_seconds": res.summary["wall_seconds"],
            });
            ferrax::io::write_atomic(&saved, serde_json::to_string(&rec)?.as_bytes())?;
            rec
        };
        if only.is_some() {
            let names: Vec<&str> = cols.iter().map(|c| c.1).collect();
            println!("injection {i}: optimal SNR {}", record["optimal_snr"]);
            for (nm, v) in names.iter().zip(record["levels"].as_array().ok_or("no levels")?) {
                println!("{nm:>20}: credible level {v}");
            }
            println!("wall {} s", record["wall_seconds"]);
            return Ok(());
        }
        let lv = record["levels"].as_array().ok_or("levels.json: no levels")?;
        for (k, v) in lv.iter().enumerate() {
            levels[k].push(v.as_f64().ok_or("levels.json: bad level")?);
        }
        snrs.push(record["optimal_snr"].as_f64().unwrap_or(f64::NAN));
        wall += record["wall_seconds"].as_f64().unwrap_or(0.0);
        bar.inc(1);
    }
    bar.finish();

    let mut per = serde_json::Map::new();
    let mut pvals = Vec::new();
    for ((_, name), lv) in cols.iter().zip(&levels) {
        let (d, p) = ks_uniform(lv);
        pvals.push(p);
        per.insert((*name).into(), json!({"ks_statistic": d, "p_value": p}));
        println!("{name:>20}: KS D = {d:.3}, p = {p:.3}");
    }
    let combined = fisher_combined(&pvals);
    println!("combined (Fisher) p = {combined:.3} over {n} injections");
    let mut snr_sorted = snrs.clone();
    snr_sorted.sort_by(f64::total_cmp);
    let report = json!({
        "n_injections": n,
        "config": config.display().to_string(),
        "parameters": per,
        "combined_p_value": combined,
        "min_p_value": pvals.iter().copied().fold(1.0, f64::min),
        "optimal_snr_median": snr_sorted.get(n / 2),
        "wall_seconds_total": wall,
        "credible_levels": cols.iter().zip(&levels).map(|((_, nm), lv)| (nm.to_string(), json!(lv)))
            .collect::<serde_json::Map<_, _>>(),
    });
    std::fs::create_dir_all(&out)?;
    ferrax::io::write_atomic(
        out.join("pp.json"),
        serde_json::to_string_pretty(&report)?.as_bytes(),
    )?;

    // P-P plot: empirical CDF of each parameter's credible levels, with
    // the 90 % band of n uniform draws.
    let grid: Vec<f64> = (0..=100).map(|k| k as f64 / 100.0).collect();
    let band: Vec<(f64, f64)> = grid.iter().map(|&x| binomial_band(n, x, 0.9)).collect();
    let mut series = vec![
        Series {
            label: "90% band (lower)".into(),
            x: grid.clone(),
            y: band.iter().map(|b| b.0).collect(),
        },
        Series {
            label: "90% band (upper)".into(),
            x: grid.clone(),
            y: band.iter().map(|b| b.1).collect(),
        },
    ];
    for (((_, name), lv), p) in cols.iter().zip(&levels).zip(&pvals) {
        let y: Vec<f64> = grid
            .iter()
            .map(|&x| lv.iter().filter(|&&l| l <= x).count() as f64 / n as f64)
            .collect();
        series.push(Series {
            label: format!("{name} (p = {p:.2})"),
            x: grid.clone(),
            y,
        });
    }
    line_plot_with_references(
        &out.join("pp.png"),
        &format!("P-P test, {n} injections, combined p = {combined:.2}"),
        "credible interval",
        "fraction of injections in interval",
        &series,
        2,
        false,
        (900, 800),
    )?;
    println!(
        "wrote {} and {}",
        out.join("pp.json").display(),
        out.join("pp.png").display()
    );
    Ok(())
}
