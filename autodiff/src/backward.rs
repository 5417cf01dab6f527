//! The reverse sweep: one `match` holding every op's vector–Jacobian product.

use crate::device::Storage;
use crate::error::{AdError, Result};
use crate::shape::Shape;
use crate::tape::{self, Op, Tape};
use crate::tensor::Tensor;

fn accumulate(grads: &mut [Option<Storage>], gen: u32, t: &Tensor, g: Storage) -> Result<()> {
    if let Some(j) = t.node_idx(gen) {
        match &mut grads[j] {
            Some(s) => s.add_assign(&g)?,
            slot @ None => *slot = Some(g),
        }
    }
    Ok(())
}

#[inline]
fn wants(t: &Tensor, gen: u32) -> bool {
    t.node_idx(gen).is_some()
}

thread_local! {
    static SPARE_GRADS: std::cell::RefCell<Vec<Option<Storage>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Hands a gradient table back for reuse by the next reverse sweep.
pub(crate) fn recycle_grads(mut grads: Vec<Option<Storage>>) {
    grads.clear();
    let _ = SPARE_GRADS.try_with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            if grads.capacity() > s.capacity() {
                *s = grads;
            }
        }
    });
}

/// Runs the reverse sweep from node `root` seeded with `seed` (shape of the
/// root's output). Returns the gradient of every node (leaves keep theirs).
pub(crate) fn backward(tape: &Tape, root: usize, seed: Storage) -> Result<Vec<Option<Storage>>> {
    let gen = tape.gen;
    let mut grads: Vec<Option<Storage>> = SPARE_GRADS
        .try_with(|s| {
            s.try_borrow_mut()
                .map(|mut s| std::mem::take(&mut *s))
                .unwrap_or_default()
        })
        .unwrap_or_default();
    grads.clear();
    grads.resize_with(root + 1, || None);
    grads[root] = Some(seed);
    for i in (0..=root).rev() {
        let node = &tape.nodes[i];
        if matches!(node.op, Op::Leaf) {
            continue;
        }
        let Some(g) = grads[i].take() else { continue };
        let y = &node.out;
        match &node.op {
            Op::Leaf => {}
            Op::Unary { k, x } => {
                let gx = x.storage().unary_scale(y.storage(), &g, *k)?;
                accumulate(&mut grads, gen, x, gx)?;
            }
            Op::Binary { k, a, b } => {
                let need = (wants(a, gen), wants(b, gen));
                let (ga, gb) = a.storage().binary_scale(
                    b.storage(),
                    y.storage(),
                    &g,
                    *k,
                    a.shape(),
                    b.shape(),
                    y.shape(),
                    need,
                )?;
                if let Some(ga) = ga {
                    accumulate(&mut grads, gen, a, ga.unbroadcast(y.shape(), a.shape())?)?;
                }
                if let Some(gb) = gb {
                    accumulate(&mut grads, gen, b, gb.unbroadcast(y.shape(), b.shape())?)?;
                }
            }
            Op::Sum { x, kept, .. } => {
                let gx = g.broadcast_to(kept, x.shape())?;
                accumulate(&mut grads, gen, x, gx)?;
            }
            Op::BroadcastTo { x } => {
                accumulate(&mut grads, gen, x, g.unbroadcast(y.shape(), x.shape())?)?;
            }
            Op::MaxAxis { x, arg } => {
                accumulate(&mut grads, gen, x, g.scatter_positions(arg, x.numel())?)?;
            }
            Op::Cumsum { x, axis } => {
                accumulate(&mut grads, gen, x, g.cumsum(y.shape(), *axis, true)?)?;
            }
            Op::IndexSelect { x, axis, idx } => {
                let gx = g.index_add(y.shape(), *axis, idx, x.shape()[*axis])?;
                accumulate(&mut grads, gen, x, gx)?;
            }
            Op::Gather { x, axis, idx, is } => {
                accumulate(&mut grads, gen, x, g.scatter_add(x.shape(), *axis, idx, is)?)?;
            }
            Op::Slice { x, axis, start } => {
                let gx = g.pad(y.shape(), *axis, *start, x.shape()[*axis])?;
                accumulate(&mut grads, gen, x, gx)?;
            }
            Op::Concat { xs, axis } => {
                let mut start = 0;
                for x in xs {
                    let n = x.shape()[*axis];
                    if wants(x, gen) {
                        let gx = g.slice(y.shape(), *axis, start, n)?;
                        accumulate(&mut grads, gen, x, gx)?;
                    }
                    start += n;
                }
            }
            Op::Reshape { x } => accumulate(&mut grads, gen, x, g)?,
            Op::Permute { x, perm } => {
                let mut inv: Shape = perm.clone();
                for (i, &p) in perm.iter().enumerate() {
                    inv[p] = i;
                }
                accumulate(&mut grads, gen, x, g.permute(y.shape(), &inv)?)?;
            }
            Op::Matmul { a, b, batch, m, k, n } => {
                let (batch, m, k, n) = (*batch, *m, *k, *n);
                let ba = if a.rank() == 3 { a.shape()[0] } else { 1 };
                let bb = if b.rank() == 3 { b.shape()[0] } else { 1 };
                if wants(a, gen) {
                    // dA = G Bᵀ, summed over the batch when A is shared
                    let ga = g.matmul(b.storage(), batch, batch, bb, m, n, k, false, true)?;
                    let ga = if ba == 1 && batch > 1 {
                        ga.sum_axes(&[batch, m * k], &[0])?
                    } else {
                        ga
                    };
                    accumulate(&mut grads, gen, a, ga)?;
                }
                if wants(b, gen) {
                    // dB = Aᵀ G
                    let gb = a.storage().matmul(&g, batch, ba, batch, k, m, n, true, false)?;
                    let gb = if bb == 1 && batch > 1 {
                        gb.sum_axes(&[batch, k * n], &[0])?
                    } else {
                        gb
                    };
                    accumulate(&mut grads, gen, b, gb)?;
                }
            }
            Op::Select { mask, a, b } => {
                let zero = Storage::full(&g.device(), 1, 0.0)?;
                let os = y.shape();
                if wants(a, gen) {
                    let ga = Storage::select(mask.storage(), &g, &zero, mask.shape(), os, &[], os)?;
                    accumulate(&mut grads, gen, a, ga.unbroadcast(os, a.shape())?)?;
                }
                if wants(b, gen) {
                    let gb = Storage::select(mask.storage(), &zero, &g, mask.shape(), &[], os, os)?;
                    accumulate(&mut grads, gen, b, gb.unbroadcast(os, b.shape())?)?;
                }
            }
            Op::Custom { op, inputs } => {
                let gt = Tensor::from_parts(g, y.0.shape.clone());
                let consts: Vec<Tensor> = inputs.iter().map(|t| t.detach()).collect();
                let out = tape::paused(|| op.vjp(&consts, &y.detach(), &gt))?;
                if out.len() != inputs.len() {
                    return Err(AdError::CustomOp {
                        name: op.name().to_string(),
                        msg: format!("vjp returned {} gradients for {} inputs", out.len(), inputs.len()),
                    });
                }
                for (x, gx) in inputs.iter().zip(out) {
                    let Some(gx) = gx else { continue };
                    let gx = gx.check()?;
                    if gx.shape() != x.shape() {
                        return Err(AdError::CustomOp {
                            name: op.name().to_string(),
                            msg: format!(
                                "vjp gradient of shape {:?} for an input of shape {:?}",
                                gx.shape(),
                                x.shape()
                            ),
                        });
                    }
                    accumulate(&mut grads, gen, x, gx.storage().clone())?;
                }
            }
        }
    }
    Ok(grads)
}
