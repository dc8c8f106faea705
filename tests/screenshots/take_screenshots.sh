#!/usr/bin/env bash
# Starts the GUI under Xvfb on the bundled demo model and saves a screenshot of each page the
# README shows: the Inspect page's tensor view and whole-model heatmap, the Quantize page and
# the Results page (of a run `condense-cli run` makes first, where the window looks for the
# demo's runs: Documents/Condense under a scratch HOME). Look at them before you call a change
# to a page done.
#
#   bash tests/screenshots/take_screenshots.sh [OUT_DIR] [BUILD_DIR]
#
# OUT_DIR defaults to resources/screenshots (the README's pictures), BUILD_DIR to build/ci.
# Exits non-zero when the GUI fails to start, a picture is missing, or one is blank.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/resources/screenshots}"
build="${2:-$root/build/ci}"
app="$build/app/condense"
cli="$build/app/condense-cli"
[ -x "$app" ] || { echo "take_screenshots: $app is not built" >&2; exit 1; }
[ -x "$cli" ] || { echo "take_screenshots: $cli is not built" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "take_screenshots: xvfb-run is missing (apt install xvfb xauth)" >&2; exit 1; }
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

shoot() { # name page tensor [format]
  local name="$1" page="$2" tensor="${3:-}" format="${4:-}"
  # A fresh settings file and cache: the pictures never depend on this machine's state.
  HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" xvfb-run -a -s "-screen 0 1280x860x24" \
    "$app" --demo --settings "$work/settings.ini" --language en --page "$page" \
    ${tensor:+--tensor "$tensor"} ${format:+--format "$format"} --screenshot "$out/$name.png"
  [ -s "$out/$name.png" ] || { echo "take_screenshots: $out/$name.png was not written" >&2; exit 1; }
  # Not blank: a PNG of a real window compresses far worse than a flat one.
  local size; size=$(stat -c %s "$out/$name.png")
  [ "$size" -gt 20000 ] || { echo "take_screenshots: $out/$name.png looks blank ($size bytes)" >&2; exit 1; }
  echo "$out/$name.png"
}

shoot inspect-tensor inspect model.layers.1.mlp.down_proj.weight
shoot inspect-heatmap heatmap model.layers.3.self_attn.k_proj.weight
shoot quantize quantize ""
shoot quantize-gptq quantize "" gptq
# Two runs of the demo where the window finds them, so the comparison chart has two points.
mkdir -p "$work/home/Documents/Condense"
for mix in Q8_0 Q4_K_M; do
  "$cli" run "$root/resources/demo" --type "$mix" -o "$work/home/Documents/Condense/demo-$mix" --no-latency >/dev/null
done
shoot results results ""
