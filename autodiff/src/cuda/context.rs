//! One cached context per CUDA device: driver context, stream, cuBLAS handle
//! and the kernels compiled so far (NVRTC, once per process and device).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use cudarc::cublas::CudaBlas;
use cudarc::driver::{CudaContext, CudaFunction, CudaModule, CudaStream};
use cudarc::nvrtc::{compile_ptx_with_opts, CompileOptions};

use crate::error::{AdError, Result};

/// A device error with context.
pub(crate) fn dev_err(what: &str, e: impl std::fmt::Display) -> AdError {
    AdError::Device(format!("{what}: {e}"))
}

/// Whether the CUDA driver library (libcuda) can be loaded; checked once.
pub fn driver_present() -> bool {
    static PRESENT: OnceLock<bool> = OnceLock::new();
    // SAFETY: only tries to open the shared library; no driver call is made.
    *PRESENT.get_or_init(|| unsafe { cudarc::driver::sys::is_culib_present() })
}

fn nvrtc_present() -> bool {
    static PRESENT: OnceLock<bool> = OnceLock::new();
    // SAFETY: only tries to open the shared library.
    *PRESENT.get_or_init(|| unsafe { cudarc::nvrtc::sys::is_culib_present() })
}

fn cublas_present() -> bool {
    static PRESENT: OnceLock<bool> = OnceLock::new();
    // SAFETY: only tries to open the shared library.
    *PRESENT.get_or_init(|| unsafe { cudarc::cublas::sys::is_culib_present() })
}

/// The error returned on machines without the driver library.
pub(crate) fn no_driver() -> AdError {
    AdError::Device("CUDA driver not found (libcuda could not be loaded)".into())
}

/// A CUDA device ready for work.
pub struct Gpu {
    /// The driver context (primary context of the device).
    pub ctx: Arc<CudaContext>,
    /// The one stream every op of this device runs on, in program order.
    pub stream: Arc<CudaStream>,
    /// `compute_XY` of the device, for NVRTC.
    arch: String,
    blas: OnceLock<std::result::Result<CudaBlas, String>>,
    modules: Mutex<HashMap<String, Arc<CudaModule>>>,
    functions: Mutex<HashMap<String, CudaFunction>>,
}

impl std::fmt::Debug for Gpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gpu(cuda:{}, {})", self.ctx.ordinal(), self.arch)
    }
}

/// Number of CUDA devices, or an error when the driver is missing.
pub fn device_count() -> Result<usize> {
    if !driver_present() {
        return Err(no_driver());
    }
    let n = CudaContext::device_count().map_err(|e| dev_err("CUDA device count", e))?;
    Ok(n.max(0) as usize)
}

/// The cached device `ordinal`, set up on first use.
pub fn gpu(ordinal: usize) -> Result<Arc<Gpu>> {
    static GPUS: OnceLock<Mutex<HashMap<usize, Arc<Gpu>>>> = OnceLock::new();
    let map = GPUS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = map
        .lock()
        .map_err(|_| AdError::Device("CUDA device cache poisoned".into()))?;
    if let Some(g) = map.get(&ordinal) {
        return Ok(g.clone());
    }
    let count = device_count()?;
    if ordinal >= count {
        return Err(AdError::Device(format!(
            "CUDA device {ordinal} not present ({count} device(s) found)"
        )));
    }
    let ctx = CudaContext::new(ordinal).map_err(|e| dev_err("creating the CUDA context", e))?;
    // SAFETY: every buffer of this device is used on the one stream below,
    // in program order, so the per-buffer events of cudarc are not needed.
    unsafe { ctx.disable_event_tracking() };
    let (major, minor) = ctx
        .compute_capability()
        .map_err(|e| dev_err("reading the compute capability", e))?;
    let stream = ctx.default_stream();
    let g = Arc::new(Gpu {
        ctx,
        stream,
        arch: format!("compute_{major}{minor}"),
        blas: OnceLock::new(),
        modules: Mutex::new(HashMap::new()),
        functions: Mutex::new(HashMap::new()),
    });
    map.insert(ordinal, g.clone());
    Ok(g)
}

/// Compiles CUDA C `src` to PTX for `arch` (e.g. `compute_90`).
pub fn compile(name: &str, src: &str, arch: &str) -> Result<cudarc::nvrtc::Ptx> {
    if !nvrtc_present() {
        return Err(AdError::Device(
            "NVRTC not found (libnvrtc could not be loaded); it is needed to compile the CUDA kernels".into(),
        ));
    }
    let opts = CompileOptions {
        // no fused multiply-add: the same roundings as the CPU kernels
        fmad: Some(false),
        options: vec![format!("--gpu-architecture={arch}")],
        name: Some(format!("{name}.cu")),
        ..Default::default()
    };
    compile_ptx_with_opts(src, opts).map_err(|e| dev_err(&format!("NVRTC compiling {name}"), e))
}

impl Gpu {
    /// The device ordinal.
    pub fn ordinal(&self) -> usize {
        self.ctx.ordinal()
    }

    /// Kernel `function` of module `module`, compiling `source()` on first use.
    pub fn function(
        &self,
        module: &str,
        function: &str,
        source: impl FnOnce() -> String,
    ) -> Result<CudaFunction> {
        let poisoned = || AdError::Device("CUDA kernel cache poisoned".into());
        if let Some(f) = self.functions.lock().map_err(|_| poisoned())?.get(function) {
            return Ok(f.clone());
        }
        let m = {
            let mut mods = self.modules.lock().map_err(|_| poisoned())?;
            match mods.get(module) {
                Some(m) => m.clone(),
                None => {
                    let ptx = compile(module, &source(), &self.arch)?;
                    let m = self
                        .ctx
                        .load_module(ptx)
                        .map_err(|e| dev_err(&format!("loading CUDA module {module}"), e))?;
                    mods.insert(module.to_string(), m.clone());
                    m
                }
            }
        };
        let f = m
            .load_function(function)
            .map_err(|e| dev_err(&format!("loading CUDA kernel {function}"), e))?;
        self.functions
            .lock()
            .map_err(|_| poisoned())?
            .insert(function.to_string(), f.clone());
        Ok(f)
    }

    /// The cuBLAS handle of this device, created on first use.
    pub fn blas(&self) -> Result<&CudaBlas> {
        let b = self.blas.get_or_init(|| {
            if !cublas_present() {
                return Err("cuBLAS not found (libcublas could not be loaded)".into());
            }
            CudaBlas::new(self.stream.clone()).map_err(|e| format!("creating the cuBLAS handle: {e}"))
        });
        b.as_ref().map_err(|e| AdError::Device(e.clone()))
    }

    /// Waits for all work queued on the device.
    pub fn synchronize(&self) -> Result<()> {
        self.stream
            .synchronize()
            .map_err(|e| dev_err("CUDA synchronize", e))
    }
}
