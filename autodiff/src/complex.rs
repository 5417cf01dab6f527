//! Complex tensors as (re, im) pairs of real tensors, with the operations
//! frequency-domain waveforms and likelihoods need. Gradients flow through
//! both parts.

use crate::tensor::Tensor;

/// A complex tensor: `re + i·im` (same shapes, or broadcastable).
#[derive(Clone, Debug)]
pub struct ComplexTensor {
    /// Real part.
    pub re: Tensor,
    /// Imaginary part.
    pub im: Tensor,
}

impl ComplexTensor {
    /// From real and imaginary parts.
    pub fn new(re: Tensor, im: Tensor) -> Self {
        ComplexTensor { re, im }
    }
    /// `amp · e^{i·phase}`.
    pub fn from_polar(amp: &Tensor, phase: &Tensor) -> Self {
        ComplexTensor {
            re: amp * &phase.cos(),
            im: amp * &phase.sin(),
        }
    }
    /// `e^{i·phase}`.
    pub fn exp_i(phase: &Tensor) -> Self {
        ComplexTensor {
            re: phase.cos(),
            im: phase.sin(),
        }
    }
    /// Sum.
    pub fn add(&self, o: &Self) -> Self {
        ComplexTensor {
            re: &self.re + &o.re,
            im: &self.im + &o.im,
        }
    }
    /// Difference.
    pub fn sub(&self, o: &Self) -> Self {
        ComplexTensor {
            re: &self.re - &o.re,
            im: &self.im - &o.im,
        }
    }
    /// Product.
    pub fn mul(&self, o: &Self) -> Self {
        ComplexTensor {
            re: &self.re * &o.re - &self.im * &o.im,
            im: &self.re * &o.im + &self.im * &o.re,
        }
    }
    /// Product with a real tensor.
    pub fn scale(&self, r: &Tensor) -> Self {
        ComplexTensor {
            re: &self.re * r,
            im: &self.im * r,
        }
    }
    /// Product with a complex constant `a + i b`.
    pub fn mul_scalar(&self, a: f64, b: f64) -> Self {
        ComplexTensor {
            re: &self.re * a - &self.im * b,
            im: &self.re * b + &self.im * a,
        }
    }
    /// Complex conjugate.
    pub fn conj(&self) -> Self {
        ComplexTensor {
            re: self.re.clone(),
            im: self.im.neg(),
        }
    }
    /// |z|².
    pub fn abs2(&self) -> Tensor {
        self.re.square() + self.im.square()
    }
    /// |z|.
    pub fn abs(&self) -> Tensor {
        self.abs2().sqrt()
    }
    /// arg z in (−π, π].
    pub fn arg(&self) -> Tensor {
        self.im.atan2(&self.re)
    }
    /// Re(self · conj(o)) element-wise: the integrand of a noise-weighted inner product.
    pub fn re_mul_conj(&self, o: &Self) -> Tensor {
        &self.re * &o.re + &self.im * &o.im
    }
    /// Im(self · conj(o)) element-wise.
    pub fn im_mul_conj(&self, o: &Self) -> Tensor {
        &self.im * &o.re - &self.re * &o.im
    }
}
