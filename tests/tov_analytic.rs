//! TOV + tidal solver against the high-accuracy reference on analytic EOSs:
//! the Γ = 2, K = 100 polytrope and the Read et al. (2009) SLy piecewise
//! polytrope (code units G = c = M☉ = 1).

use ferrax::eos::polytrope::PiecewisePolytrope;
use ferrax::tov::family::exact_summary;
use ferrax::tov::{solve_star, TovOptions};
use serde_json::Value;

fn col(v: &Value, key: &str) -> Vec<f64> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

/// Solves every stored star; returns max relative errors (M, R, Λ).
fn check_stars(eos: &PiecewisePolytrope, d: &Value) -> (f64, f64, f64) {
    let s = &d["stars"];
    let (pc, m, r, l) = (col(s, "pc"), col(s, "M"), col(s, "R"), col(s, "Lambda"));
    let opts = TovOptions::tight();
    let mut worst = (0.0f64, 0.0f64, 0.0f64);
    for i in 0..pc.len() {
        let star = solve_star(eos, pc[i], &opts).unwrap();
        worst.0 = worst.0.max(rel(star.mass, m[i]));
        worst.1 = worst.1.max(rel(star.radius, r[i]));
        worst.2 = worst.2.max(rel(star.lambda, l[i]));
    }
    worst
}

#[test]
fn polytrope_stars_match_reference() {
    let d: Value = serde_json::from_str(include_str!("data/tov/analytic_polytrope.json")).unwrap();
    let eos = PiecewisePolytrope::single(100.0, 2.0).unwrap();
    let (em, er, el) = check_stars(&eos, &d);
    println!("polytrope: max rel M {em:.2e} R {er:.2e} Lambda {el:.2e}");
    assert!(em < 1e-8 && er < 1e-8 && el < 1e-7, "{em:e} {er:e} {el:e}");
    // The canonical star rho_c = 1.28e-3: M = 1.40016, R = 9.58562.
    let c = &d["checks"]["canonical_rho_c_1.28e-3"];
    let pc = 100.0 * 1.28e-3f64.powi(2);
    let s = solve_star(&eos, pc, &TovOptions::tight()).unwrap();
    assert!(rel(s.mass, c["M"].as_f64().unwrap()) < 1e-8);
    assert!(rel(s.radius, c["R"].as_f64().unwrap()) < 1e-8);
    // Newtonian limit: k2 from the small-compactness series (the float64
    // closed form is useless at C ~ 2e-6).
    for case in d["checks"]["newtonian_limit"].as_array().unwrap() {
        let rho = case["rho_c"].as_f64().unwrap();
        let s = solve_star(&eos, 100.0 * rho * rho, &TovOptions::tight()).unwrap();
        let k2 = case["k2"].as_f64().unwrap();
        println!("rho_c {rho:e}: C {:.3e} k2 {} vs {k2}", s.compactness, s.k2);
        assert!(rel(s.k2, k2) < 1e-7, "{} vs {k2}", s.k2);
    }
}

#[test]
fn polytrope_summary_matches_reference() {
    let d: Value = serde_json::from_str(include_str!("data/tov/analytic_polytrope.json")).unwrap();
    let eos = PiecewisePolytrope::single(100.0, 2.0).unwrap();
    let pc = col(&d["stars"], "pc");
    let s = exact_summary(&eos, pc[0], pc[pc.len() - 1], 1.4, &TovOptions::tight()).unwrap();
    let der = &d["derived"];
    let (mm, r14, l14) = (
        der["M_max"].as_f64().unwrap(),
        der["R_1p4"].as_f64().unwrap(),
        der["Lambda_1p4"].as_f64().unwrap(),
    );
    println!(
        "M_max {} ({:.1e}), R14 {:?}, L14 {:?}",
        s.m_max,
        rel(s.m_max, mm),
        s.r_1p4.map(|r| rel(r, r14)),
        s.lambda_1p4.map(|l| rel(l, l14))
    );
    assert!(rel(s.m_max, mm) < 1e-9);
    assert!(rel(s.r_1p4.unwrap(), r14) < 1e-8);
    assert!(rel(s.lambda_1p4.unwrap(), l14) < 1e-7);
}

#[test]
fn sly_piecewise_pieces_match_reference() {
    let d: Value = serde_json::from_str(include_str!("data/tov/analytic_piecewise.json")).unwrap();
    let e = &d["eos"];
    let eos = PiecewisePolytrope::read2009(
        e["logp1_dyn_cm2"].as_f64().unwrap(),
        e["Gamma1"].as_f64().unwrap(),
        e["Gamma2"].as_f64().unwrap(),
        e["Gamma3"].as_f64().unwrap(),
    )
    .unwrap();
    let pc = &e["pieces_code"];
    for (ours, key) in [
        (&eos.k, "K"),
        (&eos.rho_bounds, "rho_bounds"),
        (&eos.h_bounds, "h_bounds"),
    ] {
        let theirs = col(pc, key);
        for (a, b) in ours.iter().zip(&theirs) {
            assert!(rel(*a, *b) < 1e-12, "{key}: {a} vs {b}");
        }
    }
    for (a, b) in eos.a.iter().zip(col(pc, "a")) {
        assert!((a - b).abs() < 1e-14, "a: {a} vs {b}");
    }
}

#[test]
fn sly_piecewise_stars_and_summary_match_reference() {
    let d: Value = serde_json::from_str(include_str!("data/tov/analytic_piecewise.json")).unwrap();
    let e = &d["eos"];
    let eos = PiecewisePolytrope::read2009(
        e["logp1_dyn_cm2"].as_f64().unwrap(),
        e["Gamma1"].as_f64().unwrap(),
        e["Gamma2"].as_f64().unwrap(),
        e["Gamma3"].as_f64().unwrap(),
    )
    .unwrap();
    let (em, er, el) = check_stars(&eos, &d);
    println!("SLy: max rel M {em:.2e} R {er:.2e} Lambda {el:.2e}");
    assert!(em < 1e-8 && er < 1e-8 && el < 1e-7, "{em:e} {er:e} {el:e}");
    let pc = col(&d["stars"], "pc");
    let s = exact_summary(&eos, pc[0], pc[pc.len() - 1], 1.4, &TovOptions::tight()).unwrap();
    let der = &d["derived"];
    let (mm, r14, l14) = (
        der["M_max"].as_f64().unwrap(),
        der["R_1p4"].as_f64().unwrap(),
        der["Lambda_1p4"].as_f64().unwrap(),
    );
    println!(
        "SLy M_max {} ({:.1e}), R14 {:?}, L14 {:?}",
        s.m_max,
        rel(s.m_max, mm),
        s.r_1p4.map(|r| rel(r, r14)),
        s.lambda_1p4.map(|l| rel(l, l14))
    );
    assert!(rel(s.m_max, mm) < 1e-9);
    assert!(rel(s.r_1p4.unwrap(), r14) < 1e-8);
    assert!(rel(s.lambda_1p4.unwrap(), l14) < 1e-7);
}
