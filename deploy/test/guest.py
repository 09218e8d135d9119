#!/usr/bin/python3
"""The VM test's hands on the QEMU guest (deploy/test/vm.sh): its keyboard and screen through the QEMU monitor, and
a control line (the guest's second serial port) to an agent in the guest that answers on the first one.

    guest.py WORK ask COMMAND [ARGUMENT]   a line to the agent; prints its reply (waits up to 60 s)
    guest.py WORK until COMMAND REGEX [NOT-REGEX]
                                           asks again until the reply matches (and does not match NOT); prints it
    guest.py WORK key KEYS                 presses keys on the guest's keyboard (QEMU's names: ctrl-alt-f2)
    guest.py WORK dump FILE [DEVICE HEAD]  the screen (or that head of a display device) as PNG
    guest.py compare SHOT WANT             same page as `vitrine render` painted? prints the difference
    guest.py brightness FILE               mean brightness, 0 to 255
"""
import os
import re
import socket
import sys
import time


def monitor(work, line, pause=0.3):
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.path.join(work, "monitor.sock"))
    s.sendall((line + "\n").encode())
    time.sleep(pause)
    s.close()


def ask(work, command, argument=""):
    """Sends `ID COMMAND ARGUMENT` on the control line and returns what the agent replies to ID."""
    ask.count = getattr(ask, "count", 0) + 1
    ident = f"{os.getpid()}-{ask.count}"
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.path.join(work, "control.sock"))
    s.sendall(f"{ident} {command} {argument}\n".encode())
    pattern = re.compile(rf"REPLY {re.escape(ident)} (.*)")
    deadline = time.time() + 60
    try:
        while time.time() < deadline:
            with open(os.path.join(work, "serial.log"), errors="replace") as log:
                for line in log:
                    found = pattern.search(line)
                    if found:
                        return found.group(1).strip()
            time.sleep(0.2)
    finally:
        s.close()
    raise SystemExit(f"the guest did not answer '{command}'")


def until(work, command, want, unwanted=None, seconds=120):
    reply = ""
    deadline = time.time() + seconds
    while time.time() < deadline:
        reply = ask(work, command)
        if re.search(want, reply) and not (unwanted and re.search(unwanted, reply)):
            return reply, True
        time.sleep(0.5)
    return reply, False


def compare(shot_path, want_path):
    from PIL import Image, ImageChops, ImageStat
    shot = Image.open(shot_path).convert("RGB")
    want = Image.open(want_path).convert("RGB")
    if shot.size != want.size:
        return f"size {shot.size} != {want.size}", False
    delta = ImageChops.difference(shot, want)
    mean = sum(ImageStat.Stat(delta).mean) / 3
    # Same page: the text in the same places; font hinting may shift an edge here and there, so a mean difference,
    # but nothing drawn over the page either (a console cursor is a solid 8x16 block): few pixels far off.
    far = sum(1 for p in delta.getdata() if max(p) > 96)
    return f"mean difference per channel {mean:.2f} of 255, {far} pixels far off", mean < 4 and far < 64


def brightness(path):
    from PIL import Image, ImageStat
    return round(sum(ImageStat.Stat(Image.open(path).convert("RGB")).mean) / 3)


def main(argv):
    if argv[0] == "compare":
        verdict, same = compare(argv[1], argv[2])
        print(verdict)
        return 0 if same else 1
    if argv[0] == "brightness":
        print(brightness(argv[1]))
        return 0
    work, verb, rest = argv[0], argv[1], argv[2:]
    if verb == "ask":
        print(ask(work, rest[0], " ".join(rest[1:])))
    elif verb == "until":
        reply, ok = until(work, rest[0], rest[1], rest[2] if len(rest) > 2 else None)
        print(reply)
        return 0 if ok else 1
    elif verb == "key":
        monitor(work, f"sendkey {rest[0]}")
    elif verb == "dump":
        monitor(work, f"screendump {rest[0]} -f png {' '.join(rest[1:3])}".rstrip(), pause=1.5)
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
