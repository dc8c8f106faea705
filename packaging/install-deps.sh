#!/usr/bin/env bash
# Installs what Condense needs to build, run and test on Debian 12 / Ubuntu 24.04.
# Idempotent and non-interactive: only missing packages are installed.
# Homebrew and vcpkg users: see packaging/Brewfile and packaging/vcpkg.json.
set -euo pipefail

PACKAGES=(
  cmake g++ ninja-build ccache pkg-config
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev libqt6svg6
  libqcustomplot-dev libeigen3-dev libtbb-dev nlohmann-json3-dev libpcre2-dev libcli11-dev libicu-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev libsentencepiece-dev
  xvfb xauth
  chromium
)
# chromium: the test that opens report.html headless (tests/ui/report_html_browser_test.cpp).

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: apt-get not found; install these by hand: ${missing[*]}" >&2
  exit 1
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
