#!/usr/bin/env bash
# Builds the libFuzzer targets under fuzz/ with clang (ASan + UBSan, everything instrumented)
# in their own build folder and runs each for SECONDS (default 600), one after the other.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      e.g. scripts/fuzz.sh 60 notches crs
#
# Needs clang and libFuzzer (Debian: clang libfuzzer-14-dev); the default build does not.
# Environment: RB_FUZZ_BUILD (build folder, default build-fuzz), RB_FUZZ_JOBS (build jobs).
# Inputs that crash, leak, hang or run out of memory land in BUILD/fuzz-findings/TARGET/;
# the growing corpus stays in BUILD/fuzz-corpus/TARGET/ (both outside git). Findings worth
# keeping belong in tests/reliability/fuzz-regressions/TARGET/, which the test suite replays.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
shift || true
all_targets=(geojson recipe crs score_expression notches dataset)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
build=${RB_FUZZ_BUILD:-$here/build-fuzz}
jobs=${RB_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (apt-get install clang libfuzzer-14-dev)" >&2; exit 1; }

mkdir -p "$build"
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DRASTERBENCH_FUZZ=ON -DRASTERBENCH_BUILD_UI=OFF -DRASTERBENCH_BUILD_TESTS=OFF \
  -DRASTERBENCH_BUILD_BENCH=OFF >"$build/fuzz-configure.log" 2>&1 ||
  { cat "$build/fuzz-configure.log" >&2; exit 1; }
cmake --build "$build" -j "$jobs" --target $(printf 'fuzz_%s ' "${targets[@]}")

# Seeds: the small files committed under fuzz/seeds/, the kept regressions, the test data's
# small recipes and GeoJSON, tiny TIFFs, all copied into the corpus (which then grows).
seed() { # target files...
  local dir=$build/fuzz-corpus/$1
  shift
  mkdir -p "$dir"
  for f in "$@"; do
    [ -f "$f" ] && [ "$(stat -c %s "$f")" -le 4096 ] && cp -n "$f" "$dir/" || true
  done
}
for t in "${targets[@]}"; do
  seed "$t" "$here"/fuzz/seeds/"$t"/* "$here"/tests/reliability/fuzz-regressions/"$t"/*
done
seed recipe "$here"/tests/data/recipe/*.json
seed geojson "$here"/tests/data/features/*.geojson
seed dataset "$here"/tests/data/tricky/*.tif
if command -v gdal_translate >/dev/null && [ ! -f "$build/fuzz-corpus/dataset/tiny-geotiff.tif" ]; then
  # A tiny georeferenced scene with nodata, tiled and deflated: the paths a real scene takes.
  gdal_translate -q -outsize 8 8 -a_nodata 0 -co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=16 \
    -co COMPRESS=DEFLATE "$here/resources/sample/RGB.byte.tif" "$build/fuzz-corpus/dataset/tiny-geotiff.tif" || true
  gdal_translate -q -outsize 4 3 -ot Float32 "$here/resources/sample/RGB.byte.tif" \
    "$build/fuzz-corpus/dataset/tiny-float.tif" || true
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
summary=()
for t in "${targets[@]}"; do
  findings=$build/fuzz-findings/$t
  logs=$build/fuzz-logs
  mkdir -p "$findings" "$logs"
  echo "fuzz.sh: running fuzz_$t for ${seconds}s (log: $logs/$t.log)"
  start=$(date +%s)
  # Fork mode keeps going after a finding, so one run covers the whole time budget.
  (cd "$logs" && "$build/fuzz/fuzz_$t" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 \
    -ignore_ooms=1 -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -max_len=8192 \
    -artifact_prefix="$findings/" "$build/fuzz-corpus/$t" >"$logs/$t.log" 2>&1) || true
  elapsed=$(($(date +%s) - start))
  execs=$(grep -aoE '^#[0-9]+' "$logs/$t.log" | tail -1 | tr -d '#')
  execs=${execs:-0}
  found=$(find "$findings" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)
  summary+=("$(printf '%-17s %6ss %12s execs %8s exec/s %4s findings' "$t" "$elapsed" "$execs" \
    "$((execs / (elapsed > 0 ? elapsed : 1)))" "$found")")
  # Fork mode logs only "deadly signal": replay each finding once for its first error line.
  for f in $(find "$findings" -type f | sort); do
    why=$(timeout 120 "$build/fuzz/fuzz_$t" -rss_limit_mb=2048 -timeout=20 "$f" 2>&1 |
      grep -aE -m1 'what\(\)|runtime error|ERROR: [A-Za-z]+Sanitizer|ERROR: libFuzzer' |
      cut -c1-160) || true
    summary+=("    $(basename "$f"): ${why:-does not reproduce}")
  done
done
echo
echo "fuzz.sh: results (findings in $build/fuzz-findings/TARGET/)"
printf '  %s\n' "${summary[@]}"
