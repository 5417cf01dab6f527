//! Shapes and strides passed to kernels by value.
//!
//! A [`Layout`] maps a flat output index to up to three input offsets: the
//! output's multi-index (row-major over `shape`) dotted with each stride set.
//! Axes of length 1 carry no index and are dropped, so only axes longer than
//! one count towards [`MAX_RANK`].

use crate::error::{AdError, Result};
use cudarc::driver::DeviceRepr;

/// Most axes (of length > 1) a kernel layout can describe.
pub const MAX_RANK: usize = 8;

/// Kernel-side shape and stride sets (`struct Layout` in the CUDA source).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Layout {
    rank: u32,
    pad: u32,
    shape: [u64; MAX_RANK],
    s0: [u64; MAX_RANK],
    s1: [u64; MAX_RANK],
    s2: [u64; MAX_RANK],
}

// SAFETY: `Layout` is `repr(C)`, plain old data, and matches the CUDA struct
// of the same name field by field (two u32 then four u64[8] arrays).
unsafe impl DeviceRepr for Layout {}

impl Layout {
    /// A layout over `shape` with up to three stride sets (missing sets are 0).
    pub fn new(op: &'static str, shape: &[usize], strides: &[&[usize]]) -> Result<Layout> {
        let mut l = Layout::default();
        let mut r = 0;
        for (d, &len) in shape.iter().enumerate() {
            if len == 1 {
                continue;
            }
            if r == MAX_RANK {
                return Err(AdError::InvalidArgument {
                    op,
                    msg: format!(
                        "shape {shape:?} has more than {MAX_RANK} axes longer than 1 (CUDA kernel limit)"
                    ),
                });
            }
            l.shape[r] = len as u64;
            let sets = [&mut l.s0, &mut l.s1, &mut l.s2];
            for (set, st) in sets.into_iter().zip(strides) {
                set[r] = st[d] as u64;
            }
            r += 1;
        }
        l.rank = r as u32;
        Ok(l)
    }

    /// Number of axes kept.
    pub fn rank(&self) -> usize {
        self.rank as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_unit_axes_and_keeps_strides() {
        let l = Layout::new("t", &[2, 1, 3], &[&[3, 3, 1], &[0, 0, 1]]).unwrap();
        assert_eq!(l.rank(), 2);
        assert_eq!(&l.shape[..2], &[2, 3]);
        assert_eq!(&l.s0[..2], &[3, 1]);
        assert_eq!(&l.s1[..2], &[0, 1]);
        assert_eq!(&l.s2[..2], &[0, 0]);
        assert_eq!(std::mem::size_of::<Layout>(), 8 + 4 * 8 * MAX_RANK);
    }

    #[test]
    fn too_many_axes_is_an_error() {
        let shape = [2usize; MAX_RANK + 1];
        let st = crate::shape::strides(&shape);
        let e = Layout::new("t", &shape, &[&st]).unwrap_err();
        assert!(matches!(e, AdError::InvalidArgument { op: "t", .. }));
    }
}
