#!/usr/bin/env bash
# Start-up and reload, as systemd sees them: from exec to READY=1 on a real NOTIFY_SOCKET (a datagram socket this
# script listens on), with the demo exhibits and with 1,000 generated ones; then SIGHUP to the READY=1 that ends
# the reload (after RELOADING=1), 1,000 exhibits. Medians over RUNS (default 7). Baseline measured in the same run:
# `vitrine check` of the same files, the parsing a reload cannot avoid. Each start is measured twice: a first start
# (no pages' timings kept) and the restart after it (the timings it kept in its --cache-dir). Three screens, as in the demo: a terminal
# (drawing to /dev/null), a framebuffer file and an http screen. Then the same venue with one-second pages is reloaded
# RUNS * 3 times while its kiosk screen's event stream is read as a browser reads it: page changes skipped (a gap
# between one page's end and the next page's start) and blank frames sent meanwhile, both to be 0.
# Release build with --static-swift-stdlib.
# Usage: bench/startup-reload.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
source bench/static-build.sh
source bench/generated-venue.sh
trap 'rm -rf "$work"' EXIT
screens="screens:\n  hall:\n    output: terminal\n    playlist: main\n    tty: /dev/null\n    columns: 80\n    rows: 24\n  wall:\n    output: framebuffer\n    playlist: main\n    device: $work/fb0\n    width: 1920\n    height: 1080\n  kiosk:\n    output: http\n    playlist: main\nhttp:\n  listen: 127.0.0.1:0\n"
mkdir -p "$work/demo" "$work/large"
cp -r config/exhibits "$work/demo/exhibits"
{
    printf 'timezone: Europe/Paris\nthemes:\n  paper: { background: "#F6F1E7", text: "#1D1B18" }\nplaylists:\n  main: [solidarity, long-winter, letters-home, harbour-workshop]\n'
    printf "$screens"
} > "$work/demo/vitrine.yaml"
generate_venue "$work/large" 1000 "$screens"

python3 - "$bin" "$work" "$runs" <<'PY'
import os, signal, socket, statistics, sys, time
binary, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

sys.path.insert(0, "bench")
import notified
daemon = lambda config: notified.daemon(binary, work, config)
wait_for, stop = notified.wait_for, notified.stop
check = lambda config: notified.check(binary, config)

import shutil
results = {}
for name in ("demo", "large"):
    config = os.path.join(work, name, "vitrine.yaml")
    check(config)  # the files in the page cache
    firsts, startups = [], []
    for _ in range(runs):
        # A first start (no pages' timings kept), then a restart with what it kept.
        shutil.rmtree(os.path.join(work, "cache"), ignore_errors=True)
        proc, sock, start = daemon(config)
        firsts.append(wait_for(sock, "READY=1") - start)
        time.sleep(0.5)  # the timings are written once the screens are up
        stop(proc, sock)
        proc, sock, start = daemon(config)
        startups.append(wait_for(sock, "READY=1") - start)
        stop(proc, sock)
    results[name] = (statistics.median(startups), statistics.median(check(config) for _ in range(runs)),
                     statistics.median(firsts))

config = os.path.join(work, "large", "vitrine.yaml")
proc, sock, _ = daemon(config)
wait_for(sock, "READY=1")
reloads = []
for _ in range(runs):
    sent = time.monotonic()
    proc.send_signal(signal.SIGHUP)
    wait_for(sock, "RELOADING=1")
    reloads.append(wait_for(sock, "READY=1") - sent)
    time.sleep(0.3)
stop(proc, sock)
reload = statistics.median(reloads)

# Pages skipped or blank during reloads: the same venue with one-second pages, its kiosk screen watched through the
# event stream a browser reads, while it is reloaded RUNS * 3 times.
import json, re, threading
fast = os.path.join(work, "large", "fast.yaml")
with open(config) as source, open(fast, "w") as target:
    target.write(source.read().replace("timezone: Europe/Paris\n", "timezone: Europe/Paris\npages: { duration: 1s }\n", 1))
log = os.path.join(work, "log")
if os.path.exists(log): os.unlink(log)
proc, sock, _ = daemon(fast)
wait_for(sock, "READY=1")
# The listener may log its port just after READY=1.
found = None
for _ in range(100):
    found = re.search(r"vitrine.listen=127.0.0.1:(\d+)", open(log).read())
    if found: break
    time.sleep(0.1)
port = int(found.group(1))
events, watching = [], [True]
def watch():
    stream = socket.create_connection(("127.0.0.1", port))
    stream.sendall(b"GET /screens/kiosk/events HTTP/1.1\r\nHost: x\r\n\r\n")
    stream.settimeout(0.5)
    pending = b""
    while watching[0]:
        try:
            chunk = stream.recv(65536)
        except socket.timeout:
            continue
        if not chunk: break
        pending += chunk
        while b"\n\n" in pending:
            event, pending = pending.split(b"\n\n", 1)
            for line in event.decode().split("\n"):
                if line.startswith("data: "):
                    page = json.loads(line[6:])
                    events.append((time.time() * 1000, page["validFrom"], page["validUntil"], page["kind"]))
    stream.close()
watcher = threading.Thread(target=watch)
watcher.start()
time.sleep(1.5)
for _ in range(runs * 3):
    proc.send_signal(signal.SIGHUP)
    wait_for(sock, "RELOADING=1")
    wait_for(sock, "READY=1")
    time.sleep(0.2)
time.sleep(1.5)
watching[0] = False
watcher.join()
stop(proc, sock)
changes = events[1:]  # the first is the page already on when the stream opened
skipped = sum(1 for a, b in zip(events, changes) if b[1] > a[2])
blank = sum(1 for e in changes if e[3] == "blank")
latest = max((e[0] - e[1] for e in changes), default=0)
check_large = results["large"][1]
ms = lambda s: f"{s * 1000:.0f} ms"
for name, label in (("demo", "demo"), ("large", "1000_exhibits")):
    restart, checked, first = results[name]
    print(f"startup_{label}_first_start_to_ready: {ms(first)} (no pages kept; check of the same files "
          f"{ms(checked)}, {first / checked:.1f}x)")
    print(f"startup_{label}_to_ready: {ms(restart)} (pages' timings kept by the run before; check {ms(checked)}, "
          f"{restart / checked:.1f}x)")
print(f"reload_1000_exhibits_sighup_to_ready: {ms(reload)} (target under 150 ms; check {ms(check_large)}, "
      f"{reload / check_large:.1f}x)")
print(f"reload_pages_skipped: {skipped} of {len(changes)} page changes during {runs * 3} reloads (target 0)")
print(f"reload_blank_frames: {blank} (target 0)")
print(f"reload_latest_page_change: {latest:.0f} ms after its time")
PY
