#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for SECONDS each, seeded from the committed
# corpus (tests/fuzz/corpus/<target>/) and with a fixed seed, under ASan and UBSan. A crash,
# a leak, an input slower than 10 s or a failed check stops with the input kept in
# BUILD/fuzz-artifacts/; turn it into a test.
#   tools/run-fuzzers.sh BUILD SECONDS [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1
seconds=$2
shift 2
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(xasm arch onnx sweep)
mkdir -p "$build/fuzz-artifacts"
for t in "${targets[@]}"; do
  work="$build/fuzz-corpus/$t"  # what the fuzzer finds; the committed seeds stay as they are
  mkdir -p "$work"
  echo "fuzz_$t: ${seconds} s"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$build/fuzz/fuzz_$t" "$work" "tests/fuzz/corpus/$t" $(ls -d "tests/fuzz/regressions/$t" 2>/dev/null) -seed=1 -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$build/fuzz-artifacts/$t-" >"$build/fuzz-artifacts/$t.log" 2>&1; then
    echo "fuzz_$t failed; the input is in $build/fuzz-artifacts/ and the log in $build/fuzz-artifacts/$t.log"
    grep -E "ERROR|SUMMARY|Test unit written" "$build/fuzz-artifacts/$t.log" | head -5
    exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added" "$build/fuzz-artifacts/$t.log" |
    tr '\n' ' '
  echo
done
