"""The daemon as systemd starts it, for the benchmarks (imported by bench/startup-reload.sh and
bench/scale-exhibits.sh): `vitrine run` with a NOTIFY_SOCKET this module listens on, and `vitrine check`, the
baseline."""
import os
import signal
import socket
import subprocess
import time


def daemon(binary, work, config, timeout=60, cache=None, watch=False):
    """Starts the daemon with a NOTIFY_SOCKET in `work`; returns (process, socket, start time). Pages' timings are
    kept in `cache` (default `work`/cache): a folder that does not exist yet is a first start. `watch`: the content
    watcher runs (off by default: a benchmark's own edits would start reloads)."""
    path = os.path.join(work, "notify.sock")
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(timeout)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    start = time.monotonic()
    proc = subprocess.Popen([binary, "run", "--config", config, "--log-file", os.path.join(work, "log"),
                             "--no-play-log", "--cache-dir", cache or os.path.join(work, "cache")]
                            + ([] if watch else ["--no-watch"]), env=env, stdin=subprocess.DEVNULL)
    return proc, sock, start


def wait_for(sock, prefix):
    """The moment a datagram with a line starting with `prefix` (READY=1, RELOADING=1) arrives."""
    while True:
        message = sock.recv(4096).decode()
        if any(line.startswith(prefix) for line in message.split("\n")):
            return time.monotonic()


def stop(proc, sock, timeout=30):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=timeout)
    sock.close()


def check(binary, config):
    """Seconds of `vitrine check --no-pages`: reading and checking the files, the baseline as it has always been
    measured."""
    start = time.monotonic()
    subprocess.run([binary, "check", "--no-pages", "--config", config], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.monotonic() - start
