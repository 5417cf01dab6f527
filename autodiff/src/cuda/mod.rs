//! CUDA backend (feature `cuda`).
//!
//! * The driver, NVRTC and cuBLAS are loaded at run time (cudarc with
//!   dynamic loading), so the feature builds without a CUDA toolkit; on a
//!   machine without the driver every call returns the typed error
//!   `AdError::Device("CUDA driver not found ...")`, never a panic.
//! * Element-wise kernels are generated as CUDA C from the op kinds
//!   ([`codegen`]), compiled with NVRTC on first use and cached per process
//!   and device; reductions, gathers/scatters (atomic adds), cumulative sums
//!   and data movement are one hand-written module ([`kernels`]); matrix
//!   products go to cuBLAS (`dgemm`, strided batched).
//! * All work of a device runs on one stream in program order; reading
//!   values back (`Tensor::to_vec`, `item`) waits for it.
//!
//! Tensors move with `Tensor::to_device(&Device::Cuda(0))`; ops of tensors
//! on the device run there, the tape and the VJPs included.

pub mod codegen;
pub(crate) mod context;
pub mod kernels;
pub mod layout;
pub(crate) mod storage;
mod structural;

pub use context::{compile, device_count, driver_present};
pub use storage::CudaStorage;

use crate::error::Result;

/// The name of device `ordinal` (e.g. "NVIDIA H100 80GB HBM3"); an error
/// says why the device cannot be used (no driver, no such device, ...).
pub fn device_name(ordinal: usize) -> Result<String> {
    let g = context::gpu(ordinal)?;
    g.ctx
        .name()
        .map_err(|e| context::dev_err("reading the device name", e))
}

/// Waits until all work queued on device `ordinal` has finished (for timing).
pub fn synchronize(ordinal: usize) -> Result<()> {
    context::gpu(ordinal)?.synchronize()
}

/// Full CUDA C source of every kernel module (name, source), for checks
/// that compile them with NVRTC without a GPU.
pub fn all_sources() -> Vec<(String, String)> {
    let mut v = vec![(
        kernels::MODULE.to_string(),
        format!("{}{}", codegen::PRELUDE, kernels::SOURCE),
    )];
    for k in codegen::all_unary_kinds() {
        v.push((codegen::unary_name(k), codegen::unary_source(k)));
        v.push((codegen::unary_scale_name(k), codegen::unary_scale_source(k)));
    }
    for k in codegen::all_binary_kinds() {
        v.push((codegen::binary_name(k), codegen::binary_source(k)));
        v.push((codegen::binary_scale_name(k), codegen::binary_scale_source(k)));
    }
    for k in codegen::all_compare_kinds() {
        v.push((codegen::compare_kernel_name(k), codegen::compare_source(k)));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_driver_is_a_typed_error() {
        if driver_present() {
            eprintln!("skipping: a CUDA driver is present");
            return;
        }
        let e = device_name(0).unwrap_err();
        assert!(e.to_string().contains("CUDA driver not found"), "{e}");
        let e = crate::Storage::full(&crate::Device::Cuda(0), 3, 1.0).unwrap_err();
        assert!(e.to_string().contains("CUDA driver not found"), "{e}");
        let t = crate::Tensor::from_slice(&[1.0, 2.0]).to_device(&crate::Device::Cuda(0));
        assert!(t
            .to_vec()
            .unwrap_err()
            .to_string()
            .contains("CUDA driver not found"));
    }

    /// Compiles every generated kernel with NVRTC when libnvrtc can be
    /// loaded (no GPU needed), for a Hopper target.
    #[test]
    fn kernels_compile_with_nvrtc() {
        // SAFETY: only tries to open the shared library.
        if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
            eprintln!("skipping NVRTC compile check: libnvrtc not found");
            return;
        }
        for (name, src) in all_sources() {
            if let Err(e) = compile(&name, &src, "compute_90") {
                panic!("{name}: {e}\n{src}");
            }
        }
        // a broken kernel is a typed error naming the module, not a panic
        let e = compile(
            "broken",
            "extern \"C\" __global__ void k() { nope; }",
            "compute_90",
        )
        .unwrap_err();
        assert!(e.to_string().contains("NVRTC compiling broken"), "{e}");
    }
}
