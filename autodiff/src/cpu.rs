//! CPU kernels over contiguous row-major `f64` slices.

use crate::kinds::{BinaryKind, CmpKind, UnaryKind};
use crate::pool::{self, CpuBuf};
use crate::shape::{broadcast_strides, numel, split_at_axis, strides};

/// Calls `f(out_index, a_offset, b_offset)` for every element of the
/// broadcast of shapes `ls` and `rs` to `os`.
#[inline]
fn for_each_broadcast(ls: &[usize], rs: &[usize], os: &[usize], mut f: impl FnMut(usize, usize, usize)) {
    let n = numel(os);
    if n == 0 {
        return;
    }
    let sa = broadcast_strides(ls, os);
    let sb = broadcast_strides(rs, os);
    let rank = os.len();
    if rank == 0 {
        f(0, 0, 0);
        return;
    }
    let inner = os[rank - 1];
    let (ia, ib) = (sa[rank - 1], sb[rank - 1]);
    let mut idx = vec![0usize; rank];
    let (mut oa, mut ob) = (0usize, 0usize);
    let mut o = 0;
    while o < n {
        for j in 0..inner {
            f(o + j, oa + j * ia, ob + j * ib);
        }
        o += inner;
        // advance the multi-index over the outer axes
        let mut d = rank - 1;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            idx[d] += 1;
            oa += sa[d];
            ob += sb[d];
            if idx[d] < os[d] {
                break;
            }
            oa -= sa[d] * os[d];
            ob -= sb[d] * os[d];
            idx[d] = 0;
        }
    }
}

/// y = f(x) element-wise.
pub fn unary(x: &[f64], k: UnaryKind) -> CpuBuf {
    pool::build(x.len(), x.iter().map(|&v| k.apply(v)))
}

/// g · f'(x) element-wise (the VJP and the JVP of a unary op).
pub fn unary_scale(x: &[f64], y: &[f64], g: &[f64], k: UnaryKind) -> CpuBuf {
    let n = x.len();
    match k {
        UnaryKind::Neg => pool::build(n, g.iter().map(|&g| -g)),
        UnaryKind::AddScalar(_) => pool::build(n, g.iter().copied()),
        UnaryKind::MulScalar(c) => pool::build(n, g.iter().map(|&g| c * g)),
        _ => pool::build(
            n,
            x.iter()
                .zip(y)
                .zip(g)
                .map(|((&x, &y), &g)| g * k.derivative(x, y)),
        ),
    }
}

/// a ∘ b with broadcasting.
pub fn binary(a: &[f64], b: &[f64], k: BinaryKind, ls: &[usize], rs: &[usize], os: &[usize]) -> CpuBuf {
    let n = numel(os);
    if a.len() == n && b.len() == n {
        pool::build(n, a.iter().zip(b).map(|(&a, &b)| k.apply(a, b)))
    } else if a.len() == n && b.len() == 1 {
        let b = b[0];
        pool::build(n, a.iter().map(|&a| k.apply(a, b)))
    } else if b.len() == n && a.len() == 1 {
        let a = a[0];
        pool::build(n, b.iter().map(|&b| k.apply(a, b)))
    } else {
        let mut out = pool::filled(n, 0.0);
        for_each_broadcast(ls, rs, os, |o, i, j| out[o] = k.apply(a[i], b[j]));
        out
    }
}

/// Output-shaped (g·∂f/∂a, g·∂f/∂b) of a broadcasting binary op; either
/// side may be skipped. Reduction to the input shapes is done by the caller.
#[allow(clippy::too_many_arguments)]
pub fn binary_scale(
    a: &[f64],
    b: &[f64],
    y: &[f64],
    g: &[f64],
    k: BinaryKind,
    ls: &[usize],
    rs: &[usize],
    os: &[usize],
    need: (bool, bool),
) -> (Option<CpuBuf>, Option<CpuBuf>) {
    let n = numel(os);
    if a.len() == n && b.len() == n {
        let ga = need
            .0
            .then(|| pool::build(n, (0..n).map(|o| g[o] * k.derivatives(a[o], b[o], y[o]).0)));
        let gb = need
            .1
            .then(|| pool::build(n, (0..n).map(|o| g[o] * k.derivatives(a[o], b[o], y[o]).1)));
        return (ga, gb);
    }
    let mut ga = if need.0 { Some(pool::filled(n, 0.0)) } else { None };
    let mut gb = if need.1 { Some(pool::filled(n, 0.0)) } else { None };
    let mut put = |o: usize, i: usize, j: usize| {
        let (da, db) = k.derivatives(a[i], b[j], y[o]);
        if let Some(ga) = ga.as_mut() {
            ga[o] = g[o] * da;
        }
        if let Some(gb) = gb.as_mut() {
            gb[o] = g[o] * db;
        }
    };
    if a.len() == n && b.len() == n {
        for o in 0..n {
            put(o, o, o);
        }
    } else if a.len() == n && b.len() == 1 {
        for o in 0..n {
            put(o, o, 0);
        }
    } else if b.len() == n && a.len() == 1 {
        for o in 0..n {
            put(o, 0, o);
        }
    } else {
        for_each_broadcast(ls, rs, os, put);
    }
    (ga, gb)
}

/// 0/1 mask of a comparison, broadcasting.
pub fn compare(a: &[f64], b: &[f64], k: CmpKind, ls: &[usize], rs: &[usize], os: &[usize]) -> CpuBuf {
    let mut out = pool::filled(numel(os), 0.0);
    for_each_broadcast(ls, rs, os, |o, i, j| out[o] = k.apply(a[i], b[j]));
    out
}

/// where(mask ≠ 0, a, b) with all three broadcast to `os`.
pub fn select(
    m: &[f64],
    a: &[f64],
    b: &[f64],
    ms: &[usize],
    ls: &[usize],
    rs: &[usize],
    os: &[usize],
) -> CpuBuf {
    let n = numel(os);
    let mut out = pool::filled(n, 0.0);
    // broadcast a and b against each other, then look the mask up separately
    let sm = broadcast_strides(ms, os);
    let ost = strides(os);
    for_each_broadcast(ls, rs, os, |o, i, j| {
        let mut rem = o;
        let mut mi = 0;
        for d in 0..os.len() {
            let q = rem / ost[d];
            rem -= q * ost[d];
            mi += q * sm[d];
        }
        out[o] = if m[mi] != 0.0 { a[i] } else { b[j] };
    });
    out
}

/// Sums `x` (shape `xs`) over `axes`, keeping them as length-1 axes.
pub fn sum_axes(x: &[f64], xs: &[usize], axes: &[usize]) -> CpuBuf {
    let mut os: Vec<usize> = xs.to_vec();
    for &a in axes {
        os[a] = 1;
    }
    let n_out = numel(&os);
    if n_out == 1 {
        let mut out = pool::take(1);
        out.push(x.iter().sum());
        return out;
    }
    let mut out = pool::filled(n_out, 0.0);
    // x viewed as broadcast of `out` to `xs`: accumulate
    for_each_broadcast(xs, &os, xs, |_, i, j| out[j] += x[i]);
    out
}

/// Broadcasts `x` of shape `xs` to `os`.
pub fn broadcast_to(x: &[f64], xs: &[usize], os: &[usize]) -> CpuBuf {
    let n = numel(os);
    if x.len() == 1 {
        return pool::filled(n, x[0]);
    }
    let mut out = pool::filled(n, 0.0);
    for_each_broadcast(xs, xs, os, |o, i, _| out[o] = x[i]);
    out
}

/// Maximum along `axis` (removed) and the flat arg-max positions in `x`.
pub fn max_axis(x: &[f64], xs: &[usize], axis: usize) -> (CpuBuf, Vec<usize>) {
    let (outer, len, inner) = split_at_axis(xs, axis);
    let mut out = pool::take(outer * inner);
    let mut arg = Vec::with_capacity(outer * inner);
    for o in 0..outer {
        for i in 0..inner {
            let base = o * len * inner + i;
            let mut best = base;
            for l in 1..len {
                let p = base + l * inner;
                if x[p] > x[best] || x[p].is_nan() {
                    best = p;
                }
            }
            out.push(x[best]);
            arg.push(best);
        }
    }
    (out, arg)
}

/// Inclusive cumulative sum along `axis`, forward or from the end.
pub fn cumsum(x: &[f64], xs: &[usize], axis: usize, reverse: bool) -> CpuBuf {
    let (outer, len, inner) = split_at_axis(xs, axis);
    let mut out = pool::filled(x.len(), 0.0);
    for o in 0..outer {
        for i in 0..inner {
            let base = o * len * inner + i;
            let mut acc = 0.0;
            for l in 0..len {
                let l = if reverse { len - 1 - l } else { l };
                let p = base + l * inner;
                acc += x[p];
                out[p] = acc;
            }
        }
    }
    out
}

/// Picks entries `idx` along `axis`.
pub fn index_select(x: &[f64], xs: &[usize], axis: usize, idx: &[usize]) -> CpuBuf {
    let (outer, len, inner) = split_at_axis(xs, axis);
    let mut out = pool::take(outer * idx.len() * inner);
    for o in 0..outer {
        for &k in idx {
            let s = o * len * inner + k * inner;
            out.extend_from_slice(&x[s..s + inner]);
        }
    }
    out
}

/// Adds `src` (shape `xs` with `idx.len()` along `axis`) into zeros of
/// length `len` along `axis` at `idx` (the VJP of `index_select`).
pub fn index_add(src: &[f64], xs: &[usize], axis: usize, idx: &[usize], len: usize) -> CpuBuf {
    let (outer, n, inner) = split_at_axis(xs, axis);
    let mut out = pool::filled(outer * len * inner, 0.0);
    for o in 0..outer {
        for (j, &k) in idx.iter().enumerate().take(n) {
            let s = o * n * inner + j * inner;
            let d = o * len * inner + k * inner;
            for t in 0..inner {
                out[d + t] += src[s + t];
            }
        }
    }
    out
}

/// take_along_axis: `out[.., j, ..] = x[.., idx[.., j, ..], ..]`, where `idx`
/// has the shape of `x` except along `axis` (`is`).
pub fn gather(x: &[f64], xs: &[usize], axis: usize, idx: &[usize], is: &[usize]) -> CpuBuf {
    let (outer, len, inner) = split_at_axis(xs, axis);
    let m = is[axis];
    let mut out = pool::take(outer * m * inner);
    for o in 0..outer {
        for j in 0..m {
            for t in 0..inner {
                let k = idx[o * m * inner + j * inner + t];
                out.push(x[o * len * inner + k * inner + t]);
            }
        }
    }
    out
}

/// Scatter-add, the VJP of [`gather`].
pub fn scatter_add(g: &[f64], xs: &[usize], axis: usize, idx: &[usize], is: &[usize]) -> CpuBuf {
    let (outer, len, inner) = split_at_axis(xs, axis);
    let m = is[axis];
    let mut out = pool::filled(outer * len * inner, 0.0);
    for o in 0..outer {
        for j in 0..m {
            for t in 0..inner {
                let q = o * m * inner + j * inner + t;
                out[o * len * inner + idx[q] * inner + t] += g[q];
            }
        }
    }
    out
}

/// Entries `start..start+n` along `axis`.
pub fn slice(x: &[f64], xs: &[usize], axis: usize, start: usize, n: usize) -> CpuBuf {
    let (outer, len, inner) = split_at_axis(xs, axis);
    let mut out = pool::take(outer * n * inner);
    for o in 0..outer {
        let s = (o * len + start) * inner;
        out.extend_from_slice(&x[s..s + n * inner]);
    }
    out
}

/// Places `x` at `start` along `axis` inside zeros of length `len` (VJP of slice).
pub fn pad(x: &[f64], xs: &[usize], axis: usize, start: usize, len: usize) -> CpuBuf {
    let (outer, n, inner) = split_at_axis(xs, axis);
    let mut out = pool::filled(outer * len * inner, 0.0);
    for o in 0..outer {
        let d = (o * len + start) * inner;
        out[d..d + n * inner].copy_from_slice(&x[o * n * inner..(o + 1) * n * inner]);
    }
    out
}

/// Concatenation along `axis` of parts with shapes `shapes`.
pub fn concat(parts: &[&[f64]], shapes: &[&[usize]], axis: usize) -> CpuBuf {
    let outer = numel(&shapes[0][..axis]);
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let mut out = pool::take(total);
    for o in 0..outer {
        for (p, s) in parts.iter().zip(shapes) {
            let chunk = numel(&s[axis..]);
            out.extend_from_slice(&p[o * chunk..(o + 1) * chunk]);
        }
    }
    out
}

/// Axis permutation: output axis `i` is input axis `perm[i]`.
pub fn permute(x: &[f64], xs: &[usize], perm: &[usize]) -> CpuBuf {
    let ist = strides(xs);
    let os: Vec<usize> = perm.iter().map(|&p| xs[p]).collect();
    let pst: Vec<usize> = perm.iter().map(|&p| ist[p]).collect();
    let n = x.len();
    let mut out = pool::take(n);
    if os.is_empty() {
        out.extend_from_slice(x);
        return out;
    }
    let rank = os.len();
    let mut idx = vec![0usize; rank];
    let mut off = 0usize;
    for _ in 0..n {
        out.push(x[off]);
        let mut d = rank;
        while d > 0 {
            d -= 1;
            idx[d] += 1;
            off += pst[d];
            if idx[d] < os[d] {
                break;
            }
            off -= pst[d] * os[d];
            idx[d] = 0;
        }
    }
    out
}

/// Batched matrix product `C[b] = op(A[b]) · op(B[b])`, with `A` of `ba`
/// batches (1 = broadcast) and `B` of `bb` batches; op transposes when asked.
/// Shapes after op: A is m×k, B is k×n.
#[allow(clippy::too_many_arguments)]
pub fn matmul(
    a: &[f64],
    b: &[f64],
    batch: usize,
    ba: usize,
    bb: usize,
    m: usize,
    k: usize,
    n: usize,
    trans_a: bool,
    trans_b: bool,
) -> CpuBuf {
    let mut out = pool::filled(batch * m * n, 0.0);
    // row/column strides of op(A) (m×k) and op(B) (k×n) in the stored layout
    let (rsa, csa) = if trans_a { (1, m) } else { (k, 1) };
    let (rsb, csb) = if trans_b { (1, k) } else { (n, 1) };
    for t in 0..batch {
        let pa = &a[if ba == 1 { 0 } else { t * m * k }..];
        let pb = &b[if bb == 1 { 0 } else { t * k * n }..];
        let pc = &mut out[t * m * n..(t + 1) * m * n];
        // SAFETY: the slices hold at least the m·k, k·n and m·n elements that
        // the given strides address; `pc` is uniquely borrowed.
        unsafe {
            matrixmultiply::dgemm(
                m,
                k,
                n,
                1.0,
                pa.as_ptr(),
                rsa as isize,
                csa as isize,
                pb.as_ptr(),
                rsb as isize,
                csb as isize,
                0.0,
                pc.as_mut_ptr(),
                n as isize,
                1,
            );
        }
    }
    out
}
