//! The adaptive Dormand–Prince 5(4) integrator, generic over the number
//! type of the state.
//!
//! The state is `[T; D]` with `T: Scalar`: `f64` is the fast path and
//! `Dual<N>` carries forward sensitivities with respect to `N` parameters
//! through every stage (the derivative of the *discrete* solution, as
//! backpropagation through the accepted steps would give). Step-size
//! control reads only the plain values (`re()`), so the accepted steps are
//! the same for every number type. Time is also a `T`, so an initial time
//! that depends on parameters carries its derivative: the last step is
//! clipped to land exactly on `t1`.

use super::controller::ControllerOptions;
use super::dense::{DenseOutput, DenseSegment};
use super::tableau::{ButcherTableau, DOPRI5};
use super::OdeError;
use ferrax_autodiff::Scalar;

/// Counters of one integration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SolverStats {
    /// Accepted steps.
    pub accepted_steps: usize,
    /// Rejected steps.
    pub rejected_steps: usize,
    /// Right-hand-side evaluations.
    pub rhs_evaluations: usize,
}

/// The result of [`Dopri5::solve`].
#[derive(Debug, Clone)]
pub struct Solution<T, const D: usize> {
    /// The end time (equal to `t1`).
    pub t: T,
    /// The state at `t1`.
    pub y: [T; D],
    /// Step counters.
    pub stats: SolverStats,
    /// The continuous extension over every accepted step, if requested.
    pub dense: Option<DenseOutput<T, D>>,
}

/// The Dormand–Prince 5(4) solver with its controller options.
#[derive(Debug, Clone, Copy)]
pub struct Dopri5 {
    /// Step-size control and limits.
    pub options: ControllerOptions,
    /// Keep the dense output of every accepted step.
    pub dense_output: bool,
}

impl Dopri5 {
    /// A solver with the given options and no dense output.
    pub fn new(options: ControllerOptions) -> Self {
        Dopri5 {
            options,
            dense_output: false,
        }
    }
    /// The same solver with dense output switched on.
    pub fn with_dense_output(mut self) -> Self {
        self.dense_output = true;
        self
    }

    /// Integrates dy/dt = f(t, y) from `(t0, y0)` to `t1` (either direction).
    ///
    /// `f` receives the time and the state and returns the derivative.
    pub fn solve<T, const D: usize, F>(
        &self,
        mut f: F,
        t0: T,
        t1: T,
        y0: [T; D],
    ) -> Result<Solution<T, D>, OdeError>
    where
        T: Scalar,
        F: FnMut(T, &[T; D]) -> [T; D],
    {
        let opt = &self.options;
        opt.validate()?;
        let tab: &ButcherTableau = &DOPRI5;
        let err_order = tab.order as f64;
        let mut stats = SolverStats::default();
        if let Some(c) = first_non_finite(&y0) {
            return Err(OdeError::NonFinite {
                step: 0,
                t: t0.re(),
                component: c,
            });
        }
        let span = t1.re() - t0.re();
        let dir = if span >= 0.0 { 1.0 } else { -1.0 };
        let mut dense = if self.dense_output {
            Some(DenseOutput::new())
        } else {
            None
        };
        if span == 0.0 {
            return Ok(Solution {
                t: t1,
                y: y0,
                stats,
                dense,
            });
        }
        let mut t = t0;
        let mut y = y0;
        let mut k1 = f(t, &y);
        stats.rhs_evaluations += 1;
        if let Some(c) = first_non_finite(&k1) {
            return Err(OdeError::NonFinite {
                step: 0,
                t: t.re(),
                component: c,
            });
        }
        let mut h = match opt.dt0 {
            Some(d) => d.abs(),
            None => {
                let h = initial_step(&mut f, t, &y, &k1, dir, opt);
                stats.rhs_evaluations += 1;
                h
            }
        }
        .min(opt.max_step)
        .min(span.abs());
        let mut err_prev: f64 = 1.0;
        let mut consecutive_bad = 0usize;
        loop {
            if stats.accepted_steps + stats.rejected_steps >= opt.max_steps {
                return Err(OdeError::MaxSteps {
                    max_steps: opt.max_steps,
                    t: t.re(),
                    t1: t1.re(),
                });
            }
            let remaining = (t1.re() - t.re()) * dir;
            let last = h >= remaining * (1.0 - 1e-12);
            // The signed step as a T: the final step lands exactly on t1.
            let dt: T = if last { t1 - t } else { T::cst(h * dir) };
            let dtr = dt.re().abs();
            if dtr < opt.min_step && !last {
                return Err(OdeError::StepSizeUnderflow {
                    t: t.re(),
                    dt: dtr,
                    min_step: opt.min_step,
                    accepted: stats.accepted_steps,
                });
            }
            // Stages.
            let mut k: [[T; D]; 7] = [k1; 7];
            for s in 1..7 {
                let mut ys = y;
                for (i, ysi) in ys.iter_mut().enumerate() {
                    let mut acc = k[0][i] * tab.a[s][0];
                    for (j, kj) in k.iter().enumerate().take(s).skip(1) {
                        if tab.a[s][j] != 0.0 {
                            acc = acc + kj[i] * tab.a[s][j];
                        }
                    }
                    *ysi = *ysi + acc * dt;
                }
                let ts = if s == 6 { t + dt } else { t + dt * tab.c[s] };
                k[s] = f(ts, &ys);
                stats.rhs_evaluations += 1;
            }
            // Propagated solution (row 7 of a = b, so k[6] = f(t + dt, y_new):
            // FSAL, reused as the first stage of the next step).
            let mut y_new = y;
            for (i, yi) in y_new.iter_mut().enumerate() {
                let mut acc = k[0][i] * tab.b[0];
                for (j, kj) in k.iter().enumerate().take(6).skip(2) {
                    acc = acc + kj[i] * tab.b[j];
                }
                *yi = *yi + acc * dt;
            }
            // Scaled RMS error norm on plain values.
            let mut sq = 0.0;
            let mut finite = true;
            for i in 0..D {
                let mut e = 0.0;
                for (j, kj) in k.iter().enumerate() {
                    e += tab.e[j] * kj[i].re();
                }
                e *= dt.re();
                let sc = opt.atol + opt.rtol * y[i].re().abs().max(y_new[i].re().abs());
                let r = e / sc;
                if !r.is_finite() || !y_new[i].re().is_finite() {
                    finite = false;
                }
                sq += r * r;
            }
            let err = (sq / D as f64).sqrt();
            if !finite {
                stats.rejected_steps += 1;
                consecutive_bad += 1;
                if consecutive_bad > 40 {
                    let c = first_non_finite(&y_new)
                        .or_else(|| k.iter().find_map(|kj| first_non_finite(kj)))
                        .unwrap_or(0);
                    return Err(OdeError::NonFinite {
                        step: stats.accepted_steps,
                        t: t.re(),
                        component: c,
                    });
                }
                h = dtr * opt.factor_min;
                // Below a few ulps of t the step cannot make progress.
                if h < opt.min_step.max(8.0 * f64::EPSILON * t.re().abs()) {
                    return Err(OdeError::NonFinite {
                        step: stats.accepted_steps,
                        t: t.re(),
                        component: first_non_finite(&y_new).unwrap_or(0),
                    });
                }
                continue;
            }
            consecutive_bad = 0;
            if err <= 1.0 {
                stats.accepted_steps += 1;
                if let Some(d) = dense.as_mut() {
                    d.push(DenseSegment::new(tab, t, dt, &y, &y_new, &k));
                }
                let fac = opt.factor(err, err_prev.max(1e-4), err_order);
                err_prev = err;
                t = if last { t1 } else { t + dt };
                y = y_new;
                k1 = k[6];
                if last {
                    return Ok(Solution {
                        t: t1,
                        y,
                        stats,
                        dense,
                    });
                }
                h = (dtr * fac).min(opt.max_step).max(opt.min_step.min(dtr));
            } else {
                stats.rejected_steps += 1;
                let fac = opt.factor(err, err_prev.max(1e-4), err_order).min(1.0);
                h = dtr * fac;
                if h < opt.min_step.max(8.0 * f64::EPSILON * t.re().abs()) {
                    return Err(OdeError::StepSizeUnderflow {
                        t: t.re(),
                        dt: h,
                        min_step: opt.min_step,
                        accepted: stats.accepted_steps,
                    });
                }
            }
        }
    }
}

/// Index of the first non-finite component, if any.
fn first_non_finite<T: Scalar, const D: usize>(y: &[T; D]) -> Option<usize> {
    y.iter().position(|v| !v.re().is_finite())
}

/// Hairer's starting-step heuristic (Hairer I, Sec. II.4, "Starting step
/// size"), on plain values.
fn initial_step<T, const D: usize, F>(
    f: &mut F,
    t: T,
    y: &[T; D],
    k1: &[T; D],
    dir: f64,
    opt: &ControllerOptions,
) -> f64
where
    T: Scalar,
    F: FnMut(T, &[T; D]) -> [T; D],
{
    let sc = |i: usize| opt.atol + opt.rtol * y[i].re().abs();
    let norm =
        |v: &dyn Fn(usize) -> f64| ((0..D).map(|i| (v(i) / sc(i)).powi(2)).sum::<f64>() / D as f64).sqrt();
    let d0 = norm(&|i| y[i].re());
    let d1 = norm(&|i| k1[i].re());
    let h0 = if d0 < 1e-5 || d1 < 1e-5 {
        1e-6
    } else {
        0.01 * d0 / d1
    };
    let mut y1 = *y;
    for i in 0..D {
        y1[i] = y[i] + k1[i] * (h0 * dir);
    }
    let k2 = f(t + T::cst(h0 * dir), &y1);
    let d2 = norm(&|i| (k2[i].re() - k1[i].re()) / h0);
    let h1 = if d1.max(d2) <= 1e-15 {
        (h0 * 1e-3).max(1e-6)
    } else {
        (0.01 / d1.max(d2)).powf(1.0 / 5.0)
    };
    let h = (100.0 * h0).min(h1);
    if h.is_finite() && h > 0.0 {
        h
    } else {
        1e-6
    }
}
