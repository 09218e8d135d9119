#!/usr/bin/env bash
# Server-Sent Events fan-out: CLIENTS (default 2000) browsers on one kiosk screen whose page changes every 2 s.
# Prints the delay from the schedule's page change to each client having the page (p50, p99), and the daemon's
# memory per connected client. Release build with --static-swift-stdlib, as packaged.
# Usage: bench/push.sh [CLIENTS] [CHANGES]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-2000}
changes=${2:-5}
ulimit -n 65536 2>/dev/null || ulimit -n 8192
source bench/static-build.sh
cc -O2 -o "$work/sse_clients" bench/sse_clients.c
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/vitrine.yaml" <<YAML
timezone: UTC
pages: { duration: 2s }
themes:
  paper: { background: "#F6F1E7", text: "#1D1B18", transition: cut }
playlists:
  main: [{ exhibit: solidarity, duration: 2s }, { exhibit: long-winter, duration: 2s }]
screens:
  kiosk:
    output: http
    playlist: main
http:
  listen: 127.0.0.1:0
  max-streams: $((clients + 100))
YAML
"$bin" run --config "$work/vitrine.yaml" --log-file "$work/log" --no-watch &
pid=$!
for _ in $(seq 100); do
    port=$(grep -o 'vitrine.listen=127.0.0.1:[0-9]*' "$work/log" 2>/dev/null | head -1 | cut -d: -f2 || true)
    [ -n "$port" ] && break
    sleep 0.1
done
sleep 2
rss() { awk '/VmRSS/ { print $2 }' "/proc/$pid/status"; }
anon() { awk '/RssAnon/ { print $2 }' "/proc/$pid/status"; }
# One browser first, so the code that serves streams is mapped before the baseline is taken: what is measured per
# client is then what each connection costs, not code pages shared by all.
"$work/sse_clients" "$port" kiosk 20 1 >/dev/null
sleep 1
before=$(rss)
before_anon=$(anon)
"$work/sse_clients" "$port" kiosk "$clients" "$changes" 2>"$work/connected" &
checker=$!
# Memory once every stream is open (5,000 take several seconds to connect), and a page change later.
for _ in $(seq 600); do grep -q connected "$work/connected" 2>/dev/null && break; sleep 0.1; done
sleep 3
during=$(rss)
during_anon=$(anon)
wait "$checker"
printf 'push_rss_idle: %.1f MiB\n' "$(echo "$before / 1024" | bc -l)"
printf 'push_rss_with_clients: %.1f MiB\n' "$(echo "$during / 1024" | bc -l)"
printf 'push_rss_per_client: %.1f KiB (target under 20 KB)\n' "$(echo "($during - $before) / $clients" | bc -l)"
printf 'push_heap_per_client: %.1f KiB (anonymous memory only)\n' "$(echo "($during_anon - $before_anon) / $clients" | bc -l)"
