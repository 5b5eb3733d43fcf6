#!/bin/sh
# tools/setup.sh: install what is missing (Debian 12, as root), then
# configure and build hwnas into ./build. Safe to re-run: packages already
# installed are not touched and the build is incremental.
#   tools/setup.sh           build + runtime + test dependencies
#   tools/setup.sh --bench   also the benchmark peers (DEAP, sklearn,
#                            xgboost, PyTorch for Python) and hyperfine
# HWNAS_WERROR=ON|OFF in the environment (CI=true implies ON) is passed to
# cmake, so CI can run this script verbatim and still build with -Werror.
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential cmake pkg-config git
libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools
libopenblas-dev libxgboost-dev libzmq3-dev libyaml-dev
libplplot-dev plplot-driver-cairo libcmocka-dev
slurm-wlm munge python3 python3-h5py python3-numpy python3-yaml procps iproute2
libprotobuf-c-dev protobuf-c-compiler libonnx-dev python3-onnx qemu-user crossbuild-essential-arm64"
if [ "${1:-}" = "--bench" ]; then
  PKGS="$PKGS python3-deap python3-sklearn python3-xgboost python3-torch python3-scipy hyperfine valgrind"
fi

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ]; then
  echo "setup: installing:$missing" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages and not root; run as root or install:$missing" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
fi

# ---- ONNX export and the arm64 board agent (issue 15) ----------------------
# arm64 libraries for the cross-built agent (multiarch), Node.js and the
# onnxruntime-node package the tests run exported models with (into
# tests/peers/node_modules from the committed package-lock.json; the
# package's optional CUDA download is skipped by tests/peers/.npmrc).
ARM64_PKGS="libopenblas-dev:arm64 libzmq3-dev:arm64 libyaml-dev:arm64 libprotobuf-c-dev:arm64"
arm_missing=""
for p in $ARM64_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || arm_missing="$arm_missing $p"
done
if [ -n "$arm_missing" ] || ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: need root for:$arm_missing nodejs npm" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  apt-get update -q
  node_pkgs=""
  command -v node >/dev/null && command -v npm >/dev/null || node_pkgs="nodejs npm"
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $arm_missing $node_pkgs
fi
if [ ! -d tests/peers/node_modules/onnxruntime-node ]; then
  (cd tests/peers && npm ci --no-audit --no-fund)
fi
# ---- end ONNX / arm64 ---------------------------------------------------------

jobs=$(nproc 2>/dev/null || echo 2)
werror=${HWNAS_WERROR:-}
[ -z "$werror" ] && [ "${CI:-}" = true ] && werror=ON
asan=""
if [ "${CI:-}" = true ]; then # CI: the suite also runs under ASan (ctest asan.suite)
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHWNAS_ASAN=ON >/dev/null
  cmake --build build-asan -j "$jobs"
  asan="-DHWNAS_ASAN_BUILD=$PWD/build-asan"
fi
# shellcheck disable=SC2086
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo ${werror:+-DHWNAS_WERROR=$werror} $asan >/dev/null
cmake --build build -j "$jobs"
echo "setup: built build/hwnas" >&2
