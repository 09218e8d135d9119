#!/usr/bin/env python3
"""A visitor at a touch kiosk screen, in a real headless Chromium (the DevTools class of kiosk_check.py): opens
/screens/SCREEN, taps the language button LANG, then the next-page button, then waits QUIET seconds untouched.

Usage: touch_check.py BASE_URL SCREEN LANG QUIET

Prints {"steps": [{"step", "title", "text", "pressed", "buttons"}], "error"}: after each step, the page's summary
(document.title), the stage's text, the language button pressed, and every button's accessible name.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kiosk_check import DevTools  # noqa: E402

STATE = r"""
(() => {
  const page = document.getElementById("stage").lastElementChild;
  if (!page) return null;
  const buttons = Array.from(page.querySelectorAll(".choices button"));
  const pressed = buttons.find((b) => b.getAttribute("aria-pressed") === "true");
  return {title: document.title, text: page.innerText.slice(0, 400), shown: window.vitrineShown || 0,
          pressed: pressed ? pressed.lang : null,
          buttons: buttons.map((b) => (b.getAttribute("aria-label") || b.textContent).trim())};
})()
"""


def tap(browser, session, selector):
    """A real pointer tap at the button's centre (through the page's scaling), as a finger would."""
    box = browser.evaluate(session, """
      (() => { const b = document.getElementById("stage").lastElementChild.querySelector(%s);
               if (!b) return null; const r = b.getBoundingClientRect();
               return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()""" % json.dumps(selector))
    if not box:
        raise RuntimeError("no button " + selector)
    for kind in ("mousePressed", "mouseReleased"):
        browser.send("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"], "button": "left",
                                                  "clickCount": 1}, session)


def wait_for(browser, session, condition, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = browser.evaluate(session, STATE)
        if state and condition(state):
            return state
        time.sleep(0.2)
    return browser.evaluate(session, STATE)


def main():
    base, screen, lang, quiet = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], float(sys.argv[4])
    report = {"steps": [], "error": None}
    browser = DevTools()
    try:
        session = browser.open(f"{base}/screens/{screen}", 1920, 1080)
        first = wait_for(browser, session, lambda s: s["shown"] >= 1 and s["buttons"])
        report["steps"].append(dict(first, step="opened"))
        tap(browser, session, 'button[lang="%s"]' % lang)
        chosen = wait_for(browser, session, lambda s: s["pressed"] == lang)
        report["steps"].append(dict(chosen, step="language"))
        tap(browser, session, 'button[aria-label="Next page"]')
        turned = wait_for(browser, session, lambda s: s["title"] != chosen["title"])
        report["steps"].append(dict(turned, step="next page"))
        time.sleep(quiet + 1.5)
        report["steps"].append(dict(browser.evaluate(session, STATE), step="quiet"))
    except Exception as error:
        report["error"] = repr(error)
    finally:
        browser.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
