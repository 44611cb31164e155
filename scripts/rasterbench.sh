#!/usr/bin/env bash
# One entry point for the README's two commands:
#   scripts/rasterbench.sh run     install missing Debian packages, build, open the workbench
#                                  on the bundled sample scene
#   scripts/rasterbench.sh test    install missing Debian packages, build, run every test
# Options: --sanitize (AddressSanitizer + UBSan build in build-asan/), --build-dir DIR,
#          --no-install (skip the package check). Anything after -- goes to ctest / rasterbench.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mode=${1:-}
[ -n "$mode" ] && shift || true
sanitize=OFF
build_dir=
install=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize=ON ;;
    --build-dir) build_dir=$2; shift ;;
    --no-install) install=0 ;;
    --) shift; extra=("$@"); break ;;
    *) extra+=("$1") ;;
  esac
  shift
done
case "$mode" in
  run|test|build) ;;
  *) echo "usage: scripts/rasterbench.sh run|test|build [--sanitize] [--build-dir DIR] [--no-install] [-- ARGS]" >&2; exit 2 ;;
esac
if [ -z "$build_dir" ]; then
  build_dir="$here/build"
  [ "$sanitize" = ON ] && build_dir="$here/build-asan"
fi

# Debian packages the project builds, tests and benchmarks with (DESIGN.md's table).
packages=(
  build-essential cmake pkg-config git
  qt6-base-dev qt6-qpa-plugins libqcustomplot-dev libqcustomplot2.1-qt6
  libgdal-dev gdal-bin libproj-dev proj-data libfftw3-dev
  libmuparser-dev nlohmann-json3-dev libtbb-dev libbenchmark-dev
  fonts-dejavu-core python3
  slurm-wlm munge
)
# Optional, for scripts/fuzz.sh only (never installed here, not needed to build or test):
# clang libfuzzer-14-dev

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "rasterbench: installing Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

[ "$install" = 1 ] && install_missing

jobs=$(nproc 2>/dev/null || echo 2)
# The test command leaves the benchmarks out (no test runs them): a few minutes less of a
# fresh build, which CI's time limit counts. build and run build them.
bench=ON
[ "$mode" = test ] && bench=OFF
cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRASTERBENCH_SANITIZE="$sanitize" \
  -DRASTERBENCH_BUILD_BENCH="$bench"
cmake --build "$build_dir" -j "$jobs"

case "$mode" in
  build) ;;
  run)
    exec "$build_dir/app/rasterbench" "$here/resources/sample/RGB.byte.tif" "${extra[@]}"
    ;;
  test)
    export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
    # Keep the tests' caches (FFTW wisdom) inside the build tree, not in the user's home.
    export XDG_CACHE_HOME="$build_dir/test-cache"
    if [ "$sanitize" = ON ]; then
      export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
      export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
      export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/scripts/lsan.supp}
    fi
    ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" "${extra[@]}"
    ;;
esac
