//! Gradients of the waveforms: forward-mode duals and the tape op's VJP
//! against central finite differences.

use std::rc::Rc;

use ferrax::autodiff::{check_gradients, value_and_grad, Dual, GradCheckOptions, Tensor};
use ferrax::gw::waveforms::tape::{WaveformOp, N_TAPE_PARAMS, TAPE_PARAMS};
use ferrax::gw::waveforms::Approximant;

fn freqs() -> Vec<f64> {
    (0..200).map(|k| 20.0 + 5.0 * k as f64).collect()
}

/// `tol` is relative to the largest derivative of each channel. BNS phases
/// reach 1e4-1e5 rad, so central differences of h lose about five digits
/// there: 1e-5 for the tidal models, 1e-6 for black holes.
fn check_duals(approx: Approximant, p: [f64; N_TAPE_PARAMS], steps: [f64; N_TAPE_PARAMS], tol: f64) {
    let op = WaveformOp::new(approx, freqs(), 20.0).unwrap();
    let x: [Dual<N_TAPE_PARAMS>; N_TAPE_PARAMS] = Dual::variables(&p);
    let hd = op.eval(&x);
    let mut worst: f64 = 0.0;
    for j in 0..N_TAPE_PARAMS {
        let black_hole = matches!(approx, Approximant::IMRPhenomD | Approximant::IMRPhenomXAS);
        if black_hole && (j == 4 || j == 5) {
            continue;
        }
        let mut pp = p;
        let mut pm = p;
        pp[j] += steps[j];
        pm[j] -= steps[j];
        let (hp, hm) = (op.eval(&pp), op.eval(&pm));
        // relative to the largest derivative of the channel (derivatives pass through zero)
        for c in 0..4 {
            let scale = hd.iter().map(|h| h[c].eps[j].abs()).fold(0.0, f64::max);
            for k in 0..hd.len() {
                let fd = (hp[k][c] - hm[k][c]) / (2.0 * steps[j]);
                let err = (fd - hd[k][c].eps[j]).abs() / scale.max(1e-300);
                worst = worst.max(err);
                assert!(
                    err < tol,
                    "{approx:?} d/d{} channel {c} bin {k}: dual {} fd {fd}",
                    TAPE_PARAMS[j],
                    hd[k][c].eps[j]
                );
            }
        }
    }
    println!("{approx:?}: worst relative dual-vs-FD error {worst:.2e}");
}

const BBH_STEPS: [f64; N_TAPE_PARAMS] = [1e-6, 1e-6, 1e-7, 1e-7, 1e-3, 1e-3, 1e-4, 1e-7, 1e-7];

#[test]
fn phenomd_dual_gradients_match_finite_differences() {
    check_duals(
        Approximant::IMRPhenomD,
        [36.0, 29.0, 0.3, -0.1, 0.0, 0.0, 400.0, 1.3, 0.4],
        BBH_STEPS,
        1e-6,
    );
    check_duals(
        Approximant::IMRPhenomD,
        [12.0, 3.0, -0.6, 0.5, 0.0, 0.0, 100.0, 0.2, 2.0],
        BBH_STEPS,
        1e-6,
    );
}

#[test]
fn taylorf2_dual_gradients_match_finite_differences() {
    check_duals(
        Approximant::TaylorF2,
        [1.5, 1.3, 0.03, -0.02, 400.0, 700.0, 40.0, 0.7, 1.0],
        [1e-9, 1e-9, 1e-6, 1e-6, 0.1, 0.1, 1e-4, 1e-5, 1e-5],
        1e-5,
    );
}

#[test]
fn tape_op_vjp_matches_finite_differences() {
    let op = Rc::new(WaveformOp::new(Approximant::IMRPhenomD, freqs(), 20.0).unwrap());
    let x = Tensor::from_vec(
        vec![
            36.0, 29.0, 0.3, -0.1, 0.0, 0.0, 400.0, 1.3, 0.4, 20.0, 10.0, 0.1, 0.2, 0.0, 0.0, 300.0, 0.3, 1.0,
        ],
        &[2, N_TAPE_PARAMS],
    )
    .unwrap();
    // a scalar loss: weighted sum of all strain channels (scaled to O(1))
    let w = Tensor::linspace(0.5, 1.5, 200);
    let loss = |x: &Tensor| {
        let h = op.apply(x);
        let s = &h * 1e22;
        (&s * &w).sum_all()
    };
    let (v, g) = value_and_grad(loss, &x).unwrap();
    assert!(v.is_finite());
    let g = g.to_vec().unwrap();
    assert_eq!(g[4], 0.0);
    let report = check_gradients(
        |ps: &[Tensor]| {
            let h = op.apply(&ps[0]);
            let s = &h * 1e22;
            (&s * &w).sum_all()
        },
        &[x],
        &GradCheckOptions {
            step: 1e-6,
            floor: 1e-7,
        },
    )
    .unwrap();
    println!(
        "tape op gradient check: max relative error {:.2e}",
        report.max_rel_error
    );
    assert!(report.max_rel_error < 1e-5, "{report:?}");
}

#[test]
fn nrtidalv2_dual_gradients_match_finite_differences() {
    check_duals(
        Approximant::IMRPhenomD_NRTidalv2,
        [1.5, 1.3, 0.03, -0.02, 400.0, 700.0, 40.0, 0.7, 1.0],
        [1e-9, 1e-9, 1e-6, 1e-6, 0.1, 0.1, 1e-4, 1e-5, 1e-5],
        1e-5,
    );
}

mod precessing {
    use super::*;
    use ferrax::autodiff::CustomOp;
    use ferrax::gw::waveforms::tape_precessing::{
        PrecessingWaveformOp, N_PRECESSING_PARAMS, PRECESSING_TAPE_PARAMS,
    };

    const N: usize = N_PRECESSING_PARAMS;
    /// Steps: the in-plane spins have derivatives ~1e-3 of |h| in some
    /// channels, so their differences need larger steps (1e-5) to stay
    /// above round-off; truncation error is then ~1e-9 of the channel scale.
    const STEPS: [f64; N] = [1e-6, 1e-6, 1e-5, 1e-5, 1e-6, 1e-5, 1e-5, 1e-6, 1e-4, 1e-6, 1e-6];

    /// IMRPhenomPv2: every one of the 11 derivatives (dual numbers) against
    /// central differences, relative to the largest derivative of the channel.
    fn check_pv2(p: [f64; N], f_ref: f64, tol: f64) {
        let op = PrecessingWaveformOp::new(freqs(), f_ref).unwrap();
        let x: [Dual<N>; N] = Dual::variables(&p);
        let hd = op.eval(&x);
        let mut worst: f64 = 0.0;
        for j in 0..N {
            let mut pp = p;
            let mut pm = p;
            pp[j] += STEPS[j];
            pm[j] -= STEPS[j];
            let (hp, hm) = (op.eval(&pp), op.eval(&pm));
            for c in 0..4 {
                let scale = hd.iter().map(|h| h[c].eps[j].abs()).fold(0.0, f64::max);
                assert!(
                    scale > 0.0,
                    "d/d{} of channel {c} vanishes",
                    PRECESSING_TAPE_PARAMS[j]
                );
                for k in 0..hd.len() {
                    let fd = (hp[k][c] - hm[k][c]) / (2.0 * STEPS[j]);
                    let err = (fd - hd[k][c].eps[j]).abs() / scale;
                    worst = worst.max(err);
                    assert!(
                        err < tol,
                        "Pv2 d/d{} channel {c} bin {k}: dual {} fd {fd}",
                        PRECESSING_TAPE_PARAMS[j],
                        hd[k][c].eps[j]
                    );
                }
            }
        }
        println!("IMRPhenomPv2: worst relative dual-vs-FD error {worst:.2e}");
    }

    #[test]
    fn phenompv2_dual_gradients_match_finite_differences() {
        // m1 > m2, generic spins, f_ref = 20 Hz
        check_pv2(
            [36.0, 29.0, 0.3, -0.2, 0.4, 0.1, 0.35, -0.3, 400.0, 1.3, 0.7],
            20.0,
            1e-6,
        );
        // m1 < m2 (LAL swaps the bodies internally), larger in-plane spin on body 2
        check_pv2(
            [9.0, 14.0, -0.1, 0.2, -0.3, 0.5, -0.4, 0.2, 150.0, 4.0, 2.2],
            50.0,
            1e-6,
        );
    }

    /// At zero in-plane spin (and face-on) the model is not differentiable
    /// w.r.t. the in-plane components (χ_p is a norm); the duals stay finite.
    #[test]
    fn phenompv2_duals_are_finite_in_the_aligned_limit() {
        let op = PrecessingWaveformOp::new(freqs(), 20.0).unwrap();
        for p in [
            [30.0, 12.0, 0.0, 0.0, 0.6, 0.0, 0.0, -0.4, 200.0, 0.7, 0.9],
            [30.0, 12.0, 0.0, 0.0, 0.6, 0.0, 0.0, -0.4, 200.0, 0.7, 0.0],
        ] {
            let x: [Dual<N>; N] = Dual::variables(&p);
            for h in op.eval(&x) {
                for c in h {
                    assert!(c.re.is_finite() && c.eps.iter().all(|e| e.is_finite()), "{p:?}");
                }
            }
        }
    }

    #[test]
    fn phenompv2_tape_op_vjp_matches_finite_differences() {
        let op = Rc::new(PrecessingWaveformOp::new(freqs(), 20.0).unwrap());
        let x = Tensor::from_vec(
            vec![
                36.0, 29.0, 0.3, -0.2, 0.4, 0.1, 0.35, -0.3, 400.0, 1.3, 0.7, //
                20.0, 10.0, 0.5, 0.1, 0.2, -0.2, 0.1, 0.0, 300.0, 0.3, 1.0,
            ],
            &[2, N],
        )
        .unwrap();
        let w = Tensor::linspace(0.5, 1.5, 200);
        let loss = |ps: &[Tensor]| {
            let h = op.apply(&ps[0]);
            let s = &h * 1e22;
            (&s * &w).sum_all()
        };
        let report = check_gradients(
            loss,
            &[x],
            &GradCheckOptions {
                step: 1e-6,
                floor: 1e-7,
            },
        )
        .unwrap();
        println!(
            "Pv2 tape op gradient check: max relative error {:.2e}",
            report.max_rel_error
        );
        assert!(report.max_rel_error < 1e-5, "{report:?}");
        // a row outside the physical range is a typed error, not NaN
        let bad = Tensor::from_vec(
            vec![36.0, 29.0, 0.8, 0.0, 0.7, 0.0, 0.0, 0.0, 400.0, 1.3, 0.7],
            &[1, N],
        )
        .unwrap();
        let e = op.forward(&[bad]).unwrap_err().to_string();
        assert!(e.contains("chi1"), "{e}");
    }
}

#[test]
fn phenomxas_dual_gradients_match_finite_differences() {
    // GW150914-like (cut at Mf = 0.3 inside the grid), and a high-q spinning
    // case whose ringdown lies above the grid.
    check_duals(
        Approximant::IMRPhenomXAS,
        [36.0, 29.0, 0.3, -0.1, 0.0, 0.0, 400.0, 1.3, 0.4],
        BBH_STEPS,
        1e-6,
    );
    check_duals(
        Approximant::IMRPhenomXAS,
        [12.0, 3.0, -0.6, 0.5, 0.0, 0.0, 100.0, 0.2, 2.0],
        BBH_STEPS,
        1e-6,
    );
    // m1 < m2 (bodies swapped inside) with large aligned spins.
    check_duals(
        Approximant::IMRPhenomXAS,
        [20.0, 45.0, 0.8, 0.85, 0.0, 0.0, 800.0, 5.0, 2.8],
        BBH_STEPS,
        1e-6,
    );
}

#[test]
fn phenomxas_tape_op_vjp_matches_finite_differences() {
    let op = Rc::new(WaveformOp::new(Approximant::IMRPhenomXAS, freqs(), 20.0).unwrap());
    let x = Tensor::from_vec(
        vec![36.0, 29.0, 0.3, -0.1, 0.0, 0.0, 400.0, 1.3, 0.4],
        &[1, N_TAPE_PARAMS],
    )
    .unwrap();
    let w = Tensor::linspace(0.5, 1.5, 200);
    let report = check_gradients(
        |ps: &[Tensor]| {
            let h = op.apply(&ps[0]);
            let s = &h * 1e25;
            (&s * &w).sum_all()
        },
        &[x],
        &GradCheckOptions {
            step: 1e-6,
            // the unused tidal entries are exactly zero; their stencil noise is
            // ~1e-11 of the largest derivative
            floor: 1e-6,
        },
    )
    .unwrap();
    println!(
        "XAS tape op gradient check: max relative error {:.2e}",
        report.max_rel_error
    );
    assert!(report.max_rel_error < 1e-5, "{report:?}");
}
