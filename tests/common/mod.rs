//! Helpers shared by the behaviour-vs-reference tests.
#![allow(dead_code)]

use std::collections::HashMap;

use ferrax::gw::waveforms::{Polarizations, WaveformParams};
use serde_json::Value;

/// Path of a file under tests/data.
pub fn data_path(rel: &str) -> String {
    format!("{}/tests/data/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// One reference waveform case.
pub struct RefCase {
    pub case_id: String,
    pub params: WaveformParams,
    pub freqs: Vec<f64>,
    pub h: Polarizations,
}

fn vec_of(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Loads tests/data/waveforms/<approximant>.json.
pub fn load_waveform_cases(approximant: &str) -> Vec<RefCase> {
    let text = std::fs::read_to_string(data_path(&format!("waveforms/{approximant}.json"))).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let p = &c["params"];
            let g = |k: &str| p.get(k).and_then(|x| x.as_f64()).unwrap_or(0.0);
            RefCase {
                case_id: c["case_id"].as_str().unwrap().to_string(),
                params: WaveformParams {
                    m1: g("m1"),
                    m2: g("m2"),
                    chi1x: g("chi1x"),
                    chi1y: g("chi1y"),
                    chi1z: g("chi1z"),
                    chi2x: g("chi2x"),
                    chi2y: g("chi2y"),
                    chi2z: g("chi2z"),
                    lambda1: g("lambda1"),
                    lambda2: g("lambda2"),
                    distance_mpc: g("distance_mpc"),
                    inclination: g("inclination"),
                    phi_ref: g("phi_ref"),
                    f_ref: g("f_ref"),
                },
                freqs: vec_of(&c["frequencies"]),
                h: Polarizations {
                    hp_re: vec_of(&c["hp_real"]),
                    hp_im: vec_of(&c["hp_imag"]),
                    hc_re: vec_of(&c["hc_real"]),
                    hc_im: vec_of(&c["hc_imag"]),
                },
            }
        })
        .collect()
}

/// The aLIGO design PSD on its 1 Hz grid, keyed by integer frequency.
pub fn aligo_psd() -> HashMap<u64, f64> {
    let text = std::fs::read_to_string(data_path("psd/aLIGO_ZERO_DET_high_P_20_2048_df1.txt")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut it = l.split_whitespace();
            let f: f64 = it.next().unwrap().parse().unwrap();
            let s: f64 = it.next().unwrap().parse().unwrap();
            (f.round() as u64, s)
        })
        .collect()
}

/// Unmaximised noise-weighted mismatch 1 − Re⟨a|b⟩/√(⟨a|a⟩⟨b|b⟩).
pub fn mismatch(a_re: &[f64], a_im: &[f64], b_re: &[f64], b_im: &[f64], psd: &[f64]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for k in 0..a_re.len() {
        ab += (a_re[k] * b_re[k] + a_im[k] * b_im[k]) / psd[k];
        aa += (a_re[k] * a_re[k] + a_im[k] * a_im[k]) / psd[k];
        bb += (b_re[k] * b_re[k] + b_im[k] * b_im[k]) / psd[k];
    }
    if aa == 0.0 && bb == 0.0 {
        return 0.0;
    }
    1.0 - ab / (aa * bb).sqrt()
}

/// Worst (h+, h×) mismatch of `generate` over all cases of `approximant`.
pub fn worst_mismatch(
    approximant: &str,
    generate: impl Fn(&WaveformParams, &[f64]) -> Polarizations,
) -> (f64, String) {
    let psd_map = aligo_psd();
    let mut worst = (f64::NEG_INFINITY, String::new());
    for c in load_waveform_cases(approximant) {
        let psd: Vec<f64> = c.freqs.iter().map(|f| psd_map[&(f.round() as u64)]).collect();
        let h = generate(&c.params, &c.freqs);
        let mp = mismatch(&c.h.hp_re, &c.h.hp_im, &h.hp_re, &h.hp_im, &psd);
        let mc = mismatch(&c.h.hc_re, &c.h.hc_im, &h.hc_re, &h.hc_im, &psd);
        println!("{approximant} {}: mismatch h+ {mp:.3e}  hx {mc:.3e}", c.case_id);
        for m in [mp, mc] {
            assert!(m.is_finite(), "{}: non-finite mismatch", c.case_id);
            if m > worst.0 {
                worst = (m, c.case_id.clone());
            }
        }
    }
    println!(
        "{approximant}: worst unmaximised mismatch {:.3e} ({})",
        worst.0, worst.1
    );
    worst
}
