#!/bin/sh
# Renders the studio under Xvfb with real generations and saves both pictures of the README:
#   docs/screenshots/studio.png             a finished multi-clip project (toyworld model, takes, an animated photo)
#   docs/screenshots/studio-generating.png  the demo project mid-generation (a live preview on the clip)
#   docs/take_screenshot.sh [BUILD_DIR]     (default: build; needs the ui_studio_*_test targets built)
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
mkdir -p "$root/docs/screenshots"
# A private settings folder, so a saved layout from a real session does not change the picture.
config="$(mktemp -d)"
trap 'rm -rf "$config"' EXIT
shoot() {  # test binary, test function, output file
  XDG_CONFIG_HOME="$config" QT_QPA_PLATFORM=xcb LANTERNA_SCREENSHOT="$3" \
    xvfb-run -a -s "-screen 0 1600x1000x24" "$build/tests/ui/$1" "$2"
}
shoot ui_studio_screenshot_test finishedMultiClipProject "$root/docs/screenshots/studio.png"
shoot ui_studio_flow_test screenshotMidGeneration "$root/docs/screenshots/studio-generating.png"
