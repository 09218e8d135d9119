#!/usr/bin/env bash
# Start-up and reload, as systemd sees them: from exec to READY=1 on a real NOTIFY_SOCKET (a datagram socket this
# script listens on), with the demo exhibits and with 1,000 generated ones; then SIGHUP to the READY=1 that ends
# the reload (after RELOADING=1), 1,000 exhibits. Medians over RUNS (default 7). Baseline measured in the same run:
# `vitrine check` of the same files, the parsing a reload cannot avoid. Three screens, as in the demo: a terminal
# (drawing to /dev/null), a framebuffer file and an http screen. Release build with --static-swift-stdlib.
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
import os, signal, socket, statistics, subprocess, sys, time
binary, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

def daemon(config):
    """Starts the daemon with a NOTIFY_SOCKET; returns (process, socket, start time)."""
    path = os.path.join(work, "notify.sock")
    if os.path.exists(path): os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(60)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    start = time.monotonic()
    proc = subprocess.Popen([binary, "run", "--config", config, "--log-file", os.path.join(work, "log"),
                             "--no-watch", "--no-play-log"], env=env, stdin=subprocess.DEVNULL)
    return proc, sock, start

def wait_for(sock, prefix):
    while True:
        message = sock.recv(4096).decode()
        if any(line.startswith(prefix) for line in message.split("\n")):
            return time.monotonic()

def stop(proc, sock):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    sock.close()

def check(config):
    start = time.monotonic()
    subprocess.run([binary, "check", "--config", config], stdout=subprocess.DEVNULL, check=True)
    return time.monotonic() - start

results = {}
for name in ("demo", "large"):
    config = os.path.join(work, name, "vitrine.yaml")
    check(config)  # the files in the page cache
    startups = []
    for _ in range(runs):
        proc, sock, start = daemon(config)
        startups.append(wait_for(sock, "READY=1") - start)
        stop(proc, sock)
    results[name] = (statistics.median(startups), statistics.median(check(config) for _ in range(runs)))

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
check_large = results["large"][1]
ms = lambda s: f"{s * 1000:.0f} ms"
print(f"startup_demo_to_ready: {ms(results['demo'][0])} (check of the same files {ms(results['demo'][1])}, "
      f"{results['demo'][0] / results['demo'][1]:.1f}x)")
print(f"startup_1000_exhibits_to_ready: {ms(results['large'][0])} (check {ms(check_large)}, "
      f"{results['large'][0] / check_large:.1f}x)")
print(f"reload_1000_exhibits_sighup_to_ready: {ms(reload)} (target under 150 ms; check {ms(check_large)}, "
      f"{reload / check_large:.1f}x)")
PY
