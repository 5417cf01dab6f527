//! Shapes, strides and NumPy broadcasting.

use crate::error::{AdError, Result};
use smallvec::SmallVec;

/// A tensor shape (row-major). Rank 0 is a scalar.
pub type Shape = SmallVec<[usize; 4]>;

/// Number of elements of a shape.
#[inline]
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Row-major strides of a shape, in elements.
pub fn strides(shape: &[usize]) -> Shape {
    let mut s: Shape = smallvec::smallvec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// The NumPy broadcast of two shapes, or a `ShapeMismatch` naming `op`.
pub fn broadcast_shapes(op: &'static str, a: &[usize], b: &[usize]) -> Result<Shape> {
    let n = a.len().max(b.len());
    let mut out: Shape = smallvec::smallvec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n { a[i + a.len() - n] } else { 1 };
        let db = if i + b.len() >= n { b[i + b.len() - n] } else { 1 };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(AdError::ShapeMismatch {
                op,
                lhs: a.into(),
                rhs: b.into(),
            });
        };
    }
    Ok(out)
}

/// Strides of `shape` viewed as broadcast to `target` (0 on broadcast axes).
pub fn broadcast_strides(shape: &[usize], target: &[usize]) -> Shape {
    let st = strides(shape);
    let off = target.len() - shape.len();
    let mut out: Shape = smallvec::smallvec![0; target.len()];
    for i in 0..shape.len() {
        out[i + off] = if shape[i] == 1 && target[i + off] != 1 {
            0
        } else {
            st[i]
        };
    }
    out
}

/// Axes of `target` along which `shape` was broadcast (to be summed in a VJP).
pub fn broadcast_axes(shape: &[usize], target: &[usize]) -> SmallVec<[usize; 4]> {
    let off = target.len() - shape.len();
    let mut axes = SmallVec::new();
    for (i, &t) in target.iter().enumerate() {
        if i < off || (shape[i - off] == 1 && t != 1) {
            axes.push(i);
        }
    }
    axes
}

/// Checks an axis against a rank.
pub fn check_axis(op: &'static str, axis: usize, rank: usize) -> Result<()> {
    if axis >= rank {
        return Err(AdError::InvalidArgument {
            op,
            msg: format!("axis {axis} out of range for rank {rank}"),
        });
    }
    Ok(())
}

/// Splits a shape at `axis` into (outer, len, inner) element counts.
#[inline]
pub fn split_at_axis(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    (numel(&shape[..axis]), shape[axis], numel(&shape[axis + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn broadcasting() {
        assert_eq!(
            broadcast_shapes("t", &[3, 1, 5], &[4, 5]).unwrap().as_slice(),
            &[3, 4, 5]
        );
        assert!(broadcast_shapes("t", &[3], &[4]).is_err());
        assert_eq!(broadcast_axes(&[4, 1], &[2, 4, 5]).as_slice(), &[0, 2]);
        assert_eq!(broadcast_strides(&[4, 1], &[2, 4, 5]).as_slice(), &[0, 1, 0]);
    }
}
