//! Reductions, data movement and matrix products of [`CudaStorage`]; each
//! mirrors the CPU kernel of the same name in `crate::cpu`.

use cudarc::cublas::sys::cublasOperation_t;
use cudarc::cublas::{Gemm, GemmConfig, StridedBatchedConfig};
use cudarc::driver::{CudaSlice, LaunchConfig, PushKernelArg};

use super::context::dev_err;
use super::kernels;
use super::layout::Layout;
use super::storage::{alloc, grid, launch, layout_fn, upload_idx, zeros, CudaStorage};
use crate::error::{AdError, Result};
use crate::shape::{broadcast_strides, numel, split_at_axis, strides};

/// Reduced elements one block sums before the partial sums are combined.
const PER_BLOCK: usize = 8192;

impl CudaStorage {
    fn new_like(&self, buf: CudaSlice<f64>, len: usize) -> CudaStorage {
        CudaStorage::wrap(self.gpu.clone(), buf, len)
    }

    /// out[i] = self[base + offset(i)] over output shape `os` with input strides `st`.
    fn strided_copy(&self, op: &'static str, os: &[usize], st: &[usize], base: usize) -> Result<CudaStorage> {
        let g = &self.gpu;
        let n = numel(os);
        let l = Layout::new(op, os, &[st])?;
        let f = layout_fn(g, "strided_copy")?;
        let (n64, base) = (n as u64, base as u64);
        let mut out = alloc(g, n)?;
        launch!(g, f, grid(n), n, [&*self.buf, &mut out, &n64, &base, &l])?;
        Ok(self.new_like(out, n))
    }

    /// out[base + offset(i)] = self[i] over `self`'s shape `xs` with output strides `st`.
    fn strided_place(
        &self,
        op: &'static str,
        out: &mut CudaSlice<f64>,
        xs: &[usize],
        st: &[usize],
        base: usize,
    ) -> Result<()> {
        let g = &self.gpu;
        let n = numel(xs);
        let l = Layout::new(op, xs, &[st])?;
        let f = layout_fn(g, "strided_place")?;
        let (n64, base) = (n as u64, base as u64);
        launch!(g, f, grid(n), n, [&*self.buf, out, &n64, &base, &l])
    }

    /// Block sums of `n_out` outputs over `n_red` reduced elements each.
    fn reduce(&self, n_out: usize, n_red: usize, kept: &Layout, red: &Layout) -> Result<CudaStorage> {
        let g = &self.gpu;
        let f = layout_fn(g, "reduce_sum")?;
        let chunks = if n_out >= 1024 {
            1
        } else {
            n_red.div_ceil(PER_BLOCK).clamp(1, 1024)
        };
        let blocks = n_out * chunks;
        let mut out = alloc(g, blocks)?;
        let (o64, r64, c64) = (n_out as u64, n_red as u64, chunks as u64);
        let cfg = LaunchConfig {
            grid_dim: (blocks as u32, 1, 1),
            block_dim: (kernels::BLOCK, 1, 1),
            shared_mem_bytes: 0,
        };
        if blocks > i32::MAX as usize {
            return Err(AdError::Device(format!(
                "{blocks} blocks exceed the CUDA grid limit"
            )));
        }
        launch!(
            g,
            f,
            cfg,
            blocks,
            [&*self.buf, &mut out, &o64, &r64, &c64, kept, red]
        )?;
        let partial = self.new_like(out, blocks);
        if chunks == 1 {
            return Ok(partial);
        }
        // combine the partial sums of each output (contiguous rows of `chunks`)
        let kept = Layout::new("sum", &[n_out], &[&[chunks]])?;
        let red = Layout::new("sum", &[chunks], &[&[1]])?;
        partial.reduce(n_out, chunks, &kept, &red)
    }

    /// Sum over `axes` (kept as length 1).
    pub fn sum_axes(&self, xs: &[usize], axes: &[usize]) -> Result<CudaStorage> {
        let st = strides(xs);
        let (mut ks, mut kst, mut rsh, mut rst) = (vec![], vec![], vec![], vec![]);
        for (d, (&len, &s)) in xs.iter().zip(&st).enumerate() {
            if axes.contains(&d) {
                rsh.push(len);
                rst.push(s);
            } else {
                ks.push(len);
                kst.push(s);
            }
        }
        let (n_out, n_red) = (numel(&ks), numel(&rsh));
        if n_red == 0 || n_out == 0 {
            return CudaStorage::full(self.ordinal(), n_out, 0.0);
        }
        if n_red == 1 {
            return Ok(self.clone());
        }
        let kept = Layout::new("sum", &ks, &[&kst])?;
        let red = Layout::new("sum", &rsh, &[&rst])?;
        self.reduce(n_out, n_red, &kept, &red)
    }

    /// Broadcast from `xs` to `os`.
    pub fn broadcast_to(&self, xs: &[usize], os: &[usize]) -> Result<CudaStorage> {
        if numel(xs) == numel(os) {
            return Ok(self.clone());
        }
        self.strided_copy("broadcast_to", os, &broadcast_strides(xs, os), 0)
    }

    /// Max along `axis` (removed) and the flat arg-max positions.
    pub fn max_axis(&self, xs: &[usize], axis: usize) -> Result<(CudaStorage, Vec<usize>)> {
        let g = &self.gpu;
        let (outer, len, inner) = split_at_axis(xs, axis);
        let n = outer * inner;
        if len == 0 {
            return Err(AdError::InvalidArgument {
                op: "max",
                msg: format!("axis {axis} of shape {xs:?} is empty"),
            });
        }
        let f = layout_fn(g, "max_axis")?;
        let mut out = alloc(g, n)?;
        // SAFETY: every arg-max is written by the kernel before it is read.
        let mut arg =
            unsafe { g.stream.alloc::<u64>(n.max(1)) }.map_err(|e| dev_err("CUDA allocation", e))?;
        let (o64, l64, i64_) = (outer as u64, len as u64, inner as u64);
        launch!(
            g,
            f,
            grid(n),
            n,
            [&*self.buf, &mut out, &mut arg, &o64, &l64, &i64_]
        )?;
        let mut pos: Vec<u64> = g
            .stream
            .clone_dtoh(&arg)
            .map_err(|e| dev_err("CUDA download", e))?;
        g.synchronize()?;
        pos.truncate(n);
        Ok((
            self.new_like(out, n),
            pos.into_iter().map(|p| p as usize).collect(),
        ))
    }

    /// Inclusive cumulative sum along `axis` (from the end when `reverse`).
    pub fn cumsum(&self, xs: &[usize], axis: usize, reverse: bool) -> Result<CudaStorage> {
        let g = &self.gpu;
        let (outer, len, inner) = split_at_axis(xs, axis);
        let lines = outer * inner;
        let f = layout_fn(g, "cumsum")?;
        let mut out = alloc(g, self.len)?;
        let (o64, l64, i64_, rev) = (outer as u64, len as u64, inner as u64, reverse as i32);
        launch!(
            g,
            f,
            grid(lines),
            lines * len,
            [&*self.buf, &mut out, &o64, &l64, &i64_, &rev]
        )?;
        Ok(self.new_like(out, self.len))
    }

    /// Runs an index kernel (`index_select`, `gather`) into a new buffer of `n` values.
    #[allow(clippy::too_many_arguments)]
    fn index_kernel(
        &self,
        name: &str,
        idx: &[usize],
        n: usize,
        len: usize,
        m: usize,
        inner: usize,
        zeroed: bool,
    ) -> Result<CudaStorage> {
        let g = &self.gpu;
        let f = layout_fn(g, name)?;
        let di = upload_idx(g, idx)?;
        let mut out = if zeroed { zeros(g, n)? } else { alloc(g, n)? };
        // threads run over the source of scatters and over the output of gathers
        let items = if zeroed { self.len } else { n };
        let (t64, l64, m64, i64_) = (items as u64, len as u64, m as u64, inner as u64);
        if m > 0 && inner > 0 {
            launch!(
                g,
                f,
                grid(items),
                items,
                [&*self.buf, &mut out, &di, &t64, &l64, &m64, &i64_]
            )?;
        }
        Ok(self.new_like(out, n))
    }

    /// Entries `idx` along `axis`.
    pub fn index_select(&self, xs: &[usize], axis: usize, idx: &[usize]) -> Result<CudaStorage> {
        let (outer, len, inner) = split_at_axis(xs, axis);
        self.index_kernel(
            "index_select",
            idx,
            outer * idx.len() * inner,
            len,
            idx.len(),
            inner,
            false,
        )
    }

    /// VJP of `index_select`: scatter-add into length `len` along `axis`.
    pub fn index_add(&self, xs: &[usize], axis: usize, idx: &[usize], len: usize) -> Result<CudaStorage> {
        let (outer, n, inner) = split_at_axis(xs, axis);
        if idx.len() < n {
            return Err(AdError::InvalidArgument {
                op: "index_add",
                msg: format!("{} indices for {n} entries along axis {axis}", idx.len()),
            });
        }
        self.index_kernel("index_add", idx, outer * len * inner, len, n, inner, true)
    }

    /// take_along_axis with indices of shape `is`.
    pub fn gather(&self, xs: &[usize], axis: usize, idx: &[usize], is: &[usize]) -> Result<CudaStorage> {
        let (outer, len, inner) = split_at_axis(xs, axis);
        self.index_kernel(
            "gather",
            idx,
            outer * is[axis] * inner,
            len,
            is[axis],
            inner,
            false,
        )
    }

    /// VJP of `gather` (`self` has the index shape `is`, the result `xs`).
    pub fn scatter_add(&self, xs: &[usize], axis: usize, idx: &[usize], is: &[usize]) -> Result<CudaStorage> {
        let (outer, len, inner) = split_at_axis(xs, axis);
        self.index_kernel(
            "scatter_add",
            idx,
            outer * len * inner,
            len,
            is[axis],
            inner,
            true,
        )
    }

    /// Entries `start..start+n` along `axis`.
    pub fn slice(&self, xs: &[usize], axis: usize, start: usize, n: usize) -> Result<CudaStorage> {
        let mut os = xs.to_vec();
        os[axis] = n;
        let st = strides(xs);
        self.strided_copy("slice", &os, &st, start * st[axis])
    }

    /// Zero-padding to `len` along `axis` with `self` at `start`.
    pub fn pad(&self, xs: &[usize], axis: usize, start: usize, len: usize) -> Result<CudaStorage> {
        let mut os = xs.to_vec();
        os[axis] = len;
        let ost = strides(&os);
        let total = numel(&os);
        let mut out = zeros(&self.gpu, total)?;
        self.strided_place("pad", &mut out, xs, &ost, start * ost[axis])?;
        Ok(self.new_like(out, total))
    }

    /// Concatenation along `axis`.
    pub fn concat(parts: &[&CudaStorage], shapes: &[&[usize]], axis: usize) -> Result<CudaStorage> {
        let first = parts.first().ok_or_else(|| AdError::InvalidArgument {
            op: "concat",
            msg: "no tensors".into(),
        })?;
        let mut os = shapes[0].to_vec();
        os[axis] = shapes.iter().map(|s| s[axis]).sum();
        let ost = strides(&os);
        let total = numel(&os);
        let mut out = alloc(&first.gpu, total)?;
        let mut at = 0;
        for (p, s) in parts.iter().zip(shapes) {
            first.same_device("concat", p)?;
            p.strided_place("concat", &mut out, s, &ost, at * ost[axis])?;
            at += s[axis];
        }
        Ok(first.new_like(out, total))
    }

    /// Axis permutation: output axis `i` is input axis `perm[i]`.
    pub fn permute(&self, xs: &[usize], perm: &[usize]) -> Result<CudaStorage> {
        let ist = strides(xs);
        let os: Vec<usize> = perm.iter().map(|&p| xs[p]).collect();
        let pst: Vec<usize> = perm.iter().map(|&p| ist[p]).collect();
        self.strided_copy("permute", &os, &pst, 0)
    }

    /// Batched `C[b] = op(A[b]) · op(B[b])` with cuBLAS (see `cpu::matmul`).
    #[allow(clippy::too_many_arguments)]
    pub fn matmul(
        &self,
        b: &CudaStorage,
        batch: usize,
        ba: usize,
        bb: usize,
        m: usize,
        k: usize,
        n: usize,
        ta: bool,
        tb: bool,
    ) -> Result<CudaStorage> {
        self.same_device("matmul", b)?;
        let total = batch * m * n;
        if total == 0 || k == 0 {
            return CudaStorage::full(self.ordinal(), total, 0.0);
        }
        let int = |v: usize| -> Result<i32> {
            i32::try_from(v).map_err(|_| AdError::InvalidArgument {
                op: "matmul",
                msg: format!("dimension {v} exceeds the cuBLAS limit"),
            })
        };
        let long = |v: usize| v as i64;
        // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: cuBLAS
        // gets B as its first operand and A as its second, with m and n swapped.
        let op = |t: bool| {
            if t {
                cublasOperation_t::CUBLAS_OP_T
            } else {
                cublasOperation_t::CUBLAS_OP_N
            }
        };
        let cfg = StridedBatchedConfig {
            gemm: GemmConfig {
                transa: op(tb),
                transb: op(ta),
                m: int(n)?,
                n: int(m)?,
                k: int(k)?,
                alpha: 1.0f64,
                lda: int(if tb { k } else { n })?,
                ldb: int(if ta { m } else { k })?,
                beta: 0.0f64,
                ldc: int(n)?,
            },
            batch_size: int(batch)?,
            stride_a: if bb == 1 { 0 } else { long(k * n) },
            stride_b: if ba == 1 { 0 } else { long(m * k) },
            stride_c: long(m * n),
        };
        let g = &self.gpu;
        let blas = g.blas()?;
        let mut out = alloc(g, total)?;
        // SAFETY: A holds ba·m·k values, B bb·k·n and C batch·m·n, which is
        // what the leading dimensions and batch strides above address.
        unsafe { blas.gemm_strided_batched(cfg, &*b.buf, &*self.buf, &mut out) }
            .map_err(|e| dev_err("cuBLAS dgemm", e))?;
        Ok(self.new_like(out, total))
    }
}
