//! Time-, distance- and phase-marginalised network likelihood against
//! bilby 2.8.2 (IMRPhenomD, H1+L1+V1, zero noise; reference values from
//! experiments/likelihood_marginalised/bilby_marginalised.py).
//!
//! Tolerances:
//! - time (± phase): 1e-6 absolute against bilby (same FFT, same grid, same
//!   prior weights: only round-off and the template's own ~1e-9 differ);
//! - distance (± time, ± phase): 1e-6 absolute against an exact quadrature
//!   of the same integral from bilby's inner products (stored with the
//!   bilby values), and `BILBY_TABLE_TOL` against bilby's own value, which
//!   interpolates a 400 × 800 lookup table with a bicubic spline on a
//!   log-spaced grid (9 % spacing in ⟨h|h⟩ and ⟨d|h⟩) and normalises with the
//!   Riemann sum of the prior (Δd = 0.195 Mpc: +1.5e-4 in the prior's
//!   normalisation for PowerLaw(2) on [50, 2000] Mpc, hence −1.5e-4 in ln L).
//!   The largest bilby-vs-exact difference at these points is printed.

mod common;

use ferrax::gw::likelihood::{GwLikelihood, PARAM_NAMES};
use ferrax::gw::marginalised::{
    distance_marginal, DistancePrior, MarginError, MarginalisedLikelihood, TimeGridConvention,
    TimeMarginalization,
};
use ferrax::gw::reference_io::{likelihood_from_json, LikelihoodPoint};
use serde_json::Value;

/// bilby's lookup-table error at these points (interpolation plus the
/// Riemann normalisation): measured bilby − exact between −1.3e-2 and
/// +2.3e-2 (largest: `distance`, p06, where ⟨d|h⟩ is far from ⟨h|h⟩); the
/// bound is about twice that. One point (`distance`, p09, Re⟨d|h⟩ < −1e3 at
/// bilby's reference distance) lies outside bilby's table, which returns −inf.
const BILBY_TABLE_TOL: f64 = 0.05;

struct Setup {
    lik: GwLikelihood,
    points: Vec<LikelihoodPoint>,
    marg: Value,
}

fn load() -> Setup {
    let read = |f: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(common::data_path(f)).unwrap()).unwrap()
    };
    let v = read("likelihood/bilby_IMRPhenomD_HLV_zero_noise.json");
    let (lik, _, points) = likelihood_from_json(&v).unwrap();
    let marg = read("likelihood/bilby_marginalised_IMRPhenomD_HLV.json");
    Setup { lik, points, marg }
}

fn time_opts(s: &Setup, convention: TimeGridConvention) -> TimeMarginalization {
    TimeMarginalization {
        sampling_frequency: s.marg["sampling_frequency_hz"].as_f64().unwrap(),
        prior_minimum: s.marg["time_prior"]["minimum"].as_f64().unwrap(),
        prior_maximum: s.marg["time_prior"]["maximum"].as_f64().unwrap(),
        convention,
    }
}

fn distance_prior(s: &Setup) -> DistancePrior {
    let d = &s.marg["distance_prior"];
    assert_eq!(d["kind"], "PowerLaw");
    DistancePrior::PowerLaw {
        alpha: d["alpha"].as_f64().unwrap(),
        minimum: d["minimum"].as_f64().unwrap(),
        maximum: d["maximum"].as_f64().unwrap(),
    }
}

/// Builds the configuration `name` of the reference file and compares every
/// point; returns (max |ferrax − bilby|, max |ferrax − exact quadrature|).
fn compare(name: &str, time: bool, distance: bool, phase: bool) -> (f64, f64) {
    let s = load();
    let mut base = s.lik.clone();
    base.phase_marginalization = phase;
    let m = MarginalisedLikelihood::new(
        base,
        time.then(|| time_opts(&s, TimeGridConvention::Bilby)),
        distance.then(|| distance_prior(&s)),
    )
    .unwrap();
    let refs = s.marg["configurations"][name].as_array().unwrap();
    assert_eq!(refs.len(), s.points.len());
    let (mut worst_bilby, mut worst_exact) = (0.0f64, 0.0f64);
    for (p, r) in s.points.iter().zip(refs) {
        assert_eq!(r["label"].as_str().unwrap(), p.label);
        let mut x = p.params;
        if time {
            x[10] = r["template_geocent_time"].as_f64().unwrap();
        }
        let v = m.log_likelihood_ratio(&x).unwrap();
        // null: bilby's lookup table gave −inf (⟨d|h⟩ outside its grid)
        let b = r["log_likelihood_ratio"].as_f64().unwrap_or(f64::NEG_INFINITY);
        if b.is_finite() {
            worst_bilby = worst_bilby.max((v - b).abs());
        } else {
            assert!(distance, "{name} {}: no bilby value", p.label);
        }
        let mut line = format!(
            "{name} {}: ferrax {v:.9} bilby {b:.9} diff {:.2e}",
            p.label,
            v - b
        );
        if let Some(e) = r
            .get("log_likelihood_ratio_exact_quadrature")
            .and_then(Value::as_f64)
        {
            worst_exact = worst_exact.max((v - e).abs());
            line += &format!(" | exact {e:.9} diff {:.2e} (bilby − exact {:.2e})", v - e, b - e);
        }
        println!("{line}");
    }
    println!("{name}: max |ferrax − bilby| = {worst_bilby:.3e}, max |ferrax − exact| = {worst_exact:.3e}");
    (worst_bilby, worst_exact)
}

#[test]
fn time_marginalised_matches_bilby() {
    let (b, _) = compare("time", true, false, false);
    assert!(b < 1e-6, "{b:e}");
}

#[test]
fn time_and_phase_marginalised_matches_bilby() {
    let (b, _) = compare("time_phase", true, false, true);
    assert!(b < 1e-6, "{b:e}");
}

#[test]
fn distance_marginalised_matches_quadrature_and_bilby_table() {
    for (name, phase) in [("distance", false), ("distance_phase", true)] {
        let (b, e) = compare(name, false, true, phase);
        assert!(e < 1e-6, "{name}: vs exact {e:e}");
        assert!(b < BILBY_TABLE_TOL, "{name}: vs bilby {b:e}");
    }
}

#[test]
fn time_and_distance_marginalised_matches_quadrature_and_bilby_table() {
    for (name, phase) in [("time_distance", false), ("time_distance_phase", true)] {
        let (b, e) = compare(name, true, true, phase);
        assert!(e < 1e-6, "{name}: vs exact {e:e}");
        assert!(b < BILBY_TABLE_TOL, "{name}: vs bilby {b:e}");
    }
}

#[test]
fn exact_time_grid_is_bilby_grid_one_sample_earlier() {
    // Exact pairs shift j with t_ref + jδ, bilby with t_ref + (j+1)δ: the
    // same sum once the prior window moves by δ = 2/f_s.
    let s = load();
    let t = time_opts(&s, TimeGridConvention::Bilby);
    let delta = 2.0 / t.sampling_frequency;
    let exact = TimeMarginalization {
        prior_minimum: t.prior_minimum - delta,
        prior_maximum: t.prior_maximum - delta,
        convention: TimeGridConvention::Exact,
        ..t
    };
    let a = MarginalisedLikelihood::new(s.lik.clone(), Some(t), None).unwrap();
    let b = MarginalisedLikelihood::new(s.lik.clone(), Some(exact), None).unwrap();
    let mut x = s.points[4].params;
    x[10] = s.lik.grid.start_time + 1e-4;
    let (va, vb) = (
        a.log_likelihood_ratio(&x).unwrap(),
        b.log_likelihood_ratio(&x).unwrap(),
    );
    assert!((va - vb).abs() < 1e-9, "{va} {vb}");
    // With the exact grid the template epoch may be the point's own time:
    // the shifts wrap around the segment, and at the injection the sum is
    // dominated by the zero shift, ln L(t_inj) + ln(δ/(t_max − t_min)) + O(1).
    let inj = s.points[0].params;
    let v = b.log_likelihood_ratio(&inj).unwrap();
    let l0 = s.lik.log_likelihood_ratio(&inj).unwrap();
    let ln_w = (delta / (t.prior_maximum - t.prior_minimum)).ln();
    println!(
        "exact grid at the injection: {v:.6} vs ln L + ln w = {:.6}",
        l0 + ln_w
    );
    assert!(v > l0 + ln_w - 1e-9 && v < l0 + ln_w + 3.0);
}

#[test]
fn distance_marginalised_gradient_matches_finite_differences() {
    let s = load();
    for phase in [false, true] {
        let mut base = s.lik.clone();
        base.phase_marginalization = phase;
        let m = MarginalisedLikelihood::new(base, None, Some(distance_prior(&s))).unwrap();
        let p = s.points[5].params;
        let (v, g) = m.value_and_gradient(&p).unwrap();
        assert!((v - m.log_likelihood_ratio(&p).unwrap()).abs() < 1e-9);
        let steps = [
            1e-5,
            1e-5,
            1e-6,
            1e-6,
            1e-2,
            1e-6,
            1e-6,
            1e-6,
            1e-6,
            1e-6,
            1.0 / 4194304.0,
        ];
        for i in 0..11 {
            let h = steps[i];
            let (mut pp, mut pm) = (p, p);
            pp[i] += h;
            pm[i] -= h;
            let fd =
                (m.log_likelihood_ratio(&pp).unwrap() - m.log_likelihood_ratio(&pm).unwrap()) / (2.0 * h);
            // relative 1e-6, plus the difference quotient's noise floor: the value
            // (~3800) carries ~3e-11 of round-off (inner products and quadrature),
            // i.e. ~1.2e-10/h in the quotient. The distance derivative is exactly
            // zero (the marginalised value does not depend on it).
            let err = (fd - g[i]).abs();
            let tol = 1e-6 * g[i].abs() + 1.2e-10 / h;
            println!(
                "phase {phase} d/d{}: analytic {:.9e} fd {fd:.9e} |diff| {err:.1e} (tol {tol:.1e})",
                PARAM_NAMES[i], g[i]
            );
            assert!(err < tol, "phase {phase} {}: {} vs {fd}", PARAM_NAMES[i], g[i]);
        }
        if phase {
            assert!(g[6].abs() < 1e-9, "d/dphase {}", g[6]);
        }
    }
}

#[test]
fn distance_quadrature_partials_match_finite_differences() {
    let prior = DistancePrior::PowerLaw {
        alpha: 2.0,
        minimum: 50.0,
        maximum: 2000.0,
    };
    for phase in [false, true] {
        for (d, h) in [(3500.0, 3600.0), (40.0, 60.0), (-30.0, 80.0), (0.5, 1e-3)] {
            if phase && d < 0.0 {
                continue;
            }
            let r = distance_marginal(&prior, d, h, 400.0, phase);
            let e = 1e-4 * d.abs().max(1e-2);
            let fd_d = (distance_marginal(&prior, d + e, h, 400.0, phase).ln_z
                - distance_marginal(&prior, d - e, h, 400.0, phase).ln_z)
                / (2.0 * e);
            let eh = 1e-4 * h;
            let fd_h = (distance_marginal(&prior, d, h + eh, 400.0, phase).ln_z
                - distance_marginal(&prior, d, h - eh, 400.0, phase).ln_z)
                / (2.0 * eh);
            assert!(
                (fd_d - r.d_dd).abs() < 1e-6 * r.d_dd.abs().max(1.0),
                "{d} {h}: {fd_d} {}",
                r.d_dd
            );
            assert!(
                (fd_h - r.d_dh).abs() < 1e-6 * r.d_dh.abs().max(1.0),
                "{d} {h}: {fd_h} {}",
                r.d_dh
            );
            // the result does not depend on the distance the template was made at
            let r2 = distance_marginal(
                &prior,
                d * 400.0 / 250.0,
                h * (400.0f64 / 250.0).powi(2),
                250.0,
                phase,
            );
            assert!((r2.ln_z - r.ln_z).abs() < 1e-10, "{} {}", r2.ln_z, r.ln_z);
        }
    }
}

#[test]
fn bad_input_is_a_typed_error() {
    let s = load();
    let t = time_opts(&s, TimeGridConvention::Exact);
    let new = |t: Option<TimeMarginalization>, d: Option<DistancePrior>| {
        MarginalisedLikelihood::new(s.lik.clone(), t, d)
    };
    let e = new(
        Some(TimeMarginalization {
            prior_maximum: t.prior_minimum,
            ..t
        }),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            MarginError::Time {
                name: "prior_maximum",
                ..
            }
        ),
        "{e}"
    );
    let e = new(
        Some(TimeMarginalization {
            prior_minimum: f64::NAN,
            ..t
        }),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            MarginError::Time {
                name: "prior_minimum",
                ..
            }
        ),
        "{e}"
    );
    let e = new(
        Some(TimeMarginalization {
            prior_maximum: s.lik.grid.start_time + 10.0,
            ..t
        }),
        None,
    )
    .unwrap_err();
    assert!(e.to_string().contains("data segment"), "{e}");
    // Nyquist (512 Hz) below the analysed band
    let e = new(
        Some(TimeMarginalization {
            sampling_frequency: 1024.0,
            ..t
        }),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            MarginError::Time {
                name: "sampling_frequency",
                ..
            }
        ),
        "{e}"
    );
    // a prior window narrower than the shift spacing, between two samples
    let tmin = s.lik.grid.start_time + 1.0 + 0.25 / 1024.0;
    let m = new(
        Some(TimeMarginalization {
            prior_minimum: tmin,
            prior_maximum: tmin + 0.5 / 1024.0,
            ..t
        }),
        None,
    )
    .unwrap();
    let mut x = s.points[0].params;
    x[10] = s.lik.grid.start_time;
    let e = m.log_likelihood_ratio(&x).unwrap_err();
    assert!(matches!(e, MarginError::EmptyTimeGrid { .. }), "{e}");
    // gradients of the time-marginalised likelihood are refused
    let m = new(Some(t), None).unwrap();
    assert!(matches!(m.value_and_gradient(&x), Err(MarginError::ValueOnly)));
    for (d, name) in [
        (
            DistancePrior::PowerLaw {
                alpha: 2.0,
                minimum: 0.0,
                maximum: 100.0,
            },
            "minimum",
        ),
        (
            DistancePrior::PowerLaw {
                alpha: 2.0,
                minimum: 100.0,
                maximum: 50.0,
            },
            "maximum",
        ),
        (
            DistancePrior::PowerLaw {
                alpha: f64::INFINITY,
                minimum: 10.0,
                maximum: 50.0,
            },
            "alpha",
        ),
    ] {
        let e = new(None, Some(d)).unwrap_err();
        assert!(
            matches!(e, MarginError::Distance { name: n, .. } if n == name),
            "{e}"
        );
    }
    // bad parameters are still named
    let mut bad = s.points[0].params;
    bad[0] = -1.0;
    let m = new(None, Some(distance_prior(&s))).unwrap();
    let e = m.log_likelihood_ratio(&bad).unwrap_err();
    assert!(e.to_string().contains("m1"), "{e}");
}

#[test]
fn cli_writes_marginalised_keys() {
    let dir = std::env::temp_dir().join(format!("ferrax-margin-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("out.json");
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_ferrax"))
        .args(["likelihood", "--input"])
        .arg(common::data_path(
            "likelihood/bilby_IMRPhenomD_HLV_zero_noise.json",
        ))
        .arg("--output")
        .arg(&out)
        .args([
            "--time-marginalization",
            "--distance-marginalization",
            "--distance-prior-min",
            "50",
            "--distance-prior-max",
            "2000",
        ])
        .status()
        .unwrap();
    assert!(st.success());
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let s = load();
    let p0 = &v["points"][0];
    let t = time_opts(&s, TimeGridConvention::Exact);
    let m = MarginalisedLikelihood::new(s.lik.clone(), Some(t), Some(distance_prior(&s))).unwrap();
    let want = m.log_likelihood_ratio(&s.points[0].params).unwrap();
    let got = p0["log_likelihood_ratio_time_distance_marginalized"]
        .as_f64()
        .unwrap();
    assert!((got - want).abs() < 1e-9, "{got} {want}");
    for key in ["time", "distance"] {
        let x = p0[format!("log_likelihood_ratio_{key}_marginalized")]
            .as_f64()
            .unwrap();
        assert!(x.is_finite() && x < p0["log_likelihood_ratio"].as_f64().unwrap());
    }
    std::fs::remove_dir_all(&dir).ok();
}
