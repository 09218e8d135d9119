#!/usr/bin/env bash
# How page delivery grows with the kiosk browsers on one screen: bench/push.sh at 500, 2,000 and 5,000 event streams
# (each from its own loopback address), CHANGES page changes each (default 5). For each count: the delay from the
# schedule's page change to each browser having the page (p50, p99) and the daemon's memory per browser; then the
# growth from the first count (the baseline, measured in the same run).
# Usage: bench/scale-browsers.sh [CHANGES] [COUNTS...]   (default counts 500 2000 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
changes=${1:-5}
shift || true
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(500 2000 5000)
declare -A p50 p99 per
for count in "${counts[@]}"; do
    out=$(bench/push.sh "$count" "$changes" 2>/dev/null)
    delivered=$(awk '/^push_deliveries:/ { print $2 }' <<<"$out")
    p50[$count]=$(awk '/^push_p50:/ { print $2 }' <<<"$out")
    p99[$count]=$(awk '/^push_p99:/ { print $2 }' <<<"$out")
    per[$count]=$(awk '/^push_rss_per_client:/ { print $2 }' <<<"$out")
    echo "browsers_${count}_deliveries: $delivered of $((count * changes))"
    echo "browsers_${count}_delivery: p50 ${p50[$count]} ms, p99 ${p99[$count]} ms"
    echo "browsers_${count}_memory_per_browser: ${per[$count]} KiB"
done
base=${counts[0]}
for count in "${counts[@]:1}"; do
    printf 'growth_browsers_%d_to_%d (%.0fx the browsers): p50 %.1fx, p99 %.1fx, memory per browser %.2fx\n' \
        "$base" "$count" "$(echo "$count / $base" | bc -l)" "$(echo "${p50[$count]} / ${p50[$base]}" | bc -l)" \
        "$(echo "${p99[$count]} / ${p99[$base]}" | bc -l)" "$(echo "${per[$count]} / ${per[$base]}" | bc -l)"
done
