#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/, -DLANTERNA_FUZZ=ON) and runs each for a bounded time.
#   scripts/fuzz.sh                 # every target, 30 s each (CI)
#   scripts/fuzz.sh 600 safetensors # one target, 10 minutes (by hand)
# New inputs go to build-fuzz/fuzz-corpus/<name>/ (seeded from tests/fuzz/corpus/<name>/); crashes to
# build-fuzz/fuzz-artifacts/<name>/. Copy a crash into tests/fuzz/crashers/<name>/ once fixed: ctest replays it.
set -euo pipefail
seconds="${1:-30}"
shift || true
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(safetensors clip_tokenizer project_store png_parameters)
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${LANTERNA_FUZZ_BUILD:-$root/build-fuzz}"
jobs="${LANTERNA_JOBS:-2}"

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLANTERNA_FUZZ=ON -DLANTERNA_BUILD_UI=OFF -DLANTERNA_BUILD_BENCH=OFF \
    -DLANTERNA_SHARED_DIR="${LANTERNA_SHARED_DIR:-$root/../shared}"
fi
cmake --build "$build" -j"$jobs" --target "${targets[@]/%/_fuzzer}"

status=0
for name in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$name" artifacts="$build/fuzz-artifacts/$name"
  mkdir -p "$corpus" "$artifacts"
  cp -n "$root/tests/fuzz/corpus/$name/"* "$corpus/" 2>/dev/null || true
  echo "== $name: ${seconds} s"
  if ! "$build/tests/fuzz/${name}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" 2>"$artifacts/log.txt"; then
    echo "!! $name found a problem: see $artifacts/"
    tail -30 "$artifacts/log.txt"
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$artifacts/log.txt" | sed "s/^/   /" || true
done
exit $status
