#!/usr/bin/env bash
# Builds everything gpu.sh runs, for a GPU machine without a Rust toolchain:
# every test executable of the workspace and the GPU benchmark examples,
# with the `cuda` feature, optimised and stripped, into
# experiments/benchmarks/gpu-bin/ (git-ignored; carry it to the GPU machine
# together with the working tree). Needs no GPU and no CUDA toolkit.
#
#   experiments/benchmarks/gpu-prepare.sh            # every test of the workspace
#   GPU_TESTS="-p ferrax-autodiff" experiments/benchmarks/gpu-prepare.sh   # a subset
set -euo pipefail
tests_sel=${GPU_TESTS:---workspace}
cd "$(dirname "$0")/../.."
root=$PWD
out=experiments/benchmarks/gpu-bin
rm -rf "$out"
mkdir -p "$out"
export CARGO_PROFILE_RELEASE_DEBUG=0
export CARGO_PROFILE_RELEASE_STRIP=symbols

cargo build --release -p ferrax-autodiff --features cuda --example gpu_bench
cp "${CARGO_TARGET_DIR:-target}/release/examples/gpu_bench" "$out/"
if [ -f examples/gpu_waveforms.rs ]; then
    cargo build --release --features cuda --example gpu_waveforms
    cp "${CARGO_TARGET_DIR:-target}/release/examples/gpu_waveforms" "$out/"
fi

# test executables: one line per artifact "package dir <TAB> file name"
cargo test --release $tests_sel --features cuda --no-run --message-format=json \
    | grep '"profile":{[^}]*"test":true' \
    | sed -n 's/.*"manifest_path":"\([^"]*\)\/Cargo.toml".*"target":{"kind":\["\([^"]*\)"[^}]*"name":"\([^"]*\)".*"executable":"\([^"]*\)".*/\1\t\2\t\3\t\4/p' \
    | while IFS=$'\t' read -r dir kind name exe; do
        if [ "$kind" = example ]; then continue; fi
        file="test-${name}-${kind}"
        cp "$exe" "$out/$file"
        rel=${dir#"$root"}
        rel=${rel#/}
        printf '%s\t%s\n' "${rel:-.}" "$file" >>"$out/manifest.tsv"
    done
# CLI tests run the ferrax executable from the build's target directory
exe="${CARGO_TARGET_DIR:-$root/target}/release/ferrax"
if [ -x "$exe" ]; then
    cp "$exe" "$out/ferrax"
    echo "$exe" >"$out/FERRAX_EXE"
fi
echo "$root" >"$out/BUILD_ROOT"
echo "built into $out:"
ls -l "$out"
du -sh "$out"
