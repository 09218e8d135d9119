#!/usr/bin/env bash
# How the daemon's costs grow with its screens: 1, 4 and 16 screens on one daemon (a video wall behind one machine),
# each a 1080p framebuffer (a file standing in for /dev/fbN) showing the five demo exhibits with 3-second pages (a
# playlist item's duration, over the exhibits' own) and 600 ms crossfades, each screen starting at another exhibit so
# they do not change all at once. For each count, after
# 5 s: CPU time over SECONDS (default 30) as a share of one core, and the resident memory (median of one sample a
# second). Printed with each figure per screen and the growth from 1 screen (the baseline, measured in the same run):
# 16x the screens should cost at most 16x, and the memory not shared between screens (code, fonts, laid-out text)
# should not grow at all. Release build with --static-swift-stdlib, as packaged.
# Usage: bench/scale-screens.sh [SECONDS] [COUNTS...]   (default counts 1 4 16)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1 4 16)
source bench/static-build.sh
pid=""
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
exhibits=(solidarity long-winter letters-home harbour-workshop lantern-loan)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
hz=$(getconf CLK_TCK)
declare -A cpu rss
for count in "${counts[@]}"; do
    {
        printf 'timezone: Europe/Paris\nthemes:\n'
        printf '  paper: { background: "#F6F1E7", text: "#1D1B18", transition: crossfade 600ms }\nplaylists:\n'
        for i in $(seq 0 $((count - 1))); do
            # Each screen's own rotation of the same exhibits, starting elsewhere in it.
            printf '  wall-%d: [' "$i"
            for j in 0 1 2 3 4; do
                printf '%s{ exhibit: %s, duration: 3s }' "$([ $j -gt 0 ] && echo ', ')" "${exhibits[$(((i + j) % 5))]}"
            done
            printf ']\n'
        done
        printf 'screens:\n'
        for i in $(seq 0 $((count - 1))); do
            printf '  wall-%d: { output: framebuffer, playlist: wall-%d, device: %s/fb%d, width: 1920, height: 1080 }\n' \
                "$i" "$i" "$work" "$i"
        done
    } > "$work/screens-$count.yaml"
    "$bin" run --config "$work/screens-$count.yaml" --log-file "$work/log-$count" --no-watch --no-play-log \
        --cache-dir "$work/cache" &
    pid=$!
    sleep 5
    before=$(ticks "$pid")
    samples=()
    for _ in $(seq "$seconds"); do
        sleep 1
        samples+=("$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")")
    done
    after=$(ticks "$pid")
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
    cpu[$count]=$(echo "($after - $before) / $hz / $seconds * 100" | bc -l)
    rss[$count]=$(echo "$(median "${samples[@]}") / 1024" | bc -l)
    printf 'screens_%d_cpu: %.1f %% of one core (%.2f %% per screen)\n' "$count" "${cpu[$count]}" \
        "$(echo "${cpu[$count]} / $count" | bc -l)"
    printf 'screens_%d_rss: %.1f MiB (%.1f MiB per screen)\n' "$count" "${rss[$count]}" \
        "$(echo "${rss[$count]} / $count" | bc -l)"
done
base=${counts[0]}
for count in "${counts[@]:1}"; do
    printf 'growth_screens_%d_to_%d (%dx the screens): CPU %.1fx, RSS %.1fx\n' "$base" "$count" "$((count / base))" \
        "$(echo "${cpu[$count]} / ${cpu[$base]}" | bc -l)" "$(echo "${rss[$count]} / ${rss[$base]}" | bc -l)"
done
