//! A reverse-mode tape for scalar code: [`Var`].
//!
//! Tensor ops carry shapes, devices and a reference-counted buffer; for code
//! that is a long sequence of single-number operations (a TOV right-hand
//! side, a waveform phase at one frequency, a small likelihood) that
//! bookkeeping dominates. `Var` is a `Copy` value plus an index into a
//! per-thread Wengert list whose entries are just (parent, local partial)
//! pairs; the reverse sweep is one pass of multiply-adds. `Var` implements
//! [`Real`] and [`Scalar`], so generic model code runs on it unchanged.
//!
//! ```
//! use ferrax_autodiff::{scalar_value_and_grad, Real};
//! let (v, g) = scalar_value_and_grad(|x| x[0].sin() * x[1] + x[1].exp(), &[0.5, 2.0]).unwrap();
//! assert!((v - (0.5f64.sin() * 2.0 + 2.0f64.exp())).abs() < 1e-15);
//! assert!((g[0] - 0.5f64.cos() * 2.0).abs() < 1e-15);
//! assert!((g[1] - (0.5f64.sin() + 2.0f64.exp())).abs() < 1e-15);
//! ```

use crate::error::{AdError, Result};
use crate::real::{sigmoid_f64, softplus_f64, Real, Scalar};
use std::cell::{Cell, RefCell};
use std::ops::{Add, Div, Mul, Neg, Sub};

/// Index meaning "a constant: not on the tape".
const CONST: u32 = u32::MAX;

/// One recorded operation: up to two parents with their local partials.
#[derive(Clone, Copy)]
struct Entry {
    a: u32,
    b: u32,
    da: f64,
    db: f64,
}

thread_local! {
    static ENTRIES: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
    static RECORDING: Cell<bool> = const { Cell::new(false) };
}

/// A scalar on the scalar tape (or a constant).
#[derive(Clone, Copy, Debug)]
pub struct Var {
    val: f64,
    idx: u32,
}

impl Var {
    /// A constant (no gradient).
    #[inline]
    pub fn constant(val: f64) -> Var {
        Var { val, idx: CONST }
    }
    /// The value.
    #[inline]
    pub fn value(&self) -> f64 {
        self.val
    }
    #[inline]
    fn push(val: f64, a: u32, da: f64, b: u32, db: f64) -> Var {
        if a == CONST && b == CONST {
            return Var::constant(val);
        }
        let idx = ENTRIES.with(|e| {
            let mut e = e.borrow_mut();
            e.push(Entry { a, b, da, db });
            (e.len() - 1) as u32
        });
        Var { val, idx }
    }
    #[inline]
    fn unary(self, val: f64, d: f64) -> Var {
        Var::push(val, self.idx, d, CONST, 0.0)
    }
}

/// Value and gradient of a scalar function of `x.len()` scalars, by one
/// forward recording and one reverse sweep over the scalar tape.
pub fn scalar_value_and_grad<F>(f: F, x: &[f64]) -> Result<(f64, Vec<f64>)>
where
    F: FnOnce(&[Var]) -> Var,
{
    if RECORDING.with(|r| r.replace(true)) {
        return Err(AdError::NestedTape {
            op: "scalar_value_and_grad",
        });
    }
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            RECORDING.with(|r| r.set(false));
            ENTRIES.with(|e| e.borrow_mut().clear());
        }
    }
    let _reset = Reset;
    let inputs: Vec<Var> = ENTRIES.with(|e| {
        let mut e = e.borrow_mut();
        e.clear();
        (0..x.len())
            .map(|i| {
                e.push(Entry {
                    a: CONST,
                    b: CONST,
                    da: 0.0,
                    db: 0.0,
                });
                Var {
                    val: x[i],
                    idx: i as u32,
                }
            })
            .collect()
    });
    let y = f(&inputs);
    let mut grad = vec![0.0; x.len()];
    if y.idx == CONST {
        return Ok((y.val, grad));
    }
    ENTRIES.with(|e| {
        let e = e.borrow();
        let mut adj = vec![0.0; y.idx as usize + 1];
        adj[y.idx as usize] = 1.0;
        for i in (x.len()..=y.idx as usize).rev() {
            let g = adj[i];
            if g == 0.0 {
                continue;
            }
            let n = e[i];
            if n.a != CONST {
                adj[n.a as usize] += g * n.da;
            }
            if n.b != CONST {
                adj[n.b as usize] += g * n.db;
            }
        }
        grad.copy_from_slice(&adj[..x.len()]);
    });
    Ok((y.val, grad))
}

impl Add for Var {
    type Output = Var;
    #[inline]
    fn add(self, o: Var) -> Var {
        Var::push(self.val + o.val, self.idx, 1.0, o.idx, 1.0)
    }
}
impl Sub for Var {
    type Output = Var;
    #[inline]
    fn sub(self, o: Var) -> Var {
        Var::push(self.val - o.val, self.idx, 1.0, o.idx, -1.0)
    }
}
impl Mul for Var {
    type Output = Var;
    #[inline]
    fn mul(self, o: Var) -> Var {
        Var::push(self.val * o.val, self.idx, o.val, o.idx, self.val)
    }
}
impl Div for Var {
    type Output = Var;
    #[inline]
    fn div(self, o: Var) -> Var {
        let q = self.val / o.val;
        Var::push(q, self.idx, 1.0 / o.val, o.idx, -q / o.val)
    }
}
impl Neg for Var {
    type Output = Var;
    #[inline]
    fn neg(self) -> Var {
        self.unary(-self.val, -1.0)
    }
}
impl Add<f64> for Var {
    type Output = Var;
    #[inline]
    fn add(self, c: f64) -> Var {
        self.unary(self.val + c, 1.0)
    }
}
impl Sub<f64> for Var {
    type Output = Var;
    #[inline]
    fn sub(self, c: f64) -> Var {
        self.unary(self.val - c, 1.0)
    }
}
impl Mul<f64> for Var {
    type Output = Var;
    #[inline]
    fn mul(self, c: f64) -> Var {
        self.unary(self.val * c, c)
    }
}
impl Div<f64> for Var {
    type Output = Var;
    #[inline]
    fn div(self, c: f64) -> Var {
        self.unary(self.val / c, 1.0 / c)
    }
}
impl PartialEq for Var {
    fn eq(&self, o: &Var) -> bool {
        self.val == o.val
    }
}
impl PartialOrd for Var {
    fn partial_cmp(&self, o: &Var) -> Option<std::cmp::Ordering> {
        self.val.partial_cmp(&o.val)
    }
}

impl Real for Var {
    #[inline]
    fn lift(&self, x: f64) -> Self {
        Var::constant(x)
    }
    #[inline]
    fn sin(&self) -> Self {
        let (s, c) = self.val.sin_cos();
        self.unary(s, c)
    }
    #[inline]
    fn cos(&self) -> Self {
        let (s, c) = self.val.sin_cos();
        self.unary(c, -s)
    }
    #[inline]
    fn tan(&self) -> Self {
        let t = self.val.tan();
        self.unary(t, 1.0 + t * t)
    }
    #[inline]
    fn atan(&self) -> Self {
        self.unary(self.val.atan(), 1.0 / (1.0 + self.val * self.val))
    }
    #[inline]
    fn atan2(&self, x: &Self) -> Self {
        let r2 = self.val * self.val + x.val * x.val;
        Var::push(self.val.atan2(x.val), self.idx, x.val / r2, x.idx, -self.val / r2)
    }
    #[inline]
    fn exp(&self) -> Self {
        let e = self.val.exp();
        self.unary(e, e)
    }
    #[inline]
    fn ln(&self) -> Self {
        self.unary(self.val.ln(), 1.0 / self.val)
    }
    #[inline]
    fn log1p(&self) -> Self {
        self.unary(self.val.ln_1p(), 1.0 / (1.0 + self.val))
    }
    #[inline]
    fn expm1(&self) -> Self {
        self.unary(self.val.exp_m1(), self.val.exp())
    }
    #[inline]
    fn sqrt(&self) -> Self {
        let s = self.val.sqrt();
        self.unary(s, 0.5 / s)
    }
    #[inline]
    fn tanh(&self) -> Self {
        let t = self.val.tanh();
        self.unary(t, 1.0 - t * t)
    }
    #[inline]
    fn abs(&self) -> Self {
        let d = if self.val > 0.0 {
            1.0
        } else if self.val < 0.0 {
            -1.0
        } else {
            0.0
        };
        self.unary(self.val.abs(), d)
    }
    #[inline]
    fn powf(&self, p: f64) -> Self {
        let d = if p == 0.0 { 0.0 } else { p * self.val.powf(p - 1.0) };
        self.unary(self.val.powf(p), d)
    }
    #[inline]
    fn powi(&self, n: i32) -> Self {
        let d = if n == 0 {
            0.0
        } else {
            n as f64 * self.val.powi(n - 1)
        };
        self.unary(self.val.powi(n), d)
    }
    #[inline]
    fn recip(&self) -> Self {
        let r = 1.0 / self.val;
        self.unary(r, -r * r)
    }
    #[inline]
    fn rsub(&self, a: f64) -> Self {
        self.unary(a - self.val, -1.0)
    }
    #[inline]
    fn rdiv(&self, a: f64) -> Self {
        let q = a / self.val;
        self.unary(q, -q / self.val)
    }
    #[inline]
    fn cbrt(&self) -> Self {
        let c = self.val.cbrt();
        self.unary(c, 1.0 / (3.0 * c * c))
    }
    #[inline]
    fn sigmoid(&self) -> Self {
        let s = sigmoid_f64(self.val);
        self.unary(s, s * (1.0 - s))
    }
    #[inline]
    fn softplus(&self) -> Self {
        self.unary(softplus_f64(self.val), sigmoid_f64(self.val))
    }
}

impl Scalar for Var {
    #[inline]
    fn re(&self) -> f64 {
        self.val
    }
    #[inline]
    fn cst(x: f64) -> Self {
        Var::constant(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_match_duals_and_differences() {
        use crate::Dual;
        fn f<T: Real>(x: &T, y: &T) -> T {
            let a = x.clone() * y.clone() + x.sin() - y.clone() / x.clone();
            a.clone().exp().sqrt() * a.atan2(&(y.clone() * 2.0 + 1.0)) + x.powf(1.7) + y.powi(3).tanh()
                - x.log1p()
                + y.cbrt().softplus()
                + x.recip().sigmoid()
                + x.rsub(3.0).abs()
                + y.rdiv(2.0)
                + x.tan() * y.cos()
                + x.expm1().ln()
        }
        let (x0, y0) = (0.7, 1.3);
        let (v, g) = scalar_value_and_grad(|p| f(&p[0], &p[1]), &[x0, y0]).unwrap();
        let d = f(&Dual::<2>::variable(x0, 0), &Dual::<2>::variable(y0, 1));
        assert!((v - d.re).abs() < 1e-14);
        for i in 0..2 {
            assert!(
                (g[i] - d.eps[i]).abs() < 1e-12 * d.eps[i].abs().max(1.0),
                "{} vs {}",
                g[i],
                d.eps[i]
            );
        }
        // repeated use of one input: x*x
        let (_, g) = scalar_value_and_grad(|p| p[0] * p[0], &[3.0]).unwrap();
        assert_eq!(g, vec![6.0]);
        // nested recording is an error, not a panic
        let r = scalar_value_and_grad(
            |p| {
                assert!(scalar_value_and_grad(|q| q[0], &[1.0]).is_err());
                p[0]
            },
            &[1.0],
        );
        assert!(r.is_ok());
        // constant output: zero gradient
        let (v, g) = scalar_value_and_grad(|_| Var::constant(2.0), &[1.0]).unwrap();
        assert_eq!((v, g), (2.0, vec![0.0]));
    }
}
