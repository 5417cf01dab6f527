//! A fully connected network (multilayer perceptron) with two evaluation
//! paths: plain `f64` loops and matrix products for speed, and tape tensors
//! ([`ferrax_autodiff::Tensor`]) for gradients with respect to the weights
//! (training) or the inputs (samplers). Both compute the same function; the
//! tests check them against each other and against finite differences.

use super::SurrogateError;
use ferrax_autodiff::Tensor;
use rand::Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

/// The hidden-layer nonlinearity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    /// tanh(x).
    Tanh,
    /// SiLU (swish) x · σ(x) (Ramachandran, Zoph & Le 2017).
    Silu,
}

/// The logistic function `σ(z) = 1 / (1 + e^−z)` from one exponential of
/// `−|z|` (never overflows; branch-free, so loops over it vectorise;
/// within a few ulp of the correctly rounded value).
#[inline(always)]
pub fn sigmoid(z: f64) -> f64 {
    let e = crate::compress::spline::exp_nonpos(-z.abs());
    let r = 1.0 / (1.0 + e);
    if z >= 0.0 {
        r
    } else {
        e * r
    }
}

impl Activation {
    /// Applies the nonlinearity to one value.
    #[inline]
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Activation::Tanh => x.tanh(),
            Activation::Silu => x * sigmoid(x),
        }
    }

    /// Applies the nonlinearity to every value of `v` in place (one match
    /// per slice, so the loop vectorises).
    pub fn apply_slice(self, v: &mut [f64]) {
        match self {
            Activation::Tanh => v.iter_mut().for_each(|x| *x = x.tanh()),
            Activation::Silu => v.iter_mut().for_each(|x| *x *= sigmoid(*x)),
        }
    }

    /// Applies the nonlinearity to a tape tensor.
    pub fn apply_tensor(self, x: &Tensor) -> Tensor {
        match self {
            Activation::Tanh => x.tanh(),
            Activation::Silu => x * &x.sigmoid(),
        }
    }
}

/// One affine layer `y = x · W + b`, `W` stored row-major as `n_in × n_out`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Layer {
    /// Input width.
    pub n_in: usize,
    /// Output width.
    pub n_out: usize,
    /// Weights, `n_in × n_out`, row-major.
    pub w: Vec<f64>,
    /// Biases, `n_out`.
    pub b: Vec<f64>,
}

/// A multilayer perceptron: affine layers with the activation between them
/// (none after the last).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Mlp {
    /// The layers, input first.
    pub layers: Vec<Layer>,
    /// Hidden nonlinearity.
    pub activation: Activation,
}

impl Mlp {
    /// A network with layer widths `sizes` (input, hidden..., output) and
    /// weights drawn from N(0, gain²/n_in) (He et al. 2015 scaling with gain
    /// 1 for tanh/SiLU), biases zero.
    pub fn new<R: Rng>(sizes: &[usize], activation: Activation, rng: &mut R) -> Result<Self, SurrogateError> {
        if sizes.len() < 2 || sizes.contains(&0) {
            return Err(SurrogateError::invalid(
                "layer sizes",
                format!("need >= 2 positive widths, got {sizes:?}"),
            ));
        }
        let layers = sizes
            .windows(2)
            .map(|s| {
                let (n_in, n_out) = (s[0], s[1]);
                let std = (1.0 / n_in as f64).sqrt();
                let normal = Normal::new(0.0, std).expect("positive std");
                Layer {
                    n_in,
                    n_out,
                    w: (0..n_in * n_out).map(|_| normal.sample(rng)).collect(),
                    b: vec![0.0; n_out],
                }
            })
            .collect();
        Ok(Mlp { layers, activation })
    }

    /// Input width.
    pub fn n_in(&self) -> usize {
        self.layers[0].n_in
    }

    /// Output width.
    pub fn n_out(&self) -> usize {
        self.layers[self.layers.len() - 1].n_out
    }

    /// Number of trainable values (weights and biases).
    pub fn n_params(&self) -> usize {
        self.layers.iter().map(|l| l.w.len() + l.b.len()).sum()
    }

    /// Forward pass of `n` rows `x` (`n × n_in`, row-major) on the plain
    /// `f64` path (blocked matrix products); returns `n × n_out`.
    pub fn forward_batch(&self, x: &[f64], n: usize) -> Vec<f64> {
        debug_assert_eq!(x.len(), n * self.n_in());
        let mut h = x.to_vec();
        let last = self.layers.len() - 1;
        for (li, l) in self.layers.iter().enumerate() {
            let mut out = Vec::with_capacity(n * l.n_out);
            for _ in 0..n {
                out.extend_from_slice(&l.b);
            }
            // SAFETY: h holds n·n_in values, w n_in·n_out, out n·n_out, all
            // row-major with the strides given.
            unsafe {
                matrixmultiply::dgemm(
                    n,
                    l.n_in,
                    l.n_out,
                    1.0,
                    h.as_ptr(),
                    l.n_in as isize,
                    1,
                    l.w.as_ptr(),
                    l.n_out as isize,
                    1,
                    1.0,
                    out.as_mut_ptr(),
                    l.n_out as isize,
                    1,
                );
            }
            if li < last {
                self.activation.apply_slice(&mut out);
            }
            h = out;
        }
        h
    }

    /// Forward pass of one input row on the plain `f64` path, using `buf`
    /// as scratch (no allocation once it has grown); the output is
    /// written to `out` (`n_out` values).
    pub fn forward_one(&self, x: &[f64], buf: &mut [Vec<f64>; 2], out: &mut [f64]) {
        let all = 0..self.n_out();
        self.forward_one_columns(x, buf, std::slice::from_ref(&all), out);
    }

    /// [`Mlp::forward_one`] computing only the outputs in the index ranges
    /// `cols`, written one range after another to `out` (the last layer's
    /// cost shrinks in proportion).
    pub fn forward_one_columns(
        &self,
        x: &[f64],
        buf: &mut [Vec<f64>; 2],
        cols: &[std::ops::Range<usize>],
        out: &mut [f64],
    ) {
        let [a, b] = buf;
        a.clear();
        a.extend_from_slice(x);
        let (last, hidden) = self.layers.split_last().expect("an Mlp has layers");
        for l in hidden {
            b.clear();
            b.extend_from_slice(&l.b);
            add_vector_matrix_block(a, &l.w, l.n_out, 0, b);
            self.activation.apply_slice(b);
            std::mem::swap(a, b);
        }
        let mut at = 0;
        for r in cols {
            let o = &mut out[at..at + r.len()];
            o.copy_from_slice(&last.b[r.clone()]);
            add_vector_matrix_block(a, &last.w, last.n_out, r.start, o);
            at += r.len();
        }
    }

    /// The weights and biases as tape leaves, `[W0, b0, W1, b1, ...]`.
    pub fn param_tensors(&self) -> Result<Vec<Tensor>, SurrogateError> {
        let mut v = Vec::with_capacity(2 * self.layers.len());
        for l in &self.layers {
            v.push(Tensor::from_vec(l.w.clone(), &[l.n_in, l.n_out])?);
            v.push(Tensor::from_vec(l.b.clone(), &[l.n_out])?);
        }
        Ok(v)
    }

    /// Forward pass on the tape with explicit parameter tensors (as from
    /// [`Mlp::param_tensors`]): `x` is `[n, n_in]`, the result `[n, n_out]`.
    pub fn forward_tensor_with(&self, params: &[Tensor], x: &Tensor) -> Tensor {
        let mut h = x.clone();
        let last = self.layers.len() - 1;
        for li in 0..self.layers.len() {
            let z = &h.matmul(&params[2 * li]) + &params[2 * li + 1];
            h = if li < last {
                self.activation.apply_tensor(&z)
            } else {
                z
            };
        }
        h
    }

    /// Forward pass on the tape with the stored weights as constants
    /// (gradients flow to `x` only).
    pub fn forward_tensor(&self, x: &Tensor) -> Result<Tensor, SurrogateError> {
        let ps = self.param_tensors()?;
        Ok(self.forward_tensor_with(&ps, x))
    }

    /// All weights and biases in the order of [`Mlp::param_tensors`].
    pub fn flat_params(&self) -> Vec<f64> {
        let mut v = Vec::with_capacity(self.n_params());
        for l in &self.layers {
            v.extend_from_slice(&l.w);
            v.extend_from_slice(&l.b);
        }
        v
    }

    /// Overwrites all weights and biases from `flat` (order of
    /// [`Mlp::flat_params`]).
    pub fn set_flat_params(&mut self, flat: &[f64]) -> Result<(), SurrogateError> {
        if flat.len() != self.n_params() {
            return Err(SurrogateError::invalid(
                "parameter vector",
                format!(
                    "length {} for a network of {} values",
                    flat.len(),
                    self.n_params()
                ),
            ));
        }
        let mut off = 0;
        for l in self.layers.iter_mut() {
            let (nw, nb) = (l.w.len(), l.b.len());
            l.w.copy_from_slice(&flat[off..off + nw]);
            off += nw;
            l.b.copy_from_slice(&flat[off..off + nb]);
            off += nb;
        }
        Ok(())
    }
}

/// `b += aᵀ W[:, col0..col0 + b.len()]` for `W` row-major with `a.len()`
/// rows of `w_cols`: one network layer (or a block of its outputs) for one
/// input. With AVX2 and FMA (detected at run time) the rows are added by
/// fused multiply–adds, four lanes wide; the results then differ from the
/// plain loop only by rounding.
fn add_vector_matrix_block(a: &[f64], w: &[f64], w_cols: usize, col0: usize, b: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: both target features were detected on this CPU just above.
        unsafe { add_vector_matrix_block_fma(a, w, w_cols, col0, b) };
        return;
    }
    for (&ai, row) in a.iter().zip(w.chunks_exact(w_cols)) {
        for (o, &wij) in b.iter_mut().zip(&row[col0..]) {
            *o += ai * wij;
        }
    }
}

/// [`add_vector_matrix_block`] compiled for AVX2 + FMA.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn add_vector_matrix_block_fma(a: &[f64], w: &[f64], w_cols: usize, col0: usize, b: &mut [f64]) {
    for (&ai, row) in a.iter().zip(w.chunks_exact(w_cols)) {
        for (o, &wij) in b.iter_mut().zip(&row[col0..]) {
            *o = ai.mul_add(wij, *o);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrax_autodiff::{check_gradients, GradCheckOptions};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn three_paths_agree_and_gradients_match_finite_differences() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for act in [Activation::Tanh, Activation::Silu] {
            let mlp = Mlp::new(&[3, 8, 8, 4], act, &mut rng).unwrap();
            let x: Vec<f64> = (0..6).map(|i| 0.3 * i as f64 - 0.7).collect();
            let batch = mlp.forward_batch(&x, 2);
            let mut buf = [Vec::new(), Vec::new()];
            let mut one = vec![0.0; 4];
            mlp.forward_one(&x[3..], &mut buf, &mut one);
            let xt = Tensor::from_vec(x.clone(), &[2, 3]).unwrap();
            let tape = mlp.forward_tensor(&xt).unwrap().to_vec().unwrap();
            for k in 0..8 {
                assert!((batch[k] - tape[k]).abs() < 1e-13);
            }
            for k in 0..4 {
                assert!((one[k] - batch[4 + k]).abs() < 1e-13);
            }
            let mut inputs = mlp.param_tensors().unwrap();
            inputs.push(xt);
            let n = inputs.len();
            let rep = check_gradients(
                |p| mlp.forward_tensor_with(&p[..n - 1], &p[n - 1]),
                &inputs,
                &GradCheckOptions::default(),
            )
            .unwrap();
            assert!(rep.max_rel_error < 1e-6, "{act:?}: {rep:?}");
        }
    }

    #[test]
    fn bad_sizes_are_errors() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert!(Mlp::new(&[3], Activation::Tanh, &mut rng).is_err());
        assert!(Mlp::new(&[3, 0, 2], Activation::Tanh, &mut rng).is_err());
        let mut m = Mlp::new(&[2, 3], Activation::Tanh, &mut rng).unwrap();
        assert!(m.set_flat_params(&[0.0; 3]).is_err());
    }
}
