#!/usr/bin/env bash
# The browser test (ctest label `browser`): makes a run report (resnet18), a run report with
# a validation section (the trained digits CNN, run and validated on its test split), a
# validation report alone, a spiking network's validation report (spikes per step), a sweep report with a dotted grid key, a validated ADC sweep's
# report (accuracy against energy), and the COMPASS paper sweep's report, then opens each in Debian's chromium through playwright-core
# (check_report.cjs). Screenshots are left in ARTIFACTS.
# PAPER_SWEEP is the paper sweep's output, run once by the ctest fixture CompassPaperSweep.Run;
# the report is made on a copy.
# Usage: report_browser_test.sh XBAR ASSET_DIR EXPORT_DIR TINY_DIR ARCH_DIR ARTIFACTS PAPER_SWEEP
set -euo pipefail
xbar=$1 assets=$2 exports=$3 tiny=$4 archs=$5 artifacts=$6 paper_sweep=$7
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$xbar" run "$exports/resnet18.stripped.onnx" --arch compass-sram-m --batch 16 -o "$work/run" >/dev/null
"$xbar" report "$work/run" >/dev/null
digits=$exports/digits
"$xbar" run "$digits/digits_cnn.onnx" --arch compass-sram-m -o "$work/digits" >/dev/null
"$xbar" validate "$digits/digits_cnn.onnx" --arch compass-sram-m --dataset "$digits/dataset" \
  --json "$work/digits/validation.json" >/dev/null
"$xbar" report "$work/digits" >/dev/null
grep -q '"validation"' "$work/digits/report.json"
grep -q '"exact": true' "$work/digits/report.json"  # the compiled program's verdict
mkdir "$work/validation"
"$xbar" validate "$digits/digits_mlp.onnx" --arch isaac-reram --dataset "$digits/dataset" \
  --json "$work/validation/validation.json" >/dev/null
"$xbar" report "$work/validation" >/dev/null
# A spiking network's validation: spikes per layer and time step, charted.
mkdir "$work/snn"
"$xbar" validate "$digits/digits_snn_conv.onnx" --arch compass-sram-m \
  --dataset "$digits/snn_dataset" --json "$work/snn/validation.json" >/dev/null
"$xbar" report "$work/snn" >/dev/null
grep -q '"spikes_per_step"' "$work/snn/report.json"
cat >"$work/grid.yaml" <<YAML
workloads: [$tiny/mlp_gemm.onnx, $tiny/two_conv_cnn.onnx]
archs: [compass-sram-m]
grid:
  crossbar.rows: [128, 256]
partitioners: [greedy, compass]
batches: [1, 4]
YAML
"$xbar" sweep "$work/grid.yaml" -o "$work/grid" -j 2 2>/dev/null >/dev/null
"$xbar" report "$work/grid" >/dev/null
cat >"$work/adc.yaml" <<YAML
workloads: [$digits/digits_cnn.onnx]
archs: [compass-sram-m]
grid:
  crossbar.adc_bits: [4, 6, 9]
partitioners: [greedy]
batches: [1]
validate: {dataset: $digits/dataset}
YAML
"$xbar" sweep "$work/adc.yaml" -o "$work/adc" -j 2 2>/dev/null >/dev/null
"$xbar" report "$work/adc" >/dev/null
grep -q '"quantized_top1"' "$work/adc/report.json"
grep -q '"compiled_top1"' "$work/adc/report.json"
cp -r "$paper_sweep" "$work/compass-paper"
"$xbar" report "$work/compass-paper" >/dev/null

rm -rf "$artifacts"
node "$(dirname "$0")/check_report.cjs" "$assets/node_modules" "$artifacts" \
  "$work/run/index.html" "$work/digits/index.html" "$work/validation/index.html" \
  "$work/snn/index.html" \
  "$work/grid/index.html" "$work/adc/index.html" "$work/compass-paper/index.html"
