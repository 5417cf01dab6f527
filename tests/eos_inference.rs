//! EOS inference (`ferrax eos-infer`): the prior-only run against direct
//! prior draws, recovery of a known EOS from mock observations, counted
//! rejection of unphysical EOSs, and checkpoint/resume.
//!
//! Fast versions run in the dev profile (families of 50 stars, few
//! walkers); the long versions are ignored by default:
//! `cargo test --release --test eos_inference -- --ignored`.

use ferrax::eosinfer::config::EosInferConfig;
use ferrax::eosinfer::kde::{ConditionalKde, KdeOptions};
use ferrax::eosinfer::likelihood::{EosModel, Outcome, Rejection, Term};
use ferrax::eosinfer::params::ParamPrior;
use ferrax::eosinfer::run::{quantiles, run_eos_infer, EosInferOptions};
use ferrax::eosinfer::sampler::{run_ensemble, EnsembleState, SamplerSettings};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// The EOS of the radius-loss reference case (tests/data/tov/radius_loss.json).
const TRUTH: [(&str, f64); 18] = [
    ("K_sat", 230.0),
    ("Q_sat", 200.0),
    ("Z_sat", -500.0),
    ("E_sym", 32.0),
    ("L_sym", 55.0),
    ("K_sym", -100.0),
    ("Q_sym", 300.0),
    ("Z_sym", -200.0),
    ("nbreak", 0.24),
    ("cs2_CSE_0", 0.7),
    ("cs2_CSE_1", 0.75),
    ("cs2_CSE_2", 0.6),
    ("cs2_CSE_3", 0.5),
    ("cs2_CSE_4", 0.45),
    ("cs2_CSE_5", 0.4),
    ("cs2_CSE_6", 0.38),
    ("cs2_CSE_7", 0.35),
    ("cs2_CSE_8", 0.33),
];

fn prior_only_config(ndat: usize) -> EosInferConfig {
    let mut c = EosInferConfig {
        prior_only: true,
        ..Default::default()
    };
    c.family.ndat = ndat;
    c.nicer.clear();
    c.gw.clear();
    c.radio.clear();
    c.chieft.enabled = false;
    c
}

/// The truth with `free` parameters left free (jester's ranges) and all
/// others fixed; node positions fixed at (i+1)/9 as in the reference case.
fn mock_config(free: &[&str], ndat: usize) -> EosInferConfig {
    let mut c = prior_only_config(ndat);
    c.prior_only = false;
    for (n, v) in TRUTH {
        if !free.contains(&n) {
            c.prior.insert(n.to_string(), ParamPrior::Fixed(v));
        }
    }
    for i in 0..8 {
        c.prior
            .insert(format!("n_CSE_{i}_u"), ParamPrior::Fixed((i + 1) as f64 / 9.0));
    }
    c
}

/// The unit-cube point of the truth for a model whose free parameters are
/// a subset of TRUTH.
fn truth_u(model: &EosModel) -> Vec<f64> {
    let mut theta = model.prior.theta(&vec![0.5; model.prior.dim()]);
    for (n, v) in TRUTH {
        if let Some(i) = model.prior.names.iter().position(|x| x == n) {
            theta[i] = v;
        }
    }
    model.prior.to_unit(&theta)
}

/// Mock observations of the truth: two NICER-like stars (M ± 0.05 M☉,
/// R ± 0.4 km, independent Gaussians) at 1.4 M☉ and 0.95 M_TOV, a GW-like
/// binary (m1 = 1.45, m2 = 1.30 ± 0.02 M☉, Λ ± 15 %), and the heavy star's
/// radio mass (± 0.05 M☉).
fn add_mock_terms(model: &mut EosModel, seed: u64) -> (f64, f64) {
    let s = model.solve(&truth_u(model)).expect("the truth is physical");
    let fam = &s.family;
    let (m_tov, r14) = (s.derived.m_tov, s.derived.r_1p4_km);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut gauss = |mu: f64, sd: f64| mu + sd * rng.sample::<f64, _>(StandardNormal);
    let opts = KdeOptions::default();
    for (name, m) in [("mock_1p4", 1.4), ("mock_heavy", 0.95 * m_tov)] {
        let r = fam.radius_at(m);
        let mut v = Vec::new();
        for _ in 0..3000 {
            v.push(gauss(m, 0.05));
            v.push(gauss(r, 0.4));
        }
        let kde = ConditionalKde::new(name, &v, 1, 1, &opts).unwrap();
        model.terms.push(Term::Nicer {
            name: name.into(),
            analyses: vec![kde],
        });
    }
    let (m1, m2) = (1.45, 1.30);
    let (l1, l2) = (fam.lambda_at(m1), fam.lambda_at(m2));
    let mut v = Vec::new();
    for _ in 0..3000 {
        v.extend([
            gauss(m1, 0.02),
            gauss(m2, 0.02),
            gauss(l1, 0.15 * l1),
            gauss(l2, 0.15 * l2),
        ]);
    }
    model.terms.push(Term::Gw {
        name: "mock_gw".into(),
        kde: ConditionalKde::new("mock_gw", &v, 2, 2, &opts).unwrap(),
    });
    model.terms.push(Term::Radio {
        name: "mock_radio".into(),
        mean: gauss(0.95 * m_tov, 0.05),
        std: 0.05,
        m_min: 0.1,
    });
    (r14, m_tov)
}

fn column(st: &EnsembleState, j: usize) -> Vec<f64> {
    let nb = 4 + st.n_terms;
    (0..st.kept_log_like.len())
        .map(|i| st.kept_blobs[i * nb + j])
        .collect()
}

/// Direct prior draws: uniform in the box, unphysical EOSs rejected.
fn direct_draws(model: &EosModel, n: usize, seed: u64) -> (Vec<f64>, Vec<f64>, usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let pts: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..model.prior.dim()).map(|_| rng.gen::<f64>()).collect())
        .collect();
    let outs = ferrax::eosinfer::sampler::evaluate_batch(model, &pts, true, 0);
    let (mut r, mut m, mut rejected) = (Vec::new(), Vec::new(), 0);
    for o in outs {
        match o {
            Outcome::Accepted { derived, .. } => {
                r.push(derived.r_1p4_km);
                m.push(derived.m_tov);
            }
            Outcome::Rejected(_) => rejected += 1,
        }
    }
    (r, m, rejected)
}

/// Quantiles (5, 50, 95 %) of the sampler's draws against direct draws,
/// within `k` standard errors of the difference. The standard error of a
/// quantile is estimated from the spread of the direct draws, with
/// `n_eff_sampler` effective sampler draws.
fn assert_same_quantiles(name: &str, sampled: &[f64], direct: &[f64], n_eff_sampler: f64, k: f64) {
    let (a50, a05, a95) = quantiles(sampled);
    let (b50, b05, b95) = quantiles(direct);
    let spread = (b95 - b05) / 3.29; // ≈ σ for a Gaussian
    let nd = direct.len() as f64;
    for (q, a, b) in [(0.05f64, a05, b05), (0.5, a50, b50), (0.95, a95, b95)] {
        // sd of a quantile ≈ √(q(1−q)/n)/f(x_q), with f(x_q) ≈ φ(z_q)/σ
        let z: f64 = match q {
            0.5 => 0.0,
            _ => 1.645,
        };
        let phi = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let se1 = (q * (1.0 - q)).sqrt() * spread / phi;
        let se = se1 * (1.0 / n_eff_sampler + 1.0 / nd).sqrt();
        assert!(
            (a - b).abs() < k * se,
            "{name} q{q}: sampler {a:.4} vs direct {b:.4} (allowed {:.4})",
            k * se
        );
    }
}

/// With the prior only, the sampler's R_1.4 and M_TOV match direct prior
/// draws. Fast version: 32 walkers, 60 iterations, 50-star families.
#[test]
fn prior_only_sampling_matches_direct_prior_draws() {
    let cfg = prior_only_config(50);
    let model = cfg.build_model().unwrap();
    let settings = SamplerSettings {
        n_walkers: 32,
        n_burn: 20,
        n_production: 40,
        thin: 4,
        threads: 0,
        ..Default::default()
    };
    let st = EnsembleState::initialise(&model, settings, true, 7).unwrap();
    let st = run_ensemble(&model, st, None, false, None).unwrap();
    let (r_dir, m_dir, rejected) = direct_draws(&model, 400, 99);
    assert!(rejected > 0 && r_dir.len() > 200);
    let (r, m) = (column(&st, 1), column(&st, 0));
    // 32 walkers × 10 kept, correlated: count each walker's draws as ~3 independent
    let n_eff = 32.0 * 3.0;
    assert_same_quantiles("R_1.4", &r, &r_dir, n_eff, 3.5);
    assert_same_quantiles("M_TOV", &m, &m_dir, n_eff, 3.5);
    // rejected proposals are counted by reason, and every kept value is finite
    let counted: u64 = st.rejections.iter().sum();
    assert!(counted > 0);
    assert!(st.kept_blobs.iter().all(|v| v.is_finite()));
}

/// Long version: 64 walkers × 1500 iterations started from the prior, 2000
/// direct draws, jester's 100-star families.
/// `cargo test --release --test eos_inference -- --ignored prior_only_long`
#[test]
#[ignore]
fn prior_only_long() {
    let cfg = prior_only_config(100);
    let model = cfg.build_model().unwrap();
    let settings = SamplerSettings {
        n_walkers: 64,
        n_burn: 300,
        n_production: 1200,
        thin: 10,
        ..Default::default()
    };
    let st = EnsembleState::initialise(&model, settings, true, 17).unwrap();
    let st = run_ensemble(&model, st, None, true, None).unwrap();
    let (r_dir, m_dir, _) = direct_draws(&model, 3000, 5);
    let (r, m) = (column(&st, 1), column(&st, 0));
    for (name, s, d) in [("R_1.4", &r, &r_dir), ("M_TOV", &m, &m_dir)] {
        let (a, b) = (quantiles(s), quantiles(d));
        eprintln!("{name}: sampler {a:?} direct {b:?}");
    }
    assert_same_quantiles("R_1.4", &r, &r_dir, 64.0 * 10.0, 3.5);
    assert_same_quantiles("M_TOV", &m, &m_dir, 64.0 * 10.0, 3.5);
}

/// Mock observations of a known EOS are recovered: the true R_1.4 and
/// M_TOV lie inside the 90 % intervals, which are much narrower than the
/// prior's. Fast version: five free parameters (L_sym, K_sym, n_break and
/// the first two CSE sound speeds), the rest fixed at the truth.
#[test]
fn mock_observations_recover_the_true_eos() {
    let cfg = mock_config(&["L_sym", "K_sym", "nbreak", "cs2_CSE_0", "cs2_CSE_1"], 50);
    let mut model = cfg.build_model().unwrap();
    let (r14, m_tov) = add_mock_terms(&mut model, 3);
    let settings = SamplerSettings {
        n_walkers: 16,
        n_burn: 100,
        n_production: 80,
        thin: 2,
        ..Default::default()
    };
    let st = EnsembleState::initialise(&model, settings, false, 11).unwrap();
    let st = run_ensemble(&model, st, None, false, None).unwrap();
    let (r, m) = (column(&st, 1), column(&st, 0));
    let (rm, r05, r95) = quantiles(&r);
    let (mm, m05, m95) = quantiles(&m);
    eprintln!("R_1.4 {rm:.3} [{r05:.3}, {r95:.3}] true {r14:.3}; M_TOV {mm:.3} [{m05:.3}, {m95:.3}] true {m_tov:.3}");
    assert!(r05 < r14 && r14 < r95, "R_1.4 {r14} outside [{r05}, {r95}]");
    assert!(m05 < m_tov && m_tov < m95, "M_TOV {m_tov} outside [{m05}, {m95}]");
    assert!(
        r95 - r05 < 1.2,
        "R_1.4 interval [{r05}, {r95}] is not informative"
    );
}

/// Long version: all 26 parameters free (jester's prior), the default
/// sampler. `cargo test --release --test eos_inference -- --ignored mock_full_long`
#[test]
#[ignore]
fn mock_full_long() {
    let mut cfg = prior_only_config(100);
    cfg.prior_only = false;
    let mut model = cfg.build_model().unwrap();
    // the truth needs its node positions: fix them, as in the reference case
    let mut c2 = cfg.clone();
    for i in 0..8 {
        c2.prior
            .insert(format!("n_CSE_{i}_u"), ParamPrior::Fixed((i + 1) as f64 / 9.0));
    }
    model = EosModel {
        prior: c2.build_model().unwrap().prior,
        ..model
    };
    let (r14, m_tov) = add_mock_terms(&mut model, 3);
    let st = EnsembleState::initialise(&model, SamplerSettings::default(), false, 11).unwrap();
    let st = run_ensemble(&model, st, None, true, None).unwrap();
    let (r, m) = (column(&st, 1), column(&st, 0));
    let (rm, r05, r95) = quantiles(&r);
    let (mm, m05, m95) = quantiles(&m);
    eprintln!("R_1.4 {rm:.3} [{r05:.3}, {r95:.3}] true {r14:.3}; M_TOV {mm:.3} [{m05:.3}, {m95:.3}] true {m_tov:.3}");
    assert!(r05 < r14 && r14 < r95);
    assert!(m05 < m_tov && m_tov < m95);
}

/// Unphysical EOSs are rejected with a named reason, never NaN: a soft EOS
/// (all CSE sound speeds 0.02) cannot reach 1.4 M☉; an EOS whose M_TOV is
/// below the J0740 masses has zero NICER likelihood; 200 random prior draws
/// give only finite accepted values or counted reasons.
#[test]
fn unphysical_eos_are_rejected_with_reasons() {
    let mut cfg = mock_config(&["cs2_CSE_0"], 50);
    for i in 0..9 {
        if i > 0 {
            cfg.prior.insert(format!("cs2_CSE_{i}"), ParamPrior::Fixed(0.02));
        }
    }
    let model = cfg.build_model().unwrap();
    assert_eq!(
        model.evaluate(&[0.02], true),
        Outcome::Rejected(Rejection::MtovBelowMinimum)
    );
    // M_TOV between 1.4 and the J0740 masses: the default data reject it.
    // Soft nodes above the first; scan the first for such an EOS.
    let mut cfg = mock_config(&["cs2_CSE_0"], 50);
    for i in 1..9 {
        cfg.prior.insert(format!("cs2_CSE_{i}"), ParamPrior::Fixed(0.04));
    }
    cfg.nicer = EosInferConfig::default().nicer;
    let model = cfg.build_model().unwrap();
    let u = (1..20)
        .map(|k| k as f64 / 20.0)
        .find(|&u| {
            model
                .solve(&[u])
                .is_ok_and(|s| s.derived.m_tov > 1.45 && s.derived.m_tov < 1.7)
        })
        .expect("an EOS with 1.45 < M_TOV < 1.7");
    assert_eq!(
        model.evaluate(&[u], false),
        Outcome::Rejected(Rejection::MtovBelowObserved)
    );
    assert!(matches!(model.evaluate(&[u], true), Outcome::Accepted { .. }));
    // outside the cube
    assert_eq!(
        model.evaluate(&[1.5], true),
        Outcome::Rejected(Rejection::OutsidePrior)
    );
    // random prior draws of the full model
    let full = prior_only_config(50).build_model().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let pts: Vec<Vec<f64>> = (0..200)
        .map(|_| (0..26).map(|_| rng.gen::<f64>()).collect())
        .collect();
    let outs = ferrax::eosinfer::sampler::evaluate_batch(&full, &pts, true, 0);
    let mut reasons = std::collections::BTreeMap::new();
    for o in &outs {
        match o {
            Outcome::Accepted { derived, .. } => assert!(derived.to_array().iter().all(|v| v.is_finite())),
            Outcome::Rejected(r) => *reasons.entry(r.name()).or_insert(0) += 1,
        }
    }
    eprintln!("rejections of 200 prior draws: {reasons:?}");
    assert!(!reasons.is_empty());
}

/// A run stopped after 3 iterations and resumed from its checkpoint gives
/// the same draws, bit for bit, as an uninterrupted run.
#[test]
fn resume_continues_bit_for_bit() {
    let mut cfg = prior_only_config(30);
    cfg.sampler = SamplerSettings {
        n_walkers: 8,
        n_burn: 2,
        n_production: 4,
        thin: 1,
        threads: 2,
        checkpoint_every: 1,
        ..Default::default()
    };
    let dir = std::env::temp_dir().join(format!("ferrax_eosinfer_resume_{}", std::process::id()));
    let (a, b) = (dir.join("a"), dir.join("b"));
    let _ = std::fs::remove_dir_all(&dir);
    let opts = |d: &std::path::Path, resume: bool, stop: Option<usize>| EosInferOptions {
        outdir: d.to_path_buf(),
        resume,
        force: false,
        progress: false,
        stop_after: stop,
    };
    let full = run_eos_infer(&cfg, &opts(&a, false, None)).unwrap();
    let part = run_eos_infer(&cfg, &opts(&b, false, Some(3))).unwrap();
    assert_eq!(part.state.iteration, 3);
    let resumed = run_eos_infer(&cfg, &opts(&b, true, None)).unwrap();
    assert_eq!(full.table, resumed.table);
    assert!(b.join("summary.json").exists() && b.join("mass_radius.png").exists());
    // a second fresh run into the same directory is refused
    let e = run_eos_infer(&cfg, &opts(&a, false, None))
        .unwrap_err()
        .to_string();
    assert!(e.contains("--force"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
