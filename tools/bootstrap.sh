#!/usr/bin/env bash
# Installs everything xbar's build, demo and tests need, from Debian packages only.
# Idempotent and quick when all is present: it asks dpkg first and calls apt only for
# what is missing.
set -euo pipefail

packages=(
  # toolchain
  cmake g++ make ccache pkg-config clang-format
  # fuzzing (make fuzz): clang's libFuzzer, ASan and UBSan runtimes
  clang-14 libclang-rt-14-dev
  # C++ libraries (see docs/building.md)
  libsystemc-dev libboost-graph-dev llvm-14-dev libyaml-cpp-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev libspdlog-dev
  # crossbar numerics: Eigen's integer GEMM (fast path); oneDNN for the float reference
  libeigen3-dev libdnnl-dev
  # Debian's oneDNN is built with an OpenCL GPU runtime: its CMake config finds OpenCL, whose
  # headers and link library libdnnl-dev does not pull in
  ocl-icd-opencl-dev opencl-c-headers
  # distributed sweeps
  libopenmpi-dev openmpi-bin
  # HTML reports: Vega-Lite from npm (installed by the build), checked in Debian's chromium
  nodejs chromium
  # workload export, run with /usr/bin/python3
  python3-torch python3-torchvision python3-onnx python3-numpy
  # trained tiny models on scikit-learn's bundled digits data (no download)
  python3-sklearn
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

# Node.js from another source (nodesource) bundles npm; Debian's nodejs does not.
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "bootstrap: done"
