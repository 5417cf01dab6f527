//! CUDA C source of the data-movement and reduction kernels (one module,
//! compiled once per process and device). Each mirrors the CPU kernel of
//! the same name in `crate::cpu`; index arrays are `u64`.

/// Module name of [`SOURCE`].
pub const MODULE: &str = "ferrax_layout";

/// Threads per block of every 1-D launch (and of the block reduction).
pub const BLOCK: u32 = 256;

/// Kernels after the shared prelude (`codegen::PRELUDE`).
pub const SOURCE: &str = r#"
extern "C" __global__ void fill(double* out, u64 n, double v) {
    u64 i = fx_index();
    if (i < n) out[i] = v;
}

extern "C" __global__ void add_assign(double* a, const double* b, u64 n) {
    u64 i = fx_index();
    if (i < n) a[i] += b[i];
}

/* out[i] = mask != 0 ? a : b, with the three offsets from L (s0 mask, s1 a, s2 b). */
extern "C" __global__ void select(const double* m, const double* a, const double* b, double* out,
                                  u64 n, Layout L) {
    u64 i = fx_index();
    if (i < n) {
        u64 im, ia, ib;
        fx_offsets(L, i, &im, &ia, &ib);
        out[i] = (m[im] != 0.0) ? a[ia] : b[ib];
    }
}

/* out[i] = x[base + offset(i)] (broadcast, permute, slice). */
extern "C" __global__ void strided_copy(const double* x, double* out, u64 n, u64 base, Layout L) {
    u64 i = fx_index();
    if (i < n) {
        u64 o0, o1, o2;
        fx_offsets(L, i, &o0, &o1, &o2);
        out[i] = x[base + o0];
    }
}

/* out[base + offset(i)] = x[i] (pad, concat). */
extern "C" __global__ void strided_place(const double* x, double* out, u64 n, u64 base, Layout L) {
    u64 i = fx_index();
    if (i < n) {
        u64 o0, o1, o2;
        fx_offsets(L, i, &o0, &o1, &o2);
        out[base + o0] = x[i];
    }
}

/* Partial sums: block b reduces chunk (b % chunks) of the n_red reduced
   elements of output (b / chunks). K maps an output index to its input
   offset (s0), R a reduced index to its input offset (s0). */
extern "C" __global__ void reduce_sum(const double* x, double* out, u64 n_out, u64 n_red, u64 chunks,
                                      Layout K, Layout R) {
    __shared__ double sh[256];
    u64 b = blockIdx.x;
    u64 o = b / chunks;
    u64 c = b % chunks;
    u64 per = (n_red + chunks - 1) / chunks;
    u64 lo = c * per;
    u64 hi = lo + per < n_red ? lo + per : n_red;
    u64 base, t1, t2;
    fx_offsets(K, o, &base, &t1, &t2);
    double acc = 0.0;
    for (u64 r = lo + threadIdx.x; r < hi; r += blockDim.x) {
        u64 off;
        fx_offsets(R, r, &off, &t1, &t2);
        acc += x[base + off];
    }
    sh[threadIdx.x] = acc;
    __syncthreads();
    for (unsigned int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) sh[threadIdx.x] += sh[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0 && o < n_out) out[b] = sh[0];
}

/* Max along an axis and the flat arg-max; NaN wins, ties keep the first. */
extern "C" __global__ void max_axis(const double* x, double* out, u64* arg, u64 outer, u64 len, u64 inner) {
    u64 t = fx_index();
    if (t < outer * inner) {
        u64 o = t / inner, i = t % inner;
        u64 base = o * len * inner + i;
        u64 best = base;
        for (u64 l = 1; l < len; ++l) {
            u64 p = base + l * inner;
            if (x[p] > x[best] || isnan(x[p])) best = p;
        }
        out[t] = x[best];
        arg[t] = best;
    }
}

/* Inclusive cumulative sum, one thread per line (same order as the CPU). */
extern "C" __global__ void cumsum(const double* x, double* out, u64 outer, u64 len, u64 inner, int reverse) {
    u64 t = fx_index();
    if (t < outer * inner) {
        u64 o = t / inner, i = t % inner;
        u64 base = o * len * inner + i;
        double acc = 0.0;
        for (u64 l = 0; l < len; ++l) {
            u64 q = reverse ? len - 1 - l : l;
            u64 p = base + q * inner;
            acc += x[p];
            out[p] = acc;
        }
    }
}

/* out[o, j, i] = x[o, idx[j], i]; m = number of indices. */
extern "C" __global__ void index_select(const double* x, double* out, const u64* idx, u64 n,
                                        u64 len, u64 m, u64 inner) {
    u64 t = fx_index();
    if (t < n) {
        u64 i = t % inner;
        u64 j = (t / inner) % m;
        u64 o = t / (inner * m);
        out[t] = x[(o * len + idx[j]) * inner + i];
    }
}

/* out[o, idx[j], i] += src[o, j, i]; out holds zeros of length len along the axis. */
extern "C" __global__ void index_add(const double* src, double* out, const u64* idx, u64 n,
                                     u64 len, u64 m, u64 inner) {
    u64 t = fx_index();
    if (t < n) {
        u64 i = t % inner;
        u64 j = (t / inner) % m;
        u64 o = t / (inner * m);
        fx_atomic_add(&out[(o * len + idx[j]) * inner + i], src[t]);
    }
}

/* take_along_axis: out[o, j, i] = x[o, idx[o, j, i], i]. */
extern "C" __global__ void gather(const double* x, double* out, const u64* idx, u64 n,
                                  u64 len, u64 m, u64 inner) {
    u64 t = fx_index();
    if (t < n) {
        u64 i = t % inner;
        u64 o = t / (inner * m);
        out[t] = x[(o * len + idx[t]) * inner + i];
    }
}

/* VJP of gather: out[o, idx[o, j, i], i] += g[o, j, i]. */
extern "C" __global__ void scatter_add(const double* g, double* out, const u64* idx, u64 n,
                                       u64 len, u64 m, u64 inner) {
    u64 t = fx_index();
    if (t < n) {
        u64 i = t % inner;
        u64 o = t / (inner * m);
        fx_atomic_add(&out[(o * len + idx[t]) * inner + i], g[t]);
    }
}
"#;

/// Names of the kernels in [`SOURCE`].
pub const NAMES: &[&str] = &[
    "fill",
    "add_assign",
    "select",
    "strided_copy",
    "strided_place",
    "reduce_sum",
    "max_axis",
    "cumsum",
    "index_select",
    "index_add",
    "gather",
    "scatter_add",
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_named_kernel_is_defined() {
        for n in super::NAMES {
            assert!(super::SOURCE.contains(&format!("void {n}(")), "{n}");
        }
    }
}
