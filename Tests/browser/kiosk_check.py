#!/usr/bin/env python3
"""Opens kiosk screens in a real headless Chromium, driven over the DevTools protocol (--remote-debugging-pipe,
Python's standard library only), and reports what the browser actually shows.

Usage: kiosk_check.py BASE_URL SCREEN:WIDTHxHEIGHT:PAGES... [--screenshot SCREEN=FILE] [--timeout SECONDS]
       kiosk_check.py BASE_URL --media SCREEN SECONDS [--signal FILE] [--join-after SECONDS] [--block-sound]

With --media, one tab opens the screen and its player is sampled twice a second for SECONDS: the element (marked,
so a replaced player shows), its currentTime, where the clock says the recording is ((now - start) / 1000, start
from the daemon's message), whether it is paused, muted or ended, the caption shown, the player's box and whether it
overlaps the page's foot (footer, page indicator, clock), and whether the page text holds the word in --signal FILE
(read each time; the test writes it when it has changed the page). --join-after: a second tab opens the screen that
many seconds later and is sampled too (its samples have "tab": 1). --block-sound: the browser's autoplay policy wants
a click before sound (as a kiosk browser started without the flags in docs/http.md). Prints
{"samples": [...], "error": null}.

For each screen a tab of that window size opens /screens/SCREEN and is watched until PAGES different pages have
come up (pushed by the daemon over Server-Sent Events). Each time a page is up (fonts loaded, crossfade done), the
stage is measured: nothing may reach past its edges and it may not scroll. Prints one JSON object:
{"screens": {NAME: {"pages": [{"summary", "scroll", "outside", "fonts"}], "errors": [...]}}, "error": null}
"""
import json
import os
import subprocess
import sys
import tempfile
import time

MEASURE = r"""
(() => {
  const stage = document.getElementById("stage");
  const page = stage && stage.lastElementChild;
  if (!page || page.classList.contains("fading") && getComputedStyle(page).opacity !== "1") return null;
  const W = stage.clientWidth, H = stage.clientHeight;
  const outside = [];
  for (const el of page.querySelectorAll(":scope > .t, :scope > .picture, :scope > .foot, :scope > .player:not(audio), :scope > .caption")) {
    const x = el.offsetLeft, y = el.offsetTop, w = el.offsetWidth, h = el.offsetHeight;
    if (x < -1 || y < -1 || x + w > W + 1 || y + h > H + 1)
      outside.push({text: (el.textContent || el.getAttribute("alt") || el.className).slice(0, 60), x, y, w, h});
  }
  const families = new Set();
  document.fonts.forEach((f) => { if (f.status === "loaded") families.add(f.family); });
  return {summary: page.dataset.summary, scroll: [stage.scrollWidth, W, stage.scrollHeight, H], outside,
          fonts: families.size, texts: page.querySelectorAll(".t").length,
          pictures: Array.from(page.querySelectorAll(".picture")).map((i) => i.complete && i.naturalWidth > 0)};
})()
"""


class DevTools:
    def __init__(self, autoplay="no-user-gesture-required"):
        import fcntl
        def high(fd):  # away from 3 and 4, where the browser's ends must go
            moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
            os.close(fd)
            return moved
        self.to_read, self.browser_writes = (high(fd) for fd in os.pipe())
        self.browser_reads, self.to_write = (high(fd) for fd in os.pipe())
        self.profile = tempfile.mkdtemp(prefix="vitrine-chromium-")
        args = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                "--user-data-dir=" + self.profile, "--no-first-run", "--disable-extensions",
                "--autoplay-policy=" + autoplay, "about:blank"]
        # Chromium reads commands on fd 3 and answers on fd 4: bash puts the pipe ends there (dash takes one-digit descriptors only).
        command = 'exec "$0" "$@" 3<&%d 4>&%d %d<&- %d>&-' % (self.browser_reads, self.browser_writes,
                                                            self.browser_reads, self.browser_writes)
        self.process = subprocess.Popen(["bash", "-c", command] + args,
                                        pass_fds=(self.browser_reads, self.browser_writes),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(self.browser_reads)
        os.close(self.browser_writes)
        self.reader = os.fdopen(self.to_read, "rb", buffering=0)
        self.pending = b""
        self.next_id = 0

    def send(self, method, params=None, session=None, timeout=30.0):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_write, json.dumps(message).encode() + b"\0")
        want = self.next_id
        deadline = time.time() + timeout
        while True:
            answer = self.receive(deadline)
            if answer.get("id") == want:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def receive(self, deadline):
        import select
        while b"\0" not in self.pending:
            if not select.select([self.reader], [], [], max(0.0, deadline - time.time()))[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = self.reader.read(1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.pending += chunk
        message, self.pending = self.pending.split(b"\0", 1)
        return json.loads(message)

    def open(self, url, width, height):
        target = self.send("Target.createTarget", {"url": "about:blank", "newWindow": True})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session)
        self.send("Page.enable", {}, session)
        self.send("Page.navigate", {"url": url}, session)
        return session

    def close_tab(self, session):
        target = self.send("Target.getTargetInfo", {}, session)["targetInfo"]["targetId"]
        self.send("Target.closeTarget", {"targetId": target})

    def evaluate(self, session, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        return result.get("result", {}).get("value")

    def screenshot(self, session, path):
        import base64
        data = self.send("Page.captureScreenshot", {"format": "png"}, session)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        subprocess.run(["rm", "-rf", self.profile])


PLAYER = r"""
(() => {
  const players = document.querySelectorAll(".player");
  const el = players[players.length - 1];
  if (!el) return null;
  if (!el.vitrineMark) el.vitrineMark = Math.random().toString(36).slice(2);
  const start = Number((el.dataset.key || "").split("@").pop());
  const page = el.parentNode;
  const box = (e) => ({x: e.offsetLeft, y: e.offsetTop, w: e.offsetWidth, h: e.offsetHeight});
  const player = box(el);
  // The foot: the page indicator and clock, and the footer line (a text with no role).
  const foot = Array.from(page.querySelectorAll(":scope > .foot, :scope > .t:not([data-role])")).map(box);
  const overlaps = el.tagName === "VIDEO" && foot.some((f) => f.x < player.x + player.w && player.x < f.x + f.w &&
                                                              f.y < player.y + player.h && player.y < f.y + f.h);
  const caption = page.querySelector(".caption");
  return {mark: el.vitrineMark, time: el.currentTime, clock: (Date.now() - start) / 1000, paused: el.paused,
          muted: el.muted, ended: el.ended, kind: el.tagName.toLowerCase(), player, overlaps,
          caption: caption ? caption.textContent : null, visible: getComputedStyle(el).opacity,
          blocked: window.vitrineBlocked || 0, text: document.getElementById("stage").innerText};
})()
"""


def watch_media(base, name, seconds, signal, join_after=None, block_sound=False):
    report = {"samples": [], "error": None}
    browser = DevTools("user-gesture-required" if block_sound else "no-user-gesture-required")
    try:
        tabs = [browser.open(f"{base}/screens/{name}", 1920, 1080)]
        opened = time.time()
        deadline = opened + seconds
        while time.time() < deadline:
            if join_after is not None and len(tabs) == 1 and time.time() >= opened + join_after:
                tabs.append(browser.open(f"{base}/screens/{name}", 1920, 1080))
            for index, session in enumerate(tabs):
                sample = browser.evaluate(session, PLAYER)
                if sample:
                    word = open(signal).read().strip() if signal and os.path.exists(signal) else ""
                    sample["changed"] = bool(word) and word in sample.pop("text", "")
                    sample.pop("text", None)
                    sample["at"] = time.time()
                    sample["tab"] = index
                    report["samples"].append(sample)
            time.sleep(0.5)
    except Exception as error:
        report["error"] = repr(error)
    finally:
        browser.close()
    print(json.dumps(report))


def main():
    base = sys.argv[1].rstrip("/")
    if len(sys.argv) > 2 and sys.argv[2] == "--media":
        rest = sys.argv[5:]
        def value(flag):
            return rest[rest.index(flag) + 1] if flag in rest else None
        join = value("--join-after")
        return watch_media(base, sys.argv[3], float(sys.argv[4]), value("--signal"),
                           float(join) if join is not None else None, "--block-sound" in rest)
    screens, shots, timeout = [], {}, 90.0
    args = iter(sys.argv[2:])
    for arg in args:
        if arg == "--screenshot":
            name, path = next(args).split("=", 1)
            shots[name] = path
        elif arg == "--timeout":
            timeout = float(next(args))
        else:
            name, size, pages = arg.split(":")
            width, height = (int(v) for v in size.split("x"))
            screens.append((name, width, height, int(pages)))
    report = {"screens": {}, "error": None}
    browser = DevTools()
    try:
        # A browser opens at most 6 connections to one host and every tab holds an event stream: watch a few
        # screens at a time.
        for start in range(0, len(screens), 4):
            batch = screens[start:start + 4]
            tabs = {name: browser.open(f"{base}/screens/{name}", w, h) for name, w, h, _ in batch}
            wanted = {name: pages for name, _, _, pages in batch}
            seen = {name: {} for name in tabs}
            deadline = time.time() + timeout
            while time.time() < deadline and any(len(seen[n]) < wanted[n] for n in tabs):
                for name, session in tabs.items():
                    if len(seen[name]) >= wanted[name]:
                        continue
                    measured = browser.evaluate(session, MEASURE)
                    if measured and measured.get("summary") and measured["summary"] not in seen[name]:
                        # Let the fonts settle and the fade end, then measure again for the record.
                        time.sleep(0.3)
                        again = browser.evaluate(session, MEASURE) or measured
                        if again.get("summary") == measured["summary"]:
                            seen[name][measured["summary"]] = again
                            if name in shots and len(seen[name]) == 1:
                                browser.screenshot(session, shots[name])
                time.sleep(0.1)
            for name, session in tabs.items():
                report["screens"][name] = {"pages": list(seen[name].values())}
                browser.close_tab(session)
    except Exception as error:  # reported to the test, which fails with it
        report["error"] = repr(error)
    finally:
        browser.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
