//! Dormand–Prince 5(4) for many independent f64 problems at once, `L` of
//! them side by side in lanes.
//!
//! Every lane holds one problem and runs the scalar algorithm of
//! [`Dopri5::solve`](super::Dopri5::solve) on it: its **own** step size,
//! its own accept/reject decision and its own error history. Nothing about
//! the step size is shared between lanes. What the lanes share is the
//! rhythm: each pass of the loop makes one step attempt in every busy lane
//! (seven stages, FSAL), so the stage arithmetic is the same instruction
//! stream for all lanes, written as loops over `[f64; L]` that the compiler
//! turns into vector instructions, and the right-hand side is called once
//! per stage for all lanes together (it can overlap or vectorise the lanes'
//! evaluations). A lane whose problem is finished, or has failed, takes
//! the next unsolved problem at once, so lanes only idle at the end of the
//! batch.
//!
//! Each lane performs exactly the operations of the scalar solver in the
//! same order (no fused multiply–add, no reassociation), so with the same
//! right-hand side the results, the step counters and the errors are
//! bit-for-bit those of [`Dopri5::solve`](super::Dopri5::solve) with
//! `dt0 = Some(problem.dt0)`.
//! The one difference: the first step size is given per problem
//! ([`LaneProblem::dt0`]); Hairer's starting-step heuristic (used by the
//! scalar solver when `dt0` is `None`) is not available here, and
//! `ControllerOptions::dt0` is ignored. No dense output.

use super::controller::ControllerOptions;
use super::dopri5::SolverStats;
use super::tableau::{ButcherTableau, DOPRI5};
use super::OdeError;

/// One initial-value problem of a lane batch (time units of the problem).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaneProblem<const D: usize> {
    /// Initial time.
    pub t0: f64,
    /// End time (either direction from `t0`).
    pub t1: f64,
    /// Initial state.
    pub y0: [f64; D],
    /// Magnitude of the first step (time units; the sign is taken from
    /// `t1 − t0`).
    pub dt0: f64,
}

/// The result of one problem of a lane batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaneSolution<const D: usize> {
    /// The state at `t1`.
    pub y: [f64; D],
    /// Step counters of this problem alone.
    pub stats: SolverStats,
}

/// The lane-batched Dormand–Prince 5(4) solver (`L` lanes) with its
/// controller options (shared by all problems; step sizes are not).
#[derive(Debug, Clone, Copy)]
pub struct Dopri5Lanes<const L: usize> {
    /// Step-size control and limits (`dt0` is ignored, see
    /// [`LaneProblem::dt0`]).
    pub options: ControllerOptions,
}

/// Book-keeping of one busy lane (everything per problem).
#[derive(Debug, Clone, Copy)]
struct Lane {
    idx: usize,
    t1: f64,
    dir: f64,
    h: f64,
    err_prev: f64,
    bad: usize,
    last: bool,
    dtr: f64,
    stats: SolverStats,
}

const IDLE: Lane = Lane {
    idx: 0,
    t1: 0.0,
    dir: 1.0,
    h: 0.0,
    err_prev: 1.0,
    bad: 0,
    last: false,
    dtr: 0.0,
    stats: SolverStats {
        accepted_steps: 0,
        rejected_steps: 0,
        rhs_evaluations: 0,
    },
};

/// Index of the first non-finite component of lane `l`, if any.
#[inline]
fn first_non_finite<const D: usize, const L: usize>(y: &[[f64; L]; D], l: usize) -> Option<usize> {
    (0..D).position(|i| !y[i][l].is_finite())
}

impl<const L: usize> Dopri5Lanes<L> {
    /// A solver with the given options.
    pub fn new(options: ControllerOptions) -> Self {
        Dopri5Lanes { options }
    }

    /// Solves problems `0..n`: `problem(i)` gives problem `i` when a lane
    /// takes it (in increasing `i`), `f(t, y, busy)` returns dy/dt in every
    /// lane (lanes with `busy[l] == false` hold no problem; their values are
    /// discarded, so `f` may skip them), and `done(i, result)` receives
    /// each problem's solution or error as soon as it is known (not in
    /// order of `i`). Per problem the errors are those of the scalar solver
    /// ([`OdeError::NonFinite`], [`OdeError::MaxSteps`],
    /// [`OdeError::StepSizeUnderflow`]), plus [`OdeError::InvalidOption`]
    /// naming `dt0` for a first step that is not finite and non-zero.
    ///
    /// Returns an error only for invalid controller options (then no
    /// problem is solved).
    ///
    /// Always inlined, so that a caller compiled for a wider instruction
    /// set (`#[target_feature]`) gets the stage loops in that set.
    #[inline(always)]
    pub fn solve<const D: usize, P, F, S>(
        &self,
        n: usize,
        mut problem: P,
        mut f: F,
        mut done: S,
    ) -> Result<(), OdeError>
    where
        P: FnMut(usize) -> LaneProblem<D>,
        F: FnMut(&[f64; L], &[[f64; L]; D], &[bool; L]) -> [[f64; L]; D],
        S: FnMut(usize, Result<LaneSolution<D>, OdeError>),
    {
        const { assert!(L > 0, "at least one lane") };
        let opt = &self.options;
        opt.validate()?;
        let tab: &ButcherTableau = &DOPRI5;
        let err_order = tab.order as f64;
        let mut next = 0usize;
        let mut lanes = [IDLE; L];
        let mut busy = [false; L];
        // Idle lanes hold a harmless finite state.
        let mut t = [0.0; L];
        let mut y = [[1.0; L]; D];
        let mut k1 = [[0.0; L]; D];
        loop {
            // Give every free lane the next problem; its first stage k1 =
            // f(t0, y0) is evaluated below for all new lanes together.
            let mut fresh = [false; L];
            let mut any_fresh = false;
            for l in 0..L {
                while !busy[l] && next < n {
                    let idx = next;
                    next += 1;
                    let p = problem(idx);
                    if !(p.dt0.is_finite() && p.dt0 != 0.0) {
                        done(
                            idx,
                            Err(OdeError::InvalidOption {
                                name: "dt0",
                                msg: "must be finite and non-zero".to_string(),
                            }),
                        );
                        continue;
                    }
                    if let Some(c) = p.y0.iter().position(|v| !v.is_finite()) {
                        done(
                            idx,
                            Err(OdeError::NonFinite {
                                step: 0,
                                t: p.t0,
                                component: c,
                            }),
                        );
                        continue;
                    }
                    let span = p.t1 - p.t0;
                    if span == 0.0 {
                        let stats = SolverStats::default();
                        done(idx, Ok(LaneSolution { y: p.y0, stats }));
                        continue;
                    }
                    lanes[l] = Lane {
                        idx,
                        t1: p.t1,
                        dir: if span >= 0.0 { 1.0 } else { -1.0 },
                        h: p.dt0.abs().min(opt.max_step).min(span.abs()),
                        ..IDLE
                    };
                    t[l] = p.t0;
                    for (yi, v) in y.iter_mut().zip(p.y0) {
                        yi[l] = v;
                    }
                    busy[l] = true;
                    fresh[l] = true;
                    any_fresh = true;
                }
            }
            if any_fresh {
                let kf = f(&t, &y, &fresh);
                let mut failed = false;
                for l in (0..L).filter(|&l| fresh[l]) {
                    for i in 0..D {
                        k1[i][l] = kf[i][l];
                    }
                    lanes[l].stats.rhs_evaluations += 1;
                    if let Some(c) = first_non_finite(&k1, l) {
                        busy[l] = false;
                        failed = true;
                        done(
                            lanes[l].idx,
                            Err(OdeError::NonFinite {
                                step: 0,
                                t: t[l],
                                component: c,
                            }),
                        );
                    }
                }
                if failed {
                    continue;
                }
            }
            if !busy.iter().any(|&b| b) {
                return Ok(());
            }
            // The signed step of every lane; the final one lands on t1.
            let mut dt = [0.0; L];
            let mut failed = false;
            for l in 0..L {
                if !busy[l] {
                    continue;
                }
                let ln = &mut lanes[l];
                if ln.stats.accepted_steps + ln.stats.rejected_steps >= opt.max_steps {
                    busy[l] = false;
                    failed = true;
                    done(
                        ln.idx,
                        Err(OdeError::MaxSteps {
                            max_steps: opt.max_steps,
                            t: t[l],
                            t1: ln.t1,
                        }),
                    );
                    continue;
                }
                let remaining = (ln.t1 - t[l]) * ln.dir;
                ln.last = ln.h >= remaining * (1.0 - 1e-12);
                dt[l] = if ln.last { ln.t1 - t[l] } else { ln.h * ln.dir };
                ln.dtr = dt[l].abs();
                if ln.dtr < opt.min_step && !ln.last {
                    busy[l] = false;
                    failed = true;
                    done(
                        ln.idx,
                        Err(OdeError::StepSizeUnderflow {
                            t: t[l],
                            dt: ln.dtr,
                            min_step: opt.min_step,
                            accepted: ln.stats.accepted_steps,
                        }),
                    );
                }
            }
            if failed {
                continue;
            }
            // Stages, lane by lane in the innermost loops.
            let mut k: [[[f64; L]; D]; 7] = [k1; 7];
            for s in 1..7 {
                let mut ys = y;
                for i in 0..D {
                    let mut acc = [0.0; L];
                    for l in 0..L {
                        acc[l] = k[0][i][l] * tab.a[s][0];
                    }
                    for (j, kj) in k.iter().enumerate().take(s).skip(1) {
                        if tab.a[s][j] != 0.0 {
                            for l in 0..L {
                                acc[l] += kj[i][l] * tab.a[s][j];
                            }
                        }
                    }
                    for l in 0..L {
                        ys[i][l] += acc[l] * dt[l];
                    }
                }
                let mut ts = [0.0; L];
                for l in 0..L {
                    ts[l] = if s == 6 {
                        t[l] + dt[l]
                    } else {
                        t[l] + dt[l] * tab.c[s]
                    };
                }
                k[s] = f(&ts, &ys, &busy);
            }
            for l in (0..L).filter(|&l| busy[l]) {
                lanes[l].stats.rhs_evaluations += 6;
            }
            // Propagated solution (FSAL: k[6] = f(t + dt, y_new)).
            let mut y_new = y;
            for i in 0..D {
                let mut acc = [0.0; L];
                for l in 0..L {
                    acc[l] = k[0][i][l] * tab.b[0];
                }
                for (j, kj) in k.iter().enumerate().take(6).skip(2) {
                    for l in 0..L {
                        acc[l] += kj[i][l] * tab.b[j];
                    }
                }
                for l in 0..L {
                    y_new[i][l] += acc[l] * dt[l];
                }
            }
            // Scaled RMS error norm per lane.
            let mut sq = [0.0; L];
            let mut finite = [true; L];
            for i in 0..D {
                let mut e = [0.0; L];
                for (j, kj) in k.iter().enumerate() {
                    for l in 0..L {
                        e[l] += tab.e[j] * kj[i][l];
                    }
                }
                for l in 0..L {
                    e[l] *= dt[l];
                    let sc = opt.atol + opt.rtol * y[i][l].abs().max(y_new[i][l].abs());
                    let r = e[l] / sc;
                    if !r.is_finite() || !y_new[i][l].is_finite() {
                        finite[l] = false;
                    }
                    sq[l] += r * r;
                }
            }
            // Accept or reject, lane by lane.
            for l in 0..L {
                if !busy[l] {
                    continue;
                }
                let ln = &mut lanes[l];
                if !finite[l] {
                    ln.stats.rejected_steps += 1;
                    ln.bad += 1;
                    let stuck = ln.bad > 40;
                    ln.h = ln.dtr * opt.factor_min;
                    if stuck || ln.h < opt.min_step.max(8.0 * f64::EPSILON * t[l].abs()) {
                        let c = if stuck {
                            first_non_finite(&y_new, l)
                                .or_else(|| k.iter().find_map(|kj| first_non_finite(kj, l)))
                                .unwrap_or(0)
                        } else {
                            first_non_finite(&y_new, l).unwrap_or(0)
                        };
                        busy[l] = false;
                        done(
                            ln.idx,
                            Err(OdeError::NonFinite {
                                step: ln.stats.accepted_steps,
                                t: t[l],
                                component: c,
                            }),
                        );
                    }
                    continue;
                }
                ln.bad = 0;
                let err = (sq[l] / D as f64).sqrt();
                if err <= 1.0 {
                    ln.stats.accepted_steps += 1;
                    let fac = opt.factor(err, ln.err_prev.max(1e-4), err_order);
                    ln.err_prev = err;
                    t[l] = if ln.last { ln.t1 } else { t[l] + dt[l] };
                    for i in 0..D {
                        y[i][l] = y_new[i][l];
                        k1[i][l] = k[6][i][l];
                    }
                    if ln.last {
                        busy[l] = false;
                        let mut yl = [0.0; D];
                        for (i, v) in yl.iter_mut().enumerate() {
                            *v = y[i][l];
                        }
                        done(
                            ln.idx,
                            Ok(LaneSolution {
                                y: yl,
                                stats: ln.stats,
                            }),
                        );
                        continue;
                    }
                    ln.h = (ln.dtr * fac).min(opt.max_step).max(opt.min_step.min(ln.dtr));
                } else {
                    ln.stats.rejected_steps += 1;
                    let fac = opt.factor(err, ln.err_prev.max(1e-4), err_order).min(1.0);
                    ln.h = ln.dtr * fac;
                    if ln.h < opt.min_step.max(8.0 * f64::EPSILON * t[l].abs()) {
                        busy[l] = false;
                        done(
                            ln.idx,
                            Err(OdeError::StepSizeUnderflow {
                                t: t[l],
                                dt: ln.h,
                                min_step: opt.min_step,
                                accepted: ln.stats.accepted_steps,
                            }),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ode::Dopri5;

    fn rhs(t: f64, y: [f64; 2]) -> [f64; 2] {
        [-0.7 * y[0] + y[1] * t.cos(), -y[0] - 0.7 * y[1]]
    }

    /// Lanes reproduce the scalar solver bit for bit, including the errors
    /// (max steps, non-finite start, empty span, backward problems), with
    /// 3 lanes and 10 problems of different lengths.
    #[test]
    fn lanes_match_scalar_solver_bit_for_bit() {
        let problems: Vec<LaneProblem<2>> = (0..10)
            .map(|i| LaneProblem {
                t0: if i == 7 { 5.0 } else { 0.0 },
                t1: match i {
                    3 => 0.0,
                    7 => -2.0,
                    _ => 1.0 + 3.0 * i as f64,
                },
                y0: if i == 5 {
                    [f64::NAN, 1.0]
                } else {
                    [1.0, 0.5 * i as f64]
                },
                dt0: 1e-3 * (i + 1) as f64,
            })
            .collect();
        let options = ControllerOptions {
            max_steps: 60,
            ..ControllerOptions::with_tolerances(1e-8, 1e-10)
        };
        let mut got: Vec<Option<Result<LaneSolution<2>, OdeError>>> = vec![None; problems.len()];
        Dopri5Lanes::<3>::new(options)
            .solve(
                problems.len(),
                |i| problems[i],
                |t: &[f64; 3], y: &[[f64; 3]; 2], _busy: &[bool; 3]| {
                    let mut out = [[0.0; 3]; 2];
                    for l in 0..3 {
                        let d = rhs(t[l], [y[0][l], y[1][l]]);
                        out[0][l] = d[0];
                        out[1][l] = d[1];
                    }
                    out
                },
                |i, r| got[i] = Some(r),
            )
            .expect("options");
        let (mut ok, mut failed) = (0, 0);
        for (p, g) in problems.iter().zip(got) {
            let scalar = Dopri5::new(ControllerOptions {
                dt0: Some(p.dt0),
                ..options
            })
            .solve(|t: f64, y: &[f64; 2]| rhs(t, *y), p.t0, p.t1, p.y0);
            match (g.expect("every problem is reported"), scalar) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.stats, b.stats);
                    assert_eq!(a.y.map(f64::to_bits), b.y.map(f64::to_bits));
                    ok += 1;
                }
                (Err(a), Err(b)) => {
                    assert_eq!(a, b);
                    failed += 1;
                }
                (a, b) => panic!("lanes {a:?}, scalar {b:?}"),
            }
        }
        assert!(ok >= 3 && failed >= 2, "{ok} solved, {failed} failed");
    }
}
