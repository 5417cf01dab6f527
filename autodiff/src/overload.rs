//! Operator overloading so formulas read like formulas, plus the `Real`
//! implementation that lets generic model code run on tape tensors.

use crate::kinds::BinaryKind;
use crate::real::Real;
use crate::tensor::Tensor;
use std::ops::{Add, Div, Mul, Neg, Sub};

macro_rules! binop {
    ($tr:ident, $m:ident, $kind:expr, $scalar:expr, $rscalar:expr) => {
        impl $tr<&Tensor> for &Tensor {
            type Output = Tensor;
            #[inline]
            fn $m(self, r: &Tensor) -> Tensor {
                self.binary(r, $kind)
            }
        }
        impl $tr<Tensor> for &Tensor {
            type Output = Tensor;
            #[inline]
            fn $m(self, r: Tensor) -> Tensor {
                self.binary(&r, $kind)
            }
        }
        impl $tr<&Tensor> for Tensor {
            type Output = Tensor;
            #[inline]
            fn $m(self, r: &Tensor) -> Tensor {
                self.binary(r, $kind)
            }
        }
        impl $tr<Tensor> for Tensor {
            type Output = Tensor;
            #[inline]
            fn $m(self, r: Tensor) -> Tensor {
                self.binary(&r, $kind)
            }
        }
        impl $tr<f64> for &Tensor {
            type Output = Tensor;
            #[inline]
            fn $m(self, c: f64) -> Tensor {
                let f: fn(&Tensor, f64) -> Tensor = $scalar;
                f(self, c)
            }
        }
        impl $tr<f64> for Tensor {
            type Output = Tensor;
            #[inline]
            fn $m(self, c: f64) -> Tensor {
                let f: fn(&Tensor, f64) -> Tensor = $scalar;
                f(&self, c)
            }
        }
        impl $tr<&Tensor> for f64 {
            type Output = Tensor;
            #[inline]
            fn $m(self, t: &Tensor) -> Tensor {
                let f: fn(f64, &Tensor) -> Tensor = $rscalar;
                f(self, t)
            }
        }
        impl $tr<Tensor> for f64 {
            type Output = Tensor;
            #[inline]
            fn $m(self, t: Tensor) -> Tensor {
                let f: fn(f64, &Tensor) -> Tensor = $rscalar;
                f(self, &t)
            }
        }
    };
}

binop!(Add, add, BinaryKind::Add, |t, c| t.add_scalar(c), |c, t| t
    .add_scalar(c));
binop!(Sub, sub, BinaryKind::Sub, |t, c| t.add_scalar(-c), |c, t| t
    .neg()
    .add_scalar(c));
binop!(Mul, mul, BinaryKind::Mul, |t, c| t.mul_scalar(c), |c, t| t
    .mul_scalar(c));
binop!(Div, div, BinaryKind::Div, |t, c| t.mul_scalar(1.0 / c), |c, t| t
    .recip()
    .mul_scalar(c));

impl Neg for &Tensor {
    type Output = Tensor;
    #[inline]
    fn neg(self) -> Tensor {
        Tensor::neg(self)
    }
}
impl Neg for Tensor {
    type Output = Tensor;
    #[inline]
    fn neg(self) -> Tensor {
        Tensor::neg(&self)
    }
}

impl Real for Tensor {
    fn lift(&self, x: f64) -> Self {
        self.constant_like(x)
    }
    fn sin(&self) -> Self {
        Tensor::sin(self)
    }
    fn cos(&self) -> Self {
        Tensor::cos(self)
    }
    fn tan(&self) -> Self {
        Tensor::tan(self)
    }
    fn atan(&self) -> Self {
        Tensor::atan(self)
    }
    fn atan2(&self, x: &Self) -> Self {
        Tensor::atan2(self, x)
    }
    fn exp(&self) -> Self {
        Tensor::exp(self)
    }
    fn ln(&self) -> Self {
        Tensor::ln(self)
    }
    fn log1p(&self) -> Self {
        Tensor::log1p(self)
    }
    fn expm1(&self) -> Self {
        Tensor::expm1(self)
    }
    fn sqrt(&self) -> Self {
        Tensor::sqrt(self)
    }
    fn tanh(&self) -> Self {
        Tensor::tanh(self)
    }
    fn abs(&self) -> Self {
        Tensor::abs(self)
    }
    fn powf(&self, p: f64) -> Self {
        Tensor::powf(self, p)
    }
    fn powi(&self, n: i32) -> Self {
        Tensor::powi(self, n)
    }
    fn recip(&self) -> Self {
        Tensor::recip(self)
    }
    fn rsub(&self, a: f64) -> Self {
        self.neg().add_scalar(a)
    }
    fn rdiv(&self, a: f64) -> Self {
        self.recip().mul_scalar(a)
    }
    fn square(&self) -> Self {
        Tensor::square(self)
    }
    fn sigmoid(&self) -> Self {
        Tensor::sigmoid(self)
    }
    fn softplus(&self) -> Self {
        Tensor::softplus(self)
    }
}
