//! Dense matrix products of the small networks (the compression flow's
//! conditioners, the afterglow surrogate's trainer), row-major `f64` through
//! `matrixmultiply` (optionally with a column-major result, the layout the
//! batched spline inversion reads).

/// `C (m×n) = op(A) op(B) + beta C`, `op(A)` `m×k` (stored `k×m` when `at`),
/// `op(B)` `k×n` (stored `n×k` when `bt`), all row-major.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f64],
    at: bool,
    b: &[f64],
    bt: bool,
    beta: f64,
    c: &mut [f64],
) {
    gemm_c(m, k, n, a, at, b, bt, beta, c, false);
}

/// [`gemm`] with `C` stored column-major (`C_ij` at `j m + i`) when `ct`.
/// The numbers do not depend on `ct`: `matrixmultiply` forms each element
/// of `C` by the same chain of (fused) multiply-adds over `k` either way.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm_c(
    m: usize,
    k: usize,
    n: usize,
    a: &[f64],
    at: bool,
    b: &[f64],
    bt: bool,
    beta: f64,
    c: &mut [f64],
    ct: bool,
) {
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    if m == 0 || n == 0 {
        return;
    }
    let (rsa, csa) = if at { (1, m as isize) } else { (k as isize, 1) };
    let (rsb, csb) = if bt { (1, k as isize) } else { (n as isize, 1) };
    let (rsc, csc) = if ct { (1, m as isize) } else { (n as isize, 1) };
    // SAFETY: the asserts above bound every access by the strides given.
    unsafe {
        matrixmultiply::dgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            rsa,
            csa,
            b.as_ptr(),
            rsb,
            csb,
            beta,
            c.as_mut_ptr(),
            rsc,
            csc,
        );
    }
}
