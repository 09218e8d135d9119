#!/usr/bin/env python3
"""Opens a visitor's companion page in a real headless Chromium at a phone's size, over the DevTools protocol (the
DevTools class of kiosk_check.py), and reports what a visitor, and a screen reader, get.

Usage: companion_check.py URL [--accept-language TAGS] [--screenshot FILE]

Prints one JSON object: the document's lang and dir, the h1, heading levels in order, controls in Chromium's
accessibility tree that have no name, text whose contrast with what is behind it is under 7:1, every request that
left the page's own origin, and the first recording: whether it played, and the caption showing after a second.
{"lang", "dir", "title", "headings", "unnamed", "lowContrast", "external", "requests", "video", "error"}
"""
import json
import os
import sys
import time
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kiosk_check import DevTools  # noqa: E402

PAGE = r"""
(() => {
  const lum = (c) => {
    const m = c.match(/[\d.]+/g).map(Number);
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return {l: 0.2126 * f(m[0]) + 0.7152 * f(m[1]) + 0.0722 * f(m[2]), a: m.length > 3 ? m[3] : 1};
  };
  const behind = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const b = getComputedStyle(e).backgroundColor;
      if (lum(b).a > 0) return b;
    }
    return "rgb(255, 255, 255)";
  };
  const low = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("video")) continue;
    const own = Array.from(el.childNodes).filter((n) => n.nodeType === 3 && n.textContent.trim()).length;
    if (!own || !el.offsetWidth) continue;
    const fg = lum(getComputedStyle(el).color).l, bg = lum(behind(el)).l;
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 7) low.push({text: el.textContent.trim().slice(0, 40), ratio: Math.round(ratio * 100) / 100});
  }
  const h1 = document.querySelector("h1");
  return {lang: document.documentElement.lang, dir: document.documentElement.dir,
          title: h1 ? h1.textContent : null,
          headings: Array.from(document.querySelectorAll("h1,h2,h3,h4,h5,h6")).map((h) => Number(h.tagName[1])),
          lowContrast: low, scrollsSideways: document.documentElement.scrollWidth > innerWidth + 1};
})()
"""

VIDEO = r"""
(() => {
  const v = document.querySelector("video");
  if (!v) return null;
  const track = v.textTracks[0];
  const cues = track && track.activeCues ? Array.from(track.activeCues).map((c) => c.text) : [];
  return {time: v.currentTime, paused: v.paused, error: v.error ? v.error.code : null, ready: v.readyState,
          trackMode: track ? track.mode : null, trackLanguage: track ? track.language : null, cues};
})()
"""

CONTROLS = {"button", "link", "slider", "checkbox", "textbox", "combobox", "menuitem", "radio", "switch",
            "tab", "searchbox", "spinbutton", "menuitemcheckbox", "menuitemradio", "option"}


class Watching(DevTools):
    def __init__(self):
        super().__init__("no-user-gesture-required")
        self.requests = []

    def receive(self, deadline):
        message = super().receive(deadline)
        if message.get("method") == "Network.requestWillBeSent":
            self.requests.append(message["params"]["request"]["url"])
        return message


def main():
    url = sys.argv[1]
    rest = sys.argv[2:]
    def value(flag):
        return rest[rest.index(flag) + 1] if flag in rest else None
    report = {"error": None}
    browser = Watching()
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank", "newWindow": True})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.send("Network.enable", {}, session)
        if value("--accept-language"):
            browser.send("Network.setUserAgentOverride",
                         {"userAgent": "Mozilla/5.0 (Linux; Android 14) Mobile",
                          "acceptLanguage": value("--accept-language")}, session)
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}, session)
        browser.send("Page.enable", {}, session)
        browser.send("Page.navigate", {"url": url}, session)
        deadline = time.time() + 30
        while browser.evaluate(session, "document.readyState") != "complete":
            if time.time() > deadline:
                raise TimeoutError("the page did not load")
            time.sleep(0.2)
        report.update(browser.evaluate(session, PAGE))
        browser.send("Accessibility.enable", {}, session)
        nodes = browser.send("Accessibility.getFullAXTree", {}, session)["nodes"]
        unnamed = []
        for node in nodes:
            role = (node.get("role") or {}).get("value", "")
            name = ((node.get("name") or {}).get("value") or "").strip()
            if not node.get("ignored") and role.lower() in CONTROLS and not name:
                unnamed.append(role)
        report["unnamed"] = unnamed
        report["controls"] = sorted({(n.get("role") or {}).get("value", "") for n in nodes
                                     if not n.get("ignored") and (n.get("role") or {}).get("value", "").lower() in CONTROLS})
        # The recording, played as a visitor's tap would: after a second and a half, where is it, which caption?
        if browser.evaluate(session, "!!document.querySelector('video')"):
            browser.evaluate(session, "document.querySelector('video').play().then(() => 'ok', (e) => String(e))")
            time.sleep(1.5)
            report["video"] = browser.evaluate(session, VIDEO)
        else:
            report["video"] = None
        if value("--screenshot"):
            browser.screenshot(session, value("--screenshot"))
        origin = urlsplit(url)[:2]
        report["requests"] = browser.requests
        report["external"] = [r for r in browser.requests if urlsplit(r)[:2] != origin and not r.startswith("data:")]
    except Exception as error:
        report["error"] = repr(error)
    finally:
        browser.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
