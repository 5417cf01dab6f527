//! Waveforms against LALSimulation 6.2.1 (`SimInspiralChooseFDWaveformSequence`)
//! on the reference cases in tests/data/waveforms: unmaximised noise-weighted
//! mismatch with the aLIGO design PSD must be ≤ 1e-9 for every case.

mod common;

use ferrax::gw::waveforms::{generate, Approximant};

const TOL: f64 = 1e-9;

fn check(name: &str, approx: Approximant) {
    let (worst, case) = common::worst_mismatch(name, |p, f| generate(approx, p, f).unwrap());
    assert!(worst <= TOL, "{name}: worst mismatch {worst:e} in {case}");
}

#[test]
fn imrphenomd_matches_lal() {
    check("IMRPhenomD", Approximant::IMRPhenomD);
}

#[test]
fn taylorf2_matches_lal() {
    check("TaylorF2", Approximant::TaylorF2);
}

#[test]
fn imrphenomd_nrtidalv2_matches_lal() {
    check("IMRPhenomD_NRTidalv2", Approximant::IMRPhenomD_NRTidalv2);
}

#[test]
fn imrphenompv2_matches_lal() {
    check("IMRPhenomPv2", Approximant::IMRPhenomPv2);
}

/// Corners the main set does not visit (aligned-spin limit, m1 < m2, face-on,
/// edge-on with f_ref = 100 Hz), from experiments/waveform_reference/pv2_extra_cases.py;
/// besides the mismatch, every bin must agree to 1e-9 of the largest |h|.
#[test]
fn imrphenompv2_corners_match_lal() {
    check("IMRPhenomPv2_extra", Approximant::IMRPhenomPv2);
    for c in common::load_waveform_cases("IMRPhenomPv2_extra")
        .into_iter()
        .chain(common::load_waveform_cases("IMRPhenomPv2"))
    {
        let h = generate(Approximant::IMRPhenomPv2, &c.params, &c.freqs).unwrap();
        for (a_re, a_im, b_re, b_im) in [
            (&c.h.hp_re, &c.h.hp_im, &h.hp_re, &h.hp_im),
            (&c.h.hc_re, &c.h.hc_im, &h.hc_re, &h.hc_im),
        ] {
            let peak = (0..a_re.len())
                .map(|k| a_re[k].hypot(a_im[k]))
                .fold(0.0, f64::max);
            let diff = (0..a_re.len())
                .map(|k| (a_re[k] - b_re[k]).hypot(a_im[k] - b_im[k]))
                .fold(0.0, f64::max);
            assert!(diff <= 1e-9 * peak, "{}: pointwise {:e}", c.case_id, diff / peak);
        }
    }
}

/// Unphysical IMRPhenomPv2 input is a typed error naming the parameter:
/// the spin bound applies to the vector norm.
#[test]
fn imrphenompv2_rejects_unphysical_input() {
    use ferrax::gw::waveforms::WaveformParams;
    let f = [20.0, 30.0, 40.0];
    let ok = WaveformParams {
        chi1x: 0.5,
        chi2y: -0.4,
        ..WaveformParams::example_bbh()
    };
    assert!(generate(Approximant::IMRPhenomPv2, &ok, &f).is_ok());
    let cases: [(WaveformParams, &str); 5] = [
        // every component < 1, norm > 1
        (
            WaveformParams {
                chi1x: 0.7,
                chi1y: 0.5,
                chi1z: 0.6,
                ..ok
            },
            "chi1",
        ),
        (
            WaveformParams {
                chi2x: -0.8,
                chi2z: 0.6,
                chi2y: 0.0,
                ..ok
            },
            "chi2",
        ),
        (
            WaveformParams {
                chi1y: f64::NAN,
                ..ok
            },
            "chi1y",
        ),
        (WaveformParams { m2: -3.0, ..ok }, "m2"),
        (WaveformParams { lambda1: 5.0, ..ok }, "lambda1"),
    ];
    for (p, name) in cases {
        let e = generate(Approximant::IMRPhenomPv2, &p, &f)
            .unwrap_err()
            .to_string();
        assert!(e.contains(name), "{e}");
    }
    // the aligned-spin models still refuse in-plane spins
    let e = generate(Approximant::IMRPhenomD, &ok, &f)
        .unwrap_err()
        .to_string();
    assert!(e.contains("chi1x"), "{e}");
}

#[test]
fn imrphenomxas_matches_lal() {
    check("IMRPhenomXAS", Approximant::IMRPhenomXAS);
}

/// IMRPhenomXAS agrees with LAL point by point, including the bins zeroed
/// above Mf = 0.3: max_k |a_k − b_k| / max_k |a_k| ≤ 1e-10 for h+ and h×.
#[test]
fn imrphenomxas_matches_lal_pointwise() {
    let mut worst: f64 = 0.0;
    for c in common::load_waveform_cases("IMRPhenomXAS") {
        let h = generate(Approximant::IMRPhenomXAS, &c.params, &c.freqs).unwrap();
        for (ar, ai, br, bi) in [
            (&c.h.hp_re, &c.h.hp_im, &h.hp_re, &h.hp_im),
            (&c.h.hc_re, &c.h.hc_im, &h.hc_re, &h.hc_im),
        ] {
            let scale = (0..ar.len()).map(|k| ar[k].hypot(ai[k])).fold(0.0, f64::max);
            for k in 0..ar.len() {
                assert_eq!(
                    ar[k] == 0.0 && ai[k] == 0.0,
                    br[k] == 0.0 && bi[k] == 0.0,
                    "{} bin {k}",
                    c.case_id
                );
                let d = (ar[k] - br[k]).hypot(ai[k] - bi[k]) / scale;
                worst = worst.max(d);
            }
        }
    }
    println!("IMRPhenomXAS: worst pointwise relative difference {worst:.2e}");
    assert!(worst <= 1e-10, "{worst:e}");
}
