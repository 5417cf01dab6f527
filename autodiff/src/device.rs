//! Devices and device storage.
//!
//! Op code never touches memory directly: it calls the kernel methods of
//! [`Storage`], which dispatch to the CPU kernels or, behind the `cuda`
//! feature, to the CUDA backend. Adding a device means adding a `Storage`
//! variant and its kernels; no op or VJP changes.

use crate::cpu;
use crate::error::{AdError, Result};
use crate::kinds::{BinaryKind, CmpKind, UnaryKind};
use crate::pool::{self, CpuBuf};
use crate::shape::numel;

/// Where a tensor's values live.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Device {
    /// Host memory.
    #[default]
    Cpu,
    /// A CUDA GPU (ordinal), behind the `cuda` feature.
    #[cfg(feature = "cuda")]
    Cuda(usize),
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Device::Cpu => write!(f, "cpu"),
            #[cfg(feature = "cuda")]
            Device::Cuda(i) => write!(f, "cuda:{i}"),
        }
    }
}

/// Host storage that returns large buffers to the pool when dropped.
#[derive(Debug, Clone, Default)]
pub struct CpuStorage(pub CpuBuf);

impl Drop for CpuStorage {
    fn drop(&mut self) {
        pool::give(&mut self.0);
    }
}

/// The values of a tensor on its device.
#[derive(Debug, Clone)]
pub enum Storage {
    /// Host values, row-major.
    Cpu(CpuStorage),
    /// Device values, row-major.
    #[cfg(feature = "cuda")]
    Cuda(crate::cuda::CudaStorage),
}

fn mismatch(op: &'static str, a: &Storage, b: &Storage) -> AdError {
    AdError::DeviceMismatch {
        op,
        lhs: a.device().to_string(),
        rhs: b.device().to_string(),
    }
}

macro_rules! dispatch {
    // one-storage kernel
    ($self:expr, $op:literal, |$c:ident| $cpu:expr, |$g:ident| $gpu:expr) => {
        match $self {
            Storage::Cpu(CpuStorage($c)) => Ok(Storage::cpu($cpu)),
            #[cfg(feature = "cuda")]
            Storage::Cuda($g) => $gpu.map(Storage::Cuda),
        }
    };
}

impl Storage {
    /// Wraps a host buffer.
    #[inline]
    pub fn cpu(buf: CpuBuf) -> Storage {
        Storage::Cpu(CpuStorage(buf))
    }

    /// `n` copies of `v` on `device`.
    pub fn full(device: &Device, n: usize, v: f64) -> Result<Storage> {
        match device {
            Device::Cpu => Ok(Storage::cpu(pool::filled(n, v))),
            #[cfg(feature = "cuda")]
            Device::Cuda(i) => crate::cuda::CudaStorage::full(*i, n, v).map(Storage::Cuda),
        }
    }

    /// Copies host values to `device`.
    pub fn from_host(device: &Device, v: &[f64]) -> Result<Storage> {
        match device {
            Device::Cpu => Ok(Storage::cpu(CpuBuf::from_slice(v))),
            #[cfg(feature = "cuda")]
            Device::Cuda(i) => crate::cuda::CudaStorage::from_host(*i, v).map(Storage::Cuda),
        }
    }

    /// The device holding the values.
    pub fn device(&self) -> Device {
        match self {
            Storage::Cpu(_) => Device::Cpu,
            #[cfg(feature = "cuda")]
            Storage::Cuda(c) => Device::Cuda(c.ordinal()),
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Storage::Cpu(c) => c.0.len(),
            #[cfg(feature = "cuda")]
            Storage::Cuda(c) => c.len(),
        }
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Host slice of CPU storage; `None` on other devices.
    #[inline]
    pub fn as_cpu(&self) -> Option<&[f64]> {
        match self {
            Storage::Cpu(c) => Some(&c.0),
            #[cfg(feature = "cuda")]
            _ => None,
        }
    }

    /// Copies the values to the host.
    pub fn to_host(&self) -> Result<Vec<f64>> {
        match self {
            Storage::Cpu(c) => Ok(c.0.to_vec()),
            #[cfg(feature = "cuda")]
            Storage::Cuda(c) => c.to_host(),
        }
    }

    /// Copies the values to `device`.
    pub fn to_device(&self, device: &Device) -> Result<Storage> {
        if &self.device() == device {
            return Ok(self.clone());
        }
        Storage::from_host(device, &self.to_host()?)
    }

    /// Index of the first non-finite value, if any.
    pub fn first_non_finite(&self) -> Result<Option<usize>> {
        match self {
            Storage::Cpu(c) => Ok(c.0.iter().position(|v| !v.is_finite())),
            #[cfg(feature = "cuda")]
            Storage::Cuda(c) => Ok(c.to_host()?.iter().position(|v| !v.is_finite())),
        }
    }

    /// f(x) element-wise.
    pub fn unary(&self, k: UnaryKind) -> Result<Storage> {
        dispatch!(self, "unary", |x| cpu::unary(x, k), |x| x.unary(k))
    }

    /// g · f'(x) element-wise, with `y = f(x)`.
    pub fn unary_scale(&self, y: &Storage, g: &Storage, k: UnaryKind) -> Result<Storage> {
        match (self, y, g) {
            (Storage::Cpu(x), Storage::Cpu(y), Storage::Cpu(g)) => {
                Ok(Storage::cpu(cpu::unary_scale(&x.0, &y.0, &g.0, k)))
            }
            #[cfg(feature = "cuda")]
            (Storage::Cuda(x), Storage::Cuda(y), Storage::Cuda(g)) => {
                x.unary_scale(y, g, k).map(Storage::Cuda)
            }
            #[allow(unreachable_patterns)]
            _ => Err(mismatch(k.name(), self, g)),
        }
    }

    /// a ∘ b with broadcasting from shapes `ls`, `rs` to `os`.
    pub fn binary(
        &self,
        rhs: &Storage,
        k: BinaryKind,
        ls: &[usize],
        rs: &[usize],
        os: &[usize],
    ) -> Result<Storage> {
        match (self, rhs) {
            (Storage::Cpu(a), Storage::Cpu(b)) => Ok(Storage::cpu(cpu::binary(&a.0, &b.0, k, ls, rs, os))),
            #[cfg(feature = "cuda")]
            (Storage::Cuda(a), Storage::Cuda(b)) => a.binary(b, k, ls, rs, os).map(Storage::Cuda),
            #[allow(unreachable_patterns)]
            _ => Err(mismatch(k.name(), self, rhs)),
        }
    }

    /// Output-shaped partial VJPs of a binary op (see [`cpu::binary_scale`]).
    #[allow(clippy::too_many_arguments)]
    pub fn binary_scale(
        &self,
        b: &Storage,
        y: &Storage,
        g: &Storage,
        k: BinaryKind,
        ls: &[usize],
        rs: &[usize],
        os: &[usize],
        need: (bool, bool),
    ) -> Result<(Option<Storage>, Option<Storage>)> {
        match (self, b, y, g) {
            (Storage::Cpu(a), Storage::Cpu(b), Storage::Cpu(y), Storage::Cpu(g)) => {
                let (x, z) = cpu::binary_scale(&a.0, &b.0, &y.0, &g.0, k, ls, rs, os, need);
                Ok((x.map(Storage::cpu), z.map(Storage::cpu)))
            }
            #[cfg(feature = "cuda")]
            (Storage::Cuda(a), Storage::Cuda(b), Storage::Cuda(y), Storage::Cuda(g)) => {
                let (x, z) = a.binary_scale(b, y, g, k, ls, rs, os, need)?;
                Ok((x.map(Storage::Cuda), z.map(Storage::Cuda)))
            }
            #[allow(unreachable_patterns)]
            _ => Err(mismatch(k.name(), self, b)),
        }
    }

    /// 0/1 mask of a broadcasting comparison.
    pub fn compare(
        &self,
        rhs: &Storage,
        k: CmpKind,
        ls: &[usize],
        rs: &[usize],
        os: &[usize],
    ) -> Result<Storage> {
        match (self, rhs) {
            (Storage::Cpu(a), Storage::Cpu(b)) => Ok(Storage::cpu(cpu::compare(&a.0, &b.0, k, ls, rs, os))),
            #[cfg(feature = "cuda")]
            (Storage::Cuda(a), Storage::Cuda(b)) => a.compare(b, k, ls, rs, os).map(Storage::Cuda),
            #[allow(unreachable_patterns)]
            _ => Err(mismatch("compare", self, rhs)),
        }
    }

    /// where(mask, a, b), all broadcast to `os`.
    #[allow(clippy::too_many_arguments)]
    pub fn select(
        mask: &Storage,
        a: &Storage,
        b: &Storage,
        ms: &[usize],
        ls: &[usize],
        rs: &[usize],
        os: &[usize],
    ) -> Result<Storage> {
        match (mask, a, b) {
            (Storage::Cpu(m), Storage::Cpu(a), Storage::Cpu(b)) => {
                Ok(Storage::cpu(cpu::select(&m.0, &a.0, &b.0, ms, ls, rs, os)))
            }
            #[cfg(feature = "cuda")]
            (Storage::Cuda(m), Storage::Cuda(a), Storage::Cuda(b)) => {
                crate::cuda::CudaStorage::select(m, a, b, ms, ls, rs, os).map(Storage::Cuda)
            }
            #[allow(unreachable_patterns)]
            _ => Err(mismatch("select", a, b)),
        }
    }

    /// Sum over `axes` (kept as length 1).
    pub fn sum_axes(&self, xs: &[usize], axes: &[usize]) -> Result<Storage> {
        dispatch!(self, "sum", |x| cpu::sum_axes(x, xs, axes), |x| x
            .sum_axes(xs, axes))
    }

    /// Broadcast from `xs` to `os`.
    pub fn broadcast_to(&self, xs: &[usize], os: &[usize]) -> Result<Storage> {
        dispatch!(self, "broadcast_to", |x| cpu::broadcast_to(x, xs, os), |x| x
            .broadcast_to(xs, os))
    }

    /// Reduces an output-shaped gradient to input shape `xs` (sums the broadcast axes).
    pub fn unbroadcast(self, os: &[usize], xs: &[usize]) -> Result<Storage> {
        if os == xs {
            return Ok(self);
        }
        let axes = crate::shape::broadcast_axes(xs, os);
        // sum keeps the axes; drop the leading ones by shape bookkeeping only
        self.sum_axes(os, &axes)
    }

    /// Max along `axis` (removed) and the flat arg-max positions.
    pub fn max_axis(&self, xs: &[usize], axis: usize) -> Result<(Storage, Vec<usize>)> {
        match self {
            Storage::Cpu(x) => {
                let (v, a) = cpu::max_axis(&x.0, xs, axis);
                Ok((Storage::cpu(v), a))
            }
            #[cfg(feature = "cuda")]
            Storage::Cuda(x) => {
                let (v, a) = x.max_axis(xs, axis)?;
                Ok((Storage::Cuda(v), a))
            }
        }
    }

    /// Scatters `g` (one value per arg-max) into zeros of `n` values.
    pub fn scatter_positions(&self, positions: &[usize], n: usize) -> Result<Storage> {
        let g = self.to_host()?;
        let mut out = vec![0.0; n];
        for (&p, &v) in positions.iter().zip(&g) {
            out[p] += v;
        }
        Storage::from_host(&self.device(), &out)
    }

    /// Inclusive cumulative sum along `axis` (from the end when `reverse`).
    pub fn cumsum(&self, xs: &[usize], axis: usize, reverse: bool) -> Result<Storage> {
        dispatch!(self, "cumsum", |x| cpu::cumsum(x, xs, axis, reverse), |x| x
            .cumsum(xs, axis, reverse))
    }

    /// Entries `idx` along `axis`.
    pub fn index_select(&self, xs: &[usize], axis: usize, idx: &[usize]) -> Result<Storage> {
        dispatch!(
            self,
            "index_select",
            |x| cpu::index_select(x, xs, axis, idx),
            |x| x.index_select(xs, axis, idx)
        )
    }

    /// VJP of `index_select`: scatter-add into length `len` along `axis`.
    pub fn index_add(&self, xs: &[usize], axis: usize, idx: &[usize], len: usize) -> Result<Storage> {
        dispatch!(
            self,
            "index_add",
            |x| cpu::index_add(x, xs, axis, idx, len),
            |x| x.index_add(xs, axis, idx, len)
        )
    }

    /// take_along_axis.
    pub fn gather(&self, xs: &[usize], axis: usize, idx: &[usize], is: &[usize]) -> Result<Storage> {
        dispatch!(self, "gather", |x| cpu::gather(x, xs, axis, idx, is), |x| x
            .gather(xs, axis, idx, is))
    }

    /// VJP of `gather`.
    pub fn scatter_add(&self, xs: &[usize], axis: usize, idx: &[usize], is: &[usize]) -> Result<Storage> {
        dispatch!(
            self,
            "scatter_add",
            |x| cpu::scatter_add(x, xs, axis, idx, is),
            |x| x.scatter_add(xs, axis, idx, is)
        )
    }

    /// Entries `start..start+n` along `axis`.
    pub fn slice(&self, xs: &[usize], axis: usize, start: usize, n: usize) -> Result<Storage> {
        dispatch!(self, "slice", |x| cpu::slice(x, xs, axis, start, n), |x| x
            .slice(xs, axis, start, n))
    }

    /// Zero-padding to `len` along `axis` with `self` at `start`.
    pub fn pad(&self, xs: &[usize], axis: usize, start: usize, len: usize) -> Result<Storage> {
        dispatch!(self, "pad", |x| cpu::pad(x, xs, axis, start, len), |x| x
            .pad(xs, axis, start, len))
    }

    /// Concatenation along `axis`.
    pub fn concat(parts: &[&Storage], shapes: &[&[usize]], axis: usize) -> Result<Storage> {
        if let Some(c) = parts.iter().map(|p| p.as_cpu()).collect::<Option<Vec<_>>>() {
            return Ok(Storage::cpu(cpu::concat(&c, shapes, axis)));
        }
        #[cfg(feature = "cuda")]
        {
            let g: Option<Vec<&crate::cuda::CudaStorage>> = parts
                .iter()
                .map(|p| match p {
                    Storage::Cuda(c) => Some(c),
                    _ => None,
                })
                .collect();
            if let Some(g) = g {
                return crate::cuda::CudaStorage::concat(&g, shapes, axis).map(Storage::Cuda);
            }
        }
        Err(AdError::DeviceMismatch {
            op: "concat",
            lhs: parts[0].device().to_string(),
            rhs: "a different device".into(),
        })
    }

    /// Axis permutation.
    pub fn permute(&self, xs: &[usize], perm: &[usize]) -> Result<Storage> {
        dispatch!(self, "permute", |x| cpu::permute(x, xs, perm), |x| x
            .permute(xs, perm))
    }

    /// Batched matrix product (see [`cpu::matmul`]).
    #[allow(clippy::too_many_arguments)]
    pub fn matmul(
        &self,
        b: &Storage,
        batch: usize,
        ba: usize,
        bb: usize,
        m: usize,
        k: usize,
        n: usize,
        ta: bool,
        tb: bool,
    ) -> Result<Storage> {
        match (self, b) {
            (Storage::Cpu(x), Storage::Cpu(y)) => Ok(Storage::cpu(cpu::matmul(
                &x.0, &y.0, batch, ba, bb, m, k, n, ta, tb,
            ))),
            #[cfg(feature = "cuda")]
            (Storage::Cuda(x), Storage::Cuda(y)) => {
                x.matmul(y, batch, ba, bb, m, k, n, ta, tb).map(Storage::Cuda)
            }
            #[allow(unreachable_patterns)]
            _ => Err(mismatch("matmul", self, b)),
        }
    }

    /// self += other (same length), used to accumulate gradients.
    pub fn add_assign(&mut self, other: &Storage) -> Result<()> {
        match (&mut *self, other) {
            (Storage::Cpu(a), Storage::Cpu(b)) => {
                for (x, y) in a.0.iter_mut().zip(b.0.iter()) {
                    *x += *y;
                }
                Ok(())
            }
            #[cfg(feature = "cuda")]
            (Storage::Cuda(a), Storage::Cuda(b)) => a.add_assign(b),
            #[allow(unreachable_patterns)]
            _ => Err(mismatch("accumulate", self, other)),
        }
    }

    /// Sum of all values.
    pub fn sum_all(&self) -> Result<f64> {
        Ok(self.to_host()?.iter().sum())
    }

    /// Number of elements implied by a shape (helper for kernels).
    pub fn numel_of(shape: &[usize]) -> usize {
        numel(shape)
    }
}
