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
        .player { position: absolute; background: #000; object-fit: contain; opacity: 0; transition: opacity 0.6s; }
        .player.on { opacity: 1; }
        audio.player { display: none; }
        .code { position: absolute; }
        body.touch { cursor: auto; }
        .choices { position: absolute; display: flex; gap: 0.4em; font-family: sans-serif; }
        .choices button { font: inherit; padding: 0.35em 0.8em; border-radius: 0.4em; border: 2px solid currentColor;
          background: transparent; color: inherit; opacity: 0.85; }
        .choices button[aria-pressed="true"] { opacity: 1; font-weight: bold; }
        .choices button:disabled { opacity: 0.3; }
        .caption { position: absolute; text-align: center; white-space: pre-wrap; line-height: 1.2; }
        .caption > span { padding: 0.2em 0.4em; -webkit-box-decoration-break: clone; box-decoration-break: clone; }
        .caption:empty { display: none; }
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
            if (t.lang) d.lang = t.lang;
            if (t.dir) d.dir = t.dir;
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

          // The visitor code: white square, dark modules, one SVG path (crisp at any size).
          function code(c) {
            const ns = "http://www.w3.org/2000/svg";
            const side = c.rows.length + 2 * c.quietZone;
            const svg = document.createElementNS(ns, "svg");
            svg.setAttribute("class", "code");
            svg.setAttribute("viewBox", "0 0 " + side + " " + side);
            svg.setAttribute("shape-rendering", "crispEdges");
            svg.setAttribute("role", "img");
            svg.setAttribute("aria-label", c.link);
            svg.style.left = c.area.x + "px";
            svg.style.top = c.area.y + "px";
            svg.style.width = c.area.width + "px";
            svg.style.height = c.area.height + "px";
            let d = "";
            c.rows.forEach((row, y) => {
              for (let x = 0; x < row.length; x++)
                if (row[x] === "1") d += "M" + (x + c.quietZone) + " " + (y + c.quietZone) + "h1v1h-1z";
            });
            const back = document.createElementNS(ns, "rect");
            back.setAttribute("width", side);
            back.setAttribute("height", side);
            back.setAttribute("fill", "#fff");
            const path = document.createElementNS(ns, "path");
            path.setAttribute("d", d);
            path.setAttribute("fill", "#000");
            svg.append(back, path);
            return svg;
          }

          // A touch screen (`touch: true`): the languages the exhibit is written in, and its pages, offered at the
          // top right; a visitor's choice holds until `quiet` passes without a touch, then the schedule's page is
          // back. Pushed pages arrive meanwhile and wait (the latest only).
          let latest = null, quietTimer = null;
          const touchQuiet = () => latest && latest.m.touchQuiet;
          function rearm() {
            clearTimeout(quietTimer);
            quietTimer = setTimeout(() => {
              quietTimer = null;
              if (latest) show(latest.m, "back:" + latest.id);
            }, touchQuiet());
          }
          function choose(m, lang, page) {
            rearm();
            const query = new URLSearchParams({ exhibit: m.exhibit, page: String(page) });
            if (lang) query.set("lang", lang);
            fetch("/screens/" + encodeURIComponent(screen) + "/choice?" + query)
              .then((r) => r.ok ? r.json() : Promise.reject(r.status))
              .then((chosen) => { if (quietTimer) show(chosen, "choice:" + Date.now()); })
              .catch(() => {});
          }
          function button(label, action, options) {
            const b = document.createElement("button");
            b.type = "button";
            b.textContent = label;
            for (const [k, v] of Object.entries(options || {})) if (v !== undefined) b.setAttribute(k, v);
            b.addEventListener("click", (e) => { e.stopPropagation(); action(); });
            return b;
          }
          function choices(m) {
            if (!touchQuiet() || m.kind !== "page" || !m.exhibit) return null;
            const languages = m.languages || [];
            if (languages.length < 2 && !(m.pages > 1)) return null;
            const bar = document.createElement("nav");
            bar.className = "choices";
            bar.setAttribute("aria-label", "Languages and pages");
            bar.style.top = Math.round(m.stage.height * 0.012) + "px";
            bar.style.right = Math.round(m.stage.width * 0.012) + "px";
            bar.style.fontSize = Math.round(Math.min(m.stage.width, m.stage.height) * 0.024) + "px";
            bar.style.color = (m.texts[0] && m.texts[0].colour) || "#888";
            for (const l of languages) {
              bar.appendChild(button(l.name, () => choose(m, l.tag, 1),
                                     { lang: l.tag, "aria-pressed": String(l.tag === m.language) }));
            }
            if (m.pages > 1) {
              bar.appendChild(button("‹", () => choose(m, m.language, m.page - 1),
                                     { "aria-label": "Previous page", disabled: m.page <= 1 ? "" : undefined }));
              bar.appendChild(button("›", () => choose(m, m.language, m.page + 1),
                                     { "aria-label": "Next page", disabled: m.page >= m.pages ? "" : undefined }));
            }
            return bar;
          }
          stage.addEventListener("pointerdown", () => { if (quietTimer) rearm(); });

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
            if (m.code) page.appendChild(code(m.code));
            const bar = choices(m);
            if (bar) page.appendChild(bar);
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
            // A film plays in its area (the theme says: in the page below its line, or the whole stage), shown while
            // it plays; a sound recording has no picture. The current caption is drawn as the framebuffer draws it,
            // in the caption area: over the film, or at the foot of the page's text for sound (browsers draw no
            // captions for sound). Nothing goes in the foot band.
            let captionBox = null;
            if (m.captionArea && m.caption) {
              const a = m.captionArea, c = m.caption;
              captionBox = document.createElement("div");
              captionBox.className = "caption";
              captionBox.style.left = (a.x + a.width * 0.1) + "px";
              captionBox.style.width = (a.width * 0.8) + "px";
              captionBox.style.bottom = (m.stage.height - (a.y + a.height * 0.92)) + "px";
              captionBox.style.fontFamily = JSON.stringify(c.font) + ", serif";
              captionBox.style.fontSize = c.size + "px";
              captionBox.style.color = c.colour;
              captionBox.dataset.band = c.band;
            }
            for (const media of m.media) {
              // The same recording of the same page (a clock tick, a reconnect, a theme change) keeps its player:
              // playback never starts again.
              const key = media.src + "@" + (media.start || 0);
              let el = Array.from(stage.querySelectorAll(".player")).find((e) => e.dataset.key === key);
              if (!el) {
                el = document.createElement(media.kind === "video" ? "video" : "audio");
                el.className = "player";
                el.dataset.key = key;
                el.preload = "auto";
                el.playsInline = true;
                el.src = media.src;
                if (media.title) el.title = media.title;
                el.vitrineCues = media.cues || [];
                el.addEventListener("playing", () => el.classList.add("on"));
                el.addEventListener("ended", () => { el.classList.remove("on"); caption(el); });
                el.addEventListener("timeupdate", () => caption(el));
                play(el, media);
              }
              if (media.kind === "video") {
                const a = m.filmArea || { x: 0, y: 0, width: m.stage.width, height: m.stage.height };
                el.style.left = a.x + "px";
                el.style.top = a.y + "px";
                el.style.width = a.width + "px";
                el.style.height = a.height + "px";
              }
              page.appendChild(el);
            }
            if (captionBox) page.appendChild(captionBox);
            return page;
          }

          // Shows the caption spoken now in the caption box of the page the player is on.
          function caption(el) {
            const box = el.parentNode && el.parentNode.querySelector(".caption");
            if (!box) return;
            const at = el.currentTime * 1000;
            const cue = el.ended || el.paused ? null : el.vitrineCues.find((c) => c.start <= at && at < c.end);
            const text = cue ? cue.text : "";
            if (box.textContent === text) return;
            box.textContent = "";
            if (!text) return;
            const span = document.createElement("span");
            span.textContent = text;
            span.style.background = box.dataset.band;
            box.appendChild(span);
          }

          // Tells the daemon whether this browser lets recordings be heard (operators see it on the dashboard),
          // once per change.
          let soundReport = null;
          function report(what) {
            if (what === soundReport) return;
            soundReport = what;
            fetch("/screens/" + encodeURIComponent(screen) + "/report/" + what, { method: "POST" }).catch(() => {});
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
              el.play().then(() => report("sound-playing")).catch(() => {
                // The browser wants a click before sound: play muted (a film's picture, the captions) and say so.
                window.vitrineBlocked = (window.vitrineBlocked || 0) + 1;
                report("sound-blocked");
                el.muted = true;
                el.play().catch(() => {});
              });
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
          events.addEventListener("page", (e) => {
            offline.hidden = true;
            latest = { m: JSON.parse(e.data), id: e.lastEventId };
            document.body.classList.toggle("touch", !!latest.m.touchQuiet);
            // While a visitor's choice holds, the schedule's page waits.
            if (!quietTimer) show(latest.m, latest.id);
          });
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
