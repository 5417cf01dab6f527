//! Dopri5 against problems with analytic solutions: convergence order,
//! tolerance proportionality, dense output, forward sensitivities with dual
//! numbers, statistics and typed failures.

use ferrax_autodiff::{Dual, Real};
use ferrax_solvers::ode::{ControllerOptions, Dopri5, OdeError};

/// A fixed-step solver: tolerances so loose every step is accepted and the
/// step capped at `h`.
fn fixed_step(h: f64) -> Dopri5 {
    Dopri5::new(ControllerOptions {
        rtol: 1e10,
        atol: 1e10,
        dt0: Some(h),
        max_step: h,
        max_steps: 1_000_000,
        ..Default::default()
    })
}

/// Observed order log2(e(h)/e(h/2)) for a list of halvings.
fn observed_orders(errors: &[f64]) -> Vec<f64> {
    errors.windows(2).map(|w| (w[0] / w[1]).log2()).collect()
}

#[test]
fn exponential_converges_at_order_five() {
    let t1 = 2.0;
    let exact = (-1.3f64 * t1).exp();
    let errors: Vec<f64> = [0.2, 0.1, 0.05, 0.025]
        .iter()
        .map(|&h| {
            let s = fixed_step(h)
                .solve(|_t, y: &[f64; 1]| [-1.3 * y[0]], 0.0, t1, [1.0])
                .unwrap();
            (s.y[0] - exact).abs()
        })
        .collect();
    for p in observed_orders(&errors) {
        assert!((p - 5.0).abs() < 0.35, "order {p} from {errors:?}");
    }
}

#[test]
fn harmonic_oscillator_converges_at_order_five() {
    let t1 = 3.0;
    let errors: Vec<f64> = [0.3, 0.15, 0.075, 0.0375]
        .iter()
        .map(|&h| {
            let s = fixed_step(h)
                .solve(|_t, y: &[f64; 2]| [y[1], -y[0]], 0.0, t1, [1.0, 0.0])
                .unwrap();
            ((s.y[0] - t1.cos()).powi(2) + (s.y[1] + t1.sin()).powi(2)).sqrt()
        })
        .collect();
    for p in observed_orders(&errors) {
        assert!((p - 5.0).abs() < 0.35, "order {p} from {errors:?}");
    }
}

fn kepler(_t: f64, y: &[f64; 4]) -> [f64; 4] {
    let r3 = (y[0] * y[0] + y[1] * y[1]).powf(1.5);
    [y[2], y[3], -y[0] / r3, -y[1] / r3]
}

fn kepler_energy(y: &[f64; 4]) -> f64 {
    0.5 * (y[2] * y[2] + y[3] * y[3]) - 1.0 / (y[0] * y[0] + y[1] * y[1]).sqrt()
}

#[test]
fn kepler_energy_error_converges_at_order_five() {
    // Eccentricity 0.5 orbit starting at pericentre, one period (2π).
    let e = 0.5;
    let y0 = [1.0 - e, 0.0, 0.0, ((1.0 + e) / (1.0 - e)).sqrt()];
    let e0 = kepler_energy(&y0);
    let t1 = 2.0 * std::f64::consts::PI;
    let errors: Vec<f64> = [0.02, 0.01, 0.005, 0.0025]
        .iter()
        .map(|&h| {
            let s = fixed_step(h).solve(kepler, 0.0, t1, y0).unwrap();
            (kepler_energy(&s.y) - e0).abs()
        })
        .collect();
    for p in observed_orders(&errors) {
        assert!((p - 5.0).abs() < 0.5, "order {p} from {errors:?}");
    }
    // The adaptive solver conserves the energy to its tolerance.
    let s = Dopri5::new(ControllerOptions::with_tolerances(1e-10, 1e-12))
        .solve(kepler, 0.0, t1, y0)
        .unwrap();
    assert!((kepler_energy(&s.y) - e0).abs() < 1e-8);
    assert!((s.y[0] - y0[0]).abs() < 1e-7 && s.y[1].abs() < 1e-7);
}

#[test]
fn global_error_is_proportional_to_tolerance() {
    let t1 = 10.0;
    let mut errs = Vec::new();
    for &tol in &[1e-5, 1e-7, 1e-9, 1e-11] {
        let s = Dopri5::new(ControllerOptions::with_tolerances(tol, tol))
            .solve(|_t, y: &[f64; 2]| [y[1], -y[0]], 0.0, t1, [1.0, 0.0])
            .unwrap();
        let err = (s.y[0] - t1.cos()).abs().max((s.y[1] + t1.sin()).abs());
        assert!(err < 50.0 * tol, "tol {tol}: err {err}");
        errs.push(err);
    }
    // Each factor 100 in tolerance buys at least a factor 30 in error.
    for w in errs.windows(2) {
        assert!(w[0] / w[1] > 30.0, "{errs:?}");
    }
}

#[test]
fn both_controllers_and_backward_integration_work() {
    for opts in [
        ControllerOptions::with_tolerances(1e-9, 1e-9),
        ControllerOptions::with_tolerances(1e-9, 1e-9).hairer_pi(),
    ] {
        // Backwards from t = 2 to t = 0: y = e^{t}.
        let s = Dopri5::new(opts)
            .solve(|_t, y: &[f64; 1]| [y[0]], 2.0, 0.0, [2f64.exp()])
            .unwrap();
        assert!((s.y[0] - 1.0).abs() < 1e-8, "{}", s.y[0]);
        assert_eq!(s.t, 0.0);
    }
}

#[test]
fn dense_output_matches_the_analytic_solution() {
    let s = Dopri5::new(ControllerOptions::with_tolerances(1e-10, 1e-10))
        .with_dense_output()
        .solve(|_t, y: &[f64; 2]| [y[1], -y[0]], 0.0, 6.0, [1.0, 0.0])
        .unwrap();
    let dense = s.dense.unwrap();
    assert_eq!(dense.segments().len(), s.stats.accepted_steps);
    for i in 0..=120 {
        let t = 0.05 * i as f64;
        let y = dense.eval(t).unwrap();
        assert!((y[0] - t.cos()).abs() < 1e-8, "t {t}: {}", y[0]);
        assert!((y[1] + t.sin()).abs() < 1e-8);
    }
    assert!(dense.eval(6.5).is_none());
}

#[test]
fn statistics_count_every_rhs_evaluation() {
    let mut calls = 0usize;
    let s = Dopri5::new(ControllerOptions {
        dt0: Some(1.0), // too large: forces rejections
        ..ControllerOptions::with_tolerances(1e-8, 1e-8)
    })
    .solve(
        |_t, y: &[f64; 1]| {
            calls += 1;
            [-5.0 * y[0]]
        },
        0.0,
        3.0,
        [1.0],
    )
    .unwrap();
    assert!(s.stats.rejected_steps > 0);
    assert_eq!(s.stats.rhs_evaluations, calls);
    assert_eq!(
        s.stats.rhs_evaluations,
        1 + 6 * (s.stats.accepted_steps + s.stats.rejected_steps)
    );
}

#[test]
fn forward_sensitivities_match_analytic_derivatives() {
    // y' = -a y, y(0) = y0: dy/da = -t y, dy/dy0 = e^{-a t}.
    let (a, y0v, t1) = (0.7, 1.5, 2.0);
    let [ad, y0d] = Dual::<2>::variables(&[a, y0v]);
    let s = Dopri5::new(ControllerOptions::with_tolerances(1e-12, 1e-12))
        .solve(
            |_t, y: &[Dual<2>; 1]| [-(ad * y[0])],
            Dual::constant(0.0),
            Dual::constant(t1),
            [y0d],
        )
        .unwrap();
    let y = y0v * (-a * t1).exp();
    assert!((s.y[0].re - y).abs() < 1e-10);
    assert!((s.y[0].eps[0] - (-t1 * y)).abs() < 1e-6 * y);
    assert!((s.y[0].eps[1] - (-a * t1).exp()).abs() < 1e-6);

    // Harmonic oscillator x'' = -ω² x, x(0) = 1: dx/dω = -t sin(ωt).
    let w = 1.3;
    let wd = Dual::<1>::variable(w, 0);
    let s = Dopri5::new(ControllerOptions::with_tolerances(1e-12, 1e-12))
        .solve(
            |_t, y: &[Dual<1>; 2]| [y[1], -(wd * wd * y[0])],
            Dual::constant(0.0),
            Dual::constant(t1),
            [Dual::constant(1.0), Dual::constant(0.0)],
        )
        .unwrap();
    assert!((s.y[0].re - (w * t1).cos()).abs() < 1e-10);
    assert!((s.y[0].eps[0] + t1 * (w * t1).sin()).abs() < 1e-6);

    // An end time that depends on a parameter: d y(T)/dT = f(T, y(T)).
    let td = Dual::<1>::variable(t1, 0);
    let s = Dopri5::new(ControllerOptions::with_tolerances(1e-12, 1e-12))
        .solve(
            |_t, y: &[Dual<1>; 1]| [y[0] * (-a)],
            Dual::constant(0.0),
            td,
            [Dual::constant(1.0)],
        )
        .unwrap();
    assert!((s.y[0].eps[0] + a * (-a * t1).exp()).abs() < 1e-6);
    // A parameter-dependent start time: y(T) = e^{-a(T - t0)}, d/dt0 = a y.
    let t0d = Dual::<1>::variable(0.25, 0);
    let s = Dopri5::new(ControllerOptions::with_tolerances(1e-12, 1e-12))
        .solve(
            |_t, y: &[Dual<1>; 1]| [y[0] * (-a)],
            t0d,
            Dual::constant(t1),
            [Dual::constant(1.0)],
        )
        .unwrap();
    let yv = (-a * (t1 - 0.25)).exp();
    assert!((s.y[0].re - yv).abs() < 1e-10);
    assert!((s.y[0].eps[0] - a * yv).abs() < 1e-6);
    // The same via the Real trait path (sqrt etc. on duals).
    assert!(wd.sqrt().re > 0.0);
}

#[test]
fn dual_and_plain_solutions_take_identical_steps() {
    let f64_sol = Dopri5::new(ControllerOptions::with_tolerances(1e-8, 1e-8))
        .solve(kepler, 0.0, 3.0, [0.5, 0.0, 0.0, 3f64.sqrt()])
        .unwrap();
    let d = Dual::<1>::variable(0.5, 0);
    let c = Dual::<1>::constant;
    let dual_sol = Dopri5::new(ControllerOptions::with_tolerances(1e-8, 1e-8))
        .solve(
            |_t, y: &[Dual<1>; 4]| {
                let r3 = (y[0] * y[0] + y[1] * y[1]).powf(1.5);
                [y[2], y[3], -(y[0] / r3), -(y[1] / r3)]
            },
            c(0.0),
            c(3.0),
            [d, c(0.0), c(0.0), c(3f64.sqrt())],
        )
        .unwrap();
    assert_eq!(f64_sol.stats, dual_sol.stats);
    for i in 0..4 {
        assert!((f64_sol.y[i] - dual_sol.y[i].re).abs() <= 1e-13 * f64_sol.y[i].abs().max(1.0));
    }
}

#[test]
fn failures_are_typed() {
    // Too few steps.
    let err = Dopri5::new(ControllerOptions {
        max_steps: 5,
        ..ControllerOptions::with_tolerances(1e-10, 1e-10)
    })
    .solve(|_t, y: &[f64; 2]| [y[1], -y[0]], 0.0, 100.0, [1.0, 0.0])
    .unwrap_err();
    assert!(matches!(err, OdeError::MaxSteps { max_steps: 5, .. }), "{err}");

    // Finite-time blow-up of y' = y² at t = 1 with a minimum step.
    let err = Dopri5::new(ControllerOptions {
        min_step: 1e-10,
        ..ControllerOptions::with_tolerances(1e-8, 1e-8)
    })
    .solve(|_t, y: &[f64; 1]| [y[0] * y[0]], 0.0, 2.0, [1.0])
    .unwrap_err();
    match err {
        OdeError::StepSizeUnderflow { t, .. } | OdeError::NonFinite { t, .. } => {
            assert!((t - 1.0).abs() < 1e-3, "{err}")
        }
        other => panic!("unexpected {other}"),
    }

    // A right-hand side that turns NaN after t = 0.5.
    let err = Dopri5::new(ControllerOptions::with_tolerances(1e-8, 1e-8))
        .solve(
            |t, y: &[f64; 2]| {
                if t > 0.5 {
                    [f64::NAN, 0.0]
                } else {
                    [y[1], -y[0]]
                }
            },
            0.0,
            1.0,
            [1.0, 0.0],
        )
        .unwrap_err();
    match err {
        OdeError::NonFinite { step, t, component } => {
            assert!(step > 0 && t <= 0.5 && component == 0, "{err}");
        }
        other => panic!("unexpected {other}"),
    }

    // NaN initial state and bad options.
    let err = Dopri5::new(ControllerOptions::default())
        .solve(|_t, y: &[f64; 1]| [y[0]], 0.0, 1.0, [f64::NAN])
        .unwrap_err();
    assert!(matches!(err, OdeError::NonFinite { step: 0, .. }));
    let err = Dopri5::new(ControllerOptions::with_tolerances(-1.0, 1e-6))
        .solve(|_t, y: &[f64; 1]| [y[0]], 0.0, 1.0, [1.0])
        .unwrap_err();
    assert!(matches!(err, OdeError::InvalidOption { name: "rtol", .. }));
}

#[test]
fn reverse_mode_sensitivities_match_analytic_derivatives() {
    use ferrax_autodiff::{scalar_value_and_grad, Var};
    // y' = -a y, y(0) = y0 on [0, T]: dy/da = -T y, dy/dy0 = e^{-aT}; the
    // whole adaptive solve is recorded and swept backwards.
    let (a, y0, t1) = (0.7, 1.5, 2.0);
    let (v, g) = scalar_value_and_grad(
        |x: &[Var]| {
            let (av, yv) = (x[0], x[1]);
            Dopri5::new(ControllerOptions::with_tolerances(1e-12, 1e-12))
                .solve(
                    |_t, y: &[Var; 1]| [-(av * y[0])],
                    Var::constant(0.0),
                    Var::constant(t1),
                    [yv],
                )
                .unwrap()
                .y[0]
        },
        &[a, y0],
    )
    .unwrap();
    let y = y0 * (-a * t1).exp();
    assert!((v - y).abs() < 1e-10);
    assert!((g[0] + t1 * y).abs() < 1e-6 * y);
    assert!((g[1] - (-a * t1).exp()).abs() < 1e-6);
}
