//! ESS and split-R̂ against reference values computed with
//! `arviz.ess(method="mean")` and `arviz.rhat(method="split")` (arviz 0.23.4)
//! on AR(1) chains, stored in `tests/data/samplers/ess_reference.json`.

use ferrax::samplers::diagnostics::{ess_mean, split_rhat};

#[test]
fn ess_and_rhat_match_reference() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/samplers/ess_reference.json"
    ))
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for c in cases {
        let m = c["n_chains"].as_u64().unwrap() as usize;
        let n = c["n_draws"].as_u64().unwrap() as usize;
        let draws: Vec<f64> = c["draws"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let ess = ess_mean(&draws, m, n);
        let want = c["ess_mean"].as_f64().unwrap();
        assert!(
            (ess / want - 1.0).abs() < 1e-10,
            "ess {ess} vs arviz {want} ({m}x{n})"
        );
        let r = split_rhat(&draws, m, n);
        let want_r = c["rhat_split"].as_f64().unwrap();
        assert!((r - want_r).abs() < 1e-12, "rhat {r} vs arviz {want_r} ({m}x{n})");
    }
}
