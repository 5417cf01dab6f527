//! Batched log-densities: the interface every sampler, flow trainer and
//! evidence estimator evaluates, for many chains at once.

use super::SamplerError;
use ferrax_autodiff::{value_and_grad, Tensor};

/// An unnormalised log-density `log p(x)` on `R^dim` with its gradient,
/// evaluated for a batch of points at once.
pub trait LogDensity {
    /// Number of parameters `dim`.
    fn dim(&self) -> usize;

    /// For `n = x.len() / dim` points stored row-major in `x` (`[n, dim]`),
    /// writes `log p` into `logp` (`[n]`) and `∇ log p` into `grad`
    /// (`[n, dim]`). Points outside the support give `-inf` and a zero
    /// gradient.
    fn log_density_and_grad(&self, x: &[f64], logp: &mut [f64], grad: &mut [f64])
        -> Result<(), SamplerError>;

    /// `log p` only (`[n]`); by default through [`Self::log_density_and_grad`].
    fn log_density(&self, x: &[f64], logp: &mut [f64]) -> Result<(), SamplerError> {
        let mut g = vec![0.0; x.len()];
        self.log_density_and_grad(x, logp, &mut g)
    }
}

/// Checks the buffer lengths of a batched call; returns the batch size.
pub fn batch_size(dim: usize, x: &[f64], logp: &[f64], grad: Option<&[f64]>) -> Result<usize, SamplerError> {
    if dim == 0 || x.len() % dim != 0 {
        return Err(SamplerError::Shape(format!(
            "{} values are not rows of dim {dim}",
            x.len()
        )));
    }
    let n = x.len() / dim;
    if logp.len() != n || grad.is_some_and(|g| g.len() != x.len()) {
        return Err(SamplerError::Shape(format!(
            "batch of {n} points needs logp[{n}] and grad[{}]",
            x.len()
        )));
    }
    Ok(n)
}

/// A log-density given as a closure over one point:
/// `f(x: &[f64; dim], grad: &mut [f64; dim]) -> log p(x)`.
pub struct FnDensity<F> {
    dim: usize,
    f: F,
}

impl<F: Fn(&[f64], &mut [f64]) -> f64> FnDensity<F> {
    /// Wraps `f` (value and gradient at one point) for `dim` parameters.
    pub fn new(dim: usize, f: F) -> Self {
        FnDensity { dim, f }
    }
}

impl<F: Fn(&[f64], &mut [f64]) -> f64> LogDensity for FnDensity<F> {
    fn dim(&self) -> usize {
        self.dim
    }
    fn log_density_and_grad(
        &self,
        x: &[f64],
        logp: &mut [f64],
        grad: &mut [f64],
    ) -> Result<(), SamplerError> {
        let n = batch_size(self.dim, x, logp, Some(grad))?;
        let d = self.dim;
        for i in 0..n {
            logp[i] = (self.f)(&x[i * d..(i + 1) * d], &mut grad[i * d..(i + 1) * d]);
        }
        Ok(())
    }
}

/// A log-density written with the autodiff core: `f` maps a `[n, dim]`
/// tensor of points to a `[n]` tensor of log-densities (rows independent);
/// gradients come from one reverse sweep of `sum(f(x))`.
pub struct TensorDensity<F> {
    dim: usize,
    f: F,
}

impl<F: Fn(&Tensor) -> Tensor> TensorDensity<F> {
    /// Wraps the batched tensor function `f` for `dim` parameters.
    pub fn new(dim: usize, f: F) -> Self {
        TensorDensity { dim, f }
    }
}

impl<F: Fn(&Tensor) -> Tensor> LogDensity for TensorDensity<F> {
    fn dim(&self) -> usize {
        self.dim
    }
    fn log_density_and_grad(
        &self,
        x: &[f64],
        logp: &mut [f64],
        grad: &mut [f64],
    ) -> Result<(), SamplerError> {
        let n = batch_size(self.dim, x, logp, Some(grad))?;
        let xt = Tensor::from_vec(x.to_vec(), &[n, self.dim])?;
        let mut values = Vec::new();
        let (_, g) = value_and_grad(
            |x| {
                let lp = (self.f)(x);
                if let Ok(v) = lp.detach().to_vec() {
                    values = v;
                }
                lp.sum_all()
            },
            &xt,
        )?;
        if values.len() != n {
            return Err(SamplerError::Shape(format!(
                "tensor log-density returned {} values for {n} points",
                values.len()
            )));
        }
        logp.copy_from_slice(&values);
        grad.copy_from_slice(g.as_slice()?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closure_and_tensor_densities_agree() {
        // log p = -0.5 * sum(x^2 * w) + sin(x0)
        let w = [1.0, 4.0];
        let f = FnDensity::new(2, |x: &[f64], g: &mut [f64]| {
            g[0] = -w[0] * x[0] + x[0].cos();
            g[1] = -w[1] * x[1];
            -0.5 * (w[0] * x[0] * x[0] + w[1] * x[1] * x[1]) + x[0].sin()
        });
        let wt = Tensor::from_slice(&w);
        let t = TensorDensity::new(2, |x: &Tensor| {
            let q = (&(x * x) * &wt).sum(&[1], false) * -0.5;
            let s = x.slice(1, 0, 1).sin().reshape(&[3]);
            q + s
        });
        let x = [0.3, -1.0, 1.2, 0.5, -2.0, 0.0];
        let (mut l1, mut g1, mut l2, mut g2) = ([0.0; 3], [0.0; 6], [0.0; 3], [0.0; 6]);
        f.log_density_and_grad(&x, &mut l1, &mut g1).unwrap();
        t.log_density_and_grad(&x, &mut l2, &mut g2).unwrap();
        for i in 0..3 {
            assert!((l1[i] - l2[i]).abs() < 1e-14);
        }
        for i in 0..6 {
            assert!((g1[i] - g2[i]).abs() < 1e-14);
        }
        assert!(f.log_density_and_grad(&x[..5], &mut l1, &mut g1).is_err());
    }
}
