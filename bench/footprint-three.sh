#!/usr/bin/env bash
# The daemon at work on three screens, as a small venue runs it: a terminal (drawing to /dev/null), a 1080p
# framebuffer (a file standing in for /dev/fb0) and a 1080p http kiosk screen, the five demo exhibits with their
# own page durations and crossfades. Headless Chromium shows that kiosk screen's page over the same SECONDS (default
# 60), in the same run: the peer a kiosk PC would run. Both are sampled every second after a 5 s start: resident and
# proportional memory (median of the samples), CPU time over the whole window. Skips Chromium with a message when
# absent. Release build with --static-swift-stdlib, as packaged. Usage: bench/footprint-three.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
source bench/static-build.sh
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pkill -f -- "--user-data-dir=$work/profile" || true
      sleep 1; rm -rf "$work"' EXIT
cat > "$work/vitrine.yaml" <<YAML
timezone: Europe/Paris
themes:
  paper:
    background: "#F6F1E7"
    text: "#1D1B18"
    accent: "#7A1F1F"
    muted: "#4F4A42"
    transition: crossfade 600ms
playlists:
  main: [solidarity, long-winter, letters-home, harbour-workshop, lantern-loan]
screens:
  hall: { output: terminal, playlist: main, tty: /dev/null, columns: 80, rows: 24 }
  wall: { output: framebuffer, playlist: main, device: $work/fb0, width: 1920, height: 1080 }
  kiosk: { output: http, playlist: main, width: 1920, height: 1080 }
http:
  listen: 127.0.0.1:0
YAML
"$bin" run --config "$work/vitrine.yaml" --log-file "$work/log" --no-watch --state-dir "$work/state" &
pids+=($!)
vitrine_pid=$!
port=""
for _ in $(seq 100); do
    port=$(grep -o 'vitrine.listen=127.0.0.1:[0-9]*' "$work/log" 2>/dev/null | head -1 | cut -d: -f2 || true)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "the daemon's listener did not start" >&2; exit 1; }

have_chromium=0
if command -v chromium >/dev/null; then
    have_chromium=1
    chromium --headless --no-sandbox --disable-gpu --window-size=1920,1080 --remote-debugging-port=0 \
        --user-data-dir="$work/profile" "http://127.0.0.1:$port/screens/kiosk" >/dev/null 2>&1 &
    pids+=($!)
fi
sleep 5

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
family() { pgrep -f -- "--user-data-dir=$work/profile" | tr '\n' ' '; }
family_ticks() { local t=0 p; for p in $(family); do t=$((t + $(ticks "$p"))); done; echo "$t"; }
family_pss() { local t=0 p v; for p in $(family); do
    v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0); t=$((t + v)); done; echo "$t"; }

v_before=$(ticks "$vitrine_pid"); c_before=0
[ "$have_chromium" = 1 ] && c_before=$(family_ticks)
rss=(); pss=(); cpss=()
for _ in $(seq "$seconds"); do
    sleep 1
    rss+=("$(awk '/VmRSS/ { print $2 }' "/proc/$vitrine_pid/status")")
    pss+=("$(awk '/^Pss:/ { print $2 }' "/proc/$vitrine_pid/smaps_rollup")")
    [ "$have_chromium" = 1 ] && cpss+=("$(family_pss)")
done
v_after=$(ticks "$vitrine_pid")
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
hz=$(getconf CLK_TCK)
v_rss=$(median "${rss[@]}"); v_pss=$(median "${pss[@]}")
v_cpu=$(echo "($v_after - $v_before) / $hz / $seconds * 100" | bc -l)
pages=$(grep -c "Showing\." "$work/log" || true)
printf 'footprint_three_screens_rss: %.1f MiB\n' "$(echo "$v_rss / 1024" | bc -l)"
printf 'footprint_three_screens_pss: %.1f MiB\n' "$(echo "$v_pss / 1024" | bc -l)"
printf 'footprint_three_screens_cpu: %.2f %% of one core (%d ticks in %d s)\n' "$v_cpu" "$((v_after - v_before))" "$seconds"
if [ "$have_chromium" = 0 ]; then
    echo "chromium: not installed, comparison skipped (apt-get install chromium)"
    exit 0
fi
c_after=$(family_ticks)
c_pss=$(median "${cpss[@]}")
c_cpu=$(echo "($c_after - $c_before) / $hz / $seconds * 100" | bc -l)
printf 'chromium_kiosk_page_pss: %.1f MiB over %d processes\n' "$(echo "$c_pss / 1024" | bc -l)" "$(family | wc -w)"
printf 'chromium_kiosk_page_cpu: %.2f %% of one core (%d ticks)\n' "$c_cpu" "$((c_after - c_before))"
printf 'ratio_memory_chromium_one_page_to_vitrine_three_screens: %.1fx\n' "$(echo "$c_pss / $v_pss" | bc -l)"
# PSS splits the shared libraries (fontconfig, GLib...) both map; against vitrine's whole RSS the ratio is a floor.
printf 'ratio_memory_chromium_pss_to_vitrine_rss: %.1fx\n' "$(echo "$c_pss / $v_rss" | bc -l)"
if [ "$v_after" -gt "$v_before" ]; then
    printf 'ratio_cpu_chromium_to_vitrine: %.1fx\n' "$(echo "($c_after - $c_before) / ($v_after - $v_before)" | bc -l)"
else
    echo "ratio_cpu_chromium_to_vitrine: vitrine used no measurable CPU time"
fi
