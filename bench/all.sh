#!/usr/bin/env bash
# `make bench`: every benchmark in one run, on this machine, release builds. Each prints `name: value unit` lines,
# with ratios to a baseline measured in the same run; the figures are kept in docs/benchmarks.md.
# Usage: bench/all.sh [RUNS] [SECONDS]   (RUNS for start-up/reload medians, default 7; SECONDS of footprint, default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
seconds=${2:-60}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
section() { echo; echo "== $1"; }
{
    echo "vitrine benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
    section "start-up and reload (bench/startup-reload.sh $runs)"
    bench/startup-reload.sh "$runs"
    section "the collection's size: 1,000 / 5,000 / 10,000 exhibits (bench/scale-exhibits.sh 3)"
    bench/scale-exhibits.sh 3
    section "screens on one daemon: 1 / 4 / 16 (bench/scale-screens.sh 30)"
    bench/scale-screens.sh 30
    section "render, 1080p (vitrine-bench config/exhibits)"
    swift build -c release --product vitrine-bench >/dev/null
    .build/release/vitrine-bench config/exhibits
    section "kiosk browsers on one screen: 500 / 2,000 / 5,000 (bench/scale-browsers.sh 5)"
    bench/scale-browsers.sh 5
    section "footprint, three screens, next to Chromium (bench/footprint-three.sh $seconds)"
    bench/footprint-three.sh "$seconds"
    section "film, 1080p on a framebuffer, next to libmpv alone (bench/film.sh 30)"
    bench/film.sh 30
    section "signed content bundles (bench/bundle.sh 1000 512)"
    bench/bundle.sh 1000 512
} | tee "$out"
echo
echo "== ratios (each against its baseline in this run)"
grep -E '[0-9.]+x\b|ratio' "$out" | grep -v '^==' || true
