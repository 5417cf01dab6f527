//! `ferrax pe` end to end on a tiny configuration (zero noise, few chains
//! and loops): outputs exist and are well formed, bad configurations give
//! one-line errors naming the key, earlier runs are not overwritten, and a
//! resumed run reproduces an uninterrupted one exactly.
//!
//! The full default run (≈ 1–2 min in release) is `ferrax pe`; see
//! `default_run_covers_the_injection` (ignored) for its check.

use ferrax::pe::outputs::COLUMNS;
use ferrax::pe::run::{build_setup, degenerate_images, flowmc_config, fold_into_prior, initial_state};
use ferrax::pe::{run_pe, PeConfig, PeOptions};
use ferrax::samplers::flowmc::run_flowmc;
use std::path::{Path, PathBuf};
use std::process::Command;

fn tmp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("ferrax-pe-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

/// A configuration that runs in about a second: zero noise, 16 chains,
/// 2 + 2 short loops, a small flow.
fn tiny() -> PeConfig {
    let mut c = PeConfig::default();
    c.data.noise = "zero".into();
    c.likelihood.reference_iterations = 20;
    let s = &mut c.sampler;
    s.n_chains = 16;
    s.n_local_steps = 6;
    s.n_local_steps_production = 4;
    s.n_global_steps = 4;
    s.n_training_loops = 2;
    s.n_production_loops = 2;
    s.flow_layers = 2;
    s.flow_hidden = vec![8];
    s.train_epochs = 1;
    s.train_batch_size = 256;
    s.checkpoint_every = 1;
    s.evidence = true;
    c
}

fn write_config(dir: &Path, cfg: &PeConfig) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join("in.toml");
    std::fs::write(&p, cfg.to_toml().unwrap()).unwrap();
    p
}

fn ferrax_pe(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ferrax"))
        .arg("pe")
        .args(["--quiet"])
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).trim().to_string()
}

#[test]
fn tiny_run_writes_well_formed_outputs_and_refuses_to_overwrite() {
    let base = tmp("outputs");
    let cfg_path = write_config(&base, &tiny());
    let out = base.join("run");
    let o = ferrax_pe(&[
        "--config",
        cfg_path.to_str().unwrap(),
        "--outdir",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // samples: [n, 12], finite, inside the prior
    let a = ferrax::io::read_npy(out.join("samples.npy")).unwrap();
    let cfg = tiny();
    let n = cfg.sampler.n_chains
        * cfg.sampler.n_production_loops
        * (cfg.sampler.n_local_steps_production + cfg.sampler.n_global_steps);
    assert_eq!(a.shape, vec![n, 12]);
    assert!(a.data.iter().all(|v| v.is_finite()));
    for r in a.data.chunks(12) {
        assert!(r[1] > 0.0 && r[1] <= 1.0, "mass ratio {}", r[1]);
        assert!(r[0] >= 20.0 && r[0] <= 40.0, "chirp mass {}", r[0]);
        assert!((r[6] - cfg.data.trigger_time).abs() <= 0.1, "time {}", r[6]);
    }
    let names: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(out.join("parameters.json")).unwrap()).unwrap();
    assert_eq!(names, COLUMNS);
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for name in COLUMNS {
        let p = &s["parameters"][name];
        let (q05, med, q95) = (
            p["q05"].as_f64().unwrap(),
            p["median"].as_f64().unwrap(),
            p["q95"].as_f64().unwrap(),
        );
        assert!(q05 <= med && med <= q95, "{name}: {q05} {med} {q95}");
        assert!(p["injected"].as_f64().is_some(), "{name}");
    }
    assert!((s["parameters"]["chirp_mass"]["injected"].as_f64().unwrap() - 28.0956).abs() < 1e-3);
    assert!((s["parameters"]["mass_ratio"]["injected"].as_f64().unwrap() - 29.0 / 36.0).abs() < 1e-12);
    for k in [
        "ess_min",
        "rhat_max",
        "log_evidence",
        "log_evidence_err",
        "wall_seconds",
        "cpu_seconds",
    ] {
        assert!(s[k].as_f64().is_some_and(f64::is_finite), "{k}: {}", s[k]);
    }
    assert!(s["n_likelihood_evaluations"].as_u64().unwrap() >= n as u64);
    for png in ["corner.png", "trace.png"] {
        let b = std::fs::read(out.join(png)).unwrap();
        assert!(b.len() > 1000 && b.starts_with(b"\x89PNG"), "{png}");
    }
    assert!(out.join("checkpoint.bin").exists());
    let used = PeConfig::from_toml(
        &std::fs::read_to_string(out.join("config.toml")).unwrap(),
        "config.toml",
    )
    .unwrap();
    assert_eq!(used, cfg);

    // a second run into the same directory is refused and changes nothing
    let before = std::fs::read(out.join("samples.npy")).unwrap();
    let o = ferrax_pe(&[
        "--config",
        cfg_path.to_str().unwrap(),
        "--outdir",
        out.to_str().unwrap(),
        "--seed",
        "7",
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains("--force"), "{e}");
    assert_eq!(std::fs::read(out.join("samples.npy")).unwrap(), before);
    // --resume of the completed run reproduces its samples exactly
    let o = ferrax_pe(&["--outdir", out.to_str().unwrap(), "--resume"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(out.join("samples.npy")).unwrap(), before);
    // --force with another seed overwrites
    let o = ferrax_pe(&[
        "--config",
        cfg_path.to_str().unwrap(),
        "--outdir",
        out.to_str().unwrap(),
        "--seed",
        "7",
        "--force",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(std::fs::read(out.join("samples.npy")).unwrap(), before);
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn resume_from_a_midway_checkpoint_matches_an_uninterrupted_run() {
    let cfg = tiny();
    let full = tmp("resume-full");
    let opts = |dir: &Path, resume| PeOptions {
        outdir: dir.to_path_buf(),
        resume,
        force: false,
        progress: false,
    };
    let a = run_pe(&cfg, &opts(&full, false)).unwrap();
    // the state a run killed after its second loop leaves behind
    let cut = tmp("resume-cut");
    std::fs::create_dir_all(&cut).unwrap();
    let setup = build_setup(&cfg).unwrap();
    let ckpt = cut.join("checkpoint.bin");
    let state = initial_state(&cfg, &setup, flowmc_config(&cfg, &ckpt, false)).unwrap();
    let part = run_flowmc(&setup.density, state, Some(2)).unwrap();
    assert_eq!(part.state.loops_done, 2);
    assert!(ckpt.exists(), "periodic checkpoint not written");
    std::fs::write(cut.join("config.toml"), cfg.to_toml().unwrap()).unwrap();
    let b = run_pe(&cfg, &opts(&cut, true)).unwrap();
    assert_eq!(a.draws.samples, b.draws.samples);
    assert_eq!(a.draws.logp, b.draws.logp);
    assert_eq!(a.summary["log_evidence"], b.summary["log_evidence"]);
    assert_eq!(
        std::fs::read(full.join("samples.npy")).unwrap(),
        std::fs::read(cut.join("samples.npy")).unwrap()
    );
    // a corrupt checkpoint is a one-line error naming the file
    std::fs::write(&ckpt, b"not a checkpoint").unwrap();
    let o = ferrax_pe(&["--outdir", cut.to_str().unwrap(), "--resume"]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains("checkpoint.bin"), "{e}");
    let _ = std::fs::remove_dir_all(&full);
    let _ = std::fs::remove_dir_all(&cut);
}

#[test]
fn bad_configs_give_one_line_errors_naming_the_key() {
    let base = tmp("bad");
    let good = tiny().to_toml().unwrap();
    let remove_detectors = {
        // drop every [[detectors]] table
        let mut out = String::new();
        let mut skip = false;
        for l in good.lines() {
            if l.starts_with('[') {
                skip = l == "[[detectors]]";
            }
            if !skip {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unknown key",
            good.replace("noise_seed = 1234", "noise_seed = 1234\nnoise_colour = 1"),
            "noise_colour",
        ),
        ("missing detectors", remove_detectors, "detectors"),
        (
            "zero thinning",
            good.replace("checkpoint_every = 1", "thin = 0\ncheckpoint_every = 1"),
            "sampler.thin",
        ),
        (
            "empty detectors",
            format!("detectors = []\n{}", remove_detectors_text(&good)),
            "detectors",
        ),
        (
            "unknown detector",
            good.replacen("name = \"V1\"", "name = \"X9\"", 1),
            "detectors[2].name",
        ),
        (
            "f_min >= f_max",
            good.replace("f_min_hz = 20.0", "f_min_hz = 1024.0"),
            "data.f_max_hz",
        ),
        (
            "reversed prior",
            good.replace(
                "luminosity_distance = [100.0, 2000.0]",
                "luminosity_distance = [2000.0, 100.0]",
            ),
            "prior.luminosity_distance",
        ),
        (
            "bad likelihood",
            good.replace("kind = \"relative_binning\"", "kind = \"binned\""),
            "likelihood.kind",
        ),
        (
            "wrong type",
            good.replace("n_chains = 16", "n_chains = \"many\""),
            "n_chains",
        ),
    ];
    for (what, text, key) in cases {
        let p = base.join(format!("{}.toml", what.replace(' ', "_")));
        std::fs::create_dir_all(&base).unwrap();
        std::fs::write(&p, text).unwrap();
        let out = base.join("never");
        let o = ferrax_pe(&["--config", p.to_str().unwrap(), "--outdir", out.to_str().unwrap()]);
        assert!(!o.status.success(), "{what}: accepted");
        let e = stderr(&o);
        assert_eq!(e.lines().count(), 1, "{what}: {e}");
        assert!(e.contains(key), "{what}: '{e}' does not name {key}");
        assert!(!out.exists(), "{what}: output directory created");
    }
    let _ = std::fs::remove_dir_all(&base);
}

fn remove_detectors_text(good: &str) -> String {
    let mut out = String::new();
    let mut skip = false;
    for l in good.lines() {
        if l.starts_with('[') {
            skip = l == "[[detectors]]";
        }
        if !skip && !l.starts_with("seed") {
            out.push_str(l);
            out.push('\n');
        }
    }
    format!("seed = 0\n{out}")
}

#[test]
fn print_config_is_the_default_and_parses() {
    let o = Command::new(env!("CARGO_BIN_EXE_ferrax"))
        .args(["pe", "--print-config"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(PeConfig::from_toml(&text, "stdout").unwrap(), PeConfig::default());
}

#[test]
fn posterior_gradient_matches_finite_differences_and_degeneracy_is_exact() {
    let cfg = tiny();
    let setup = build_setup(&cfg).unwrap();
    let d = &setup.density;
    let trig = cfg.data.trigger_time;
    let (mc, q) = ferrax::prior::chirp_mass_and_ratio(setup.reference[0], setup.reference[1]);
    let r = setup.reference;
    let x = fold_into_prior(
        &[
            mc,
            q,
            r[2],
            r[3],
            r[4],
            r[10] - trig,
            r[6],
            r[5],
            r[7],
            r[8],
            r[9],
        ],
        &d.prior,
    );
    // a point off the maximum, so that every gradient component is sizeable
    let mut z = d.prior.to_real(&x);
    for (i, v) in z.iter_mut().enumerate() {
        *v += if i % 2 == 0 { 0.01 } else { -0.01 };
    }
    let (v, g) = d.value_and_grad(&z);
    assert!(v.is_finite());
    for i in 0..11 {
        // the time step must stay far above the 2.4e-7 s resolution of GPS times
        let h = if i == 5 { 1e-3 } else { 1e-5 };
        let (mut zp, mut zm) = (z, z);
        zp[i] += h;
        zm[i] -= h;
        let fd = (d.value_and_grad(&zp).0 - d.value_and_grad(&zm).0) / (2.0 * h);
        let scale = g[i].abs().max(1.0);
        println!("param {i}: grad {:.6e} fd {fd:.6e}", g[i]);
        let tol = if i == 5 { 1e-3 } else { 1e-5 };
        assert!(
            (fd - g[i]).abs() / scale < tol,
            "param {i}: grad {} vs fd {fd}",
            g[i]
        );
    }
    // the (phase, psi) images have the same likelihood (zero noise)
    let images = degenerate_images(&x);
    let ll = |x: &[f64; 11]| d.likelihood.log_likelihood_ratio(&d.likelihood_params(x));
    for y in &images[1..] {
        assert!(
            (ll(y) - ll(&x)).abs() < 1e-6 * ll(&x).abs(),
            "{} vs {}",
            ll(y),
            ll(&x)
        );
    }
}

/// The default run (`cargo run --release -- pe`): every injected value
/// inside its 90 % interval. Takes about 1–2 min in release;
/// run with `cargo test --release --test pe -- --ignored`.
#[test]
#[ignore]
fn default_run_covers_the_injection() {
    let out = tmp("default");
    let res = run_pe(
        &PeConfig::default(),
        &PeOptions {
            outdir: out.clone(),
            resume: false,
            force: false,
            progress: false,
        },
    )
    .unwrap();
    for name in COLUMNS {
        let p = &res.summary["parameters"][name];
        let inj = p["injected"].as_f64().unwrap();
        assert!(
            p["q05"].as_f64().unwrap() <= inj && inj <= p["q95"].as_f64().unwrap(),
            "{name}: {p}"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// A run killed with SIGKILL in the middle of sampling (no chance to clean
/// up) and continued with `--resume` writes exactly the samples of an
/// uninterrupted run with the same seed.
#[cfg(unix)]
#[test]
fn sigkilled_run_resumes_to_the_uninterrupted_result() {
    let mut cfg = tiny();
    cfg.sampler.n_production_loops = 8;
    cfg.sampler.evidence = false;
    let base = tmp("sigkill");
    let cfg_path = write_config(&base, &cfg);
    let (whole, killed) = (base.join("whole"), base.join("killed"));
    let o = ferrax_pe(&[
        "--config",
        cfg_path.to_str().unwrap(),
        "--outdir",
        whole.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));

    let mut child = Command::new(env!("CARGO_BIN_EXE_ferrax"))
        .args([
            "pe",
            "--quiet",
            "--config",
            cfg_path.to_str().unwrap(),
            "--outdir",
        ])
        .arg(&killed)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let ckpt = killed.join("checkpoint.bin");
    let t0 = std::time::Instant::now();
    while !ckpt.exists() && t0.elapsed().as_secs() < 120 {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(ckpt.exists(), "no checkpoint within 120 s");
    assert!(
        !status.success() && !killed.join("summary.json").exists(),
        "the run finished before it could be killed; lengthen it"
    );
    let o = ferrax_pe(&["--outdir", killed.to_str().unwrap(), "--resume"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(whole.join("samples.npy")).unwrap(),
        std::fs::read(killed.join("samples.npy")).unwrap()
    );
    let _ = std::fs::remove_dir_all(&base);
}

/// The sky images of `start_points` keep the arrival-time differences
/// between the three detectors (to 1e-12 s) and the arrival time at the
/// first; the inclination image is θ_JN → π − θ_JN.
#[test]
fn start_point_images_keep_the_arrival_times() {
    use ferrax::gw::detector::Detector;
    use ferrax::pe::run::start_points;
    let dets: Vec<Detector> = ["H1", "L1", "V1"]
        .iter()
        .map(|n| Detector::by_name(n).unwrap())
        .collect();
    let trigger = 1126259462.0;
    // sampled order: mc, q, χ1, χ2, d, t, φ, θ_JN, ψ, ra, dec
    let x = [28.0, 0.8, 0.3, -0.1, 400.0, 0.01, 1.3, 0.4, 0.7, 1.375, -1.2108];
    let pts = start_points(&x, &dets, trigger);
    assert_eq!(pts.len(), 4);
    assert!((pts[1][7] - (std::f64::consts::PI - 0.4)).abs() < 1e-15);
    // arrival time relative to the trigger (absolute GPS times carry only
    // ~1e-7 s of float64 resolution)
    let arrival =
        |p: &[f64; 11], d: &Detector| p[5] + d.time_delay_from_geocenter(p[9], p[10], trigger + x[5]);
    for img in &pts[2..] {
        assert!(
            (img[9] - x[9]).abs() > 1e-3 || (img[10] - x[10]).abs() > 1e-3,
            "not moved"
        );
        for d in &dets {
            let (a, b) = (arrival(&x, d), arrival(img, d));
            assert!((a - b).abs() < 1e-12, "{}: {a} vs {b}", d.name);
        }
    }
}
