#!/bin/sh
# Renders the studio with the demo project under Xvfb and saves docs/screenshots/studio.png.
#   docs/take_screenshot.sh [BUILD_DIR]     (default: build)
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
mkdir -p "$root/docs/screenshots"
# A private settings folder, so a saved layout from a real session does not change the picture.
config="$(mktemp -d)"
trap 'rm -rf "$config"' EXIT
XDG_CONFIG_HOME="$config" xvfb-run -a -s "-screen 0 1600x1000x24" \
  "$build/app/lanterna" --demo --screenshot "$root/docs/screenshots/studio.png"
