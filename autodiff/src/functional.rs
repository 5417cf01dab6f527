//! JAX-like differentiation: `grad`, `value_and_grad`, `vjp`, `jvp`.
//!
//! Forward mode (`jvp`) records the function once and sweeps tangents forward
//! over the tape with the same local derivatives the reverse sweep uses, so
//! every op (custom ops included, via their `jvp` rule) gets forward mode
//! without a second implementation of its formula. For few-parameter
//! problems in generic code, [`Dual`](crate::Dual) numbers are the faster
//! forward mode.

use crate::backward::{backward, recycle_grads};
use crate::device::Storage;
use crate::error::{AdError, Result};
use crate::forward::forward;
use crate::tape::{self, Recording, Tape};
use crate::tensor::Tensor;

/// What a differentiated function may return: a tensor or a `Result`.
pub trait IntoTensorResult {
    /// Converts to `Result<Tensor>`, surfacing error tensors.
    fn into_result(self) -> Result<Tensor>;
}
impl IntoTensorResult for Tensor {
    fn into_result(self) -> Result<Tensor> {
        self.check()
    }
}
impl IntoTensorResult for Result<Tensor> {
    fn into_result(self) -> Result<Tensor> {
        self.and_then(|t| t.check())
    }
}

/// Records `f` on a fresh tape with `xs` as tracked inputs.
fn record<F, R>(op: &'static str, f: F, xs: &[Tensor]) -> Result<(Tape, Tensor, Vec<Tensor>)>
where
    F: FnOnce(&[Tensor]) -> R,
    R: IntoTensorResult,
{
    for x in xs {
        x.clone().check()?;
    }
    let gen = tape::begin(op)?;
    let guard = Recording;
    let leaves: Vec<Tensor> = xs.iter().map(|x| tape::leaf(x, gen)).collect();
    let out = f(&leaves).into_result();
    let tape = tape::end();
    drop(guard);
    Ok((tape, out?, leaves))
}

fn grads_of(tape: &Tape, out: &Tensor, leaves: &[Tensor], seed: Storage) -> Result<Vec<Tensor>> {
    let root = match out.node_idx(tape.gen) {
        Some(r) => r,
        None => {
            // output does not depend on the inputs: zero gradients
            return Ok(leaves.iter().map(|l| l.zeros_like()).collect());
        }
    };
    let mut grads = backward(tape, root, seed)?;
    let out = leaves
        .iter()
        .map(|l| {
            let g = l
                .node_idx(tape.gen)
                .and_then(|i| grads.get_mut(i))
                .and_then(|g| g.take());
            match g {
                Some(g) => Tensor::from_parts(g, l.0.shape.clone()),
                None => l.zeros_like(),
            }
        })
        .collect();
    recycle_grads(grads);
    Ok(out)
}

/// Value and gradients of a scalar function of several tensors.
///
/// ```
/// use ferrax_autodiff::{value_and_grads, Tensor};
/// let x = Tensor::from_slice(&[1.0, 2.0]);
/// let y = Tensor::scalar(3.0);
/// let (v, g) = value_and_grads(|p| (&p[0] * &p[1]).sum_all(), &[x, y]).unwrap();
/// assert_eq!(v, 9.0);
/// assert_eq!(g[0].to_vec().unwrap(), vec![3.0, 3.0]);
/// assert_eq!(g[1].item().unwrap(), 3.0);
/// ```
pub fn value_and_grads<F, R>(f: F, xs: &[Tensor]) -> Result<(f64, Vec<Tensor>)>
where
    F: FnOnce(&[Tensor]) -> R,
    R: IntoTensorResult,
{
    let (tape, out, leaves) = record("value_and_grad", f, xs)?;
    if out.numel() != 1 {
        return Err(AdError::NotScalar {
            op: "value_and_grad",
            shape: out.0.shape.clone(),
        });
    }
    let value = out.item()?;
    let seed = Storage::full(&out.device(), 1, 1.0)?;
    let g = grads_of(&tape, &out, &leaves, seed);
    drop((out, leaves));
    tape::recycle(tape);
    Ok((value, g?))
}

/// Value and gradient of a scalar function of one tensor.
pub fn value_and_grad<F, R>(f: F, x: &Tensor) -> Result<(f64, Tensor)>
where
    F: FnOnce(&Tensor) -> R,
    R: IntoTensorResult,
{
    let (v, mut g) = value_and_grads(|p| f(&p[0]), std::slice::from_ref(x))?;
    Ok((v, g.remove(0)))
}

/// Gradient of a scalar function of one tensor.
pub fn grad<F, R>(f: F, x: &Tensor) -> Result<Tensor>
where
    F: FnOnce(&Tensor) -> R,
    R: IntoTensorResult,
{
    value_and_grad(f, x).map(|(_, g)| g)
}

/// The pullback of a recorded function: maps output cotangents to input
/// cotangents; can be called many times.
pub struct Pullback {
    tape: Tape,
    out: Tensor,
    leaves: Vec<Tensor>,
}

impl Pullback {
    /// Input cotangents `vᵀ J` for an output cotangent `v` (output shape).
    pub fn call(&self, v: &Tensor) -> Result<Vec<Tensor>> {
        let v = v.clone().check()?;
        if v.shape() != self.out.shape() {
            return Err(AdError::ShapeMismatch {
                op: "vjp",
                lhs: self.out.0.shape.clone(),
                rhs: v.0.shape.clone(),
            });
        }
        grads_of(&self.tape, &self.out, &self.leaves, v.storage().clone())
    }
}

/// Output of `f` and its pullback (reverse mode for non-scalar outputs).
pub fn vjp<F, R>(f: F, xs: &[Tensor]) -> Result<(Tensor, Pullback)>
where
    F: FnOnce(&[Tensor]) -> R,
    R: IntoTensorResult,
{
    let (tape, out, leaves) = record("vjp", f, xs)?;
    let value = out.detach();
    Ok((value, Pullback { tape, out, leaves }))
}

/// Output of `f` and the directional derivative `J · t` (forward mode).
pub fn jvp<F, R>(f: F, xs: &[Tensor], tangents: &[Tensor]) -> Result<(Tensor, Tensor)>
where
    F: FnOnce(&[Tensor]) -> R,
    R: IntoTensorResult,
{
    if xs.len() != tangents.len() {
        return Err(AdError::InvalidArgument {
            op: "jvp",
            msg: format!("{} inputs but {} tangents", xs.len(), tangents.len()),
        });
    }
    for (x, t) in xs.iter().zip(tangents) {
        if x.shape() != t.shape() {
            return Err(AdError::ShapeMismatch {
                op: "jvp",
                lhs: x.0.shape.clone(),
                rhs: t.0.shape.clone(),
            });
        }
        t.clone().check()?;
    }
    let (tape, out, leaves) = record("jvp", f, xs)?;
    let mut seeds: Vec<Option<Storage>> = Vec::new();
    seeds.resize_with(tape.nodes.len(), || None);
    for (l, t) in leaves.iter().zip(tangents) {
        let i = l.node_idx(tape.gen).expect("leaf on tape");
        seeds[i] = Some(t.storage().to_device(&l.device())?);
    }
    let tan = forward(&tape, seeds)?;
    let t = match out.node_idx(tape.gen).and_then(|i| tan[i].clone()) {
        Some(s) => Tensor::from_parts(s, out.0.shape.clone()),
        None => out.zeros_like(),
    };
    Ok((out.detach(), t))
}
