#!/usr/bin/env bash
# Rewrites the golden regression outputs (tests/golden/): for every point of
# tests/golden/points.txt, the golden test runs `xbar run` and, with XBAR_UPDATE_GOLDENS=1,
# writes plan.json, program.digest.json and stats.digest.json (tests/golden/golden_digest.h)
# instead of comparing them. Run it only when a change is meant to alter them, and say why in
# the commit that carries them (docs/design.md, "Golden regression").
#   tools/update-goldens.sh [BUILD_DIR]      (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmake --build "$build" --target xbar_golden_tests export_stripped >/dev/null
test=$(find "$build" -name xbar_golden_tests -type f -perm -u+x | head -1)
[[ -x $test ]] || { echo "update-goldens: xbar_golden_tests not found under $build" >&2; exit 1; }
XBAR_UPDATE_GOLDENS=1 "$test" --gtest_brief=1
echo "update-goldens: wrote $(grep -vc '^#' tests/golden/points.txt) points under tests/golden/"
