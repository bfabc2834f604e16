#!/usr/bin/env bash
# `make bench`, sweeps and reports: the throughput of a 32-point sweep of resnet18 at -j 2,
# a 1000-point sweep of the tiny models, and the time `xbar report` takes on it (goal: 2 s);
# then the digits CNN swept over 8 ADC resolutions with validation at every point (goal:
# 30 s), each point compiled, simulated and validated on the 450 test images.
# Usage: sweep_bench.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
xbar=$build/bin/xbar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { print b - a }'; }

cat >"$work/s32.yaml" <<YAML
workloads: [resnet18]
archs: [compass-sram-m]
grid:
  crossbar.rows: [128, 256]
  core.crossbars: [8, 16]
partitioners: [greedy, compass]
batches: [1, 2, 4, 16]
YAML
cat >"$work/s1000.yaml" <<YAML
workloads: [$root/workloads/tiny/mlp_gemm.onnx, $root/workloads/tiny/two_conv_cnn.onnx]
archs: [compass-sram-m]
grid:
  core.crossbars: [2, 4, 8, 16, 32]
  crossbar.rows: [64, 128, 256, 512, 1024]
partitioners: [greedy, layerwise, compass, optimal]
batches: [1, 2, 4, 8, 16]
YAML

echo "sweeps and reports ($(nproc) cores)"
for sweep in s32 s1000; do
  t0=$(now)
  XBAR_EXPORT_DIR=$build/workloads "$xbar" sweep "$work/$sweep.yaml" -o "$work/$sweep" -j 2 \
    >/dev/null 2>&1
  t1=$(now)
  points=$(($(wc -l <"$work/$sweep/results.csv") - 1))
  s=$(seconds "$t0" "$t1")
  printf '  %-48s %4d points in %6.2f s: %6.0f points/min\n' \
    "sweep of $( [[ $sweep == s32 ]] && echo "resnet18 on compass-sram-m" || echo "the tiny models"), -j 2" \
    "$points" "$s" "$(awk -v n="$points" -v s="$s" 'BEGIN { print n * 60 / s }')"
done
t0=$(now)
"$xbar" report "$work/s1000" >/dev/null
t1=$(now)
printf '  %-48s %6.3f s (goal < 2 s), index.html %s KB\n' "xbar report, 1000-point sweep" \
  "$(seconds "$t0" "$t1")" "$(($(stat -c %s "$work/s1000/index.html") / 1024))"

cat >"$work/adc.yaml" <<YAML
workloads: [$build/workloads/digits/digits_cnn.onnx]
archs: [compass-sram-m]
grid:
  crossbar.adc_bits: [3, 4, 5, 6, 7, 8, 9, 10]
partitioners: [greedy]
batches: [1]
validate: {dataset: $build/workloads/digits/dataset}
YAML
t0=$(now)
"$xbar" sweep "$work/adc.yaml" -o "$work/adc" -j 2 >/dev/null 2>&1
t1=$(now)
printf '  %-48s %6.2f s (goal < 30 s)\n' "digits CNN x 8 ADC resolutions, validated, -j 2" \
  "$(seconds "$t0" "$t1")"
# adc_bits, energy and top-1 of each point (the compiled program's, and whether it equals the
# quantized reference's), from the columns results.csv names
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
         { printf "    adc_bits %2s: energy %.4g pJ, compiled top-1 %.2f %% (bit-exact: %s)\n",
                  $col["crossbar.adc_bits"], $col["energy_pj"], 100 * $col["compiled_top1"],
                  $col["compiled_exact"] }' \
  "$work/adc/results.csv"
