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
mkdir -p "$work/exhibits"
{
    printf 'timezone: Europe/Paris\nthemes:\n  paper: { background: "#FFFFFF", text: "#111111" }\nplaylists:\n  main:\n'
    for i in $(seq 0 $((count - 1))); do printf '    - exhibit-%d\n' "$i"; done
    printf 'screens:\n  hall:\n    output: terminal\n    playlist: main\n'
} > "$work/vitrine.yaml"
paragraph=$(printf 'Words that fill a paragraph of ordinary length for a gallery panel. %.0s' {1..8})
for i in $(seq 0 $((count - 1))); do
    d="$work/exhibits/exhibit-$i"
    mkdir -p "$d"
    cp config/exhibits/harbour-workshop/harbour.png "$d/photo.png"
    cat > "$d/exhibit.md" <<MD
---
series: Generated
title: Exhibit number $i
summary: A generated exhibit used to measure how fast a large content folder is checked.
testimony:
  quote: "We counted the days by the bread, and the bread by the days."
  speaker: Witness $i
  role: prisoner
  context: recorded for the size test
images:
  - file: photo.png
    alt: A generated picture.
    caption: Picture $i.
---
## Section

$paragraph

![A generated picture](photo.png)
MD
done

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
time_ms() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}
"$bin" check --config "$work/vitrine.yaml" >/dev/null  # warm the page cache
check=$(for _ in 1 2 3 4 5 6 7; do time_ms "$bin" check --config "$work/vitrine.yaml"; done | median)
read_all() { cat "$work"/vitrine.yaml "$work"/exhibits/*/exhibit.md "$work"/exhibits/*/photo.png; }
baseline=$(for _ in 1 2 3 4 5 6 7; do time_ms read_all; done | median)
echo "check_${count}_exhibits: ${check} ms"
echo "read_files_baseline: ${baseline} ms"
awk -v a="$check" -v b="$baseline" 'BEGIN { printf "ratio_check_to_reading: %.1fx\n", (b > 0 ? a / b : 0) }'
