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
fn imrphenomxas_matches_lal() {
    check("IMRPhenomXAS", Approximant::IMRPhenomXAS);
}
