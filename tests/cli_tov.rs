//! The `ferrax tov` subcommand: tables, parametrised EOSs, errors.

use std::process::Command;

fn run(input: &str) -> (bool, String, serde_json::Value) {
    let dir = std::env::temp_dir().join(format!("ferrax_cli_tov_{}_{}", std::process::id(), input.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let (i, o) = (dir.join("in.json"), dir.join("out.json"));
    std::fs::write(&i, input).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ferrax"))
        .args(["tov", "--input"])
        .arg(&i)
        .arg("--output")
        .arg(&o)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = std::fs::read_to_string(&o)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(serde_json::Value::Null);
    (out.status.success(), stderr, json)
}

#[test]
fn polytrope_with_central_pressures() {
    // Γ = 2, K = 100 (code units); the canonical star ρ_c = 1.28e-3 has
    // p_c = 1.6384e-4 (code) = M = 1.40016 M☉, R = 14.1544 km.
    let l = 1476.6250380501249f64;
    let pc_mev = 1.6384e-4 / (l * l) / 1.3238333135663821e-12;
    let input = format!(
        r#"{{"eos": {{"kind": "polytrope", "params": {{"K": 100.0, "Gamma": 2.0}}}}, "central_pressures_MeV_fm3": [{pc_mev}], "rtol": 1e-10, "atol": 1e-12}}"#
    );
    let (ok, err, out) = run(&input);
    assert!(ok, "{err}");
    let s = &out["stars"][0];
    assert!((s["M_Msun"].as_f64().unwrap() - 1.4001597295163841).abs() < 1e-6);
    assert!((s["R_km"].as_f64().unwrap() - 14.15437242918022).abs() < 1e-5);
    assert!((out["M_max"].as_f64().unwrap() - 1.6372761510185987).abs() < 1e-6);
}

#[test]
fn metamodel_cse_family_and_errors() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("data/tov/jester_mmcse_subset.json")).unwrap();
    let params = &doc["eos"][0]["params"];
    let input =
        serde_json::json!({"eos": {"kind": "metamodel_cse", "variant": "jester-0.1.1", "params": params}})
            .to_string();
    let (ok, err, out) = run(&input);
    assert!(ok, "{err}");
    assert_eq!(out["stars"].as_array().unwrap().len(), 100);
    let m_max = out["M_max"].as_f64().unwrap();
    assert!((m_max - 2.37602).abs() < 2e-4, "{m_max}");
    // Errors: non-zero exit, message on stderr naming the problem.
    let (ok, err, _) = run(
        r#"{"eos": {"kind": "table", "n_fm3": [0.1, 0.2], "p_MeV_fm3": [2.0, 1.0], "e_MeV_fm3": [100.0, 200.0]}}"#,
    );
    assert!(!ok && err.contains("not strictly increasing"), "{err}");
    let (ok, err, _) = run(r#"{"eos": {"kind": "metamodel_cse", "params": {"K_sat": 230}}}"#);
    assert!(!ok && err.contains("Q_sat"), "{err}");
    let (ok, err, _) = run(r#"{"eos": {"kind": "bogus"}}"#);
    assert!(!ok && err.contains("eos.kind"), "{err}");
    let (ok, err, _) = run("not json");
    assert!(!ok && err.contains("in.json"), "{err}");
}
