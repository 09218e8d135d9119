#!/usr/bin/env bash
# Memory of the daemon driving one 1080p framebuffer screen (a file standing in for /dev/fb0), next to headless
# Chromium showing the same page as HTML, measured in the same run (skipped with a message when chromium is absent).
# Pages change every 4 s (crossfades included) so the figure is the daemon at work, not just after start-up:
# RSS is sampled every 0.25 s over SETTLE seconds (default 20): the median is the daemon showing a page, the
# highest sample the moment of a crossfade (old and new frame both held). Chromium settles for the same time. Release build with --static-swift-stdlib, as packaged.
# Usage: bench/footprint.sh [SETTLE]
set -euo pipefail
cd "$(dirname "$0")/.."
settle=${1:-20}
source bench/static-build.sh
pids=()
# Chromium's helpers write into its profile until they exit: wait for them before removing the folder.
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pkill -f -- "--user-data-dir=$work/profile" || true
      sleep 1; rm -rf "$work"' EXIT
cat > "$work/vitrine.yaml" <<YAML
timezone: Europe/Paris

themes:
  paper: { background: "#F6F1E7", text: "#1D1B18", accent: "#7A1F1F", muted: "#4F4A42" }
playlists:
  main: [{ exhibit: solidarity, duration: 4s }]
screens:
  wall:
    output: framebuffer
    playlist: main
    device: $work/fb0
    width: 1920
    height: 1080
YAML
"$bin" run --config "$work/vitrine.yaml" --log-file "$work/log" --log-level debug --no-watch &
pids+=($!)
vitrine_pid=$!
rss_samples=(); pss_samples=()
for _ in $(seq $((settle * 4))); do
    sleep 0.25
    rss_samples+=("$(awk '/VmRSS/ { print $2 }' "/proc/$vitrine_pid/status")")
    pss_samples+=("$(awk '/^Pss:/ { print $2 }' "/proc/$vitrine_pid/smaps_rollup")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
rss=$(median "${rss_samples[@]}")
pss=$(median "${pss_samples[@]}")
peak=$(printf '%s\n' "${rss_samples[@]}" | sort -n | tail -1)
changes=$(grep -c "Showing\." "$work/log" || true)
printf 'vitrine_fb_1080p_rss: %.1f MiB\n' "$(echo "$rss / 1024" | bc -l)"
printf 'vitrine_fb_1080p_pss: %.1f MiB\n' "$(echo "$pss / 1024" | bc -l)"
printf 'vitrine_fb_1080p_rss_peak_crossfade: %.1f MiB\n' "$(echo "$peak / 1024" | bc -l)"
echo "vitrine_pages_shown_meanwhile: $changes"

if ! command -v chromium >/dev/null; then
    echo "chromium: not installed, comparison skipped (apt-get install chromium)"
    exit 0
fi
cat > "$work/page.html" <<'HTML'
<!doctype html><meta charset="utf-8"><title>Solidarity</title>
<style>
body { margin: 0; width: 1920px; height: 1080px; background: #F6F1E7; color: #1D1B18; font: 34px "Noto Serif"; }
main { padding: 65px; } .series { color: #7A1F1F; font: 27px "Noto Sans"; } h1 { font: bold 72px "Noto Sans"; margin: 0 0 30px; }
blockquote { font-style: italic; font-size: 39px; margin: 0 115px; } .who { color: #7A1F1F; font: bold 27px "Noto Sans"; }
.context { color: #4F4A42; font-style: italic; font-size: 26px; } .indicator { position: absolute; right: 65px; bottom: 65px; font: 26px "Noto Sans"; }
</style>
<main><div class="series">Days and Lives</div><h1>Solidarity</h1>
<blockquote>We had nothing, and so we had to give each other everything. When Pavel came back from the punishment
cell he could not stand; we put him on the top bunk, where the warmth from the stove gathers, and each of us gave him
a spoonful of soup. Nobody asked who would do it. It was simply done.
<div class="who">— Anton Weiss, prisoner</div><div class="context">after a night-long interrogation, back in his cell at
five in the morning</div></blockquote>
<p>In the camps, a shared crust of bread or a warm word could decide whether a person lived through the winter. This
panel gathers what former prisoners said about the small acts that held them together.</p></main>
<div class="indicator">1/4</div>
HTML
# Headless Chromium holding the page open (remote debugging keeps it running instead of printing and exiting).
chromium --headless --no-sandbox --disable-gpu --window-size=1920,1080 --remote-debugging-port=0 \
    --user-data-dir="$work/profile" "file://$work/page.html" >/dev/null 2>&1 &
pids+=($!)
chromium_pid=$!
sleep "$settle"
# Chromium is a tree of processes: add up the proportional set size of all of them.
family=$(pgrep -f -- "--user-data-dir=$work/profile" | tr '\n' ' ')
chromium_pss=0
for p in $family; do
    v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    chromium_pss=$((chromium_pss + v))
done
count=$(echo $family | wc -w)
printf 'chromium_page_pss: %.1f MiB over %d processes\n' "$(echo "$chromium_pss / 1024" | bc -l)" "$count"
printf 'ratio_chromium_to_vitrine_pss: %.1fx\n' "$(echo "$chromium_pss / $pss" | bc -l)"
