//! [`CudaStorage`]: device buffers and the element-wise kernels.

use std::sync::Arc;

use cudarc::driver::{CudaFunction, CudaSlice, DevicePtrMut, LaunchConfig, PushKernelArg};

use super::codegen;
use super::context::{dev_err, gpu, Gpu};
use super::kernels;
use super::layout::Layout;
use crate::error::{AdError, Result};
use crate::kinds::{BinaryKind, CmpKind, UnaryKind};
use crate::shape::{broadcast_strides, numel};

/// Values of a tensor on a CUDA device, row-major. Immutable once made
/// (clones share the buffer), except through [`CudaStorage::add_assign`],
/// which writes in place only when the buffer is not shared.
#[derive(Clone)]
pub struct CudaStorage {
    pub(crate) buf: Arc<CudaSlice<f64>>,
    pub(crate) len: usize,
    pub(crate) gpu: Arc<Gpu>,
}

impl std::fmt::Debug for CudaStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CudaStorage(cuda:{}, {} values)", self.gpu.ordinal(), self.len)
    }
}

/// Launch shape of a 1-D kernel over `n` items.
pub(crate) fn grid(n: usize) -> LaunchConfig {
    LaunchConfig {
        grid_dim: ((n as u64).div_ceil(kernels::BLOCK as u64) as u32, 1, 1),
        block_dim: (kernels::BLOCK, 1, 1),
        shared_mem_bytes: 0,
    }
}

/// Errors when `n` items need more blocks than a 1-D grid has.
pub(crate) fn check_grid(n: usize) -> Result<()> {
    if (n as u64).div_ceil(kernels::BLOCK as u64) > i32::MAX as u64 {
        return Err(AdError::Device(format!("{n} items exceed the CUDA grid limit")));
    }
    Ok(())
}

/// Launches kernel `$f` on `$g`'s stream with launch shape `$cfg` and the
/// listed arguments, over `$n` items (nothing is launched when `$n == 0`).
macro_rules! launch {
    ($g:expr, $f:expr, $cfg:expr, $n:expr, [$($arg:expr),* $(,)?]) => {{
        let n_: usize = $n;
        if n_ == 0 {
            Ok(())
        } else {
            $crate::cuda::storage::check_grid(n_).and_then(|_| {
                let mut b_ = $g.stream.launch_builder(&$f);
                $( b_.arg($arg); )*
                // SAFETY: every kernel of this backend checks its index
                // against the item count it is given, and the buffers passed
                // hold at least the elements their layouts address.
                unsafe { b_.launch($cfg) }
                    .map(|_| ())
                    .map_err(|e| $crate::cuda::context::dev_err("CUDA kernel launch", e))
            })
        }
    }};
}
pub(crate) use launch;

/// An uninitialised buffer of `n` values (at least one element is allocated).
pub(crate) fn alloc(g: &Arc<Gpu>, n: usize) -> Result<CudaSlice<f64>> {
    // SAFETY: every caller fills all `n` values before they are read.
    unsafe { g.stream.alloc::<f64>(n.max(1)) }.map_err(|e| dev_err("CUDA allocation", e))
}

/// A zeroed buffer of `n` values.
pub(crate) fn zeros(g: &Arc<Gpu>, n: usize) -> Result<CudaSlice<f64>> {
    g.stream
        .alloc_zeros::<f64>(n.max(1))
        .map_err(|e| dev_err("CUDA allocation", e))
}

/// Uploads indices as `u64`.
pub(crate) fn upload_idx(g: &Arc<Gpu>, idx: &[usize]) -> Result<CudaSlice<u64>> {
    let v: Vec<u64> = if idx.is_empty() {
        vec![0]
    } else {
        idx.iter().map(|&i| i as u64).collect()
    };
    g.stream.clone_htod(&v).map_err(|e| dev_err("CUDA upload", e))
}

/// A kernel of the data-movement module.
pub(crate) fn layout_fn(g: &Gpu, name: &str) -> Result<CudaFunction> {
    g.function(kernels::MODULE, name, || {
        format!("{}{}", codegen::PRELUDE, kernels::SOURCE)
    })
}

impl CudaStorage {
    pub(crate) fn wrap(gpu: Arc<Gpu>, buf: CudaSlice<f64>, len: usize) -> CudaStorage {
        CudaStorage {
            buf: Arc::new(buf),
            len,
            gpu,
        }
    }

    /// Errors unless `other` lives on the same device.
    pub(crate) fn same_device(&self, op: &'static str, other: &CudaStorage) -> Result<()> {
        if self.gpu.ordinal() == other.gpu.ordinal() {
            Ok(())
        } else {
            Err(AdError::DeviceMismatch {
                op,
                lhs: format!("cuda:{}", self.gpu.ordinal()),
                rhs: format!("cuda:{}", other.gpu.ordinal()),
            })
        }
    }

    /// `n` copies of `v` on device `ordinal`.
    pub fn full(ordinal: usize, n: usize, v: f64) -> Result<CudaStorage> {
        let g = gpu(ordinal)?;
        let mut out = alloc(&g, n)?;
        let f = layout_fn(&g, "fill")?;
        let n64 = n as u64;
        launch!(&g, f, grid(n), n, [&mut out, &n64, &v])?;
        Ok(CudaStorage::wrap(g, out, n))
    }

    /// Copies host values to device `ordinal`.
    pub fn from_host(ordinal: usize, v: &[f64]) -> Result<CudaStorage> {
        let g = gpu(ordinal)?;
        let buf = if v.is_empty() {
            zeros(&g, 0)?
        } else {
            g.stream.clone_htod(v).map_err(|e| dev_err("CUDA upload", e))?
        };
        Ok(CudaStorage::wrap(g, buf, v.len()))
    }

    /// Copies the values to the host (waits for the queued work).
    pub fn to_host(&self) -> Result<Vec<f64>> {
        let mut v = if self.len == 0 {
            Vec::new()
        } else {
            self.gpu
                .stream
                .clone_dtoh(&*self.buf)
                .map_err(|e| dev_err("CUDA download", e))?
        };
        self.gpu.synchronize()?;
        v.truncate(self.len);
        Ok(v)
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The device ordinal.
    pub fn ordinal(&self) -> usize {
        self.gpu.ordinal()
    }

    /// f(x) element-wise.
    pub fn unary(&self, k: UnaryKind) -> Result<CudaStorage> {
        let g = &self.gpu;
        let name = codegen::unary_name(k);
        let f = g.function(&name, &name, || codegen::unary_source(k))?;
        let (c0, c1, ci) = codegen::unary_params(k);
        let n = self.len;
        let n64 = n as u64;
        let mut out = alloc(g, n)?;
        launch!(g, f, grid(n), n, [&*self.buf, &mut out, &n64, &c0, &c1, &ci])?;
        Ok(CudaStorage::wrap(g.clone(), out, n))
    }

    /// g · f'(x) element-wise, with `y = f(x)`.
    pub fn unary_scale(&self, y: &CudaStorage, gr: &CudaStorage, k: UnaryKind) -> Result<CudaStorage> {
        self.same_device(k.name(), y)?;
        self.same_device(k.name(), gr)?;
        let g = &self.gpu;
        let name = codegen::unary_scale_name(k);
        let f = g.function(&name, &name, || codegen::unary_scale_source(k))?;
        let (c0, c1, ci) = codegen::unary_params(k);
        let n = self.len;
        let n64 = n as u64;
        let mut out = alloc(g, n)?;
        launch!(
            g,
            f,
            grid(n),
            n,
            [&*self.buf, &*y.buf, &*gr.buf, &mut out, &n64, &c0, &c1, &ci]
        )?;
        Ok(CudaStorage::wrap(g.clone(), out, n))
    }

    /// Broadcast bookkeeping of a two-input kernel: (n, general, layout).
    fn broadcast_layout(
        &self,
        rhs: &CudaStorage,
        op: &'static str,
        ls: &[usize],
        rs: &[usize],
        os: &[usize],
    ) -> Result<(usize, i32, Layout)> {
        let n = numel(os);
        let (na, nb) = (self.len, rhs.len);
        let general = !((na == n || na == 1) && (nb == n || nb == 1));
        let l = if general {
            Layout::new(op, os, &[&broadcast_strides(ls, os), &broadcast_strides(rs, os)])?
        } else {
            Layout::default()
        };
        Ok((n, general as i32, l))
    }

    /// Runs a generated two-input kernel `name` (binary op or comparison).
    #[allow(clippy::too_many_arguments)]
    fn two_input(
        &self,
        rhs: &CudaStorage,
        op: &'static str,
        name: &str,
        src: impl FnOnce() -> String,
        ls: &[usize],
        rs: &[usize],
        os: &[usize],
    ) -> Result<CudaStorage> {
        self.same_device(op, rhs)?;
        let g = &self.gpu;
        let f = g.function(name, name, src)?;
        let (n, general, l) = self.broadcast_layout(rhs, op, ls, rs, os)?;
        let (n64, na, nb) = (n as u64, self.len as u64, rhs.len as u64);
        let mut out = alloc(g, n)?;
        launch!(
            g,
            f,
            grid(n),
            n,
            [&*self.buf, &*rhs.buf, &mut out, &n64, &na, &nb, &general, &l]
        )?;
        Ok(CudaStorage::wrap(g.clone(), out, n))
    }

    /// a ∘ b with broadcasting from shapes `ls`, `rs` to `os`.
    pub fn binary(
        &self,
        rhs: &CudaStorage,
        k: BinaryKind,
        ls: &[usize],
        rs: &[usize],
        os: &[usize],
    ) -> Result<CudaStorage> {
        self.two_input(
            rhs,
            k.name(),
            &codegen::binary_name(k),
            || codegen::binary_source(k),
            ls,
            rs,
            os,
        )
    }

    /// 0/1 mask of a broadcasting comparison.
    pub fn compare(
        &self,
        rhs: &CudaStorage,
        k: CmpKind,
        ls: &[usize],
        rs: &[usize],
        os: &[usize],
    ) -> Result<CudaStorage> {
        self.two_input(
            rhs,
            "compare",
            &codegen::compare_kernel_name(k),
            || codegen::compare_source(k),
            ls,
            rs,
            os,
        )
    }

    /// Output-shaped partial VJPs (g·∂f/∂a, g·∂f/∂b) of a broadcasting binary op.
    #[allow(clippy::too_many_arguments)]
    pub fn binary_scale(
        &self,
        b: &CudaStorage,
        y: &CudaStorage,
        gr: &CudaStorage,
        k: BinaryKind,
        ls: &[usize],
        rs: &[usize],
        os: &[usize],
        need: (bool, bool),
    ) -> Result<(Option<CudaStorage>, Option<CudaStorage>)> {
        for o in [b, y, gr] {
            self.same_device(k.name(), o)?;
        }
        let g = &self.gpu;
        let name = codegen::binary_scale_name(k);
        let f = g.function(&name, &name, || codegen::binary_scale_source(k))?;
        let (n, general, l) = self.broadcast_layout(b, k.name(), ls, rs, os)?;
        let (n64, na, nb) = (n as u64, self.len as u64, b.len as u64);
        let mut ga = if need.0 { Some(alloc(g, n)?) } else { None };
        let mut gb = if need.1 { Some(alloc(g, n)?) } else { None };
        {
            // null pointers skip the side that is not needed
            let pa = ga.as_mut().map_or(0u64, |s| s.device_ptr_mut(&g.stream).0);
            let pb = gb.as_mut().map_or(0u64, |s| s.device_ptr_mut(&g.stream).0);
            launch!(
                g,
                f,
                grid(n),
                n,
                [&*self.buf, &*b.buf, &*y.buf, &*gr.buf, &pa, &pb, &n64, &na, &nb, &general, &l]
            )?;
        }
        let wrap = |s: CudaSlice<f64>| CudaStorage::wrap(g.clone(), s, n);
        Ok((ga.map(wrap), gb.map(wrap)))
    }

    /// where(mask ≠ 0, a, b), all broadcast to `os`.
    #[allow(clippy::too_many_arguments)]
    pub fn select(
        m: &CudaStorage,
        a: &CudaStorage,
        b: &CudaStorage,
        ms: &[usize],
        ls: &[usize],
        rs: &[usize],
        os: &[usize],
    ) -> Result<CudaStorage> {
        m.same_device("select", a)?;
        m.same_device("select", b)?;
        let g = &m.gpu;
        let f = layout_fn(g, "select")?;
        let n = numel(os);
        let l = Layout::new(
            "select",
            os,
            &[
                &broadcast_strides(ms, os),
                &broadcast_strides(ls, os),
                &broadcast_strides(rs, os),
            ],
        )?;
        let n64 = n as u64;
        let mut out = alloc(g, n)?;
        launch!(g, f, grid(n), n, [&*m.buf, &*a.buf, &*b.buf, &mut out, &n64, &l])?;
        Ok(CudaStorage::wrap(g.clone(), out, n))
    }

    /// self += other (same length), in place when the buffer is not shared.
    pub fn add_assign(&mut self, other: &CudaStorage) -> Result<()> {
        self.same_device("accumulate", other)?;
        if self.len != other.len {
            return Err(AdError::InvalidArgument {
                op: "accumulate",
                msg: format!("{} values added to {}", other.len, self.len),
            });
        }
        let n = self.len;
        let g = self.gpu.clone();
        if let Some(buf) = Arc::get_mut(&mut self.buf) {
            let f = layout_fn(&g, "add_assign")?;
            let n64 = n as u64;
            return launch!(&g, f, grid(n), n, [buf, &*other.buf, &n64]);
        }
        let shape = [self.len];
        *self = self.binary(other, BinaryKind::Add, &shape, &shape, &shape)?;
        Ok(())
    }
}
