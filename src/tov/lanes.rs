//! Many stars of one EOS at once in f64: the TOV + tidal equations of
//! [`super::solver`] integrated by the lane-batched Dormand–Prince solver
//! ([`Dopri5Lanes`]), [`LANES`] stars side by side.
//!
//! Each lane integrates one star with its own step size, its own
//! accept/reject decisions and its own end; a lane whose star has reached
//! the surface takes the next central pressure. The lanes share only the
//! loop: one step attempt of every busy lane per pass, the stage arithmetic
//! and the right-hand side (EOS lookup per lane, then the TOV expressions
//! across lanes) written over `[f64; L]`. Every lane does exactly the
//! arithmetic of [`solve_star`](super::solve_star), in the same order, so
//! M, R, Λ and the step counters are bit-for-bit those of the scalar solver
//! (tested); the gain is that the lanes' independent dependency chains
//! (divisions, stage sums, the step-size controller) overlap in the
//! processor and the stage sums run as vector instructions.
//!
//! Only the one-segment integration (no restarts at kinks,
//! `split_at_kinks = false`, jester's mode) is batched; dual and tape
//! numbers and the accurate mode go through [`solve_star`](super::solve_star).

use super::solver::{finish_star, star_controller, star_start, EnthalpyEos, Star, StarStart, TovOptions};
use super::TovError;
use ferrax_solvers::ode::{Dopri5Lanes, LaneProblem};
use std::f64::consts::PI;

/// Lanes of the family solver (stars integrated side by side).
pub const LANES: usize = 8;

/// [`tov_rhs`](super::solver::tov_rhs) in `L` lanes, operation for
/// operation the same expressions: e, p, de/dh per lane (EOS units) and
/// the states (r, m, H, β) per lane; returns d(r, m, H, β)/dh.
#[inline(always)]
pub fn tov_rhs_lanes<const L: usize>(
    e: &[f64; L],
    p: &[f64; L],
    dedh: &[f64; L],
    y: &[[f64; L]; 4],
) -> [[f64; L]; 4] {
    let four_pi = 4.0 * PI;
    let mut out = [[0.0; L]; 4];
    for l in 0..L {
        let (r, m, hh, b) = (y[0][l], y[1][l], y[2][l], y[3][l]);
        let (e, p, dedh) = (e[l], p[l], dedh[l]);
        let inv_r = 1.0 / r;
        let inv_r2 = inv_r * inv_r;
        let r_minus_2m = r - m * 2.0;
        let inv_r_minus_2m = 1.0 / r_minus_2m;
        let source = m + r * r * r * p * four_pi;
        let a = r * inv_r_minus_2m;
        let c1 = inv_r * 2.0 + a * (m * 2.0 * inv_r2 + r * (p - e) * four_pi);
        let nu = source * 2.0 * inv_r * inv_r_minus_2m;
        let c0 = a * (inv_r2 * (-6.0) + dedh * four_pi + (e * 5.0 + p * 9.0) * four_pi) - nu * nu;
        let drdh = -(r * r_minus_2m) / source;
        out[0][l] = drdh;
        out[1][l] = r * r * e * drdh * four_pi;
        out[2][l] = b * drdh;
        out[3][l] = -((c0 * hh + c1 * b) * drdh);
    }
    out
}

/// d(r, m, H, β)/dh in every busy lane (idle lanes get a finite dummy
/// EOS point).
#[inline(always)]
fn lanes_rhs<const L: usize, E: EnthalpyEos<f64>>(
    eos: &E,
    h: &[f64; L],
    y: &[[f64; L]; 4],
    busy: &[bool; L],
) -> [[f64; L]; 4] {
    let (mut e, mut p, mut dedh) = ([1.0; L], [1.0; L], [0.0; L]);
    for l in 0..L {
        if busy[l] {
            let q = eos.at_enthalpy(h[l]);
            (e[l], p[l], dedh[l]) = (q.e, q.p, q.dedh);
        }
    }
    tov_rhs_lanes(&e, &p, &dedh, y)
}

/// Solves the stars of central pressures `pcs` (EOS units) of one EOS in
/// `L` lanes; one result per central pressure, in order, each equal bit for
/// bit to [`solve_star`](super::solve_star)`(eos, pcs[i], opts)`.
/// A star that fails gives [`TovError::Star`] naming its index and central
/// pressure. With `opts.split_at_kinks` every star goes through
/// [`solve_star`](super::solve_star) (restarts are not batched).
pub fn solve_stars_lanes<const L: usize, E: EnthalpyEos<f64>>(
    eos: &E,
    pcs: &[f64],
    opts: &TovOptions,
) -> Vec<Result<Star<f64>, TovError>> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor supports AVX2 (checked just above).
        return unsafe { solve_stars_avx2::<L, E>(eos, pcs, opts) };
    }
    solve_stars_any::<L, E>(eos, pcs, opts)
}

/// [`solve_stars_any`] compiled with 256-bit vector instructions (four f64
/// lanes per instruction). No fused multiply–add: the results are the
/// same bits as without AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn solve_stars_avx2<const L: usize, E: EnthalpyEos<f64>>(
    eos: &E,
    pcs: &[f64],
    opts: &TovOptions,
) -> Vec<Result<Star<f64>, TovError>> {
    solve_stars_any::<L, E>(eos, pcs, opts)
}

/// The body of [`solve_stars_lanes`] for any instruction set.
#[inline(always)]
fn solve_stars_any<const L: usize, E: EnthalpyEos<f64>>(
    eos: &E,
    pcs: &[f64],
    opts: &TovOptions,
) -> Vec<Result<Star<f64>, TovError>> {
    let wrap = |i: usize, e: TovError| TovError::Star {
        index: i,
        p_c: pcs[i],
        source: Box::new(e),
    };
    if opts.split_at_kinks {
        return pcs
            .iter()
            .enumerate()
            .map(|(i, &pc)| super::solve_star(eos, pc, opts).map_err(|e| wrap(i, e)))
            .collect();
    }
    let starts: Vec<Result<StarStart<f64>, TovError>> =
        pcs.iter().map(|&pc| star_start(eos, pc, opts)).collect();
    let mut out: Vec<Option<Result<Star<f64>, TovError>>> = vec![None; pcs.len()];
    // Stars whose start failed are not integrated.
    let runs: Vec<usize> = (0..pcs.len()).filter(|&i| starts[i].is_ok()).collect();
    for (i, s) in starts.iter().enumerate() {
        if let Err(e) = s {
            out[i] = Some(Err(wrap(i, e.clone())));
        }
    }
    let solver = Dopri5Lanes::<L>::new(star_controller(opts, 1.0));
    let problem = |j: usize| {
        let s = starts[runs[j]].as_ref().expect("only started stars run");
        LaneProblem {
            t0: s.h0,
            t1: 0.0,
            y0: s.y0,
            dt0: s.delta,
        }
    };
    let done = |j: usize, res: Result<ferrax_solvers::ode::LaneSolution<4>, _>| {
        let i = runs[j];
        let s = starts[i].as_ref().expect("only started stars run");
        out[i] = Some(
            res.map_err(TovError::from)
                .and_then(|sol| finish_star(pcs[i], s.h_c, sol.y, sol.stats))
                .map_err(|e| wrap(i, e)),
        );
    };
    let res = solver.solve(
        runs.len(),
        problem,
        #[inline(always)]
        |h: &[f64; L], y: &[[f64; L]; 4], busy: &[bool; L]| lanes_rhs(eos, h, y, busy),
        done,
    );
    if let Err(e) = res {
        return (0..pcs.len()).map(|i| Err(wrap(i, e.clone().into()))).collect();
    }
    out.into_iter()
        .map(|r| r.expect("every star is finished by the solver"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eos::cse::metamodel_cse_table;
    use crate::eos::TableLookup;
    use crate::tov::family::central_pressures;
    use crate::tov::radius_loss::RadiusLoss;
    use crate::tov::solve_star;

    /// The lookup and the family's central pressures of the radius-loss EOS
    /// at `theta_true` and at the third perturbed point.
    fn cases() -> Vec<(TableLookup<f64>, Vec<f64>, RadiusLoss)> {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/tov/radius_loss.json")).expect("JSON");
        let problem = RadiusLoss::from_json(&doc).expect("case");
        [&doc["theta_true"], &doc["perturbed_points"][2]["theta"]]
            .into_iter()
            .map(|th| {
                let theta = problem.theta_from_json(th).expect("θ");
                let table =
                    metamodel_cse_table(&problem.params(&theta).expect("params"), &problem.eos).expect("EOS");
                let pcs = central_pressures(&table, &problem.family).expect("p_c grid");
                (TableLookup::new(&table), pcs, problem.clone())
            })
            .collect()
    }

    fn same_bits(a: &Star<f64>, b: &Star<f64>) -> bool {
        [
            (a.mass, b.mass),
            (a.radius, b.radius),
            (a.y, b.y),
            (a.k2, b.k2),
            (a.lambda, b.lambda),
            (a.h_c, b.h_c),
        ]
        .iter()
        .all(|(x, y)| x.to_bits() == y.to_bits())
            && a.stats == b.stats
    }

    fn check<const L: usize>(lookup: &TableLookup<f64>, pcs: &[f64], opts: &TovOptions) -> usize {
        let lanes = solve_stars_lanes::<L, _>(lookup, pcs, opts);
        assert_eq!(lanes.len(), pcs.len());
        let mut failed = 0;
        for (i, (got, &pc)) in lanes.iter().zip(pcs).enumerate() {
            match (got, solve_star(lookup, pc, opts)) {
                (Ok(a), Ok(b)) => assert!(same_bits(a, &b), "L = {L}, star {i}: {a:?} != {b:?}"),
                (Err(TovError::Star { index, p_c, source }), Err(e)) => {
                    assert_eq!((*index, p_c.to_bits()), (i, pc.to_bits()));
                    assert_eq!(**source, e, "L = {L}, star {i}");
                    failed += 1;
                }
                (a, b) => panic!("L = {L}, star {i}: lanes {a:?}, scalar {b:?}"),
            }
        }
        failed
    }

    /// Lanes of 1, 2, 3, 4, 5 and 8 stars reproduce the scalar solver bit
    /// for bit (M, R, y, k₂, Λ, h_c and the step counters) on two
    /// 100-star families (100 is not a multiple of 3, 8: the last lanes run
    /// alone), and on batches smaller than the lane count.
    #[test]
    fn lanes_equal_scalar_solver_bit_for_bit() {
        let opts = TovOptions::jester_default();
        for (lookup, pcs, _) in cases() {
            for n in [pcs.len(), 3, 1, 0] {
                let p = &pcs[pcs.len() - n..];
                assert_eq!(check::<1>(&lookup, p, &opts), 0);
                assert_eq!(check::<2>(&lookup, p, &opts), 0);
                assert_eq!(check::<3>(&lookup, p, &opts), 0);
                assert_eq!(check::<4>(&lookup, p, &opts), 0);
                assert_eq!(check::<5>(&lookup, p, &opts), 0);
                assert_eq!(check::<8>(&lookup, p, &opts), 0);
            }
        }
    }

    /// The family entry point takes the lanes for f64 and gives the same
    /// stars as one `solve_star` per central pressure.
    #[test]
    fn family_uses_lanes_with_identical_results() {
        let (lookup, pcs, problem) = cases().swap_remove(0);
        let stars = crate::tov::family::solve_stars(&lookup, &pcs, &problem.family.tov).expect("stars");
        for (s, &pc) in stars.iter().zip(&pcs) {
            assert!(same_bits(
                s,
                &solve_star(&lookup, pc, &problem.family.tov).expect("star")
            ));
        }
    }

    /// With a step limit between the smallest and the largest step count
    /// of the family, some lanes fail while their neighbours finish: every
    /// failure is the scalar solver's `MaxSteps` error, wrapped with the
    /// star's index and central pressure; the others are unchanged.
    #[test]
    fn max_steps_in_one_lane_names_the_star() {
        let (lookup, pcs, _) = cases().swap_remove(0);
        let steps: Vec<usize> = pcs
            .iter()
            .map(|&pc| {
                let s = solve_star(&lookup, pc, &TovOptions::jester_default())
                    .expect("star")
                    .stats;
                s.accepted_steps + s.rejected_steps
            })
            .collect();
        let (lo, hi) = (*steps.iter().min().unwrap(), *steps.iter().max().unwrap());
        assert!(hi > lo + 2, "step counts {lo}..{hi}");
        let opts = TovOptions {
            max_steps: (lo + hi) / 2,
            ..TovOptions::jester_default()
        };
        let failed = check::<4>(&lookup, &pcs, &opts);
        let expected = steps.iter().filter(|&&s| s > opts.max_steps).count();
        assert_eq!(failed, expected);
        assert!(failed > 0 && failed < pcs.len());
        let bad = solve_stars_lanes::<4, _>(&lookup, &pcs, &opts)
            .into_iter()
            .position(|r| r.is_err())
            .expect("a failure");
        let err = solve_stars_lanes::<4, _>(&lookup, &pcs, &opts)
            .swap_remove(bad)
            .expect_err("fails");
        let msg = err.to_string();
        assert!(
            matches!(&err, TovError::Star { index, source, .. } if *index == bad
                && matches!(**source, TovError::Ode(ferrax_solvers::ode::OdeError::MaxSteps { .. }))),
            "{err:?}"
        );
        assert!(
            msg.contains(&format!("star {bad} ")) && msg.contains(&format!("{:e}", pcs[bad])),
            "{msg}"
        );
        // The family reports the first failing star.
        let fam = crate::tov::family::solve_stars(&lookup, &pcs, &opts).expect_err("fails");
        assert_eq!(fam, err);
    }

    /// An invalid central pressure fails that star alone.
    #[test]
    fn invalid_central_pressure_fails_only_its_star() {
        let (lookup, mut pcs, _) = cases().swap_remove(0);
        pcs[5] = f64::NAN;
        pcs[6] = -1.0;
        let res = solve_stars_lanes::<4, _>(&lookup, &pcs, &TovOptions::jester_default());
        for (i, r) in res.iter().enumerate() {
            match i {
                5 | 6 => assert!(
                    matches!(r, Err(TovError::Star { index, source, .. }) if *index == i
                        && matches!(**source, TovError::InvalidCentralPressure(_))),
                    "{r:?}"
                ),
                _ => assert!(r.is_ok(), "star {i}: {r:?}"),
            }
        }
    }
}
