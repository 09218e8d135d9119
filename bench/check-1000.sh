#!/usr/bin/env bash
# `vitrine check` over 1,000 generated exhibits (release build), median of 7 runs, next to the time it takes just to
# read the same files (cat), measured in the same run. Usage: bench/check-1000.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}
swift build -c release --product vitrine >/dev/null
bin=.build/release/vitrine
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source bench/generated-venue.sh
generate_venue "$work" "$count" 'screens:\n  hall:\n    output: terminal\n    playlist: main\n'

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
time_ms() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}
# --no-pages: the files read and checked, as this figure has measured from the start (check also lays out long
# exhibits' pages for its reading-time warning since 2026-12-02).
"$bin" check --no-pages --config "$work/vitrine.yaml" >/dev/null  # warm the page cache
check=$(for _ in 1 2 3 4 5 6 7; do time_ms "$bin" check --no-pages --config "$work/vitrine.yaml"; done | median)
read_all() { cat "$work"/vitrine.yaml "$work"/exhibits/*/exhibit.md "$work"/exhibits/*/photo.png; }
baseline=$(for _ in 1 2 3 4 5 6 7; do time_ms read_all; done | median)
echo "check_${count}_exhibits: ${check} ms"
echo "read_files_baseline: ${baseline} ms"
awk -v a="$check" -v b="$baseline" 'BEGIN { printf "ratio_check_to_reading: %.1fx\n", (b > 0 ? a / b : 0) }'
