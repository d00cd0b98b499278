#!/usr/bin/env bash
# Lanterna set-up for Debian 12: installs what is missing, builds, then opens the studio or runs the tests.
#   ./setup.sh studio    set up, build, open the studio on the bundled demo project
#   ./setup.sh test      set up, build, run every test through ctest
#   ./setup.sh build     set up and build only
# Idempotent: packages already installed are not touched; the build is incremental (ccache, Ninja).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

MODE="${1:-studio}"
BUILD_DIR="${LANTERNA_BUILD_DIR:-build}"
JOBS="$(nproc)"

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  qt6-base-dev libqt6sql6-sqlite
  libtorch-dev libopenblas0-openmp
  ffmpeg libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev
  libopencv-dev
  libvulkan-dev glslang-tools mesa-vulkan-drivers vulkan-tools
  libsqlite3-dev sqlite3 zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev
  xvfb xauth
)

install_missing() {
  local missing=()
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Cache keys relative to the checkout, so a fresh clone elsewhere (CI) reuses earlier compilations.
export CCACHE_BASEDIR="$PWD"
export CCACHE_NOHASHDIR=1

build() {
  local generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    cmake -S . -B "$BUILD_DIR" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release ${LANTERNA_CMAKE_ARGS:-}
  fi
  cmake --build "$BUILD_DIR" --parallel "$JOBS"
}

install_missing
build

case "$MODE" in
  build) ;;
  test)
    # LibTorch starts with one thread; the tests and the engine use every core.
    export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$JOBS}"
    ctest --test-dir "$BUILD_DIR" --output-on-failure --parallel "$JOBS" ${LANTERNA_CTEST_ARGS:-}
    ;;
  studio)
    exec "$BUILD_DIR/app/lanterna" --demo
    ;;
  *)
    echo "usage: $0 [studio|test|build]" >&2
    exit 2
    ;;
esac
