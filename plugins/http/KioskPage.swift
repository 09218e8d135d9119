/// The kiosk page a browser opens at `/screens/NAME`: self-contained (its script, style and fonts come from the
/// daemon, never from the internet). It lays out a stage of the screen's size, scales it to the window, and shows
/// each page the daemon pushes over Server-Sent Events.
public enum KioskPage {
    public static func html(screen: String) -> String {
        let name = escapeHTML(screen)
        // Its script and style are the screen's own files (`/screens/NAME/files/kiosk.js`), as the listener serves them.
        let base = "/screens/" + escapeHTML(percentEncoded(screen))
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(name) · Vitrine</title>
        <link rel="stylesheet" href="\(base)/files/kiosk.css">
        </head>
        <body data-screen="\(name)">
        <div id="stage" aria-live="polite"></div>
        <div id="offline" hidden>Reconnecting to the exhibition server…</div>
        <script src="\(base)/files/kiosk.js"></script>
        </body></html>
        """
    }

    /// A path segment: unreserved characters as they are, every other byte of UTF-8 as %XX.
    static func percentEncoded(_ text: String) -> String {
        text.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                String(UnicodeScalar(byte))
            default:
                "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }.joined()
    }

    public static let css = """
        html, body { margin: 0; width: 100%; height: 100%; overflow: hidden; background: #000; cursor: none; }
        #stage { position: absolute; left: 0; top: 0; transform-origin: 0 0; overflow: hidden; }
        .page { position: absolute; inset: 0; overflow: hidden; }
        .page.fading { transition-property: opacity; transition-timing-function: linear; }
        .t { position: absolute; white-space: pre; line-height: normal; margin: 0; }
        .t.center { white-space: pre-wrap; text-align: center; }
        .t.justify { text-align: justify; text-align-last: justify; }
        .foot { position: absolute; display: flex; flex-direction: row-reverse; white-space: pre; }
        .picture { position: absolute; object-fit: contain; object-position: 50% 0; }
        .media { position: absolute; display: flex; gap: 1em; align-items: center; }
        .media audio, .media video { max-height: 100%; }
        #offline { position: fixed; right: 1em; bottom: 1em; color: #999; font: 14px sans-serif; opacity: 0.8; }
        """

    public static let script = #"""
        "use strict";
        (function () {
          const screen = document.body.dataset.screen;
          const stage = document.getElementById("stage");
          const offline = document.getElementById("offline");
          const faces = new Map();
          let current = null;
          let shownId = null;

          function fit() {
            if (!current) return;
            const w = current.stage.width, h = current.stage.height;
            const s = Math.min(window.innerWidth / w, window.innerHeight / h);
            stage.style.width = w + "px";
            stage.style.height = h + "px";
            stage.style.transform = "translate(" + (window.innerWidth - w * s) / 2 + "px," +
              (window.innerHeight - h * s) / 2 + "px) scale(" + s + ")";
          }
          window.addEventListener("resize", fit);

          async function loadFonts(list) {
            await Promise.all(list.map(async (f) => {
              const key = f.name + " " + f.src;
              if (faces.get(f.name) === key) return;
              try {
                const face = new FontFace(f.name, "url(" + JSON.stringify(f.src) + ")");
                await face.load();
                document.fonts.add(face);
                faces.set(f.name, key);
              } catch (e) { /* the browser's own font stands in */ }
            }));
          }

          function text(t, stageWidth) {
            const d = document.createElement("div");
            d.className = "t";
            d.textContent = t.text;
            d.style.fontFamily = JSON.stringify(t.font) + ", serif";
            d.style.fontSize = t.size + "px";
            d.style.color = t.colour;
            d.style.top = t.y + "px";
            if (t.role) d.dataset.role = t.role;
            if (t.align === "center") {
              d.classList.add("center");
              d.style.left = t.x + "px";
              d.style.width = t.width + "px";
            } else if (t.align === "right") {
              d.style.right = (stageWidth - t.x) + "px";
            } else {
              d.style.left = t.x + "px";
              if (t.justify && t.width) { d.classList.add("justify"); d.style.width = t.width + "px"; }
            }
            return d;
          }

          function build(m) {
            const page = document.createElement("div");
            page.className = "page";
            page.style.background = m.background;
            page.dataset.summary = m.summary;
            for (const t of m.texts) page.appendChild(text(t, m.stage.width));
            if (m.foot.length) {
              const foot = document.createElement("div");
              foot.className = "foot";
              foot.style.right = (m.stage.width - m.foot[0].x) + "px";
              foot.style.top = m.foot[0].y + "px";
              foot.style.gap = m.footGap + "px";
              for (const t of m.foot) {
                const d = text(t, m.stage.width);
                d.style.position = "static";
                foot.appendChild(d);
              }
              page.appendChild(foot);
            }
            for (const p of m.pictures) {
              const img = document.createElement("img");
              img.className = "picture";
              img.src = p.src;
              img.alt = p.alt;
              img.style.left = p.x + "px";
              img.style.top = p.y + "px";
              img.style.width = p.width + "px";
              img.style.height = p.height + "px";
              page.appendChild(img);
            }
            if (m.media.length) {
              // Players sit in the foot band, left (a page without a page indicator has the band all the same);
              // the transcript is on the page as text.
              const bar = document.createElement("div");
              bar.className = "media";
              const footY = m.foot.length ? m.foot[0].y : m.stage.height * 0.95;
              const band = m.stage.height - footY;
              bar.style.left = (m.texts.length ? m.texts[0].x : 0) + "px";
              bar.style.top = (footY - band * 0.25) + "px";
              bar.style.height = Math.max(band * 0.6, 40) + "px";
              for (const media of m.media) {
                // The same recording of the same page (a clock tick, a reconnect, a theme change) keeps its player:
                // playback never starts again.
                const key = media.src + "@" + (media.start || 0);
                let el = Array.from(stage.querySelectorAll(".media > audio, .media > video"))
                  .find((e) => e.dataset.key === key);
                if (!el) {
                  el = document.createElement(media.kind === "video" ? "video" : "audio");
                  el.dataset.key = key;
                  el.controls = true;
                  el.preload = "auto";
                  el.src = media.src;
                  if (media.title) el.title = media.title;
                  if (media.captions) {
                    const track = document.createElement("track");
                    track.kind = "captions";
                    track.src = media.captions;
                    track.default = true;
                    el.appendChild(track);
                  }
                  play(el, media);
                }
                bar.appendChild(el);
              }
              page.appendChild(bar);
            }
            return page;
          }

          // Starts a player where the clock says: at its start instant (the page's start plus the lead-in), or, joining
          // late, that far into the recording. The browser's clock is used (kiosks keep time with NTP).
          function play(el, media) {
            if (media.start == null) { el.autoplay = true; return; }
            const begin = () => {
              // The page may have changed during the lead-in: a player no longer on the page stays silent.
              if (!el.isConnected) return;
              const offset = (Date.now() - media.start) / 1000;
              if (offset > 0) el.currentTime = offset;
              el.play().catch(() => { window.vitrineBlocked = (window.vitrineBlocked || 0) + 1; });
            };
            const wait = media.start - Date.now();
            if (wait > 0) setTimeout(begin, wait);
            else if (el.readyState >= 1) begin();
            else el.addEventListener("loadedmetadata", begin, { once: true });
          }

          let showing = Promise.resolve();
          function show(m, id) {
            showing = showing.then(async () => {
              if (id && id === shownId) return;
              await loadFonts(m.fonts);
              current = m;
              shownId = id;
              fit();
              const page = build(m);
              const old = Array.from(stage.children);
              if (m.transition.kind === "crossfade" && old.length) {
                page.style.opacity = "0";
                page.classList.add("fading");
                page.style.transitionDuration = m.transition.milliseconds + "ms";
                stage.appendChild(page);
                page.getBoundingClientRect();
                page.style.opacity = "1";
                setTimeout(() => old.forEach((o) => o.remove()), m.transition.milliseconds + 50);
              } else {
                stage.appendChild(page);
                old.forEach((o) => o.remove());
              }
              document.title = m.summary + " · " + screen;
              window.vitrineShown = (window.vitrineShown || 0) + 1;
            }).catch(() => {});
          }

          // EventSource reconnects by itself (after a daemon restart too); the last page stays up meanwhile and
          // Last-Event-ID lets the daemon skip resending the page already on the screen.
          const events = new EventSource("/screens/" + encodeURIComponent(screen) + "/events");
          events.addEventListener("page", (e) => { offline.hidden = true; show(JSON.parse(e.data), e.lastEventId); });
          events.addEventListener("open", () => { offline.hidden = true; });
          events.addEventListener("error", () => { offline.hidden = false; });
        })();
        """#

    static func escapeHTML(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
