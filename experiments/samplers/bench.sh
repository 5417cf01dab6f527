#!/usr/bin/env bash
# ESS_min per CPU-second and evidence timing of `ferrax sample`.
# Usage: experiments/samplers/bench.sh [target ...]   (default: the benchmark set)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-target/sampler-bench}
mkdir -p "$OUT"
cargo build --release --bin ferrax -q
BIN=${CARGO_TARGET_DIR:-target}/release/ferrax
SPECS=tests/data/samplers/specs
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(dual_moon_2d mixture_4mode_5d gauss_box_4d)
for t in "${TARGETS[@]}"; do
  extra=()
  case $t in gauss_box*) extra=(--evidence --sampler mala);; esac
  cfg=tests/data/samplers/configs/$t.json   # per-target sampler settings, if any
  [ -f "$cfg" ] && extra+=(--config "$cfg")
  "$BIN" sample --spec "$SPECS/$t.json" --output "$OUT/$t.json" --seed 0 "${extra[@]}"
done
