#!/usr/bin/env bash
# The README's two commands:
#   bash packaging/dev.sh run    install what is missing, build, start Condense on the demo model
#                                (the GUI when a display is available, otherwise the CLI pipeline)
#   bash packaging/dev.sh test   install what is missing, build, run the test suite: the default
#                                suite (in-repo data), plus the extended suite when ../shared
#                                (CONDENSE_SHARED_DIR) holds the reference models
# Environment: CONDENSE_SHARED_DIR=path (the extended data; default ../shared),
#              CONDENSE_REQUIRE_EXTENDED=1 (fail at configure time without it; CI sets this).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cmd=${1:-}

case "$cmd" in
  run|test) ;;
  *) echo "usage: bash packaging/dev.sh run|test" >&2; exit 2 ;;
esac

bash "$here/install-deps.sh"
cd "$root"

jobs=$(nproc 2>/dev/null || echo 2)
if [[ "$cmd" == test ]]; then
  args=()
  [[ -n "${CONDENSE_SHARED_DIR:-}" ]] && args+=("-DCONDENSE_SHARED_DIR=$CONDENSE_SHARED_DIR")
  [[ "${CONDENSE_REQUIRE_EXTENDED:-0}" == 1 ]] && args+=("-DCONDENSE_REQUIRE_EXTENDED=ON")
  cmake --preset ci "${args[@]}"
  cmake --build --preset ci -j "$jobs"
  ctest --preset ci -j "$jobs"
  exit 0
fi

cmake --preset release
cmake --build --preset release -j "$jobs" --target condense condense-cli
bin="$root/build/release/app"
demo="$root/resources/demo"
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  exec "$bin/condense" --demo
fi
echo "No display found: running the command-line pipeline on the demo model ($demo)."
"$bin/condense-cli" inspect "$demo" | sed -n '1,20p'
echo
"$bin/condense-cli" plan "$demo" --profile laptop-cpu-8gb
echo
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Plan for the 8 GB laptop, quantize, evaluate against the original, write the reports.
"$bin/condense-cli" run "$demo" --profile laptop-cpu-8gb -o "$out/demo-run"
echo
"$bin/condense-cli" analyze "$out/demo-run/"*.gguf --tensor 'blk\.0\.' --no-cache
