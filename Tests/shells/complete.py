#!/usr/bin/env python3
"""Types a command line and Tab into an interactive shell on a pseudo-terminal, as a technician would, and reports
what the shell shows: the completion scripts tested by bash, zsh and fish themselves.

Usage: complete.py SHELL SCRIPT LINE EXPECTED...
SHELL is bash, zsh or fish; SCRIPT the completion script `vitrine --generate-completion-script SHELL` wrote; LINE
what is typed before Tab. Exits 0 once every EXPECTED text is on the screen after LINE, 1 if they are not there
within 20 seconds. Prints what the shell showed (escape sequences removed)."""
import os, pty, re, select, sys, time

shell, script, line, expected = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
if any(item in line for item in expected):
    sys.exit("complete.py: an expected text is in the line typed: it would be found without any completion")
home = os.path.join(os.path.dirname(os.path.abspath(script)), "home")
os.makedirs(home, exist_ok=True)
env = dict(os.environ, TERM="xterm", HOME=home, LANG="C.UTF-8")
if shell == "bash":
    argv = ["bash", "--norc", "--noprofile", "-i"]
    setup = f"source /usr/share/bash-completion/bash_completion; source {script}"
elif shell == "zsh":
    # compinit finds _vitrine on fpath, as it finds /usr/share/zsh/vendor-completions/_vitrine.
    argv = ["zsh", "-f", "-i"]
    setup = f"fpath=({os.path.dirname(os.path.abspath(script))} $fpath); autoload -U compinit; compinit -u"
elif shell == "fish":
    argv = ["fish", "--no-config", "-i"]
    setup = f"source {script}"
else:
    sys.exit(f"complete.py: unknown shell {shell}")

pid, fd = pty.fork()
if pid == 0:
    os.execvpe(argv[0], argv, env)

screen = b""


def read_until(predicate, seconds):
    """Reads what the shell writes until predicate(text) holds or the time is up; returns whether it held."""
    global screen
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate(clean(screen)):
            return True
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                screen += os.read(fd, 65536)
            except OSError:
                break
    return predicate(clean(screen))


def clean(data):
    text = data.decode(errors="replace")
    text = re.sub(r"\x1b\][^\x07\x1b]*(\x07|\x1b\\)", "", text)  # window titles
    text = re.sub(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]", "", text)
    return text.replace("\r", "")


try:
    # Ready when the shell has run the setup and printed "ready-42" (the echo of the command line shows "ready-%s").
    os.write(fd, (setup + "; printf 'ready-%s\\n' 42\r").encode())
    if not read_until(lambda text: "ready-42" in text, 20):
        print(clean(screen))
        sys.exit("complete.py: the shell did not start")
    start = len(clean(screen))
    os.write(fd, line.encode() + b"\t")
    after = lambda text: all(item in text[start:] for item in expected)
    # One Tab completes a single candidate; bash lists several on the second Tab.
    if not read_until(after, 3):
        os.write(fd, b"\t")
        read_until(after, 17)
    found = after(clean(screen))
    print(clean(screen)[start:])
    sys.exit(0 if found else 1)
finally:
    os.kill(pid, 9)
