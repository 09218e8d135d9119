#!/usr/bin/env bash
# An idle daemon: one terminal screen (drawing to /dev/null), pages of 30 s, measured over SECONDS (default 60):
# CPU time used, as a share of one core, and resident memory at the end. Release build linked with
# --static-swift-stdlib, as the package ships it (a dynamically linked build maps ~4 MB more of shared Swift
# libraries). Usage: bench/idle.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
source bench/static-build.sh
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/vitrine.yaml" <<YAML
timezone: Europe/Paris
pages: { duration: 30s }
themes:
  paper: { background: "#F6F1E7", text: "#1D1B18" }
playlists:
  main: [solidarity, long-winter, letters-home, harbour-workshop, lantern-loan]
screens:
  hall:
    output: terminal
    playlist: main
    tty: /dev/null
    columns: 80
    rows: 24
YAML
"$bin" run --config "$work/vitrine.yaml" --log-file "$work/log" &
pid=$!
sleep 2
ticks=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
before=$(cpu)
sleep "$seconds"
after=$(cpu)
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
anon=$(awk '/^Pss_Anon/ { print $2 }' "/proc/$pid/smaps_rollup")
awk -v b="$before" -v a="$after" -v t="$ticks" -v s="$seconds" \
    'BEGIN { printf "idle_cpu: %.3f %% of one core over %d s (%d ticks)\n", (a - b) / t / s * 100, s, a - b }'
awk -v r="$rss" -v h="$hwm" -v a="$anon" \
    'BEGIN { printf "idle_rss: %.1f MiB (peak %.1f MiB; private heap and stacks %.1f MiB)\n", r / 1024, h / 1024, a / 1024 }'
kill -TERM "$pid"
wait "$pid" && echo "exit: 0 after SIGTERM"
