//! The tape: a Wengert list of recorded ops in an arena, walked in reverse for
//! vector–Jacobian products and forward for Jacobian–vector products.
//!
//! One tape records per thread at a time. A tensor remembers the index of the
//! node that made it and the generation of the tape; tensors of an older
//! generation (or with no node) are constants, so tensors that need no
//! gradient cost no tape entry.

use crate::custom::CustomOp;
use crate::error::{AdError, Result};
use crate::kinds::{BinaryKind, UnaryKind};
use crate::shape::Shape;
use crate::tensor::Tensor;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Where a tensor sits on a tape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NodeRef {
    pub gen: u32,
    pub idx: u32,
}

/// A recorded operation with what its VJP and JVP need.
pub(crate) enum Op {
    /// An input of the differentiated function.
    Leaf,
    Unary {
        k: UnaryKind,
        x: Tensor,
    },
    Binary {
        k: BinaryKind,
        a: Tensor,
        b: Tensor,
    },
    /// Sum over axes (kept as length 1 in `kept`), then reshaped to the output.
    Sum {
        x: Tensor,
        axes: Shape,
        kept: Shape,
    },
    BroadcastTo {
        x: Tensor,
    },
    MaxAxis {
        x: Tensor,
        arg: Rc<Vec<usize>>,
    },
    Cumsum {
        x: Tensor,
        axis: usize,
    },
    IndexSelect {
        x: Tensor,
        axis: usize,
        idx: Rc<Vec<usize>>,
    },
    Gather {
        x: Tensor,
        axis: usize,
        idx: Rc<Vec<usize>>,
        is: Shape,
    },
    Slice {
        x: Tensor,
        axis: usize,
        start: usize,
    },
    Concat {
        xs: Vec<Tensor>,
        axis: usize,
    },
    Reshape {
        x: Tensor,
    },
    Permute {
        x: Tensor,
        perm: Shape,
    },
    /// Batched matmul; `ba`, `bb` = batch counts of the operands (1 = broadcast).
    Matmul {
        a: Tensor,
        b: Tensor,
        batch: usize,
        m: usize,
        k: usize,
        n: usize,
    },
    Select {
        mask: Tensor,
        a: Tensor,
        b: Tensor,
    },
    Custom {
        op: Rc<dyn CustomOp>,
        inputs: Vec<Tensor>,
    },
}

pub(crate) struct Node {
    pub op: Op,
    /// The op's output (kept for VJPs that need it).
    pub out: Tensor,
}

/// A finished recording: the nodes, owned.
pub(crate) struct Tape {
    pub gen: u32,
    pub nodes: Vec<Node>,
}

thread_local! {
    static CURRENT_GEN: Cell<u32> = const { Cell::new(0) };
    static NEXT_GEN: Cell<u32> = const { Cell::new(1) };
    static NODES: RefCell<Vec<Node>> = const { RefCell::new(Vec::new()) };
    /// A cleared node arena kept for the next recording (saves regrowth).
    static SPARE: RefCell<Vec<Node>> = const { RefCell::new(Vec::new()) };
    static CHECK_FINITE: Cell<bool> = const { Cell::new(false) };
}

/// The generation being recorded, 0 when none.
#[inline]
pub(crate) fn current_gen() -> u32 {
    CURRENT_GEN.with(|g| g.get())
}

/// Turns NaN/Inf checking of every op output on or off for this thread.
/// When on, an op that produces a non-finite value returns an error tensor
/// ([`AdError::NonFinite`]) naming the op and its input shapes.
pub fn set_check_finite(on: bool) {
    CHECK_FINITE.with(|c| c.set(on));
}

/// Whether NaN/Inf checking is on for this thread.
pub fn check_finite_enabled() -> bool {
    CHECK_FINITE.with(|c| c.get())
}

/// Starts recording; fails if a tape is already recording on this thread.
pub(crate) fn begin(op: &'static str) -> Result<u32> {
    if current_gen() != 0 {
        return Err(AdError::NestedTape { op });
    }
    let gen = NEXT_GEN.with(|n| {
        let g = n.get();
        n.set(g.wrapping_add(1).max(1));
        g
    });
    NODES.with(|n| n.borrow_mut().clear());
    CURRENT_GEN.with(|g| g.set(gen));
    Ok(gen)
}

/// Stops recording and hands over the nodes.
pub(crate) fn end() -> Tape {
    let gen = current_gen();
    CURRENT_GEN.with(|g| g.set(0));
    let spare = SPARE.with(|s| std::mem::take(&mut *s.borrow_mut()));
    let nodes = NODES.with(|n| std::mem::replace(&mut *n.borrow_mut(), spare));
    Tape { gen, nodes }
}

/// Returns a finished tape's arena for reuse by the next recording.
pub(crate) fn recycle(mut tape: Tape) {
    tape.nodes.clear();
    let _ = SPARE.try_with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            if tape.nodes.capacity() > s.capacity() {
                *s = std::mem::take(&mut tape.nodes);
            }
        }
    });
}

/// Guard that ends an unfinished recording when dropped (e.g. on panic).
pub(crate) struct Recording;
impl Drop for Recording {
    fn drop(&mut self) {
        if current_gen() != 0 {
            drop(end());
        }
    }
}

/// Runs `f` with recording paused (used inside VJPs of custom ops).
pub(crate) fn paused<R>(f: impl FnOnce() -> R) -> R {
    let g = CURRENT_GEN.with(|c| c.replace(0));
    let r = f();
    CURRENT_GEN.with(|c| c.set(g));
    r
}

/// Whether an op with these inputs must be recorded.
#[inline]
pub(crate) fn needs_record(inputs: &[&Tensor]) -> Option<u32> {
    let gen = current_gen();
    if gen != 0 && inputs.iter().any(|t| t.node_gen() == gen) {
        Some(gen)
    } else {
        None
    }
}

/// Pushes a node for `out` (made by the caller with `node = NodeRef{gen, idx}`
/// where `idx` = [`next_index`]).
#[inline]
pub(crate) fn push(op: Op, out: Tensor) {
    NODES.with(|n| n.borrow_mut().push(Node { op, out }));
}

/// Records a node: `make(idx)` builds the output tensor for node `idx`, and
/// `op()` describes how it was made. One borrow of the arena per op.
#[inline]
pub(crate) fn record(make: impl FnOnce(u32) -> Tensor, op: impl FnOnce() -> Op) -> Tensor {
    NODES.with(|n| {
        let mut n = n.borrow_mut();
        let t = make(n.len() as u32);
        let op = op();
        n.push(Node { op, out: t.clone() });
        t
    })
}

/// Index the next pushed node will get.
#[inline]
pub(crate) fn next_index() -> u32 {
    NODES.with(|n| n.borrow().len() as u32)
}

/// Makes a leaf (input) node for a copy of `x` on the current tape.
pub(crate) fn leaf(x: &Tensor, gen: u32) -> Tensor {
    let idx = next_index();
    let t = x.with_node(Some(NodeRef { gen, idx }));
    push(Op::Leaf, t.clone());
    t
}
