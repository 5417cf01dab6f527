//! Forward-mode dual numbers with a fixed number of tangent directions.
//!
//! `Dual<N>` carries a value and its derivatives with respect to `N`
//! parameters; every operation applies the chain rule exactly, so one
//! evaluation of a generic (`T: Real`) formula gives the value and the full
//! gradient. This is the fast path for few-parameter sensitivities (an EOS
//! with ~10 parameters through a TOV solve, a waveform's 11 parameters per
//! frequency point). A fixed-size array keeps each number on the stack;
//! `num-dual`'s vector duals would pull in nalgebra for the same arithmetic.

use crate::real::{sigmoid_f64, softplus_f64, Real, Scalar};
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

/// A dual number `re + Σ eps[i] ε_i` with ε_i ε_j = 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dual<const N: usize> {
    /// The value.
    pub re: f64,
    /// Derivatives of the value with respect to the `N` seeded directions.
    pub eps: [f64; N],
}

impl<const N: usize> Dual<N> {
    /// A constant (all derivatives zero).
    #[inline]
    pub fn constant(re: f64) -> Self {
        Dual { re, eps: [0.0; N] }
    }
    /// The `i`-th independent variable with value `re` (derivative 1 along `i`).
    /// Panics if `i >= N` (a programming error, not user input).
    #[inline]
    pub fn variable(re: f64, i: usize) -> Self {
        let mut eps = [0.0; N];
        eps[i] = 1.0;
        Dual { re, eps }
    }
    /// Seed `N` variables from values: `vars[i]` has derivative 1 along `i`.
    pub fn variables(values: &[f64; N]) -> [Self; N] {
        std::array::from_fn(|i| Self::variable(values[i], i))
    }
    /// Applies a scalar function with value `f` and derivative `df` at `re`.
    #[inline]
    pub fn chain(&self, f: f64, df: f64) -> Self {
        let mut eps = self.eps;
        for e in eps.iter_mut() {
            *e *= df;
        }
        Dual { re: f, eps }
    }
}

impl<const N: usize> PartialOrd for Dual<N> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.re.partial_cmp(&other.re)
    }
}

impl<const N: usize> Add for Dual<N> {
    type Output = Self;
    #[inline]
    fn add(mut self, o: Self) -> Self {
        self.re += o.re;
        for i in 0..N {
            self.eps[i] += o.eps[i];
        }
        self
    }
}
impl<const N: usize> Sub for Dual<N> {
    type Output = Self;
    #[inline]
    fn sub(mut self, o: Self) -> Self {
        self.re -= o.re;
        for i in 0..N {
            self.eps[i] -= o.eps[i];
        }
        self
    }
}
impl<const N: usize> Mul for Dual<N> {
    type Output = Self;
    #[inline]
    fn mul(self, o: Self) -> Self {
        let mut eps = [0.0; N];
        for i in 0..N {
            eps[i] = self.eps[i] * o.re + self.re * o.eps[i];
        }
        Dual {
            re: self.re * o.re,
            eps,
        }
    }
}
impl<const N: usize> Div for Dual<N> {
    type Output = Self;
    #[inline]
    fn div(self, o: Self) -> Self {
        // The value is the correctly rounded quotient (as for f64), so that
        // adaptive algorithms branch identically on duals and plain numbers.
        let inv = 1.0 / o.re;
        let q = self.re / o.re;
        let mut eps = [0.0; N];
        for i in 0..N {
            eps[i] = (self.eps[i] - q * o.eps[i]) * inv;
        }
        Dual { re: q, eps }
    }
}
impl<const N: usize> Neg for Dual<N> {
    type Output = Self;
    #[inline]
    fn neg(mut self) -> Self {
        self.re = -self.re;
        for e in self.eps.iter_mut() {
            *e = -*e;
        }
        self
    }
}
impl<const N: usize> Add<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn add(mut self, o: f64) -> Self {
        self.re += o;
        self
    }
}
impl<const N: usize> Sub<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn sub(mut self, o: f64) -> Self {
        self.re -= o;
        self
    }
}
impl<const N: usize> Mul<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn mul(mut self, o: f64) -> Self {
        self.re *= o;
        for e in self.eps.iter_mut() {
            *e *= o;
        }
        self
    }
}
impl<const N: usize> Div<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn div(mut self, o: f64) -> Self {
        let inv = 1.0 / o;
        self.re /= o;
        for e in self.eps.iter_mut() {
            *e *= inv;
        }
        self
    }
}
impl<const N: usize> Add<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline]
    fn add(self, o: Dual<N>) -> Dual<N> {
        o + self
    }
}
impl<const N: usize> Sub<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline]
    fn sub(self, o: Dual<N>) -> Dual<N> {
        -o + self
    }
}
impl<const N: usize> Mul<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline]
    fn mul(self, o: Dual<N>) -> Dual<N> {
        o * self
    }
}
impl<const N: usize> Div<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline]
    fn div(self, o: Dual<N>) -> Dual<N> {
        Dual::constant(self) / o
    }
}
impl<const N: usize> AddAssign for Dual<N> {
    #[inline]
    fn add_assign(&mut self, o: Self) {
        *self = *self + o;
    }
}
impl<const N: usize> SubAssign for Dual<N> {
    #[inline]
    fn sub_assign(&mut self, o: Self) {
        *self = *self - o;
    }
}
impl<const N: usize> MulAssign for Dual<N> {
    #[inline]
    fn mul_assign(&mut self, o: Self) {
        *self = *self * o;
    }
}

impl<const N: usize> Real for Dual<N> {
    #[inline]
    fn lift(&self, x: f64) -> Self {
        Self::constant(x)
    }
    #[inline]
    fn sin(&self) -> Self {
        let (s, c) = self.re.sin_cos();
        self.chain(s, c)
    }
    #[inline]
    fn cos(&self) -> Self {
        let (s, c) = self.re.sin_cos();
        self.chain(c, -s)
    }
    #[inline]
    fn tan(&self) -> Self {
        let t = self.re.tan();
        self.chain(t, 1.0 + t * t)
    }
    #[inline]
    fn atan(&self) -> Self {
        self.chain(self.re.atan(), 1.0 / (1.0 + self.re * self.re))
    }
    #[inline]
    fn atan2(&self, x: &Self) -> Self {
        // d atan2(y, x) = (x dy - y dx) / (x² + y²)
        let (y, xr) = (self.re, x.re);
        let r2 = xr * xr + y * y;
        let mut eps = [0.0; N];
        for i in 0..N {
            eps[i] = (xr * self.eps[i] - y * x.eps[i]) / r2;
        }
        Dual { re: y.atan2(xr), eps }
    }
    #[inline]
    fn exp(&self) -> Self {
        let e = self.re.exp();
        self.chain(e, e)
    }
    #[inline]
    fn ln(&self) -> Self {
        self.chain(self.re.ln(), 1.0 / self.re)
    }
    #[inline]
    fn log1p(&self) -> Self {
        self.chain(self.re.ln_1p(), 1.0 / (1.0 + self.re))
    }
    #[inline]
    fn expm1(&self) -> Self {
        self.chain(self.re.exp_m1(), self.re.exp())
    }
    #[inline]
    fn sqrt(&self) -> Self {
        let s = self.re.sqrt();
        self.chain(s, 0.5 / s)
    }
    #[inline]
    fn tanh(&self) -> Self {
        let t = self.re.tanh();
        self.chain(t, 1.0 - t * t)
    }
    #[inline]
    fn abs(&self) -> Self {
        let s = if self.re > 0.0 {
            1.0
        } else if self.re < 0.0 {
            -1.0
        } else {
            0.0
        };
        self.chain(self.re.abs(), s)
    }
    #[inline]
    fn powf(&self, p: f64) -> Self {
        if p == 0.0 {
            return Self::constant(1.0);
        }
        let v = self.re.powf(p);
        self.chain(v, p * self.re.powf(p - 1.0))
    }
    #[inline]
    fn powi(&self, n: i32) -> Self {
        if n == 0 {
            return Self::constant(1.0);
        }
        let v = self.re.powi(n);
        self.chain(v, n as f64 * self.re.powi(n - 1))
    }
    #[inline]
    fn recip(&self) -> Self {
        let r = 1.0 / self.re;
        self.chain(r, -r * r)
    }
    #[inline]
    fn cbrt(&self) -> Self {
        let c = self.re.cbrt();
        self.chain(c, 1.0 / (3.0 * c * c))
    }
    #[inline]
    fn sigmoid(&self) -> Self {
        let s = sigmoid_f64(self.re);
        self.chain(s, s * (1.0 - s))
    }
    #[inline]
    fn softplus(&self) -> Self {
        self.chain(softplus_f64(self.re), sigmoid_f64(self.re))
    }
    #[inline]
    fn sin_cos(&self) -> (Self, Self) {
        let (s, c) = crate::fastmath::sin_cos(self.re);
        (self.chain(s, c), self.chain(c, -s))
    }
}

impl<const N: usize> Scalar for Dual<N> {
    #[inline]
    fn re(&self) -> f64 {
        self.re
    }
    #[inline]
    fn cst(x: f64) -> Self {
        Self::constant(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<F: Fn(Dual<1>) -> Dual<1>, G: Fn(f64) -> f64>(f: F, g: G, x: f64) {
        let d = f(Dual::variable(x, 0));
        let h = 1e-6 * x.abs().max(1.0);
        let fd = (g(x + h) - g(x - h)) / (2.0 * h);
        assert!((d.re - g(x)).abs() <= 1e-14 * g(x).abs().max(1.0));
        assert!(
            (d.eps[0] - fd).abs() <= 1e-7 * fd.abs().max(1.0),
            "{} vs {}",
            d.eps[0],
            fd
        );
    }

    #[test]
    fn derivatives_match_finite_differences() {
        for &x in &[0.3, 1.7, 2.9] {
            check(|d| d.sin(), f64::sin, x);
            check(|d| d.cos(), f64::cos, x);
            check(|d| d.tan(), f64::tan, x / 3.0);
            check(|d| d.atan(), f64::atan, x);
            check(|d| d.exp(), f64::exp, x);
            check(|d| d.ln(), f64::ln, x);
            check(|d| d.log1p(), f64::ln_1p, x);
            check(|d| d.expm1(), f64::exp_m1, x);
            check(|d| d.sqrt(), f64::sqrt, x);
            check(|d| d.tanh(), f64::tanh, x);
            check(|d| d.powf(2.7), |v| v.powf(2.7), x);
            check(|d| d.powi(-3), |v| v.powi(-3), x);
            check(|d| d.cbrt(), f64::cbrt, x);
            check(|d| d.sigmoid(), sigmoid_f64, x);
            check(|d| d.softplus(), softplus_f64, x);
            check(|d| d.atan2(&(d * d - 1.0)), |v| v.atan2(v * v - 1.0), x);
            check(|d| (d * d + 1.0) / (d - 5.0), |v| (v * v + 1.0) / (v - 5.0), x);
        }
    }
}
