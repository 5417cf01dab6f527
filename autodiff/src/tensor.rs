//! `Tensor`: f64 values with a runtime shape on a device; cheap to clone.

use crate::device::{Device, Storage};
use crate::error::{AdError, Result};
use crate::pool::CpuBuf;
use crate::shape::{numel, Shape};
use crate::tape::{self, NodeRef, Op};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use std::rc::Rc;

pub(crate) struct Inner {
    pub storage: Storage,
    pub shape: Shape,
    pub node: Option<NodeRef>,
    /// Set when an op failed: the error travels with the result instead of
    /// a panic, and surfaces at the first read or at `grad`.
    pub poison: Option<Rc<AdError>>,
}

/// An n-dimensional array of `f64` on a [`Device`], row-major.
///
/// Cloning shares the values. Arithmetic works with operators (`&a * &b`,
/// `a + 1.0`, `2.0 * &b`) and methods; shapes broadcast as in NumPy. A failed
/// op (shape mismatch, bad axis, NaN in checked mode) does not panic: it
/// returns an *error tensor* that propagates through later ops and is
/// reported by [`Tensor::to_vec`], [`Tensor::item`] and the differentiation
/// functions. `try_*` methods return the error directly.
#[derive(Clone)]
pub struct Tensor(pub(crate) Rc<Inner>);

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(e) = &self.0.poison {
            return write!(f, "Tensor(error: {e})");
        }
        match self.0.storage.as_cpu() {
            Some(v) if v.len() <= 16 => write!(f, "Tensor({:?}, shape={:?})", v, self.shape()),
            Some(v) => write!(
                f,
                "Tensor([{}, {}, ..., {}], shape={:?})",
                v[0],
                v[1],
                v[v.len() - 1],
                self.shape()
            ),
            None => write!(f, "Tensor(shape={:?}, device={})", self.shape(), self.device()),
        }
    }
}

impl Tensor {
    /// Wraps storage with a shape (no node).
    #[inline]
    pub(crate) fn from_parts(storage: Storage, shape: Shape) -> Tensor {
        Tensor(Rc::new(Inner {
            storage,
            shape,
            node: None,
            poison: None,
        }))
    }

    /// An error tensor carrying `e`.
    pub fn error(e: AdError) -> Tensor {
        Tensor(Rc::new(Inner {
            storage: Storage::cpu(CpuBuf::new()),
            shape: Shape::new(),
            node: None,
            poison: Some(Rc::new(e)),
        }))
    }

    /// The error this tensor carries, if an op that made it failed.
    pub fn err(&self) -> Option<&AdError> {
        self.0.poison.as_deref()
    }

    /// `Ok(self)` or the carried error.
    pub fn check(self) -> Result<Tensor> {
        match &self.0.poison {
            Some(e) => Err((**e).clone()),
            None => Ok(self),
        }
    }

    #[inline]
    pub(crate) fn node_gen(&self) -> u32 {
        self.0.node.map_or(0, |n| n.gen)
    }

    #[inline]
    pub(crate) fn node_idx(&self, gen: u32) -> Option<usize> {
        match self.0.node {
            Some(n) if n.gen == gen => Some(n.idx as usize),
            _ => None,
        }
    }

    pub(crate) fn with_node(&self, node: Option<NodeRef>) -> Tensor {
        Tensor(Rc::new(Inner {
            storage: self.0.storage.clone(),
            shape: self.0.shape.clone(),
            node,
            poison: self.0.poison.clone(),
        }))
    }

    /// The op result `storage` of shape `shape`, recorded on the tape when
    /// any of `inputs` is being differentiated.
    #[inline]
    pub(crate) fn make(
        name: &'static str,
        storage: Storage,
        shape: Shape,
        inputs: &[&Tensor],
        op: impl FnOnce() -> Op,
    ) -> Tensor {
        if tape::check_finite_enabled() {
            if let Ok(Some(index)) = storage.first_non_finite() {
                return Tensor::error(AdError::NonFinite {
                    op: name,
                    index,
                    shapes: inputs.iter().map(|t| t.0.shape.clone()).collect(),
                });
            }
        }
        match tape::needs_record(inputs) {
            None => Tensor::from_parts(storage, shape),
            Some(gen) => tape::record(
                |idx| {
                    Tensor(Rc::new(Inner {
                        storage,
                        shape,
                        node: Some(NodeRef { gen, idx }),
                        poison: None,
                    }))
                },
                op,
            ),
        }
    }

    /// Values with a shape; errors when the length does not match.
    pub fn from_vec(data: Vec<f64>, shape: &[usize]) -> Result<Tensor> {
        if data.len() != numel(shape) {
            return Err(AdError::InvalidArgument {
                op: "from_vec",
                msg: format!("{} values for shape {:?}", data.len(), shape),
            });
        }
        Ok(Tensor::from_parts(
            Storage::cpu(CpuBuf::from_vec(data)),
            shape.into(),
        ))
    }

    /// A 1-D tensor of the given values.
    pub fn from_slice(data: &[f64]) -> Tensor {
        Tensor::from_parts(
            Storage::cpu(CpuBuf::from_slice(data)),
            [data.len()].as_slice().into(),
        )
    }

    /// A rank-0 tensor.
    pub fn scalar(v: f64) -> Tensor {
        let mut b = CpuBuf::new();
        b.push(v);
        Tensor::from_parts(Storage::cpu(b), Shape::new())
    }

    /// `v` everywhere.
    pub fn full(shape: &[usize], v: f64) -> Tensor {
        Tensor::from_parts(Storage::cpu(crate::pool::filled(numel(shape), v)), shape.into())
    }

    /// Zeros.
    pub fn zeros(shape: &[usize]) -> Tensor {
        Tensor::full(shape, 0.0)
    }

    /// Ones.
    pub fn ones(shape: &[usize]) -> Tensor {
        Tensor::full(shape, 1.0)
    }

    /// Zeros with the shape and device of `self`.
    pub fn zeros_like(&self) -> Tensor {
        match Storage::full(&self.device(), self.numel(), 0.0) {
            Ok(s) => Tensor::from_parts(s, self.0.shape.clone()),
            Err(e) => Tensor::error(e),
        }
    }

    /// A constant `v` with shape `[]` on the device of `self` (broadcasts).
    pub fn constant_like(&self, v: f64) -> Tensor {
        match Storage::full(&self.device(), 1, v) {
            Ok(s) => Tensor::from_parts(s, Shape::new()),
            Err(e) => Tensor::error(e),
        }
    }

    /// `n` evenly spaced values from `start` to `end` inclusive.
    pub fn linspace(start: f64, end: f64, n: usize) -> Tensor {
        let step = if n > 1 {
            (end - start) / (n - 1) as f64
        } else {
            0.0
        };
        let v: Vec<f64> = (0..n).map(|i| start + step * i as f64).collect();
        Tensor::from_slice(&v)
    }

    /// `start, start+step, ...` below `end` (step > 0).
    pub fn arange(start: f64, end: f64, step: f64) -> Result<Tensor> {
        if step.is_nan() || step <= 0.0 || !start.is_finite() || !end.is_finite() {
            return Err(AdError::InvalidArgument {
                op: "arange",
                msg: format!("start {start}, end {end}, step {step}"),
            });
        }
        let n = ((end - start) / step).ceil().max(0.0) as usize;
        let v: Vec<f64> = (0..n).map(|i| start + step * i as f64).collect();
        Ok(Tensor::from_slice(&v))
    }

    /// Standard normal samples from `rng`.
    pub fn randn(shape: &[usize], rng: &mut impl Rng) -> Tensor {
        let n = numel(shape);
        let v: Vec<f64> = (0..n).map(|_| StandardNormal.sample(rng)).collect();
        Tensor::from_parts(Storage::cpu(CpuBuf::from_vec(v)), shape.into())
    }

    /// Uniform samples in `[lo, hi)` from `rng`.
    pub fn rand_uniform(shape: &[usize], lo: f64, hi: f64, rng: &mut impl Rng) -> Tensor {
        let n = numel(shape);
        let v: Vec<f64> = (0..n).map(|_| rng.gen_range(lo..hi)).collect();
        Tensor::from_parts(Storage::cpu(CpuBuf::from_vec(v)), shape.into())
    }

    /// The shape.
    #[inline]
    pub fn shape(&self) -> &[usize] {
        &self.0.shape
    }

    /// Number of axes.
    #[inline]
    pub fn rank(&self) -> usize {
        self.0.shape.len()
    }

    /// Number of elements.
    #[inline]
    pub fn numel(&self) -> usize {
        numel(&self.0.shape)
    }

    /// The device holding the values.
    pub fn device(&self) -> Device {
        self.0.storage.device()
    }

    /// The underlying storage.
    pub fn storage(&self) -> &Storage {
        &self.0.storage
    }

    /// Copies to `device`.
    pub fn to_device(&self, device: &Device) -> Tensor {
        if let Some(e) = self.err() {
            return Tensor::error(e.clone());
        }
        match self.0.storage.to_device(device) {
            Ok(s) => Tensor::from_parts(s, self.0.shape.clone()),
            Err(e) => Tensor::error(e),
        }
    }

    /// The values, row-major, copied to the host.
    pub fn to_vec(&self) -> Result<Vec<f64>> {
        if let Some(e) = self.err() {
            return Err(e.clone());
        }
        self.0.storage.to_host()
    }

    /// The values of a CPU tensor without copying.
    pub fn as_slice(&self) -> Result<&[f64]> {
        if let Some(e) = self.err() {
            return Err(e.clone());
        }
        self.0.storage.as_cpu().ok_or_else(|| AdError::InvalidArgument {
            op: "as_slice",
            msg: format!("tensor lives on {}; use to_vec", self.device()),
        })
    }

    /// The single value of a one-element tensor.
    pub fn item(&self) -> Result<f64> {
        if let Some(e) = self.err() {
            return Err(e.clone());
        }
        if self.numel() != 1 {
            return Err(AdError::NotScalar {
                op: "item",
                shape: self.0.shape.clone(),
            });
        }
        Ok(self.0.storage.to_host()?[0])
    }

    /// The same values, cut from the tape (a constant).
    pub fn detach(&self) -> Tensor {
        if self.0.node.is_none() {
            return self.clone();
        }
        self.with_node(None)
    }

    /// Whether this tensor is being differentiated on the current tape.
    pub fn is_tracked(&self) -> bool {
        let g = tape::current_gen();
        g != 0 && self.node_gen() == g
    }
}
