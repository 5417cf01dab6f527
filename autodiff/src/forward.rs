//! The forward tangent sweep (Jacobian–vector products) over a recorded tape.
//! Linear ops apply themselves to the tangent; element-wise ops scale it by
//! the same local derivatives the VJPs use (`kinds.rs`).

use crate::device::Storage;
use crate::error::{AdError, Result};
use crate::tape::{self, Op, Tape};
use crate::tensor::Tensor;

fn get<'a>(tan: &'a [Option<Storage>], gen: u32, t: &Tensor) -> Option<&'a Storage> {
    t.node_idx(gen).and_then(|j| tan[j].as_ref())
}

fn zeros(t: &Tensor) -> Result<Storage> {
    Storage::full(&t.device(), t.numel(), 0.0)
}

/// Propagates tangents through every node; leaves carry their seeds.
pub(crate) fn forward(tape: &Tape, mut tan: Vec<Option<Storage>>) -> Result<Vec<Option<Storage>>> {
    let gen = tape.gen;
    tan.resize_with(tape.nodes.len(), || None);
    for i in 0..tape.nodes.len() {
        let node = &tape.nodes[i];
        let y = &node.out;
        let t: Option<Storage> = match &node.op {
            Op::Leaf => continue,
            Op::Unary { k, x } => match get(&tan, gen, x) {
                Some(tx) => Some(x.storage().unary_scale(y.storage(), tx, *k)?),
                None => None,
            },
            Op::Binary { k, a, b } => {
                let mut acc: Option<Storage> = None;
                for (side, x) in [(0, a), (1, b)] {
                    if let Some(tx) = get(&tan, gen, x) {
                        let txb = tx.broadcast_to(x.shape(), y.shape())?;
                        let need = (side == 0, side == 1);
                        let (ga, gb) = a.storage().binary_scale(
                            b.storage(),
                            y.storage(),
                            &txb,
                            *k,
                            a.shape(),
                            b.shape(),
                            y.shape(),
                            need,
                        )?;
                        let part = if side == 0 { ga } else { gb };
                        if let Some(p) = part {
                            match &mut acc {
                                Some(s) => s.add_assign(&p)?,
                                None => acc = Some(p),
                            }
                        }
                    }
                }
                acc
            }
            Op::Sum { x, axes, .. } => match get(&tan, gen, x) {
                Some(tx) => Some(tx.sum_axes(x.shape(), axes)?),
                None => None,
            },
            Op::BroadcastTo { x } => match get(&tan, gen, x) {
                Some(tx) => Some(tx.broadcast_to(x.shape(), y.shape())?),
                None => None,
            },
            Op::MaxAxis { x, arg } => match get(&tan, gen, x) {
                Some(tx) => {
                    let h = tx.to_host()?;
                    let v: Vec<f64> = arg.iter().map(|&p| h[p]).collect();
                    Some(Storage::from_host(&tx.device(), &v)?)
                }
                None => None,
            },
            Op::Cumsum { x, axis } => match get(&tan, gen, x) {
                Some(tx) => Some(tx.cumsum(x.shape(), *axis, false)?),
                None => None,
            },
            Op::IndexSelect { x, axis, idx } => match get(&tan, gen, x) {
                Some(tx) => Some(tx.index_select(x.shape(), *axis, idx)?),
                None => None,
            },
            Op::Gather { x, axis, idx, is } => match get(&tan, gen, x) {
                Some(tx) => Some(tx.gather(x.shape(), *axis, idx, is)?),
                None => None,
            },
            Op::Slice { x, axis, start } => match get(&tan, gen, x) {
                Some(tx) => Some(tx.slice(x.shape(), *axis, *start, y.shape()[*axis])?),
                None => None,
            },
            Op::Concat { xs, axis } => {
                if xs.iter().all(|x| get(&tan, gen, x).is_none()) {
                    None
                } else {
                    let owned: Vec<Storage> = xs
                        .iter()
                        .map(|x| match get(&tan, gen, x) {
                            Some(s) => Ok(s.clone()),
                            None => zeros(x),
                        })
                        .collect::<Result<_>>()?;
                    let parts: Vec<&Storage> = owned.iter().collect();
                    let shapes: Vec<&[usize]> = xs.iter().map(|x| x.shape()).collect();
                    Some(Storage::concat(&parts, &shapes, *axis)?)
                }
            }
            Op::Reshape { x } => get(&tan, gen, x).cloned(),
            Op::Permute { x, perm } => match get(&tan, gen, x) {
                Some(tx) => Some(tx.permute(x.shape(), perm)?),
                None => None,
            },
            Op::Matmul { a, b, batch, m, k, n } => {
                let ba = if a.rank() == 3 { a.shape()[0] } else { 1 };
                let bb = if b.rank() == 3 { b.shape()[0] } else { 1 };
                let mut acc: Option<Storage> = None;
                if let Some(ta) = get(&tan, gen, a) {
                    acc = Some(ta.matmul(b.storage(), *batch, ba, bb, *m, *k, *n, false, false)?);
                }
                if let Some(tb) = get(&tan, gen, b) {
                    let p = a.storage().matmul(tb, *batch, ba, bb, *m, *k, *n, false, false)?;
                    match &mut acc {
                        Some(s) => s.add_assign(&p)?,
                        None => acc = Some(p),
                    }
                }
                acc
            }
            Op::Select { mask, a, b } => {
                let (ta, tb) = (get(&tan, gen, a), get(&tan, gen, b));
                if ta.is_none() && tb.is_none() {
                    None
                } else {
                    let za;
                    let zb;
                    let (sa, sha): (&Storage, &[usize]) = match ta {
                        Some(s) => (s, a.shape()),
                        None => {
                            za = Storage::full(&y.device(), 1, 0.0)?;
                            (&za, &[])
                        }
                    };
                    let (sb, shb): (&Storage, &[usize]) = match tb {
                        Some(s) => (s, b.shape()),
                        None => {
                            zb = Storage::full(&y.device(), 1, 0.0)?;
                            (&zb, &[])
                        }
                    };
                    Some(Storage::select(
                        mask.storage(),
                        sa,
                        sb,
                        mask.shape(),
                        sha,
                        shb,
                        y.shape(),
                    )?)
                }
            }
            Op::Custom { op, inputs } => {
                if inputs.iter().all(|x| get(&tan, gen, x).is_none()) {
                    None
                } else {
                    let consts: Vec<Tensor> = inputs.iter().map(|t| t.detach()).collect();
                    let tins: Vec<Option<Tensor>> = inputs
                        .iter()
                        .map(|x| get(&tan, gen, x).map(|s| Tensor::from_parts(s.clone(), x.0.shape.clone())))
                        .collect();
                    let t = tape::paused(|| op.jvp(&consts, &y.detach(), &tins))?.check()?;
                    if t.shape() != y.shape() {
                        return Err(AdError::CustomOp {
                            name: op.name().to_string(),
                            msg: format!(
                                "jvp tangent of shape {:?} for an output of shape {:?}",
                                t.shape(),
                                y.shape()
                            ),
                        });
                    }
                    Some(t.storage().clone())
                }
            }
        };
        tan[i] = t;
    }
    Ok(tan)
}
