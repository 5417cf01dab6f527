#!/usr/bin/env bash
# One prepared GPU run (about 5 minutes on an H100):
#   1. the machine: GPU model, driver, CUDA libraries;
#   2. the whole test suite with the `cuda` feature (device tests compare
#      every op on the GPU with the CPU to 1e-12);
#   3. the autodiff benchmark (gpu_bench: 50-op chain fwd+bwd at 1e5 and 1e7
#      elements, batched matmul), CPU next to CUDA;
#   4. batched IMRPhenomD + likelihood value and gradient, 1000 × 4017 bins,
#      once examples/gpu_waveforms.rs exists (skipped with a message before);
#   5. ripple (JAX) on the same GPU, when JAX imports.
#
# On a machine with cargo it builds what it runs; otherwise run
# experiments/benchmarks/gpu-prepare.sh on a build machine first and bring
# experiments/benchmarks/gpu-bin/ along. A wheel directory for ripple can be
# given as RIPPLE_WHEELS (default: shared/wheels).
#
#   experiments/benchmarks/gpu.sh [OUTDIR]      # log in OUTDIR/gpu.log
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=${1:-${OUT:-/tmp/ferrax-gpu}}
mkdir -p "$out"
exec > >(tee -a "$out/gpu.log") 2>&1
bin=experiments/benchmarks/gpu-bin
section() { echo; echo "== $* ($(date -u +%T))"; }
have_cargo() { command -v cargo >/dev/null 2>&1; }

section machine
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 || echo "nvidia-smi failed"
echo "CPU cores: $(nproc)"; uname -r

section CUDA libraries
# The backend opens libcuda.so(.1), libnvrtc.so and libcublas.so at run
# time; link whatever versions this machine has under those names.
libdir=/tmp/ferrax-cudalibs
mkdir -p "$libdir"
extra=/usr/local/nvidia/lib64:/usr/local/nvidia/lib
candidates() {
    local d
    for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda-*/lib64 \
             /usr/lib/x86_64-linux-gnu \
             $(python3 -c 'import nvidia, os; [print(os.path.join(p, q, "lib")) for p in nvidia.__path__ for q in sorted(os.listdir(p))]' 2>/dev/null); do
        ls "$d"/lib"$1".so* 2>/dev/null
    done
}
for l in nvrtc cublas cublasLt; do
    f=$(candidates "$l" | grep -v -e stubs -e '\.alt\.' | head -n 1)
    if [ -n "$f" ]; then
        ln -sf "$f" "$libdir/lib$l.so"
        extra="$extra:$(dirname "$f")"
        echo "lib$l.so -> $f"
    else
        echo "lib$l not found"
    fi
done
export LD_LIBRARY_PATH="$libdir:$extra:${LD_LIBRARY_PATH:-}"
ldconfig -p 2>/dev/null | grep -E 'libcuda\.so' | head -n 3

section tests "(--features cuda)"
failed=0
if have_cargo; then
    timeout 600 cargo test --workspace --features cuda 2>&1 | grep -E '^(test result|running|     Running|failures|---- )|FAILED|panicked' || failed=1
    cargo test -p ferrax-autodiff --features cuda --test devices -- --nocapture sin 2>&1 | grep -E 'CUDA|test result'
elif [ -f "$bin/manifest.tsv" ]; then
    # tests read data relative to the directory they were built in
    broot=$(cat "$bin/BUILD_ROOT")
    if [ ! -e "$broot" ]; then mkdir -p "$(dirname "$broot")" && ln -s "$root" "$broot"; fi
    if [ -f "$bin/FERRAX_EXE" ]; then
        exe=$(cat "$bin/FERRAX_EXE")
        [ -e "$exe" ] || { mkdir -p "$(dirname "$exe")" && cp "$bin/ferrax" "$exe"; }
    fi
    while IFS=$'\t' read -r dir file; do
        res=$(cd "$root/$dir" && timeout 150 "$root/$bin/$file" -q 2>&1)
        rc=$?
        echo "$file: $(echo "$res" | grep -E '^test result' | tail -n 1) (exit $rc)"
        if [ $rc -ne 0 ]; then failed=1; echo "$res" | tail -n 40; fi
    done <"$bin/manifest.tsv"
    (cd "$root/autodiff" && "$root/$bin/test-devices-test" --nocapture sin 2>&1 | grep -E 'CUDA|test result')
else
    echo "no cargo and no $bin: run experiments/benchmarks/gpu-prepare.sh on a build machine first"
    failed=1
fi
echo "tests: $([ $failed = 0 ] && echo all passed || echo FAILURES above)"

section autodiff benchmark
if [ -x "$bin/gpu_bench" ]; then
    timeout 360 "$bin/gpu_bench"
elif have_cargo; then
    timeout 600 cargo run --release -p ferrax-autodiff --features cuda --example gpu_bench
else
    echo "gpu_bench not built"
fi

section batched IMRPhenomD and likelihood, 1000 x 4017
if [ -x "$bin/gpu_waveforms" ]; then
    timeout 300 "$bin/gpu_waveforms"
elif have_cargo && [ -f examples/gpu_waveforms.rs ]; then
    timeout 600 cargo run --release --features cuda --example gpu_waveforms
else
    echo "skipping: the waveform module and examples/gpu_waveforms.rs are not merged yet"
fi

section ripple on JAX
if python3 -c 'import jax' 2>/dev/null; then
    if ! python3 -c 'import ripplegw' 2>/dev/null && ! python3 -c 'import ripple.waveforms' 2>/dev/null; then
        wheels=${RIPPLE_WHEELS:-shared/wheels}
        if [ -d "$wheels" ]; then
            python3 -m pip install --quiet --no-index --find-links "$wheels" ripplegw 2>&1 | tail -n 3 \
                || python3 -m pip install --quiet --no-index --no-deps "$wheels"/ripple*.whl 2>&1 | tail -n 3
        fi
    fi
    timeout 300 python3 experiments/benchmarks/ripple_gpu.py || echo "ripple benchmark failed or skipped"
else
    echo "skipping: JAX not importable"
fi

section done
exit $failed
