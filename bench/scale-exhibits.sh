#!/usr/bin/env bash
# How the daemon's costs grow with the collection: 1,000, 5,000 and 10,000 generated exhibits (bench/generated-venue.sh)
# in one playlist on three screens (a terminal drawing to /dev/null, a 1080p framebuffer file and a kiosk screen), the
# release build with --static-swift-stdlib. For each size: `vitrine check --no-pages` of the same files (the
# baseline: reading and checking what any start must read), exec to READY=1 on a real NOTIFY_SOCKET — a first start
# (no pages' timings kept: `--cache-dir` empty) and a restart (the timings the first start kept) —, the resident
# memory once ready (VmRSS), and a reload after one exhibit's file changed: seen by the content watcher (RELOADING=1 to
# READY=1, the watcher's second of quiet before it is not counted; median of 7 saves a run), and after a SIGHUP, which
# looks at every file (SIGHUP to the READY=1 after RELOADING=1).
# Each figure is a median over RUNS (default 3) and is printed with its ratio to the check of the same size, then the
# growth of each from 1,000 to the larger sizes (10x the exhibits: a figure growing 10x grows with the collection).
# Usage: bench/scale-exhibits.sh [RUNS] [SIZES...]   (default sizes 1000 5000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000 10000)
source bench/static-build.sh
source bench/generated-venue.sh
trap 'rm -rf "$work"' EXIT
screens="screens:\n  hall:\n    output: terminal\n    playlist: main\n    tty: /dev/null\n    columns: 80\n    rows: 24\n  wall:\n    output: framebuffer\n    playlist: main\n    device: $work/fb0\n    width: 1920\n    height: 1080\n  kiosk:\n    output: http\n    playlist: main\nhttp:\n  listen: 127.0.0.1:0\n"
for size in "${sizes[@]}"; do
    generate_venue "$work/$size" "$size" "$screens"
done

python3 - "$bin" "$work" "$runs" "${sizes[@]}" <<'PY'
import os, signal, statistics, sys, time
binary, work, runs, sizes = sys.argv[1], sys.argv[2], int(sys.argv[3]), [int(s) for s in sys.argv[4:]]

sys.path.insert(0, "bench")
import notified
import shutil
daemon = lambda config, cache, watch=False: notified.daemon(binary, work, config, timeout=300, cache=cache,
                                                           watch=watch)
wait_for = notified.wait_for
stop = lambda proc, sock: notified.stop(proc, sock, timeout=60)

def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

check = lambda config: notified.check(binary, config)

figures = {}
for size in sizes:
    config = os.path.join(work, str(size), "vitrine.yaml")
    check(config)  # the files in the page cache
    checks = [check(config) for _ in range(runs)]
    firsts, startups, memory, reloads, watched = [], [], [], [], []
    for run in range(runs):
        cache = os.path.join(work, f"cache-{size}")
        shutil.rmtree(cache, ignore_errors=True)
        proc, sock, start = daemon(config, cache)
        firsts.append(wait_for(sock, "READY=1") - start)
        time.sleep(1)  # the timings are written once the screens are up
        stop(proc, sock)
        proc, sock, start = daemon(config, cache, watch=True)
        startups.append(wait_for(sock, "READY=1") - start)
        time.sleep(1)
        memory.append(rss_mib(proc.pid))
        # The watcher's first reload looks at every file (nothing was watched while the first load read them);
        # then one exhibit's text edited (a word more each time), seen by the watcher, 7 times: each reload takes
        # a few milliseconds, about as much as the machine's noise.
        edited = os.path.join(work, str(size), "exhibits", f"exhibit-{size // 3}", "exhibit.md")
        for step in range(8):
            with open(edited, "a") as f: f.write(f" Watched {run} {step}.\n")
            began = wait_for(sock, "RELOADING=1")
            finished = wait_for(sock, "READY=1")
            if step > 0: watched.append(finished - began)
        # One exhibit's text edited (a word more each time), then the reload that reads it.
        edited = os.path.join(work, str(size), "exhibits", f"exhibit-{size // 2}", "exhibit.md")
        with open(edited, "a") as f: f.write(f" Edited {run}.\n")
        sent = time.monotonic()
        proc.send_signal(signal.SIGHUP)
        wait_for(sock, "RELOADING=1")
        reloads.append(wait_for(sock, "READY=1") - sent)
        stop(proc, sock)
    figures[size] = dict(check=statistics.median(checks), first=statistics.median(firsts),
                         startup=statistics.median(startups),
                         rss=statistics.median(memory), reload=statistics.median(reloads),
                         watched=statistics.median(watched))

ms = lambda s: f"{s * 1000:.0f} ms"
for size in sizes:
    f = figures[size]
    c = f["check"]
    print(f"exhibits_{size}_check: {ms(c)}")
    print(f"exhibits_{size}_first_start_to_ready: {ms(f['first'])} ({f['first'] / c:.1f}x check)")
    print(f"exhibits_{size}_startup_to_ready: {ms(f['startup'])} ({f['startup'] / c:.1f}x check)")
    print(f"exhibits_{size}_reload_one_changed_watched: {f['watched'] * 1000:.1f} ms ({f['watched'] / c:.3f}x check)")
    print(f"exhibits_{size}_reload_one_changed_sighup: {ms(f['reload'])} (every file looked at; "
          f"{f['reload'] / c:.2f}x check)")
    print(f"exhibits_{size}_rss_ready: {f['rss']:.1f} MiB")
base = sizes[0]
for size in sizes[1:]:
    growth = lambda key: figures[size][key] / figures[base][key]
    print(f"growth_{base}_to_{size} ({size // base}x the exhibits): check {growth('check'):.1f}x, "
          f"first start {growth('first'):.1f}x, start-up {growth('startup'):.1f}x, "
          f"reload with one file changed {growth('watched'):.1f}x (SIGHUP {growth('reload'):.1f}x), "
          f"RSS {growth('rss'):.1f}x")
PY
