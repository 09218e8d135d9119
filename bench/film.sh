#!/usr/bin/env bash
# Film on a framebuffer: CPU per second of a 1080p film (H.264, 25 frames a second, generated with ffmpeg) played by
# the daemon on a 1920x1080 framebuffer screen (a file standing in for /dev/fb0, XRGB8888), as a ratio to the floor
# measured in the same run: libmpv alone decoding the same film and rendering it into a 1080p buffer in memory
# (bench/film_floor.c). Target: at most 1.3x the floor. Then the same film on the kiosk page in headless Chromium
# (the daemon serving it, Chromium told to play sound without a click): its CPU per second of film and its memory
# (PSS of all its processes) against the framebuffer daemon's. Static release build.
# Usage: bench/film.sh [SECONDS]   (default 30: two plays of the 12-second film, each page 15 s with its lead-in/out)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
source bench/static-build.sh
trap 'kill "${pid:-0}" 2>/dev/null || true; pkill -f -- "--user-data-dir=$work/profile" 2>/dev/null || true; rm -rf "$work"' EXIT
cc -O2 -o "$work/film_floor" bench/film_floor.c $(pkg-config --cflags --libs mpv) -lpthread
mkdir -p "$work/venue/exhibits/reel"
ffmpeg -nostdin -y -loglevel error -f lavfi -i "testsrc2=size=1920x1080:rate=25:duration=12" \
    -f lavfi -i "sine=frequency=440:duration=12" -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest \
    "$work/venue/exhibits/reel/film.mp4"
printf -- '---\ntitle: The reel\nmedia:\n  - film: film.mp4\n    transcript: A test pattern and a tone.\n---\nA film.\n' \
    > "$work/venue/exhibits/reel/exhibit.md"
cat > "$work/venue/vitrine.yaml" <<YAML
timezone: UTC
themes:
  paper: { background: "#F6F1E7", text: "#1D1B18", transition: cut }
playlists:
  main: [reel]
screens:
  wall:
    output: framebuffer
    playlist: main
    device: $work/fb0
    width: 1920
    height: 1080
YAML

"$work/film_floor" "$work/venue/exhibits/reel/film.mp4" 10 > "$work/floor.txt"
floor=$(awk '/cpu_per_film_second/ { print $2 }' "$work/floor.txt")
floor_pss=$(awk '/film_floor_pss/ { print $2 }' "$work/floor.txt")

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
"$bin" run --config "$work/venue/vitrine.yaml" --no-watch --log-file "$work/log" >/dev/null 2>&1 &
pid=$!
sleep 3
hz=$(getconf CLK_TCK)
before=$(ticks "$pid")
sleep "$seconds"
after=$(ticks "$pid")
rss=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
pss=$(awk '/^Pss:/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/smaps_rollup")
kill "$pid"
wait "$pid" 2>/dev/null || true
# The film plays 12 s of every 15 s (lead-in 1 s, lead-out 2 s): CPU per second of film.
daemon=$(awk -v t=$((after - before)) -v hz="$hz" -v s="$seconds" 'BEGIN { printf "%.3f", t / hz / (s * 12 / 15) }')
echo "film_1080p_framebuffer_cpu_per_film_second: $daemon s ($(awk -v d="$daemon" 'BEGIN { printf "%.1f", d * 100 }') % of one core)"
echo "film_1080p_floor_cpu_per_film_second: $floor s (libmpv alone, into memory; PSS $floor_pss MiB)"
echo "film_framebuffer_rss: $rss MiB (PSS $pss MiB)"
awk -v a="$daemon" -v b="$floor" 'BEGIN { printf "ratio_film_framebuffer_to_floor: %.2fx (target at most 1.3x)\n", a / b }'

# The same film on the kiosk page in headless Chromium.
if ! command -v chromium >/dev/null; then
    echo "chromium: not installed, comparison skipped (apt-get install chromium)"
    exit 0
fi
sed -e '/^screens:/,$d' "$work/venue/vitrine.yaml" > "$work/venue/kiosk.yaml"
printf 'screens:\n  kiosk:\n    output: http\n    playlist: main\nhttp:\n  listen: 127.0.0.1:0\n' >> "$work/venue/kiosk.yaml"
"$bin" run --config "$work/venue/kiosk.yaml" --no-watch --log-file "$work/kiosk.log" >/dev/null 2>&1 &
pid=$!
port=""
for _ in $(seq 100); do
    port=$(grep -o 'vitrine.listen=127.0.0.1:[0-9]*' "$work/kiosk.log" 2>/dev/null | head -1 | cut -d: -f2 || true)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "the kiosk daemon's listener did not start" >&2; exit 1; }
chromium --headless --no-sandbox --disable-gpu --window-size=1920,1080 --autoplay-policy=no-user-gesture-required \
    --user-data-dir="$work/profile" "http://127.0.0.1:$port/screens/kiosk" >/dev/null 2>&1 &
chromium_pid=$!
sleep 5
family() { pgrep -f -- "--user-data-dir=$work/profile" | tr '\n' ' '; }
family_ticks() { local t=0 p; for p in $(family); do t=$((t + $(ticks "$p" 2>/dev/null || echo 0))); done; echo "$t"; }
c_before=$(family_ticks)
sleep "$seconds"
c_after=$(family_ticks)
c_pss=0
for p in $(family); do
    v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    c_pss=$((c_pss + v))
done
kill "$chromium_pid" "$pid" 2>/dev/null || true
pkill -f -- "--user-data-dir=$work/profile" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
chromium_cpu=$(awk -v t=$((c_after - c_before)) -v hz="$hz" -v s="$seconds" 'BEGIN { printf "%.3f", t / hz / (s * 12 / 15) }')
echo "film_1080p_chromium_cpu_per_film_second: $chromium_cpu s (the kiosk page, the film in its area of the page)"
awk -v k="$c_pss" 'BEGIN { printf "film_chromium_pss: %.1f MiB\n", k / 1024 }'
awk -v a="$chromium_cpu" -v b="$daemon" 'BEGIN { printf "ratio_cpu_chromium_to_framebuffer_film: %.1fx (target at least 3x)\n", a / b }'
awk -v a="$c_pss" -v b="$pss" 'BEGIN { printf "ratio_memory_chromium_to_framebuffer_film: %.1fx (PSS; target at least 8x)\n", a / 1024 / b }'
# What no player built on libmpv can beat: Chromium against libmpv alone.
awk -v c="$chromium_cpu" -v f="$floor" -v a="$c_pss" -v b="$floor_pss" \
    'BEGIN { printf "bound_chromium_to_floor: %.1fx CPU, %.1fx memory (libmpv alone)\n", c / f, a / 1024 / b }'
