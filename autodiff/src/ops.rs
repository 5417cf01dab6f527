//! Differentiable tensor operations. Each records at most one tape node; its
//! VJP lives in `backward.rs` and its JVP in `forward.rs`.

use crate::device::Storage;
use crate::error::{AdError, Result};
use crate::kinds::{BinaryKind, CmpKind, UnaryKind};
use crate::shape::{broadcast_shapes, check_axis, numel, Shape};
use crate::tape::Op;
use crate::tensor::Tensor;
use smallvec::smallvec;
use std::rc::Rc;

/// Returns the first error tensor among the arguments, if any.
macro_rules! propagate {
    ($($t:expr),*) => { $( if $t.0.poison.is_some() { return $t.clone(); } )* };
}

/// Turns a `Result<Tensor>` into a tensor (errors become error tensors).
#[inline]
pub(crate) fn lift(r: Result<Tensor>) -> Tensor {
    r.unwrap_or_else(Tensor::error)
}

impl Tensor {
    /// Applies an element-wise function.
    pub fn unary(&self, k: UnaryKind) -> Tensor {
        propagate!(self);
        match self.0.storage.unary(k) {
            Ok(s) => Tensor::make(k.name(), s, Shape::from_slice(self.shape()), &[self], || {
                Op::Unary { k, x: self.clone() }
            }),
            Err(e) => Tensor::error(e),
        }
    }

    /// eˣ
    pub fn exp(&self) -> Tensor {
        self.unary(UnaryKind::Exp)
    }
    /// ln x
    pub fn ln(&self) -> Tensor {
        self.unary(UnaryKind::Ln)
    }
    /// ln(1+x)
    pub fn log1p(&self) -> Tensor {
        self.unary(UnaryKind::Log1p)
    }
    /// eˣ − 1
    pub fn expm1(&self) -> Tensor {
        self.unary(UnaryKind::Expm1)
    }
    /// √x
    pub fn sqrt(&self) -> Tensor {
        self.unary(UnaryKind::Sqrt)
    }
    /// sin x (radians)
    pub fn sin(&self) -> Tensor {
        self.unary(UnaryKind::Sin)
    }
    /// cos x (radians)
    pub fn cos(&self) -> Tensor {
        self.unary(UnaryKind::Cos)
    }
    /// tan x (radians)
    pub fn tan(&self) -> Tensor {
        self.unary(UnaryKind::Tan)
    }
    /// atan x (radians)
    pub fn atan(&self) -> Tensor {
        self.unary(UnaryKind::Atan)
    }
    /// tanh x
    pub fn tanh(&self) -> Tensor {
        self.unary(UnaryKind::Tanh)
    }
    /// 1/(1+e⁻ˣ)
    pub fn sigmoid(&self) -> Tensor {
        self.unary(UnaryKind::Sigmoid)
    }
    /// ln(1+eˣ)
    pub fn softplus(&self) -> Tensor {
        self.unary(UnaryKind::Softplus)
    }
    /// |x|
    pub fn abs(&self) -> Tensor {
        self.unary(UnaryKind::Abs)
    }
    /// 1/x
    pub fn recip(&self) -> Tensor {
        self.unary(UnaryKind::Recip)
    }
    /// x²
    pub fn square(&self) -> Tensor {
        self.unary(UnaryKind::Square)
    }
    /// xⁿ
    pub fn powi(&self, n: i32) -> Tensor {
        self.unary(UnaryKind::Powi(n))
    }
    /// xᵖ
    pub fn powf(&self, p: f64) -> Tensor {
        self.unary(UnaryKind::Powf(p))
    }
    /// −x
    pub fn neg(&self) -> Tensor {
        self.unary(UnaryKind::Neg)
    }
    /// x + c
    pub fn add_scalar(&self, c: f64) -> Tensor {
        self.unary(UnaryKind::AddScalar(c))
    }
    /// c·x
    pub fn mul_scalar(&self, c: f64) -> Tensor {
        self.unary(UnaryKind::MulScalar(c))
    }
    /// min(max(x, lo), hi); gradient 1 inside [lo, hi], 0 outside.
    pub fn clamp(&self, lo: f64, hi: f64) -> Tensor {
        self.unary(UnaryKind::Clamp(lo, hi))
    }
    /// max(x, 0)
    pub fn relu(&self) -> Tensor {
        self.clamp(0.0, f64::INFINITY)
    }

    /// A broadcasting binary op, or its shape error.
    pub fn try_binary(&self, rhs: &Tensor, k: BinaryKind) -> Result<Tensor> {
        for t in [self, rhs] {
            if let Some(e) = &t.0.poison {
                return Err((**e).clone());
            }
        }
        let os = if self.shape() == rhs.shape() {
            Shape::from_slice(self.shape())
        } else {
            broadcast_shapes(k.name(), self.shape(), rhs.shape())?
        };
        let s = self
            .0
            .storage
            .binary(&rhs.0.storage, k, self.shape(), rhs.shape(), &os)?;
        Ok(Tensor::make(k.name(), s, os, &[self, rhs], || Op::Binary {
            k,
            a: self.clone(),
            b: rhs.clone(),
        }))
    }

    /// A broadcasting binary op (errors become an error tensor).
    pub fn binary(&self, rhs: &Tensor, k: BinaryKind) -> Tensor {
        propagate!(self, rhs);
        lift(self.try_binary(rhs, k))
    }

    /// a + b, or the shape error.
    pub fn try_add(&self, rhs: &Tensor) -> Result<Tensor> {
        self.try_binary(rhs, BinaryKind::Add)
    }
    /// a − b, or the shape error.
    pub fn try_sub(&self, rhs: &Tensor) -> Result<Tensor> {
        self.try_binary(rhs, BinaryKind::Sub)
    }
    /// a · b, or the shape error.
    pub fn try_mul(&self, rhs: &Tensor) -> Result<Tensor> {
        self.try_binary(rhs, BinaryKind::Mul)
    }
    /// a / b, or the shape error.
    pub fn try_div(&self, rhs: &Tensor) -> Result<Tensor> {
        self.try_binary(rhs, BinaryKind::Div)
    }
    /// aᵇ element-wise (derivative in b needs a > 0).
    pub fn pow(&self, b: &Tensor) -> Tensor {
        self.binary(b, BinaryKind::Pow)
    }
    /// atan2(self, x): the angle of (x, self) in (−π, π].
    pub fn atan2(&self, x: &Tensor) -> Tensor {
        self.binary(x, BinaryKind::Atan2)
    }
    /// Element-wise minimum.
    pub fn minimum(&self, b: &Tensor) -> Tensor {
        self.binary(b, BinaryKind::Min)
    }
    /// Element-wise maximum.
    pub fn maximum(&self, b: &Tensor) -> Tensor {
        self.binary(b, BinaryKind::Max)
    }

    fn compare(&self, rhs: &Tensor, k: CmpKind) -> Tensor {
        propagate!(self, rhs);
        lift((|| {
            let os = broadcast_shapes("compare", self.shape(), rhs.shape())?;
            let s = self
                .0
                .storage
                .compare(&rhs.0.storage, k, self.shape(), rhs.shape(), &os)?;
            Ok(Tensor::from_parts(s, os))
        })())
    }
    /// Mask (1.0/0.0, no gradient) of self < rhs.
    pub fn lt(&self, rhs: &Tensor) -> Tensor {
        self.compare(rhs, CmpKind::Lt)
    }
    /// Mask of self ≤ rhs.
    pub fn le(&self, rhs: &Tensor) -> Tensor {
        self.compare(rhs, CmpKind::Le)
    }
    /// Mask of self > rhs.
    pub fn gt(&self, rhs: &Tensor) -> Tensor {
        self.compare(rhs, CmpKind::Gt)
    }
    /// Mask of self ≥ rhs.
    pub fn ge(&self, rhs: &Tensor) -> Tensor {
        self.compare(rhs, CmpKind::Ge)
    }
    /// Mask of self == rhs.
    pub fn eq_mask(&self, rhs: &Tensor) -> Tensor {
        self.compare(rhs, CmpKind::Eq)
    }

    /// `where(mask ≠ 0, a, b)`, broadcasting all three. Gradients flow to
    /// the chosen branch only (the mask has none).
    pub fn select(mask: &Tensor, a: &Tensor, b: &Tensor) -> Tensor {
        propagate!(mask, a, b);
        lift((|| {
            let ab = broadcast_shapes("select", a.shape(), b.shape())?;
            let os = broadcast_shapes("select", mask.shape(), &ab)?;
            let s = Storage::select(
                &mask.0.storage,
                &a.0.storage,
                &b.0.storage,
                mask.shape(),
                a.shape(),
                b.shape(),
                &os,
            )?;
            Ok(Tensor::make("select", s, os, &[a, b], || Op::Select {
                mask: mask.detach(),
                a: a.clone(),
                b: b.clone(),
            }))
        })())
    }

    /// Sum over `axes` (removed unless `keepdim`).
    pub fn sum(&self, axes: &[usize], keepdim: bool) -> Tensor {
        propagate!(self);
        lift((|| {
            let mut kept: Shape = self.0.shape.clone();
            for &a in axes {
                check_axis("sum", a, self.rank())?;
                kept[a] = 1;
            }
            let out: Shape = if keepdim {
                kept.clone()
            } else {
                self.shape()
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !axes.contains(i))
                    .map(|(_, &d)| d)
                    .collect()
            };
            let s = self.0.storage.sum_axes(self.shape(), axes)?;
            Ok(Tensor::make("sum", s, out, &[self], || Op::Sum {
                x: self.clone(),
                axes: axes.into(),
                kept,
            }))
        })())
    }

    /// Sum of all elements (shape `[]`).
    pub fn sum_all(&self) -> Tensor {
        let axes: Vec<usize> = (0..self.rank()).collect();
        self.sum(&axes, false)
    }

    /// Mean over `axes`.
    pub fn mean(&self, axes: &[usize], keepdim: bool) -> Tensor {
        let n: usize = axes
            .iter()
            .map(|&a| self.shape().get(a).copied().unwrap_or(1))
            .product();
        self.sum(axes, keepdim).mul_scalar(1.0 / n.max(1) as f64)
    }

    /// Mean of all elements.
    pub fn mean_all(&self) -> Tensor {
        let n = self.numel().max(1);
        self.sum_all().mul_scalar(1.0 / n as f64)
    }

    /// Maximum along `axis`; the gradient goes to the (first) arg-max.
    pub fn max(&self, axis: usize, keepdim: bool) -> Tensor {
        propagate!(self);
        lift((|| {
            check_axis("max", axis, self.rank())?;
            let (s, arg) = self.0.storage.max_axis(self.shape(), axis)?;
            let mut out: Shape = self.0.shape.clone();
            if keepdim {
                out[axis] = 1;
            } else {
                out.remove(axis);
            }
            Ok(Tensor::make("max", s, out, &[self], || Op::MaxAxis {
                x: self.clone(),
                arg: Rc::new(arg),
            }))
        })())
    }

    /// log Σ exp along `axis`, stable for large values.
    pub fn logsumexp(&self, axis: usize, keepdim: bool) -> Tensor {
        propagate!(self);
        if let Err(e) = check_axis("logsumexp", axis, self.rank()) {
            return Tensor::error(e);
        }
        let m = self.detach().max(axis, true);
        // guard all -inf slices
        let m = Tensor::select(
            &m.eq_mask(&self.constant_like(f64::NEG_INFINITY)),
            &self.constant_like(0.0),
            &m,
        );
        let s = (self - &m).exp().sum(&[axis], true).ln() + &m;
        if keepdim {
            s
        } else {
            let mut out: Vec<usize> = s.shape().to_vec();
            out.remove(axis);
            s.reshape(&out)
        }
    }

    /// Inclusive cumulative sum along `axis`.
    pub fn cumsum(&self, axis: usize) -> Tensor {
        propagate!(self);
        lift((|| {
            check_axis("cumsum", axis, self.rank())?;
            let s = self.0.storage.cumsum(self.shape(), axis, false)?;
            Ok(Tensor::make("cumsum", s, self.0.shape.clone(), &[self], || {
                Op::Cumsum {
                    x: self.clone(),
                    axis,
                }
            }))
        })())
    }

    /// The entries `idx` along `axis` (repeats allowed).
    pub fn index_select(&self, axis: usize, idx: &[usize]) -> Tensor {
        propagate!(self);
        lift((|| {
            check_axis("index_select", axis, self.rank())?;
            let len = self.shape()[axis];
            if let Some(&bad) = idx.iter().find(|&&i| i >= len) {
                return Err(AdError::InvalidArgument {
                    op: "index_select",
                    msg: format!("index {bad} out of range for axis {axis} of length {len}"),
                });
            }
            let s = self.0.storage.index_select(self.shape(), axis, idx)?;
            let mut out: Shape = self.0.shape.clone();
            out[axis] = idx.len();
            Ok(Tensor::make("index_select", s, out, &[self], || {
                Op::IndexSelect {
                    x: self.clone(),
                    axis,
                    idx: Rc::new(idx.to_vec()),
                }
            }))
        })())
    }

    /// take_along_axis: `out[.., j, ..] = self[.., idx[.., j, ..], ..]` with
    /// `idx` of shape `idx_shape` (equal to `self`'s except along `axis`).
    pub fn gather(&self, axis: usize, idx: &[usize], idx_shape: &[usize]) -> Tensor {
        propagate!(self);
        lift((|| {
            check_axis("gather", axis, self.rank())?;
            let ok = idx_shape.len() == self.rank()
                && idx_shape
                    .iter()
                    .zip(self.shape())
                    .enumerate()
                    .all(|(i, (a, b))| i == axis || a == b)
                && numel(idx_shape) == idx.len();
            if !ok {
                return Err(AdError::ShapeMismatch {
                    op: "gather",
                    lhs: self.0.shape.clone(),
                    rhs: idx_shape.into(),
                });
            }
            let len = self.shape()[axis];
            if let Some(&bad) = idx.iter().find(|&&i| i >= len) {
                return Err(AdError::InvalidArgument {
                    op: "gather",
                    msg: format!("index {bad} out of range for axis {axis} of length {len}"),
                });
            }
            let s = self.0.storage.gather(self.shape(), axis, idx, idx_shape)?;
            Ok(Tensor::make("gather", s, idx_shape.into(), &[self], || {
                Op::Gather {
                    x: self.clone(),
                    axis,
                    idx: Rc::new(idx.to_vec()),
                    is: idx_shape.into(),
                }
            }))
        })())
    }

    /// Entries `start..end` along `axis`.
    pub fn slice(&self, axis: usize, start: usize, end: usize) -> Tensor {
        propagate!(self);
        lift((|| {
            check_axis("slice", axis, self.rank())?;
            let len = self.shape()[axis];
            if start > end || end > len {
                return Err(AdError::InvalidArgument {
                    op: "slice",
                    msg: format!("range {start}..{end} out of bounds for axis {axis} of length {len}"),
                });
            }
            let s = self.0.storage.slice(self.shape(), axis, start, end - start)?;
            let mut out: Shape = self.0.shape.clone();
            out[axis] = end - start;
            Ok(Tensor::make("slice", s, out, &[self], || Op::Slice {
                x: self.clone(),
                axis,
                start,
            }))
        })())
    }

    /// Concatenation along `axis`; all other axes must agree.
    pub fn concat(xs: &[Tensor], axis: usize) -> Tensor {
        if let Some(p) = xs.iter().find(|t| t.0.poison.is_some()) {
            return p.clone();
        }
        lift((|| {
            let first = xs.first().ok_or_else(|| AdError::InvalidArgument {
                op: "concat",
                msg: "no tensors".into(),
            })?;
            check_axis("concat", axis, first.rank())?;
            let mut out: Shape = first.0.shape.clone();
            out[axis] = 0;
            for t in xs {
                let same = t.rank() == first.rank()
                    && t.shape()
                        .iter()
                        .zip(first.shape())
                        .enumerate()
                        .all(|(i, (a, b))| i == axis || a == b);
                if !same {
                    return Err(AdError::ShapeMismatch {
                        op: "concat",
                        lhs: first.0.shape.clone(),
                        rhs: t.0.shape.clone(),
                    });
                }
                out[axis] += t.shape()[axis];
            }
            let parts: Vec<&Storage> = xs.iter().map(|t| &t.0.storage).collect();
            let shapes: Vec<&[usize]> = xs.iter().map(|t| t.shape()).collect();
            let s = Storage::concat(&parts, &shapes, axis)?;
            let refs: Vec<&Tensor> = xs.iter().collect();
            Ok(Tensor::make("concat", s, out, &refs, || Op::Concat {
                xs: xs.to_vec(),
                axis,
            }))
        })())
    }

    /// Stacks equal-shaped tensors along a new `axis`.
    pub fn stack(xs: &[Tensor], axis: usize) -> Tensor {
        let ex: Vec<Tensor> = xs.iter().map(|t| t.unsqueeze(axis)).collect();
        Tensor::concat(&ex, axis)
    }

    /// The same values with another shape of equal size.
    pub fn reshape(&self, shape: &[usize]) -> Tensor {
        propagate!(self);
        if numel(shape) != self.numel() {
            return Tensor::error(AdError::ShapeMismatch {
                op: "reshape",
                lhs: self.0.shape.clone(),
                rhs: shape.into(),
            });
        }
        Tensor::make("reshape", self.0.storage.clone(), shape.into(), &[self], || {
            Op::Reshape { x: self.clone() }
        })
    }

    /// Inserts a length-1 axis at `axis`.
    pub fn unsqueeze(&self, axis: usize) -> Tensor {
        let mut s: Vec<usize> = self.shape().to_vec();
        if axis > s.len() {
            return Tensor::error(AdError::InvalidArgument {
                op: "unsqueeze",
                msg: format!("axis {axis} out of range for rank {}", s.len()),
            });
        }
        s.insert(axis, 1);
        self.reshape(&s)
    }

    /// Flattens to 1-D.
    pub fn flatten(&self) -> Tensor {
        self.reshape(&[self.numel()])
    }

    /// Reorders axes: output axis `i` is input axis `perm[i]`.
    pub fn permute(&self, perm: &[usize]) -> Tensor {
        propagate!(self);
        lift((|| {
            let mut seen = vec![false; self.rank()];
            let valid = perm.len() == self.rank()
                && perm
                    .iter()
                    .all(|&p| p < seen.len() && !std::mem::replace(&mut seen[p], true));
            if !valid {
                return Err(AdError::InvalidArgument {
                    op: "permute",
                    msg: format!("{perm:?} is not a permutation of the axes of {:?}", self.shape()),
                });
            }
            let s = self.0.storage.permute(self.shape(), perm)?;
            let out: Shape = perm.iter().map(|&p| self.shape()[p]).collect();
            Ok(Tensor::make("permute", s, out, &[self], || Op::Permute {
                x: self.clone(),
                perm: perm.into(),
            }))
        })())
    }

    /// Swaps two axes.
    pub fn transpose(&self, a: usize, b: usize) -> Tensor {
        let mut p: Vec<usize> = (0..self.rank()).collect();
        if a >= p.len() || b >= p.len() {
            return Tensor::error(AdError::InvalidArgument {
                op: "transpose",
                msg: format!("axes {a}, {b} out of range for rank {}", p.len()),
            });
        }
        p.swap(a, b);
        self.permute(&p)
    }

    /// Broadcasts to `shape` (NumPy rules).
    pub fn broadcast_to(&self, shape: &[usize]) -> Tensor {
        propagate!(self);
        lift((|| {
            let os = broadcast_shapes("broadcast_to", self.shape(), shape)?;
            if os.as_slice() != shape {
                return Err(AdError::ShapeMismatch {
                    op: "broadcast_to",
                    lhs: self.0.shape.clone(),
                    rhs: shape.into(),
                });
            }
            let s = self.0.storage.broadcast_to(self.shape(), shape)?;
            Ok(Tensor::make("broadcast_to", s, os, &[self], || Op::BroadcastTo {
                x: self.clone(),
            }))
        })())
    }

    /// Matrix product of `[m, k]` or `[B, m, k]` with `[k, n]` or `[B, k, n]`
    /// (a rank-2 operand is shared by every batch).
    pub fn matmul(&self, rhs: &Tensor) -> Tensor {
        propagate!(self, rhs);
        lift((|| {
            let (a, b) = (self.shape(), rhs.shape());
            let bad = || AdError::ShapeMismatch {
                op: "matmul",
                lhs: a.into(),
                rhs: b.into(),
            };
            if !(2..=3).contains(&a.len()) || !(2..=3).contains(&b.len()) {
                return Err(bad());
            }
            let (ba, m, k) = if a.len() == 3 {
                (a[0], a[1], a[2])
            } else {
                (1, a[0], a[1])
            };
            let (bb, k2, n) = if b.len() == 3 {
                (b[0], b[1], b[2])
            } else {
                (1, b[0], b[1])
            };
            if k != k2 || (ba != bb && ba != 1 && bb != 1) {
                return Err(bad());
            }
            let batch = ba.max(bb);
            let s = self
                .0
                .storage
                .matmul(&rhs.0.storage, batch, ba, bb, m, k, n, false, false)?;
            let out: Shape = if a.len() == 3 || b.len() == 3 {
                smallvec![batch, m, n]
            } else {
                smallvec![m, n]
            };
            Ok(Tensor::make("matmul", s, out, &[self, rhs], || Op::Matmul {
                a: self.clone(),
                b: rhs.clone(),
                batch,
                m,
                k,
                n,
            }))
        })())
    }
}
