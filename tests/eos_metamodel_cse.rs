//! Metamodel + CSE tables built from parameters against the stored jester
//! 0.1.1 tables (3 of the 10 reference EOSs), and typed EOS errors.

use ferrax::eos::cse::{metamodel_cse_table, CseParams, CseSettings};
use ferrax::eos::metamodel::{MetamodelSettings, Variant};
use ferrax::eos::{EosError, EosTable};
use serde_json::Value;

fn data() -> Value {
    serde_json::from_str(include_str!("data/tov/jester_mmcse_subset.json")).unwrap()
}

fn column(v: &Value, key: &str) -> Vec<f64> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn jester011() -> CseSettings {
    CseSettings {
        metamodel: MetamodelSettings {
            variant: Variant::Jester011,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn params_of(v: &Value) -> CseParams<f64> {
    CseParams::from_named(|name| v["params"][name].as_f64()).unwrap()
}

fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| ((x - y) / y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn tables_match_jester_to_1e9() {
    let d = data();
    for eos in d["eos"].as_array().unwrap() {
        let t = metamodel_cse_table(&params_of(eos), &jester011()).unwrap();
        let r = &eos["eos_table"];
        assert_eq!(t.len(), 309);
        let checks = [
            ("ns_m3", t.n.clone()),
            ("ps_m2", t.p.clone()),
            ("hs", t.h.clone()),
            ("es_m2", t.e.clone()),
            ("dloge_dlogps", t.dloge_dlogp.clone()),
            ("mu_MeV", t.mu_mev.clone().unwrap()),
            ("cs2", t.cs2.clone().unwrap()),
        ];
        // The junction node after the last metamodel point (index 209, where
        // the CSE's 1e-6 offsets make dp = de ~ 1e-6 p): d ln e/d ln p is a
        // ratio of differences ~1e-8 of p and e there, so rounding at 1e-15
        // in p and e becomes ~1e-7 in it. Checked separately at 1e-6.
        let junction = 209;
        let d_ours = t.dloge_dlogp[junction];
        let d_ref = column(r, "dloge_dlogps")[junction];
        assert!(
            ((d_ours - d_ref) / d_ref).abs() < 1e-6,
            "junction {d_ours} vs {d_ref}"
        );
        for (key, mut ours) in checks {
            let mut theirs = column(r, key);
            if key == "dloge_dlogps" {
                ours.remove(junction);
                theirs.remove(junction);
            }
            let err = max_rel(&ours, &theirs);
            println!("EOS {}: {key} max rel {err:.2e}", eos["index"]);
            assert!(err < 1e-9, "EOS {} {key}: {err:e}", eos["index"]);
        }
    }
}

#[test]
fn corrected_variant_differs_from_jester011() {
    let d = data();
    let eos = &d["eos"][0];
    let a = metamodel_cse_table(&params_of(eos), &jester011()).unwrap();
    let b = metamodel_cse_table(&params_of(eos), &CseSettings::default()).unwrap();
    assert!(max_rel(&a.p, &b.p) > 1e-4);
}

#[test]
fn bad_input_is_a_typed_error_naming_the_parameter() {
    let d = data();
    let eos = &d["eos"][0];
    let mut p = params_of(eos);
    p.n_break = 0.05;
    assert!(
        matches!(metamodel_cse_table(&p, &jester011()), Err(EosError::InvalidParameter { name, .. }) if name == "nbreak")
    );
    let mut p = params_of(eos);
    p.nuclear.k_sat = f64::NAN;
    assert!(
        matches!(metamodel_cse_table(&p, &jester011()), Err(EosError::InvalidParameter { name, .. }) if name == "K_sat")
    );
    let mut p = params_of(eos);
    p.node_u[3] = 1.5;
    assert!(
        matches!(metamodel_cse_table(&p, &jester011()), Err(EosError::InvalidParameter { name, .. }) if name == "n_CSE_3_u")
    );
    let err = CseParams::<f64>::from_named(|n| {
        if n == "L_sym" {
            None
        } else {
            eos["params"][n].as_f64()
        }
    })
    .unwrap_err();
    assert!(matches!(err, EosError::InvalidParameter { name, .. } if name == "L_sym"));
    // Tables.
    assert!(matches!(
        EosTable::<f64>::from_nuclear_units(&[], &[], &[]),
        Err(EosError::EmptyTable)
    ));
    assert!(matches!(
        EosTable::from_nuclear_units(&[0.1, 0.2, 0.3], &[1.0, 0.5, 2.0], &[100.0, 200.0, 300.0]),
        Err(EosError::NotIncreasing { name, index: 1 }) if name == "p"
    ));
    assert!(matches!(
        EosTable::from_nuclear_units(&[0.1, 0.2], &[1.0, f64::NAN], &[100.0, 200.0]),
        Err(EosError::NonFinite { name, index: 1 }) if name == "p"
    ));
    assert!(matches!(
        EosTable::from_nuclear_units(&[0.1, 0.2], &[1.0, 2.0], &[100.0]),
        Err(EosError::LengthMismatch { .. })
    ));
}

#[test]
fn table_derivatives_match_finite_differences() {
    use ferrax::autodiff::Dual;
    let d = data();
    let eos = &d["eos"][0];
    let names = ["L_sym", "K_sym", "nbreak", "cs2_CSE_0"];
    let base: Vec<f64> = names.iter().map(|n| eos["params"][n].as_f64().unwrap()).collect();
    let build = |vals: &[Dual<4>]| {
        let p = CseParams::from_named(|name| match names.iter().position(|n| *n == name) {
            Some(i) => Some(vals[i]),
            None => eos["params"][name].as_f64().map(Dual::constant),
        })
        .unwrap();
        metamodel_cse_table(&p, &jester011()).unwrap()
    };
    let seeded: Vec<Dual<4>> = base
        .iter()
        .enumerate()
        .map(|(i, &v)| Dual::variable(v, i))
        .collect();
    let t = build(&seeded);
    // Nodes across crust, metamodel and CSE parts.
    for node in [150, 200, 208, 250, 300] {
        for (k, &b) in base.iter().enumerate() {
            let h = 1e-6 * b.abs().max(1e-3);
            let at = |s: f64| {
                let v: Vec<Dual<4>> = base
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| Dual::constant(if i == k { x + s } else { x }))
                    .collect();
                build(&v)
            };
            let (tp, tm) = (at(h), at(-h));
            for (col, dual, plus, minus) in [
                ("p", &t.p, &tp.p, &tm.p),
                ("e", &t.e, &tp.e, &tm.e),
                ("h", &t.h, &tp.h, &tm.h),
            ] {
                let fd = (plus[node].re - minus[node].re) / (2.0 * h);
                let ad = dual[node].eps[k];
                let scale = dual[node].re.abs() / b.abs().max(1e-3);
                assert!(
                    (ad - fd).abs() <= 1e-5 * scale.max(fd.abs()),
                    "node {node} d{col}/d{}: {ad} vs {fd}",
                    names[k]
                );
            }
        }
    }
}
