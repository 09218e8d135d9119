#!/usr/bin/env python3
"""A Vitrine exec plugin for a scrolling LED sign on a serial line (Python standard library only).

Vitrine writes one JSON object per line on standard input (docs/plugin-protocol.md); this program answers on
standard output. Each page becomes one message for the sign: the exhibit's title and its text, folded to the
sign's character set, sent whole (LED signs scroll a message by themselves).

Settings (the screen's `settings:` in vitrine.yaml):
  device      where the sign is: a serial port such as /dev/ttyUSB0, or a file (default /dev/ttyUSB0)
  baud        serial speed (default 9600; ignored for a file)
  protocol    "alpha" (Alpha Sign Communications Protocol, write text file A) or "plain" (the text and a newline)
  max-length  longest message the sign takes, in characters (default 1000)
"""
import json
import os
import sys
import termios
import unicodedata

BAUD = {1200: termios.B1200, 2400: termios.B2400, 4800: termios.B4800, 9600: termios.B9600,
        19200: termios.B19200, 38400: termios.B38400, 57600: termios.B57600, 115200: termios.B115200}


def say(message):
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def log(level, text):
    say({"type": "log", "level": level, "message": text})


def fold(text):
    """The sign shows ASCII: accents dropped, typographic quotes and dashes made plain, the rest left out."""
    replacements = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"',
                    "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00b7": "-", "\u00a0": " "}
    text = "".join(replacements.get(c, c) for c in text)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if 32 <= ord(c) < 127)


def message_for(present, max_length):
    if present.get("kind") == "message":
        words = present.get("text", "")
    else:
        title = present.get("title", "")
        body = " ".join(present.get("text", "").split())
        words = f"{title}: {body}" if body else title
    return fold(words)[:max_length]


def frame(protocol, text):
    if protocol == "alpha":
        # 5 NULs (baud sync), SOH, type "Z" (all signs), address "00", STX, command "A" (write text), file "A",
        # the text, EOT.
        return b"\0\0\0\0\0\x01Z00\x02AA" + text.encode("ascii") + b"\x04"
    return text.encode("ascii") + b"\n"


class Sign:
    def __init__(self, device, baud):
        self.device = device
        self.baud = baud
        self.fd = None

    def open(self):
        flags = os.O_WRONLY | os.O_NOCTTY
        if not os.path.exists(self.device) or os.path.isfile(self.device):
            flags |= os.O_CREAT | os.O_APPEND
        self.fd = os.open(self.device, flags, 0o644)
        if os.isatty(self.fd):
            attrs = termios.tcgetattr(self.fd)
            speed = BAUD.get(self.baud, termios.B9600)
            attrs[2] = termios.CS8 | termios.CLOCAL | termios.CREAD  # 8N1
            attrs[3] = 0
            attrs[4] = attrs[5] = speed
            termios.tcsetattr(self.fd, termios.TCSANOW, attrs)

    def send(self, data):
        if self.fd is None:
            self.open()
        try:
            os.write(self.fd, data)
        except OSError:
            # The sign went away (USB unplugged): reopened at the next page.
            os.close(self.fd)
            self.fd = None
            raise


def main():
    sign = None
    protocol = "alpha"
    max_length = 1000
    for line in sys.stdin:
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            log("warning", "a line that is not JSON; skipped")
            continue
        kind = message.get("type")
        if kind == "hello":
            settings = message.get("options", {})
            protocol = settings.get("protocol", "alpha")
            if protocol not in ("alpha", "plain"):
                say({"type": "error", "message": f"protocol: expected alpha or plain, found {protocol!r}"})
                protocol = "plain"
            try:
                max_length = int(settings.get("max-length", 1000))
                baud = int(settings.get("baud", 9600))
            except ValueError:
                say({"type": "error", "message": "max-length and baud must be whole numbers"})
                max_length, baud = 1000, 9600
            sign = Sign(settings.get("device", "/dev/ttyUSB0"), baud)
            # No measure: the whole exhibit on one page, lines unbroken; the sign scrolls it.
            say({"type": "ready", "protocol": 1, "measure": None, "capabilities": ["ping"]})
        elif kind == "present":
            text = message_for(message, max_length)
            try:
                sign.send(frame(protocol, text))
                say({"type": "status", "text": f"showing {message.get('summary', '')}"})
            except OSError as error:
                say({"type": "error", "message": f"cannot write to {sign.device}: {error.strerror}"})
        elif kind == "blank":
            try:
                sign.send(frame(protocol, ""))
            except OSError as error:
                say({"type": "error", "message": f"cannot write to {sign.device}: {error.strerror}"})
        elif kind == "ping":
            say({"type": "pong", "id": message.get("id")})
        elif kind == "shutdown":
            break
        # Other types come from newer daemons: ignored, as the protocol asks.
    return 0


if __name__ == "__main__":
    sys.exit(main())
