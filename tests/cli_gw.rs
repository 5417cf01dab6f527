//! `ferrax waveform` and `ferrax likelihood` end to end.

mod common;

use std::process::Command;

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("ferrax-cli-gw-{}-{name}", std::process::id()))
}

#[test]
fn waveform_cli_reproduces_reference() {
    let out = tmp("wf.json");
    let st = Command::new(env!("CARGO_BIN_EXE_ferrax"))
        .args([
            "waveform",
            "--input",
            &common::data_path("waveforms/IMRPhenomD.json"),
            "--output",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let refs = common::load_waveform_cases("IMRPhenomD");
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), refs.len());
    let get = |c: &serde_json::Value, k: &str| -> Vec<f64> {
        c[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    for (c, r) in cases.iter().zip(&refs) {
        assert_eq!(c["case_id"].as_str().unwrap(), r.case_id);
        let hp = get(c, "hp_real");
        let scale = r.h.hp_re.iter().fold(0.0f64, |a, b| a.max(b.abs()));
        for (a, b) in hp.iter().zip(&r.h.hp_re) {
            assert!((a - b).abs() <= 1e-9 * scale);
        }
    }
    std::fs::remove_file(&out).ok();
}

#[test]
fn likelihood_cli_writes_labels_and_values() {
    let out = tmp("lik.json");
    let st = Command::new(env!("CARGO_BIN_EXE_ferrax"))
        .args([
            "likelihood",
            "--input",
            &common::data_path("likelihood/bilby_IMRPhenomD_HLV_zero_noise.json"),
            "--relative-binning",
            "--output",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let p0 = &v["points"][0];
    assert_eq!(p0["label"], "p00_injection");
    assert!((p0["log_likelihood_ratio"].as_f64().unwrap() - 3870.723588195363).abs() < 1e-6);
    assert!((p0["log_likelihood_ratio_relative_binning"].as_f64().unwrap() - 3870.723588195363).abs() < 1e-3);
    std::fs::remove_file(&out).ok();
}

#[test]
fn bad_input_is_an_error_naming_the_problem() {
    let bad = tmp("bad.json");
    std::fs::write(&bad, r#"{"approximant":"IMRPhenomD","cases":[{"case_id":"x","params":{"m1":-1,"m2":10,"chi1z":0,"chi2z":0,"distance_mpc":100,"inclination":0,"phi_ref":0,"f_ref":20},"frequencies":[20,21]}]}"#).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_ferrax"))
        .args(["waveform", "--input"])
        .arg(&bad)
        .args(["--output"])
        .arg(tmp("never.json"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("m1"), "{err}");
    let o = Command::new(env!("CARGO_BIN_EXE_ferrax"))
        .args(["likelihood", "--input", "/nonexistent/file.json", "--output"])
        .arg(tmp("never2.json"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/file.json"));
    std::fs::remove_file(&bad).ok();
}

#[test]
fn waveform_cli_evaluates_pv2_reference() {
    let out = tmp("pv2.json");
    let st = Command::new(env!("CARGO_BIN_EXE_ferrax"))
        .args([
            "waveform",
            "--input",
            &common::data_path("waveforms/IMRPhenomPv2_extra.json"),
            "--output",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let refs = common::load_waveform_cases("IMRPhenomPv2_extra");
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), refs.len());
    for (c, r) in cases.iter().zip(&refs) {
        for (key, want) in [("hp_real", &r.h.hp_re), ("hc_imag", &r.h.hc_im)] {
            let got: Vec<f64> = c[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            let scale = want.iter().fold(0.0f64, |a, b| a.max(b.abs()));
            for (a, b) in got.iter().zip(want.iter()) {
                assert!((a - b).abs() <= 1e-9 * scale, "{} {key}", r.case_id);
            }
        }
    }
    std::fs::remove_file(&out).ok();
}

#[test]
fn waveform_cli_reproduces_imrphenomxas_reference() {
    let out = tmp("wf-xas.json");
    let st = Command::new(env!("CARGO_BIN_EXE_ferrax"))
        .args([
            "waveform",
            "--input",
            &common::data_path("waveforms/IMRPhenomXAS.json"),
            "--output",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let refs = common::load_waveform_cases("IMRPhenomXAS");
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), refs.len());
    for (c, r) in cases.iter().zip(&refs) {
        assert_eq!(c["case_id"].as_str().unwrap(), r.case_id);
        for (key, want) in [
            ("hp_real", &r.h.hp_re),
            ("hp_imag", &r.h.hp_im),
            ("hc_real", &r.h.hc_re),
            ("hc_imag", &r.h.hc_im),
        ] {
            let got = c[key].as_array().unwrap();
            let scale = want.iter().fold(0.0f64, |a, b| a.max(b.abs()));
            for (a, b) in got.iter().zip(want) {
                assert!(
                    (a.as_f64().unwrap() - b).abs() <= 1e-9 * scale,
                    "{} {key}",
                    r.case_id
                );
            }
        }
    }
    std::fs::remove_file(&out).ok();
}
