//! The `Real` trait: write a formula once, run it on `f64`, on forward-mode
//! [`Dual`](crate::Dual) numbers, or on tape [`Tensor`](crate::Tensor)s.
//!
//! Model code (waveform phases, EOS expressions, TOV right-hand sides) is
//! written against `T: Real`. Plain `f64` is the fast path, `Dual<N>` gives
//! exact derivatives with respect to `N` parameters in one pass, and
//! `Tensor` records the computation on the tape (element-wise over whatever
//! shape the tensor has, e.g. a batch of parameter sets).
//!
//! Branches that depend on values (piecewise fits) need a plain number:
//! [`Scalar`] adds [`Scalar::re`] for the per-point types (`f64`, `Dual`).

use std::fmt::Debug;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// Arithmetic and transcendental functions shared by every number type
/// ferrax differentiates through. All angles are in radians.
pub trait Real:
    Clone
    + Debug
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
{
    /// A constant `x` in the same context as `self` (same device; for
    /// tensors a shape that broadcasts against `self`). Carries no gradient.
    fn lift(&self, x: f64) -> Self;
    /// sin(self).
    fn sin(&self) -> Self;
    /// cos(self).
    fn cos(&self) -> Self;
    /// tan(self).
    fn tan(&self) -> Self;
    /// Principal arctangent, in (-π/2, π/2).
    fn atan(&self) -> Self;
    /// Four-quadrant arctangent of `self / x` (self is y), in (-π, π].
    fn atan2(&self, x: &Self) -> Self;
    /// e^self.
    fn exp(&self) -> Self;
    /// Natural logarithm.
    fn ln(&self) -> Self;
    /// ln(1 + self), accurate for small arguments.
    fn log1p(&self) -> Self;
    /// e^self − 1, accurate for small arguments.
    fn expm1(&self) -> Self;
    /// Square root.
    fn sqrt(&self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(&self) -> Self;
    /// |self| (derivative sign(self), 0 at 0).
    fn abs(&self) -> Self;
    /// self^p for a constant real exponent.
    fn powf(&self, p: f64) -> Self;
    /// self^n for an integer exponent.
    fn powi(&self, n: i32) -> Self;
    /// 1 / self.
    fn recip(&self) -> Self;
    /// `a - self`.
    fn rsub(&self, a: f64) -> Self {
        -(self.clone()) + a
    }
    /// `a / self`.
    fn rdiv(&self, a: f64) -> Self {
        self.recip() * a
    }
    /// self².
    fn square(&self) -> Self {
        self.clone() * self.clone()
    }
    /// Cube root of a positive number (self^(1/3)).
    fn cbrt(&self) -> Self {
        self.powf(1.0 / 3.0)
    }
    /// Logistic sigmoid 1/(1+e^-self).
    fn sigmoid(&self) -> Self {
        ((-(self.clone())).exp() + 1.0).recip()
    }
    /// softplus ln(1+e^self), computed without overflow.
    fn softplus(&self) -> Self;
    /// (sin self, cos self).
    fn sin_cos(&self) -> (Self, Self) {
        (self.sin(), self.cos())
    }
}

/// A single number whose value can steer control flow: `f64` and the
/// forward-mode dual numbers.
pub trait Scalar: Real + Copy + PartialOrd + 'static {
    /// The plain value (the real part of a dual number).
    fn re(&self) -> f64;
    /// A constant with zero derivative.
    fn cst(x: f64) -> Self;
}

impl Real for f64 {
    #[inline]
    fn lift(&self, x: f64) -> Self {
        x
    }
    #[inline]
    fn sin(&self) -> Self {
        f64::sin(*self)
    }
    #[inline]
    fn cos(&self) -> Self {
        f64::cos(*self)
    }
    #[inline]
    fn tan(&self) -> Self {
        f64::tan(*self)
    }
    #[inline]
    fn atan(&self) -> Self {
        f64::atan(*self)
    }
    #[inline]
    fn atan2(&self, x: &Self) -> Self {
        f64::atan2(*self, *x)
    }
    #[inline]
    fn exp(&self) -> Self {
        f64::exp(*self)
    }
    #[inline]
    fn ln(&self) -> Self {
        f64::ln(*self)
    }
    #[inline]
    fn log1p(&self) -> Self {
        f64::ln_1p(*self)
    }
    #[inline]
    fn expm1(&self) -> Self {
        f64::exp_m1(*self)
    }
    #[inline]
    fn sqrt(&self) -> Self {
        f64::sqrt(*self)
    }
    #[inline]
    fn tanh(&self) -> Self {
        f64::tanh(*self)
    }
    #[inline]
    fn abs(&self) -> Self {
        f64::abs(*self)
    }
    #[inline]
    fn powf(&self, p: f64) -> Self {
        f64::powf(*self, p)
    }
    #[inline]
    fn powi(&self, n: i32) -> Self {
        f64::powi(*self, n)
    }
    #[inline]
    fn recip(&self) -> Self {
        1.0 / *self
    }
    #[inline]
    fn rsub(&self, a: f64) -> Self {
        a - *self
    }
    #[inline]
    fn rdiv(&self, a: f64) -> Self {
        a / *self
    }
    #[inline]
    fn cbrt(&self) -> Self {
        f64::cbrt(*self)
    }
    #[inline]
    fn softplus(&self) -> Self {
        softplus_f64(*self)
    }
    #[inline]
    fn sin_cos(&self) -> (Self, Self) {
        crate::fastmath::sin_cos(*self)
    }
}

impl Scalar for f64 {
    #[inline]
    fn re(&self) -> f64 {
        *self
    }
    #[inline]
    fn cst(x: f64) -> Self {
        x
    }
}

/// softplus(x) = ln(1 + e^x) without overflow for large |x|.
#[inline]
pub fn softplus_f64(x: f64) -> f64 {
    if x > 30.0 {
        x + (-x).exp()
    } else if x < -30.0 {
        x.exp()
    } else {
        x.exp().ln_1p()
    }
}

/// Logistic sigmoid 1/(1+e^-x), stable for large |x|.
#[inline]
pub fn sigmoid_f64(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}
