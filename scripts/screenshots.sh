#!/usr/bin/env bash
# Screenshots of every workspace at the two reference window sizes, for review: the
# workbench started offscreen with the sample scene, each workspace applied, the window
# grabbed (QWidget::grab, through --screenshot --panels) into OUT/WORKSPACE-WxH.png once
# the view is drawn and the workspace's panels are done (MainWindow::panelWork: previews,
# the full-resolution composite, the spectrum); after 120 s it fails naming what still ran.
#
#   scripts/screenshots.sh OUT [SCENE...]
#
# SCENE defaults to the bundled sample (resources/sample/RGB.byte.tif). The executable is
# $RASTERBENCH, else build/app/rasterbench of this checkout.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -ge 1 ] || { echo "usage: $0 OUT [SCENE...]" >&2; exit 2; }
out="$1"
shift
scenes=("$@")
[ ${#scenes[@]} -gt 0 ] || scenes=("$here/resources/sample/RGB.byte.tif")
exe="${RASTERBENCH:-$here/build/app/rasterbench}"
[ -x "$exe" ] || { echo "$exe not found: build first (cmake --build build)" >&2; exit 1; }
mkdir -p "$out"
# A home of its own: the user's settings (window state, last values) do not leak in.
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
count=0
for size in 1366x768 1920x1080; do
  for workspace in inspect composite deband transform catalog; do
    png="$out/$workspace-$size.png"
    HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_CACHE_HOME="$home/.cache" \
      QT_QPA_PLATFORM=offscreen "$exe" --screenshot "$png" --size "$size" --panels \
      --workspace "$workspace" "${scenes[@]}"
    echo "$png"
    count=$((count + 1))
  done
done
echo "wrote $count screenshots to $out"
