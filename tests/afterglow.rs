//! The afterglow surrogate against afterglowpy 0.8.1 light curves (the
//! validation sets and mock observations in tests/data/afterglow, copied
//! from the training data release; see its README): accuracy of the
//! built-in models, gradients against finite differences, a training smoke
//! test, and errors on bad input.

use ferrax::surrogates::augment::TimeStretch;
use ferrax::surrogates::em::{ln_normal_cdf, DEFAULT_SYSTEMATIC_MAG};
use ferrax::surrogates::train::{
    continue_training, read_meta, read_split, train, train_ensemble, DataMeta, Dataset, TrainConfig,
};
use ferrax::surrogates::{AfterglowSurrogate, EmLikelihood, Jet, Observations, SurrogateError};
use ferrax_autodiff::{check_gradients, GradCheckOptions, Tensor};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/afterglow")
}

/// Accuracy of a built-in model over its validation set (1000 afterglowpy
/// light curves never used in training), in AB magnitudes over the grid points
/// with true m_AB <= 30.
fn check_accuracy(jet: Jet, max_median: f64, max_p95: f64) {
    let model = AfterglowSurrogate::builtin(jet).unwrap();
    let meta = read_meta(&data_dir(), jet).unwrap();
    let val = read_split(&data_dir(), &meta, "val").unwrap();
    let acc = model.accuracy(&val.x, &val.y, val.n, 30.0).unwrap();
    eprintln!("{jet:?}: {acc:?}");
    assert!(acc.n_bright > 10_000, "{acc:?}");
    assert!(
        acc.median_bright <= max_median,
        "{jet:?} median |dm| {:.4} > {max_median}",
        acc.median_bright
    );
    assert!(
        acc.p95_bright <= max_p95,
        "{jet:?} p95 |dm| {:.4} > {max_p95}",
        acc.p95_bright
    );
}

// Tolerances: the accuracy the shipped models reach (experiments/afterglow/README.md),
// with a small margin; they guard against regressions of the models and of the
// evaluation path.
#[test]
fn builtin_tophat_accuracy_on_validation_set() {
    check_accuracy(Jet::TopHat, TOPHAT_MEDIAN, TOPHAT_P95);
}

#[test]
fn builtin_gaussian_accuracy_on_validation_set() {
    check_accuracy(Jet::Gaussian, GAUSSIAN_MEDIAN, GAUSSIAN_P95);
}

// shipped: top-hat 0.0645 / 0.2954 mag, Gaussian (ensemble of two) 0.071 /
// 0.388 mag (median / 95th percentile); all four targets (0.10 / 0.3 top-hat,
// 0.15 / 0.4 Gaussian) are met, and the top-hat tolerance is the target itself.
const TOPHAT_MEDIAN: f64 = 0.07;
const TOPHAT_P95: f64 = 0.30;
const GAUSSIAN_MEDIAN: f64 = 0.075;
const GAUSSIAN_P95: f64 = 0.395;

/// The surrogate interpolated to the mock observation points against the
/// noise-free afterglowpy magnitudes stored with them.
#[test]
fn surrogate_matches_afterglowpy_at_mock_points() {
    let model = AfterglowSurrogate::builtin(Jet::TopHat).unwrap();
    for f in ["mock_obs_1.json", "mock_obs_2.json"] {
        let path = data_dir().join(f);
        let obs = Observations::from_file(&path, &model).unwrap();
        let truth = obs.truth_for(&model).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let m_true: Vec<f64> = v["mag_AB_true"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let lik = EmLikelihood::new(model.clone(), obs, DEFAULT_SYSTEMATIC_MAG).unwrap();
        let m = lik.model_mags(&truth).unwrap();
        let mut err: Vec<f64> = m.iter().zip(&m_true).map(|(a, b)| (a - b).abs()).collect();
        err.sort_by(|a, b| a.total_cmp(b));
        let med = err[err.len() / 2];
        eprintln!("{f}: median |dm| {med:.3}, max {:.3}", err[err.len() - 1]);
        assert!(med < 0.5, "{f}: median |dm| {med}");
        assert!(err[err.len() - 1] < 2.0, "{f}: max |dm| {}", err[err.len() - 1]);
    }
}

/// The energy–density scaling the surrogate folds out (E0 → λE0, n0 → λn0,
/// ε_B → ε_B/λ multiplies F_ν by λ): afterglowpy 0.8.1 light curves at three
/// (top-hat) and two (Gaussian) points, each also shifted by log10 λ = 0.7
/// and −1.3 (tests/data/afterglow/symmetry_*). afterglowpy obeys it to
/// 1e-9 dex; the built-in surrogate obeys it exactly (to rounding, on the
/// f64 and the tape path) and stays close to afterglowpy on all of them.
/// The surrogate's curves of the `n` parameter rows `x` on the f64 batch
/// path and on the tape.
fn batch_and_tape(model: &AfterglowSurrogate, x: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let pred = model.predict_batch(x, n).unwrap();
    let tape = model
        .predict_tensor(&Tensor::from_vec(x.to_vec(), &[n, model.n_params()]).unwrap())
        .unwrap()
        .to_vec()
        .unwrap();
    (pred, tape)
}

#[test]
fn energy_density_scaling_holds_in_afterglowpy_and_in_the_surrogate() {
    for jet in [Jet::TopHat, Jet::Gaussian] {
        let model = AfterglowSurrogate::builtin(jet).unwrap();
        let sym = model.symmetry.expect("built-in models fold out the scaling");
        let name = jet.name();
        let x = ferrax::io::read_npy(data_dir().join(format!("symmetry_{name}_X.npy"))).unwrap();
        let y = ferrax::io::read_npy(data_dir().join(format!("symmetry_{name}_Y.npy"))).unwrap();
        let (d, m) = (model.n_params(), model.n_out());
        assert_eq!(x.shape, vec![x.shape[0], d]);
        assert_eq!(y.data.len(), x.shape[0] * m);
        let n = x.shape[0];
        let (pred, tape) = batch_and_tape(&model, &x.data, n);
        for g in 0..n / 3 {
            let base = 3 * g;
            for k in 1..3 {
                let r = base + k;
                let shift = x.data[r * d + sym.log_energy] - x.data[base * d + sym.log_energy];
                assert!(
                    (x.data[r * d + sym.log_density] - x.data[base * d + sym.log_density] - shift).abs()
                        < 1e-12
                );
                assert!(
                    (x.data[base * d + sym.log_epsilon_b] - x.data[r * d + sym.log_epsilon_b] - shift).abs()
                        < 1e-12
                );
                for j in 0..m {
                    let dy_ref = y.data[r * m + j] - y.data[base * m + j];
                    assert!(
                        (dy_ref - shift).abs() < 1e-9,
                        "{name} afterglowpy: {dy_ref} vs {shift}"
                    );
                    let dy = pred[r * m + j] - pred[base * m + j];
                    assert!((dy - shift).abs() < 1e-10, "{name} surrogate: {dy} vs {shift}");
                    let dt = tape[r * m + j] - tape[base * m + j];
                    assert!((dt - shift).abs() < 1e-10, "{name} tape: {dt} vs {shift}");
                }
            }
        }
        // and the surrogate reproduces these curves (bright points, AB mag)
        let acc = model.accuracy(&x.data, &y.data, n, 30.0).unwrap();
        eprintln!("{name} at the symmetry points: {acc:?}");
        assert!(
            acc.n_bright > 100 && acc.median_bright < 0.2 && acc.p95_bright < 0.8,
            "{acc:?}"
        );
    }
}

/// The time-stretch symmetry the training augmentation uses: afterglowpy
/// light curves at a point and at its stretches by +5 and −7 grid steps
/// (tests/data/afterglow/stretch_*) against [`TimeStretch::stretch`] of
/// the first.
#[test]
fn time_stretch_reproduces_afterglowpy() {
    for jet in [Jet::TopHat, Jet::Gaussian] {
        let model = AfterglowSurrogate::builtin(jet).unwrap();
        let ts = TimeStretch::detect(&model).expect("log-uniform grid, all four parameters");
        let name = jet.name();
        let x = ferrax::io::read_npy(data_dir().join(format!("stretch_{name}_X.npy"))).unwrap();
        let y = ferrax::io::read_npy(data_dir().join(format!("stretch_{name}_Y.npy"))).unwrap();
        let (d, m, nt) = (model.n_params(), model.n_out(), model.times_days.len());
        let mut checked = 0;
        for g in 0..x.shape[0] / 3 {
            let base = 3 * g;
            let (x0, y0) = (
                &x.data[base * d..(base + 1) * d],
                &y.data[base * m..(base + 1) * m],
            );
            for (i, k) in [(1, 5i64), (2, -7)] {
                let r = base + i;
                let s = ts.stretch(&model.params, nt, x0, y0, k, 0.0).unwrap();
                for (a, b) in s.params.iter().zip(&x.data[r * d..(r + 1) * d]) {
                    assert!((a - b).abs() < 1e-9, "{name}: parameters {a} vs {b}");
                }
                assert_eq!(
                    s.log_flux.iter().filter(|v| v.is_none()).count(),
                    model.bands.len() * k.unsigned_abs() as usize
                );
                for (j, v) in s.log_flux.iter().enumerate() {
                    if let Some(v) = v {
                        let want = y.data[r * m + j];
                        assert!((v - want).abs() < 1e-4, "{name} k={k} point {j}: {v} vs {want}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 400);
    }
}

/// The time-stretch fold makes the surrogate obey the stretch exactly: at
/// the stretched points of `tests/data/afterglow/stretch_*` (+5 and −7 grid
/// steps) its curves are its curve at the first point moved along the
/// grid and scaled by s^(7/3), on the f64 and on the tape path.
#[test]
fn time_stretch_is_exact_in_the_surrogate() {
    for jet in [Jet::TopHat, Jet::Gaussian] {
        let model = AfterglowSurrogate::builtin(jet).unwrap();
        let fold = model.stretch.expect("built-in models fold in the time stretch");
        let name = jet.name();
        let x = ferrax::io::read_npy(data_dir().join(format!("stretch_{name}_X.npy"))).unwrap();
        let (m, nt) = (model.n_out(), model.times_days.len());
        let n = x.shape[0];
        let (pred, tape) = batch_and_tape(&model, &x.data, n);
        let mut checked = 0;
        for g in 0..n / 3 {
            let base = 3 * g;
            for (i, k) in [(1, 5i64), (2, -7)] {
                let r = base + i;
                let want_shift = 7.0 / 3.0 * k as f64 * fold.grid_step_dex;
                for b in 0..model.bands.len() {
                    for j in 0..nt as i64 {
                        let from = j - k;
                        if !(0..nt as i64).contains(&from) {
                            continue;
                        }
                        let (p, p0) = (r * m + b * nt + j as usize, base * m + b * nt + from as usize);
                        let ds = pred[p] - pred[p0];
                        assert!(
                            (ds - want_shift).abs() < 1e-9,
                            "{name} k={k}: {ds} vs {want_shift}"
                        );
                        let dt = tape[p] - tape[p0];
                        assert!(
                            (dt - want_shift).abs() < 1e-9,
                            "{name} tape k={k}: {dt} vs {want_shift}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 400);
    }
}

#[test]
fn f64_and_tape_paths_agree_and_save_load_round_trips() {
    for jet in [Jet::TopHat, Jet::Gaussian] {
        let model = AfterglowSurrogate::builtin(jet).unwrap();
        let meta = read_meta(&data_dir(), jet).unwrap();
        let val = read_split(&data_dir(), &meta, "val").unwrap();
        let d = model.n_params();
        let n = 5;
        let (batch, tape) = batch_and_tape(&model, &val.x[..n * d], n);
        let one = model.predict(&val.x[..d]).unwrap();
        for k in 0..batch.len() {
            assert!((batch[k] - tape[k]).abs() < 1e-9 * batch[k].abs().max(1.0));
        }
        for k in 0..one.len() {
            assert!((batch[k] - one[k]).abs() < 1e-9 * one[k].abs().max(1.0));
        }
        let bytes = model.to_bytes().unwrap();
        let back = AfterglowSurrogate::from_bytes(&bytes, "memory").unwrap();
        assert_eq!(back.predict(&val.x[..d]).unwrap(), one);
    }
}

/// An ensemble's curve is the mean of its members' in the network's
/// (compressed) space, on the single-curve, batch and tape paths, and its
/// gradient matches finite differences; members of other scalers are
/// refused, and an ensemble saves, loads, and is not trained on as one
/// network.
#[test]
fn ensemble_averages_its_members() {
    let a = AfterglowSurrogate::builtin(Jet::TopHat).unwrap();
    let mut b = a.clone();
    let flat: Vec<f64> = (b.networks[0].flat_params().iter().enumerate())
        .map(|(i, w)| w * (1.0 + 0.05 * (0.7 * i as f64).sin()))
        .collect();
    b.networks[0].set_flat_params(&flat).unwrap();
    let e = AfterglowSurrogate::ensemble(vec![a.clone(), b.clone()]).unwrap();
    assert_eq!(e.networks.len(), 2);
    assert_eq!(e.n_weights(), 2 * a.n_weights());
    let meta = read_meta(&data_dir(), Jet::TopHat).unwrap();
    let val = read_split(&data_dir(), &meta, "val").unwrap();
    let (d, n) = (e.n_params(), 4);
    let compressed = |m: &AfterglowSurrogate, x: &[f64]| -> Vec<f64> {
        let off = m.flux_offset(x);
        let y = m.predict(x).unwrap();
        y.iter().map(|&v| m.compression.forward(v - off)).collect()
    };
    let mut largest_member_gap = 0.0f64;
    for x in val.x[..n * d].chunks_exact(d) {
        let (ca, cb, ce) = (compressed(&a, x), compressed(&b, x), compressed(&e, x));
        for k in 0..ce.len() {
            let mean = 0.5 * (ca[k] + cb[k]);
            assert!(
                (ce[k] - mean).abs() < 1e-9 * mean.abs().max(1.0),
                "{} vs {mean}",
                ce[k]
            );
            largest_member_gap = largest_member_gap.max((ca[k] - cb[k]).abs());
        }
    }
    assert!(
        largest_member_gap > 0.01,
        "the members must differ for the test to mean anything"
    );
    let (batch, tape) = batch_and_tape(&e, &val.x[..n * d], n);
    let one: Vec<f64> = val.x[..n * d]
        .chunks_exact(d)
        .flat_map(|x| e.predict(x).unwrap())
        .collect();
    for k in 0..one.len() {
        assert!((batch[k] - one[k]).abs() < 1e-9 * one[k].abs().max(1.0));
        assert!((tape[k] - one[k]).abs() < 1e-9 * one[k].abs().max(1.0));
    }
    assert_curve_gradient_matches_finite_differences(&e, &val.x[..d]);
    let back = AfterglowSurrogate::from_bytes(&e.to_bytes().unwrap(), "memory").unwrap();
    assert_eq!(back.predict(&val.x[..d]).unwrap(), one[..e.n_out()]);
    let mut other = b.clone();
    other.out_scale *= 1.01;
    let err = AfterglowSurrogate::ensemble(vec![a, other]).unwrap_err();
    assert!(err.to_string().contains("ensemble member 2"), "{err}");
    let mut more = e.clone();
    let mut rng = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
    let err = continue_training(&mut more, &val, None, &TrainConfig::default(), &mut rng).unwrap_err();
    assert!(err.to_string().contains("ensemble"), "{err}");
}

/// `train_ensemble` trains its members with consecutive seeds: the first is
/// the network `train` gives with that seed on one thread, bit for bit, and
/// the record's validation is the ensemble's.
#[test]
fn ensemble_training_runs_members_with_their_seeds() {
    let n = 200;
    let (meta, data) = tophat_validation_head(n);
    let config = TrainConfig {
        hidden: vec![16, 16],
        epochs: 4,
        batch_size: 32,
        lr: 3e-3,
        progress: false,
        threads: 2,
        ..TrainConfig::default()
    };
    let e = train_ensemble(&meta, &data, Some(&data), &config, 2).unwrap();
    assert_eq!(e.networks.len(), 2);
    let single = train(
        &meta,
        &data,
        None,
        &TrainConfig {
            threads: 1,
            ..config.clone()
        },
    )
    .unwrap();
    assert_eq!(e.networks[0].flat_params(), single.networks[0].flat_params());
    assert_ne!(e.networks[0].flat_params(), e.networks[1].flat_params());
    assert_eq!(e.training.epochs, 8);
    assert_eq!(
        e.training.validation.clone().unwrap(),
        e.accuracy(&data.x, &data.y, n, 30.0).unwrap()
    );
}

/// d ln L / dθ through the tape (network, interpolation, magnitudes) against
/// central finite differences of the plain f64 likelihood.
#[test]
fn likelihood_gradient_matches_finite_differences() {
    let model = AfterglowSurrogate::builtin(Jet::TopHat).unwrap();
    let obs = Observations::from_file(data_dir().join("mock_obs_2.json"), &model).unwrap();
    let mut obs_ul = obs.clone();
    // make two points upper limits to cover the one-sided terms
    obs_ul.upper_limit[3] = true;
    obs_ul.upper_limit[10] = true;
    for o in [obs, obs_ul] {
        let x0 = o.truth_for(&model).unwrap();
        let lik = EmLikelihood::new(model.clone(), o, DEFAULT_SYSTEMATIC_MAG).unwrap();
        let (ll, g) = lik.log_likelihood_and_grad(&x0, 1).unwrap();
        assert!((ll[0] - lik.log_likelihood(&x0).unwrap()).abs() < 1e-8 * ll[0].abs().max(1.0));
        for j in 0..x0.len() {
            let h = 1e-5 * (1.0 + x0[j].abs());
            let (mut xp, mut xm) = (x0.clone(), x0.clone());
            xp[j] += h;
            xm[j] -= h;
            let fd = (lik.log_likelihood(&xp).unwrap() - lik.log_likelihood(&xm).unwrap()) / (2.0 * h);
            let tol = 1e-5 * (1.0 + fd.abs().max(g[j].abs()));
            assert!((fd - g[j]).abs() < tol, "param {j}: tape {} vs fd {fd}", g[j]);
        }
    }
    // the surrogate itself, all outputs, with the project's gradient checker
    let gm = AfterglowSurrogate::builtin(Jet::Gaussian).unwrap();
    assert_curve_gradient_matches_finite_differences(&gm, &[0.3, 52.0, 0.1, 3.0, -2.0, 2.2, -1.0, -3.0]);
}

/// The tape Jacobian of every output of the surrogate's curve at `x`
/// against central finite differences (the project's gradient checker).
fn assert_curve_gradient_matches_finite_differences(model: &AfterglowSurrogate, x: &[f64]) {
    let x = Tensor::from_vec(x.to_vec(), &[1, model.n_params()]).unwrap();
    let rep = check_gradients(
        |p| model.predict_tensor(&p[0]).unwrap(),
        &[x],
        &GradCheckOptions {
            step: 1e-5,
            floor: 1e-4,
        },
    )
    .unwrap();
    assert!(rep.max_rel_error < 1e-5, "{rep:?}");
}

#[test]
fn ln_normal_cdf_matches_reference_values() {
    // Φ(z) from standard tables (Abramowitz & Stegun 1964, Table 26.1) and
    // the asymptotic tail ln Φ(z) ≈ −z²/2 − ln(−z √(2π)) for z = −30
    for (z, phi) in [
        (0.0, 0.5),
        (1.0, 0.841_344_746),
        (-1.0, 0.158_655_254),
        (-3.0, 0.001_349_898),
    ] {
        assert!((ln_normal_cdf(z) - f64::ln(phi)).abs() < 1e-6, "z = {z}");
    }
    let z = -30.0f64;
    let asym = -0.5 * z * z - (-z * (2.0 * std::f64::consts::PI).sqrt()).ln() - (1.0 / (z * z)).ln_1p();
    assert!((ln_normal_cdf(z) - asym).abs() < 1e-3);
}

/// The first `n` light curves of the top-hat validation set, as a small
/// training set.
fn tophat_validation_head(n: usize) -> (DataMeta, Dataset) {
    let meta = read_meta(&data_dir(), Jet::TopHat).unwrap();
    let mut data = read_split(&data_dir(), &meta, "val").unwrap();
    data.x.truncate(n * meta.params.len());
    data.y.truncate(n * meta.bands.len() * meta.times_days.len());
    data.n = n;
    (meta, data)
}

#[test]
fn tiny_training_run_learns() {
    let n = 300;
    let (meta, data) = tophat_validation_head(n);
    let config = TrainConfig {
        hidden: vec![32, 32],
        epochs: 15,
        batch_size: 32,
        lr: 3e-3,
        progress: false,
        validate_every: 1,
        ..TrainConfig::default()
    };
    let base = {
        let c = TrainConfig {
            epochs: 1,
            lr: 1e-9,
            ..config.clone()
        };
        train(&meta, &data, Some(&data), &c).unwrap()
    };
    let model = train(&meta, &data, Some(&data), &config).unwrap();
    let a0 = base.training.validation.clone().unwrap();
    let a1 = model.training.validation.clone().unwrap();
    assert!(a1.median_bright < 0.5 * a0.median_bright, "{a0:?} -> {a1:?}");
    let dir = std::env::temp_dir().join(format!("ferrax_ag_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("m.bin");
    model.save(&p).unwrap();
    let back = AfterglowSurrogate::load(&p).unwrap();
    assert_eq!(
        back.predict(&data.x[..7]).unwrap(),
        model.predict(&data.x[..7]).unwrap()
    );
    std::fs::remove_dir_all(&dir).ok();
    // by default the final state is kept, and its validation accuracy recorded
    assert_eq!(
        model.accuracy(&data.x, &data.y, n, 30.0).unwrap(),
        a1,
        "the record describes the saved state"
    );
    // continued training (`ferrax afterglow train --init`) keeps the scalers and,
    // asked to keep the best state, does not lose it; a data set of another
    // shape is refused
    let mut more = model.clone();
    let mut rng = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(3);
    let keep_best = TrainConfig {
        keep_best: true,
        ..config.clone()
    };
    continue_training(&mut more, &data, Some(&data), &keep_best, &mut rng).unwrap();
    assert_eq!(more.out_mean, model.out_mean);
    let a2 = more.training.validation.clone().unwrap();
    assert!(a2.median_bright <= 1.05 * a1.median_bright, "{a1:?} -> {a2:?}");
    let ga_meta = read_meta(&data_dir(), Jet::Gaussian).unwrap();
    let ga = read_split(&data_dir(), &ga_meta, "val").unwrap();
    let e = continue_training(&mut more, &ga, None, &config, &mut rng).unwrap_err();
    assert!(e.to_string().contains("training set"), "{e}");
    // time-stretch augmentation (half of each batch, on a model without the
    // fold) also learns; with the fold, or with a share outside [0, 1], it
    // is a named error
    assert!(model.stretch.is_some() && base.stretch.is_some());
    let aug = TrainConfig {
        augment: 0.5,
        stretch: false,
        ..config.clone()
    };
    let e = train(
        &meta,
        &data,
        None,
        &TrainConfig {
            stretch: true,
            ..aug.clone()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("augment"), "{e}");
    let model_aug = train(&meta, &data, Some(&data), &aug).unwrap();
    assert!(model_aug.stretch.is_none() && model_aug.networks[0].n_out() == 250);
    let a3 = model_aug.training.validation.clone().unwrap();
    assert!(a3.median_bright < 0.5 * a0.median_bright, "{a0:?} -> {a3:?}");
    for bad in [1.5, f64::NAN] {
        let c = TrainConfig {
            augment: bad,
            ..config.clone()
        };
        let e = train(&meta, &data, None, &c).unwrap_err();
        assert!(e.to_string().contains("augment"), "{e}");
    }
}

fn mock_json() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(data_dir().join("mock_obs_1.json")).unwrap()).unwrap()
}

fn parse(v: &serde_json::Value) -> Result<Observations, SurrogateError> {
    let model = AfterglowSurrogate::builtin(Jet::TopHat).unwrap();
    Observations::from_json(&v.to_string(), "test.json", &model)
}

#[test]
fn bad_observations_are_named_errors() {
    assert!(parse(&mock_json()).is_ok());
    let cases: [(&str, serde_json::Value, &str); 6] = [
        ("t_days", serde_json::json!(-1.0), "positive"),
        ("t_days", serde_json::json!(5000.0), "outside"),
        ("band", serde_json::json!("gamma_rays"), "unknown band"),
        ("mag_AB", serde_json::json!(null), "mag_AB"),
        ("mag_err", serde_json::json!(-0.2), "mag_err"),
        ("mag_AB", serde_json::json!("bright"), "not a number"),
    ];
    for (key, val, want) in cases {
        let mut v = mock_json();
        v[key][4] = val.clone();
        let e = parse(&v).unwrap_err().to_string();
        assert!(e.contains(want) && e.contains("test.json"), "{key} = {val}: {e}");
    }
    // NaN cannot be written in JSON; a non-finite value through the API is refused too
    let model = AfterglowSurrogate::builtin(Jet::TopHat).unwrap();
    let mut obs = parse(&mock_json()).unwrap();
    obs.t_days[0] = f64::NAN;
    assert!(EmLikelihood::new(model.clone(), obs, 0.3).is_err());
    let mut v = mock_json();
    v.as_object_mut().unwrap().remove("t_days");
    assert!(parse(&v).unwrap_err().to_string().contains("missing t_days"));
}

#[test]
fn parameters_outside_the_training_box_are_refused() {
    let th = AfterglowSurrogate::builtin(Jet::TopHat).unwrap();
    let ok = [0.3, 52.0, 0.1, -2.0, 2.2, -1.0, -3.0];
    assert!(th.predict(&ok).is_ok());
    for (j, bad) in [
        (1, 58.0),
        (2, 0.005),
        (4, 3.5),
        (6, 0.5),
        (0, f64::NAN),
        (3, f64::INFINITY),
    ] {
        let mut x = ok;
        x[j] = bad;
        let e = th.predict(&x).unwrap_err().to_string();
        assert!(e.contains(&th.params[j].name), "{e}");
    }
    assert!(th.predict(&ok[..6]).is_err());
    let ga = AfterglowSurrogate::builtin(Jet::Gaussian).unwrap();
    // thetaWing = 3.5 * 0.6 > pi/2
    let e = ga
        .predict(&[0.3, 52.0, 0.6, 3.5, -2.0, 2.2, -1.0, -3.0])
        .unwrap_err()
        .to_string();
    assert!(e.contains("thetaWing"), "{e}");
}

/// Full posterior on both mocks (about a minute each in release):
/// `cargo test --release --test afterglow -- --ignored mock_posteriors`.
/// Each true value must lie inside the central 98 % interval and the chains
/// must have mixed (split-R̂ < 1.3). (Were the 14 intervals independent,
/// exact inference would leave some truth outside its 90 % interval with
/// probability 1 − 0.9¹⁴ ≈ 0.77; the quantile of each truth is printed.)
#[test]
#[ignore]
fn mock_posteriors_cover_the_truth() {
    use ferrax::surrogates::infer::{infer, InferConfig};
    let model = AfterglowSurrogate::builtin(Jet::TopHat).unwrap();
    for f in ["mock_obs_1.json", "mock_obs_2.json"] {
        let obs = Observations::from_file(data_dir().join(f), &model).unwrap();
        let truth = obs.truth_for(&model).unwrap();
        let lik = EmLikelihood::new(model.clone(), obs, DEFAULT_SYSTEMATIC_MAG).unwrap();
        let res = infer(&lik, &InferConfig::default()).unwrap();
        let d = res.names.len();
        let n = res.samples.len() / d;
        for (j, s) in res.summary.iter().enumerate() {
            let below = res
                .samples
                .iter()
                .skip(j)
                .step_by(d)
                .filter(|&&v| v < truth[j])
                .count();
            let q = below as f64 / n as f64;
            eprintln!(
                "{f} {}: truth at quantile {q:.3}, R-hat {:.3}",
                res.names[j], s.rhat
            );
            assert!(
                (0.01..=0.99).contains(&q),
                "{f} {}: truth at quantile {q}",
                res.names[j]
            );
            assert!(s.rhat < 1.3, "{f} {}: R-hat {}", res.names[j], s.rhat);
        }
    }
}
