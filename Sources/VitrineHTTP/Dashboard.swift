/// The operators' dashboard at `/`: every screen with a live picture of what it shows, its page, theme, next
/// change and health, and the last reload's result. Self-contained; updates over `/api/status/events`.
enum Dashboard {
    static let html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Vitrine · screens</title>
        <style>
        body { margin: 0; font: 15px/1.4 system-ui, sans-serif; background: #f4f2ee; color: #1d1b18; }
        header { padding: 12px 20px; background: #1d1b18; color: #f4f2ee; display: flex; gap: 16px;
                 align-items: baseline; flex-wrap: wrap; }
        header h1 { font-size: 18px; margin: 0; }
        #status { opacity: 0.85; flex: 1; }
        #reload-result { white-space: pre-line; }
        #reload-result.failed { color: #ff9b8f; }
        .failed .health { color: #b3261e; }
        .hidden .health { color: #8a5a00; }
        main { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 16px; padding: 20px; }
        .screen { background: #fff; border-radius: 6px; box-shadow: 0 1px 3px #0002; overflow: hidden; }
        .screen .view pre.cells { margin: 0; padding: 4px; color: #e8e4dc; font: 7px/1.15 ui-monospace, monospace;
                                  white-space: pre; overflow: hidden; max-width: 100%; max-height: 100%; }
        .screen .view { aspect-ratio: 16 / 9; background: #000; display: flex; align-items: center;
                        justify-content: center; color: #aaa; overflow: hidden; }
        .screen .view img, .screen .view iframe { width: 100%; height: 100%; object-fit: contain; border: 0; }
        .screen .facts { padding: 10px 14px; }
        .screen h2 { font-size: 16px; margin: 0 0 4px; }
        .health { font-weight: 600; text-transform: uppercase; font-size: 12px; letter-spacing: 0.05em; }
        .showing .health { color: #1b6e3a; }
        dl { margin: 6px 0 0; display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; font-size: 13px; }
        dt { color: #6b655b; }
        dd { margin: 0; }
        button { font: inherit; padding: 4px 12px; }
        </style></head>
        <body>
        <header><h1>Vitrine</h1><span id="status">connecting…</span><span id="reload-result"></span>
        <button id="reload" title="Read the configuration and content again (needs the control token)">Reload</button>
        </header>
        <main id="screens"></main>
        <script src="/assets/dashboard.js"></script>
        </body></html>
        """

    static let script = #"""
        "use strict";
        (function () {
          const list = document.getElementById("screens");
          const cards = new Map();

          function field(dl, name, value) {
            const dt = document.createElement("dt"); dt.textContent = name;
            const dd = document.createElement("dd"); dd.textContent = value == null ? "–" : String(value);
            dl.append(dt, dd);
          }

          function card(s) {
            let c = cards.get(s.name);
            if (!c) {
              c = { root: document.createElement("section"), view: document.createElement("div"),
                    facts: document.createElement("div"), key: null };
              c.root.className = "screen";
              c.view.className = "view";
              c.facts.className = "facts";
              c.root.append(c.view, c.facts);
              list.appendChild(c.root);
              cards.set(s.name, c);
            }
            c.root.className = "screen " + s.health;
            // The picture changes only when the page does.
            const key = s.kiosk ? "kiosk" : (s.picture || s.text) ? (s.picture || s.text) + "|" + s.summary + "|" + s.theme + "|" + s.since : "none";
            if (key !== c.key) {
              c.key = key;
              c.view.replaceChildren();
              if (s.kiosk) {
                const f = document.createElement("iframe");
                f.src = s.kiosk; f.title = s.name; f.setAttribute("loading", "lazy");
                c.view.appendChild(f);
              } else if (s.picture) {
                const img = document.createElement("img");
                img.src = s.picture + "?t=" + Date.now(); img.alt = s.summary;
                c.view.appendChild(img);
              } else if (s.text) {
                // A terminal: its rows as the screen shows them.
                const pre = document.createElement("pre");
                pre.className = "cells"; pre.setAttribute("aria-label", s.summary);
                c.view.appendChild(pre);
                fetch(s.text, { cache: "no-store" }).then((r) => r.ok ? r.text() : "").then((t) => { pre.textContent = t; });
              } else {
                c.view.textContent = s.output + " screen";
              }
            }
            c.facts.replaceChildren();
            const h = document.createElement("h2"); h.textContent = s.name;
            const health = document.createElement("span"); health.className = "health";
            health.textContent = s.health + (s.failure ? ": " + s.failure : "") + (s.hidden ? ": " + s.hidden : "") + (s.trouble ? " · " + s.trouble : "");
            const dl = document.createElement("dl");
            field(dl, "shows", s.summary);
            field(dl, "output", s.output + (s.size ? " " + s.size : ""));
            field(dl, "theme", s.theme);
            field(dl, "since", s.since);
            field(dl, "next change", s.nextChange);
            if (s.clients != null) field(dl, "browsers", s.clients);
            c.facts.append(h, health, dl);
          }

          // "exhibit 'x': last good version shown (FILE:LINE:COL: …)", for each exhibit with errors.
          function problemLines(entries) {
            return (entries || []).map((p) => "exhibit '" + p.exhibit + "': " + p.shown + " (" + p.error + ")");
          }

          function update(status) {
            document.getElementById("status").textContent = status.status;
            const result = document.getElementById("reload-result");
            // A failed reload, then every exhibit with errors (shown at an older version, in part, or left out).
            const problems = problemLines(status.exhibitsWithErrors);
            result.textContent = [status.lastReload].concat(problems).filter(Boolean).join("\n");
            result.className = status.lastReload || problems.length ? "failed" : "";
            const names = new Set(status.screens.map((s) => s.name));
            for (const [name, c] of cards) if (!names.has(name)) { c.root.remove(); cards.delete(name); }
            status.screens.forEach(card);
          }

          const events = new EventSource("/api/status/events");
          events.addEventListener("status", (e) => update(JSON.parse(e.data)));
          events.addEventListener("error", () => {
            document.getElementById("status").textContent = "reconnecting to the daemon…";
          });

          document.getElementById("reload").addEventListener("click", async () => {
            let token = sessionStorage.getItem("vitrine-token");
            if (!token) {
              token = prompt("Control token (the contents of http.token-file):");
              if (!token) return;
            }
            const answer = await fetch("/api/reload", { method: "POST", headers: { Authorization: "Bearer " + token } });
            const result = document.getElementById("reload-result");
            if (answer.status === 401 || answer.status === 403) {
              sessionStorage.removeItem("vitrine-token");
              result.textContent = (await answer.text()).trim();
              result.className = "failed";
              return;
            }
            sessionStorage.setItem("vitrine-token", token);
            const body = await answer.json();
            const problems = problemLines(body.exhibitsWithErrors);
            result.textContent = body.ok ? ["reloaded" + (body.partial ? " in part" : "")].concat(problems).join("\n") : body.error;
            result.className = body.ok && !body.partial ? "" : "failed";
          });
        })();
        """#
}
