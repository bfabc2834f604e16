#!/usr/bin/env bash
# Rewrites the golden regression outputs (tests/golden/): for every point of
# tests/golden/points.txt, `xbar run` writes plan.json, program.xasm and stats.json. Run it
# only when a change is meant to alter them, and say why in the commit that carries them
# (docs/design.md, "Golden regression").
#   tools/update-goldens.sh [BUILD_DIR]      (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
xbar=$build/bin/xbar
[[ -x $xbar ]] || { echo "update-goldens: $xbar not found; run make build first" >&2; exit 1; }
golden=tests/golden
grep -v '^#' $golden/points.txt | while read -r model arch partitioner batch; do
  [[ -n $model ]] || continue
  if [[ -f workloads/tiny/$model.onnx ]]; then file=workloads/tiny/$model.onnx
  else file=$build/workloads/$model.onnx; fi
  dir=$golden/$model/$arch-$partitioner-b$batch
  tmp=$(mktemp -d)
  "$xbar" run "$file" --arch "$arch" --partitioner "$partitioner" --batch "$batch" -o "$tmp" >/dev/null
  mkdir -p "$dir"
  for f in plan.json program.xasm stats.json; do mv "$tmp/$f" "$dir/$f"; done
  rm -rf "$tmp"
done
echo "update-goldens: wrote $(grep -vc '^#' $golden/points.txt) points under $golden/"
