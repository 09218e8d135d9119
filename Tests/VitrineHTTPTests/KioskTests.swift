import Foundation
import HTTPOutput
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import VitrineCore
import VitrineHTTP
import VitrineModel
import VitrinePlayLog
import VitrineTestKit

/// The HTTP listener, live on a loopback port: a daemon with `http` screens and a manual clock, talked to over
/// real sockets as browsers and operators do.
@Suite(.serialized) struct KioskTests {
    /// A running daemon and listener.
    final class Live: @unchecked Sendable {
        let venue: TemporaryVenue
        let clock: ManualClock
        let daemon: Daemon
        let group: ServiceGroup
        let task: Task<Void, Error>
        let port: Int
        /// The port the listener bound last (it moves when a reload changes `http.listen`).
        let bound: Mutex<Int>
        var client: HTTPTestClient { HTTPTestClient(port: port) }

        init(venue: TemporaryVenue, clock: ManualClock, daemon: Daemon, group: ServiceGroup, task: Task<Void, Error>,
             port: Int) {
            self.venue = venue
            self.clock = clock
            self.daemon = daemon
            self.group = group
            self.task = task
            self.port = port
            bound = Mutex(port)
        }

        func stop() async {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
        }
    }

    static let start = instant("2026-06-01T10:00:00Z")

    /// A venue with exhibits `first` and `second` (one page each, 10 s) and an http screen named `screen`.
    func live(screen: String, http extra: String = "", moreScreens: String = "", limits: HTTPServer.Limits = .init(),
              brokenExhibits: Bool = false, files: (TemporaryVenue) throws -> Void = { _ in }) async throws -> Live {
        let venue = try TemporaryVenue()
        try venue.writeConfig("""
            timezone: UTC
            themes:
              paper: { background: "#F6F1E7", text: "#1D1B18", transition: cut }
            playlists:
              main: [first, second]
              second: [second]
            screens:
              \(screen):
                output: http
                playlist: main
                width: 1280
                height: 720
            \(moreScreens)
            http:
              listen: 127.0.0.1:0
            \(extra)
            """)
        try venue.addExhibit("first", "---\ntitle: First\npage-duration: 10s\n---\nThe first page, «ёлка» and “quotes”.\n")
        try venue.addExhibit("second", "---\ntitle: Second\npage-duration: 10s\n---\nThe second page.\n")
        try files(venue)
        let clock = ManualClock(at: Self.start + 1_000)
        let outcome = venue.load()
        #expect(brokenExhibits || outcome.diagnostics.errors.isEmpty, "\(outcome.diagnostics)")
        let logger = Logger(label: "test")
        let daemon = Daemon(settings: .init(configPath: venue.configPath, registry: testRegistry, systemTimeZone: "UTC"),
                            initial: outcome, clock: clock, logger: logger)
        VitrineMetrics.shared.attach(to: daemon)
        let bound = Mutex(0)
        let latest = Mutex<Live?>(nil)
        let playLog = try PlayLog(path: venue.root.appendingPathComponent("state/plays.sqlite").path)
        playLog.attach(to: daemon, logger: logger)
        let server = HTTPServer(listener: try #require(outcome.program?.configuration.http), daemon: daemon,
                                metrics: .shared, playLog: playLog, limits: limits, logger: logger) { port in
            bound.withLock { $0 = port }
            latest.withLock { $0?.bound.withLock { $0 = port } }
        }
        let group = ServiceGroup(configuration: .init(services: [daemon, server], logger: logger))
        let task = Task { try await group.run() }
        #expect(await eventually(timeout: .seconds(30)) {
            bound.withLock { $0 } > 0 && daemon.browsers.current(screen) != nil
        })
        let made = Live(venue: venue, clock: clock, daemon: daemon, group: group, task: task,
                        port: bound.withLock { $0 })
        latest.withLock { $0 = made }
        return made
    }

    func unique(_ name: String) -> String { "\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    func message(_ event: EventStream.Event) throws -> KioskMessage {
        try JSONDecoder().decode(KioskMessage.self, from: Data(event.data.utf8))
    }

    @Test func theKioskPageIsSelfContainedAndUnknownScreensRetry() async throws {
        let screen = unique("kiosk")
        let live = try await live(screen: screen)
        defer { Task { await live.stop() } }
        let page = try await live.client.request("GET", "/screens/\(screen)")
        #expect(page.status == 200)
        #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(page.text.contains("/screens/\(screen)/files/kiosk.js") && page.text.contains("data-screen=\"\(screen)\""))
        #expect(!page.text.contains("http://") && !page.text.contains("https://"), "nothing from the internet")
        let script = try await live.client.request("GET", "/screens/\(screen)/files/kiosk.js")
        #expect(script.status == 200 && script.text.contains("EventSource"))
        #expect(script.headers["content-type"]?.hasPrefix("text/javascript") == true)
        let style = try await live.client.request("GET", "/screens/\(screen)/files/kiosk.css")
        #expect(style.status == 200 && style.text.contains("#stage"))
        #expect(try await live.client.request("GET", "/screens/\(screen)/files/passwd").status == 404)
        #expect(try await live.client.request("GET", "/screens/nowhere/files/kiosk.js").status == 404)
        let unknown = try await live.client.request("GET", "/screens/nowhere")
        #expect(unknown.status == 404)
        #expect(unknown.text.contains("http-equiv=\"refresh\""), "a page that tries again, not an error")
        // The fonts the page names are served, and are real font files.
        let event = try await live.client.stream("/screens/\(screen)/events").next()
        let font = try #require(try message(event).fonts.first)
        let file = try await live.client.request("GET", font.src)
        #expect(file.status == 200 && file.body.count > 10_000)
        #expect(Array(file.body.prefix(4)) == [0, 1, 0, 0] || Array(file.body.prefix(4)) == Array("OTTO".utf8))
        await live.stop()
    }

    @Test func pagesArriveAsEventsAndAResumeDoesNotRepeatThem() async throws {
        let screen = unique("kiosk")
        let live = try await live(screen: screen)
        let stream = try await live.client.stream("/screens/\(screen)/events")
        #expect(stream.status == 200)
        #expect(stream.headers["content-type"]?.hasPrefix("text/event-stream") == true)
        let first = try await stream.next()
        #expect(stream.retry == 3000)
        #expect(first.event == "page" && first.id != nil)
        let page = try message(first)
        #expect(page.title == "First" && page.kind == "page" && page.stage.width == 1280 && page.stage.height == 720)
        #expect(page.texts.contains { $0.text.contains("«ёлка» and “quotes”") }, "UTF-8 intact")

        // The schedule moves on: the page is pushed to the open stream.
        live.clock.advance(to: Self.start + 10_000)
        let second = try await stream.next()
        #expect(try message(second).title == "Second")
        #expect(second.id != first.id)

        // A browser reconnecting with the page it has gets no repeat (no flash); one with an old page gets the
        // current one at once.
        let resumed = try await live.client.stream("/screens/\(screen)/events", headers: ["Last-Event-ID": second.id!])
        await #expect(throws: HTTPTestClient.Failure.timeout) { try await resumed.next(timeout: 0.5) }
        let stale = try await live.client.stream("/screens/\(screen)/events", headers: ["Last-Event-ID": first.id!])
        #expect(try await message(stale.next()).title == "Second")
        await live.stop()
    }

    @Test func heartbeatsKeepAnIdleStreamOpenPastTheIdleTimeout() async throws {
        var limits = HTTPServer.Limits()
        limits.heartbeat = .milliseconds(200)
        limits.idleTimeout = .milliseconds(500)
        let screen = unique("kiosk")
        let live = try await live(screen: screen, limits: limits)
        let stream = try await live.client.stream("/screens/\(screen)/events")
        _ = try await stream.next()
        try await Task.sleep(for: .seconds(1.5))
        #expect(await stream.isOpen())
        live.clock.advance(to: Self.start + 10_000)
        #expect(try await message(stream.next()).title == "Second")
        #expect(stream.comments >= 3, "heartbeat comments: \(stream.comments)")
        await live.stop()
    }

    @Test func eventDataOfManyLinesIsFramedLineByLine() {
        let text = ServerSentEventFraming.encode(id: "7", event: "page", data: "one\ntwo\r\nthree\rфour")
        #expect(text == "id: 7\nevent: page\ndata: one\ndata: two\ndata: three\ndata: фour\n\n")
    }

    /// DNS rebinding: a page on the internet that points its own name at the venue's machine sends that name in
    /// `Host`; the listener answers only for addresses, localhost, the machine's name and `http.hosts`.
    @Test func requestsForAnotherHostNameAreRefused() async throws {
        let live = try await live(screen: unique("kiosk"), http: "  hosts: [vitrine.museum.local]")
        for host in ["127.0.0.1:8080", "localhost", "[::1]:8080", "vitrine.museum.local:8080", "VITRINE.museum.local"] {
            let reply = try await live.client.request("GET", "/api/status", headers: ["Host": host])
            #expect(reply.status == 200, "\(host): \(reply.status)")
        }
        for host in ["rebind.example.com", "rebind.example.com:8080", "127.0.0.1.rebind.example.com"] {
            let reply = try await live.client.request("GET", "/api/status", headers: ["Host": host])
            #expect(reply.status == 421, "\(host): \(reply.status)")
        }
        await live.stop()
    }

    @Test func controlCallsNeedTheTokenAndTheTokenIsNeverLogged() async throws {
        let screen = unique("kiosk")
        let token = "museum-secret-\(UUID().uuidString)"
        let live = try await live(screen: screen, http: "  token-file: token.txt") { venue in
            try venue.writeRaw("token.txt", Data("\(token)\n".utf8))
        }
        #expect(try await live.client.request("POST", "/api/reload").status == 401)
        #expect(try await live.client.request("POST", "/api/reload", headers: ["Authorization": "Bearer wrong"]).status == 401)
        let ok = try await live.client.request("POST", "/api/reload", headers: ["Authorization": "Bearer \(token)"])
        #expect(ok.status == 200 && ok.text.contains("\"ok\":true"), "\(ok.text)")
        // The scheme's name in any case, as RFC 9110 says; the token itself exactly.
        for scheme in ["bearer", "BEARER"] {
            let reply = try await live.client.request("POST", "/api/reload", headers: ["Authorization": "\(scheme) \(token)"])
            #expect(reply.status == 200, "\(scheme): \(reply.status)")
        }
        #expect(try await live.client.request("POST", "/api/reload",
                                              headers: ["Authorization": "Bearer \(token.uppercased())"]).status == 401)
        // Read-only endpoints are open.
        #expect(try await live.client.request("GET", "/api/status").status == 200)
        await live.stop()

        let open = try await self.live(screen: unique("kiosk"))
        let refused = try await open.client.request("POST", "/api/reload", headers: ["Authorization": "Bearer \(token)"])
        #expect(refused.status == 403 && refused.text.contains("token-file"), "no token file: control is off")
        await open.stop()
    }

    /// A reload that keeps an exhibit at its last good version is partial, and says which exhibit and where its
    /// error is; `/api/status` (what the dashboard and `vitrine status` show) names it until it is fixed.
    @Test func aPartialReloadNamesTheExhibitAndItsError() async throws {
        let token = "museum-secret-\(UUID().uuidString)"
        let live = try await live(screen: unique("kiosk"), http: "  token-file: token.txt") { venue in
            try venue.writeRaw("token.txt", Data("\(token)\n".utf8))
        }
        let file = live.venue.contentPath + "/second/exhibit.md"
        try "---\ntitle: [unclosed\n---\nThe second page.\n".write(toFile: file, atomically: true, encoding: .utf8)
        let reply = try await live.client.request("POST", "/api/reload", headers: ["Authorization": "Bearer \(token)"])
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
        #expect(reply.status == 200 && answer["ok"] as? Bool == true && answer["partial"] as? Bool == true, "\(reply.text)")
        let problems = answer["exhibitsWithErrors"] as? [[String: String]] ?? []
        #expect(problems.count == 1 && problems.first?["exhibit"] == "second", "\(reply.text)")
        #expect(problems.first?["shown"] == "last good version shown", "\(reply.text)")
        #expect(problems.first?["error"]?.hasPrefix(file + ":2:8: YAML syntax") == true, "\(reply.text)")
        let status = try await live.client.request("GET", "/api/status").text
        #expect(status.contains("\"exhibitsWithErrors\":[{\"error\":\"\(file):2:8: "), "\(status)")
        #expect(status.contains("exhibit 'second': last good version shown, first error at second/exhibit.md:2:8"),
                "the status line too: \(status)")

        try "---\ntitle: Second\n---\nThe second page.\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fixed = try await live.client.request("POST", "/api/reload", headers: ["Authorization": "Bearer \(token)"])
        #expect(fixed.text.contains("\"partial\":false") && fixed.text.contains("\"exhibitsWithErrors\":[]"), "\(fixed.text)")
        #expect(try await live.client.request("GET", "/api/status").text.contains("\"exhibitsWithErrors\":[]"))
        await live.stop()
    }

    /// The dashboard shows a terminal screen's text as the screen shows it (it was a placeholder): the status names
    /// where its rows are, and they are the terminal's rows, measure and all.
    @Test func aTerminalScreensTextIsOnTheDashboard() async throws {
        let screen = unique("kiosk")
        let tty = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-terminal-\(UUID()).out").path
        FileManager.default.createFile(atPath: tty, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: tty) }
        let live = try await live(screen: screen, moreScreens: """
              hall:
                output: terminal
                playlist: main
                tty: \(tty)
                columns: 100
                rows: 20
            """)
        #expect(await eventually(timeout: .seconds(15)) {
            live.daemon.status().screens.first { $0.name == "hall" }?.frame != nil
        })
        let status = try await live.client.request("GET", "/api/status").text
        #expect(status.contains("\"text\":\"/screens/hall/text\""), "\(status)")
        let reply = try await live.client.request("GET", "/screens/hall/text")
        #expect(reply.status == 200, "\(reply.text)")
        let rows = reply.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows.count == 20 && rows.allSatisfy { $0.count == 100 }, "\(rows.count) rows")
        #expect(rows.contains { $0.contains("First") }, "\(reply.text)")
        #expect(try await live.client.request("GET", "/screens/\(screen)/text").status == 404, "a kiosk has no text")
        let page = try await live.client.request("GET", "/").text + live.client.request("GET", "/assets/dashboard.js").text
        #expect(page.contains("s.text") && page.contains("pre.cells"), "the dashboard draws it")
        await live.stop()
    }

    /// An operator puts a message on the screens for a while, then takes it down; both change the screens at once.
    @Test func announcementsOverTheAPIPreemptThePlaylist() async throws {
        let screen = unique("kiosk")
        let token = "museum-secret-\(UUID().uuidString)"
        let live = try await live(screen: screen, http: "  token-file: token.txt") { venue in
            try venue.writeRaw("token.txt", Data("\(token)\n".utf8))
        }
        let auth = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
        let stream = try await live.client.stream("/screens/\(screen)/events")
        #expect(try await message(stream.next()).title == "First")
        let body = #"{"text": "The museum closes at 16:00 today.", "for": "30m", "screens": ["\#(screen)"]}"#
        #expect(try await live.client.request("POST", "/api/announcements", body: body).status == 401)
        let created = try await live.client.request("POST", "/api/announcements", headers: auth, body: body)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require((try JSONSerialization.jsonObject(with: Data(created.body)) as? [String: Any])?["id"] as? String)
        let shown = try await message(stream.next())
        #expect(shown.kind == "message" && shown.texts.first?.text == "The museum closes at 16:00 today.")
        #expect(try await live.client.request("GET", "/api/announcements").text.contains(id))

        for bad in [#"{"text": ""}"#, #"{"exhibit": "nowhere"}"#, #"{"text": "x", "screens": ["nowhere"]}"#,
                    #"{"text": "x", "for": "soon"}"#, "not json"] {
            let reply = try await live.client.request("POST", "/api/announcements", headers: auth, body: bad)
            #expect(reply.status == 422 || reply.status == 400, "\(bad): \(reply.status)")
        }
        #expect(try await live.client.request("DELETE", "/api/announcements/\(id)").status == 401)
        #expect(try await live.client.request("DELETE", "/api/announcements/\(id)", headers: auth).status == 200)
        #expect(try await message(stream.next()).title == "First", "back to the playlist")
        #expect(try await live.client.request("DELETE", "/api/announcements/\(id)", headers: auth).status == 404)
        await live.stop()
    }

    @Test func onlyFilesAnExhibitNamesAreServedFromInsideTheContentFolder() async throws {
        let screen = unique("kiosk")
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-secret-\(UUID()).png")
        try samplePNG().write(to: outside)
        defer { try? FileManager.default.removeItem(at: outside) }
        let live = try await live(screen: screen, brokenExhibits: true) { venue in
            try venue.addExhibit("pictures", """
                ---
                title: Pictures
                images:
                  - file: inside.png
                    alt: A grey square
                  - file: photo 1.png
                    alt: A name with a space
                  - file: фото.png
                    alt: A name in Cyrillic
                ---
                Text.
                """, files: ["inside.png": samplePNG(), "photo 1.png": samplePNG(), "фото.png": samplePNG()])
            // An exhibit whose picture is a link out of the content folder: refused when it is read.
            try venue.addExhibit("escape", """
                ---
                title: Escape
                images:
                  - file: escape.png
                    alt: A link out of the content folder
                ---
                Text.
                """)
            try FileManager.default.createSymbolicLink(atPath: venue.contentPath + "/escape/escape.png",
                                                       withDestinationPath: outside.path)
            // A curator's file with a script in it, named as a recording.
            try venue.addExhibit("evil", """
                ---
                title: Evil
                media:
                  - audio: evil.svg
                    transcript: Nothing.
                ---
                Text.
                """, files: ["evil.svg": Data(#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.utf8)])
        }
        let inside = try await live.client.request("GET", "/media/pictures/inside.png")
        #expect(inside.status == 200 && inside.headers["content-type"] == "image/png")
        // Served as what it was accepted as, never sniffed, never a page that runs anything.
        #expect(inside.headers["x-content-type-options"] == "nosniff")
        #expect(inside.headers["content-security-policy"] == "default-src 'none'; sandbox")
        let evil = try await live.client.request("GET", "/media/evil/evil.svg")
        #expect(evil.status == 404, "an SVG named as a recording: \(evil.status) \(evil.text)")
        let page = try await live.client.request("GET", "/screens/\(screen)")
        #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true, "\(page.headers)")
        #expect(page.headers["x-content-type-options"] == "nosniff")
        #expect(inside.body == [UInt8](samplePNG()))
        let range = try await live.client.request("GET", "/media/pictures/inside.png", headers: ["Range": "bytes=1-3"])
        #expect(range.status == 206 && range.body == [0x50, 0x4E, 0x47])
        let escape = try await live.client.request("GET", "/media/escape/escape.png")
        #expect(escape.status == 404 || escape.status == 403, "symlink out of the folder: \(escape.status)")
        // Names with a space or in another script, at the address the kiosk page is given.
        for name in ["photo 1.png", "фото.png"] {
            let path = KioskMessage.mediaPath(exhibit: "pictures", file: name)
            let reply = try await live.client.request("GET", path)
            #expect(reply.status == 200 && reply.body == [UInt8](samplePNG()), "\(path): \(reply.status)")
        }
        for path in ["/media/pictures/exhibit.md", "/media/pictures/../first/exhibit.md",
                     "/media/pictures/%2e%2e/%2e%2e/vitrine.yaml", "/media/../../etc/passwd",
                     "/media/pictures/..%2F..%2Fvitrine.yaml", "/media/nothing/inside.png"] {
            let reply = try await live.client.request("GET", path)
            #expect(reply.status == 404 || reply.status == 400, "\(path): \(reply.status)")
        }
        await live.stop()
    }

    @Test func streamsBeyondTheLimitAreTurnedAway() async throws {
        let screen = unique("kiosk")
        // A browser that goes away is noticed at the next heartbeat, when writing to it fails.
        var limits = HTTPServer.Limits()
        limits.heartbeat = .milliseconds(100)
        let live = try await live(screen: screen, http: "  max-streams: 2", limits: limits)
        let a = try await live.client.stream("/screens/\(screen)/events")
        let b = try await live.client.stream("/screens/\(screen)/events")
        _ = try await a.next()
        _ = try await b.next()
        let c = try await live.client.stream("/screens/\(screen)/events")
        #expect(c.status == 503)
        #expect(c.headers["retry-after"] == "10")
        a.close()
        #expect(await eventually { live.daemon.browsers.streams(for: screen) == 1 })
        let d = try await live.client.stream("/screens/\(screen)/events")
        #expect(d.status == 200, "a freed place is taken again")
        await live.stop()
    }

    /// One machine cannot take the listener: its connections beyond the per-address limit are closed at once while
    /// another machine is answered, and a browser that stops reading loses its stream's place after the write
    /// timeout instead of holding it for ever.
    @Test func oneClientCannotTakeTheListener() async throws {
        let screen = unique("kiosk")
        var limits = HTTPServer.Limits()
        limits.maxConnectionsPerAddress = 20
        limits.writeTimeout = .seconds(1)
        let live = try await live(screen: screen, limits: limits)
        // 60 idle connections from one machine (127.0.0.2): 40 are closed by the listener.
        let idle = try (0..<60).map { _ in try RawConnection(from: "127.0.0.2", port: live.port) }
        #expect(await eventually { idle.filter(\.isClosedByPeer).count >= 40 },
                "\(idle.filter(\.isClosedByPeer).count) closed")
        #expect(idle.filter(\.isClosedByPeer).count <= 40)
        // Another machine (127.0.0.1) is answered meanwhile.
        #expect(try await live.client.request("GET", "/api/status").status == 200)
        // A browser (127.0.0.3) that opens its stream, then reads no more, with a small receive buffer.
        let stuck = try RawConnection(from: "127.0.0.3", port: live.port, receiveBuffer: 4096)
        try stuck.send("GET /screens/\(screen)/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(await eventually { live.daemon.browsers.streams(for: screen) == 1 })
        // Pages of a megabyte each fill every buffer on the way.
        for i in 0..<20 {
            live.daemon.browsers.publish(screen, data: String(repeating: "x", count: 1 << 20) + "\(i)")
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(await eventually(timeout: .seconds(15)) { live.daemon.browsers.streams(for: screen) == 0 },
                "the stuck browser kept its place")
        withExtendedLifetime((idle, stuck)) {}
        await live.stop()
    }

    /// One machine looping heavy reads (a week's schedule) has two of the read queue's places: its third request
    /// at once is told to come back (429), while another machine's is answered.
    @Test func oneAddressHasItsShareOfTheHeavyReads() async throws {
        let screen = unique("kiosk")
        let live = try await live(screen: screen)
        let week = "GET /api/schedule?for=7d HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        let greedy = try (0..<4).map { _ in try RawConnection(from: "127.0.0.2", port: live.port) }
        for connection in greedy { try connection.send(week) }
        let other = try RawConnection(from: "127.0.0.3", port: live.port)
        try other.send(week)
        let answers = try await offThePool { greedy.map { $0.statusLine() ?? "none" } }
        let answered = answers.filter { $0.hasPrefix("HTTP/1.1 200") }.count
        let refused = answers.filter { $0.hasPrefix("HTTP/1.1 429") }.count
        #expect(answered == 2 && refused == 2, "\(answers)")
        #expect(try await offThePool { other.statusLine() }?.hasPrefix("HTTP/1.1 200") == true)
        await live.stop()
    }

    @Test func aReloadUnder200StreamsDropsNone() async throws {
        let screen = unique("kiosk")
        let live = try await live(screen: screen)
        var streams: [EventStream] = []
        for _ in 0..<200 { streams.append(try await live.client.stream("/screens/\(screen)/events")) }
        for stream in streams { #expect(try await message(stream.next()).title == "First") }
        // The curator renames the first exhibit: every browser gets the new title, none is dropped.
        try live.venue.addExhibit("first", "---\ntitle: First, renamed\npage-duration: 10s\n---\nThe first page.\n")
        #expect(await live.daemon.reload() == nil)
        var updated = 0
        for stream in streams {
            if try await message(stream.next()).title == "First, renamed" { updated += 1 }
        }
        #expect(updated == 200)
        var open = 0
        for stream in streams where await stream.isOpen() { open += 1 }
        #expect(open == 200)
        #expect(live.daemon.browsers.streams(for: screen) == 200)
        await live.stop()
    }

    /// A reload that changes one screen's page pushes to that screen only; the other's browsers see nothing.
    @Test func aReloadPushesOnlyWhereThePageChanged() async throws {
        let screen = unique("kiosk"), other = unique("other")
        let live = try await live(screen: screen, moreScreens: "  \(other):\n    output: http\n    playlist: second")
        #expect(await eventually { live.daemon.browsers.current(other) != nil })
        let a = try await live.client.stream("/screens/\(screen)/events")
        let b = try await live.client.stream("/screens/\(other)/events")
        #expect(try await message(a.next()).title == "First")
        #expect(try await message(b.next()).title == "Second")
        try live.venue.addExhibit("first", "---\ntitle: First, renamed\npage-duration: 10s\n---\nThe first page.\n")
        #expect(await live.daemon.reload() == nil)
        #expect(try await message(a.next()).title == "First, renamed")
        await #expect(throws: HTTPTestClient.Failure.timeout) { try await b.next(timeout: 0.5) }
        #expect(await b.isOpen())
        await live.stop()
    }

    /// A reload that changes `http.listen` moves the listener; one that drops every http screen and the `http:`
    /// block closes it, and one that brings them back opens it again.
    @Test func theListenerFollowsTheConfiguration() async throws {
        let screen = unique("kiosk")
        let live = try await live(screen: screen)
        let original = try String(contentsOfFile: live.venue.configPath, encoding: .utf8)
        let moved = try freeLoopbackPort()
        try live.venue.writeConfig(original.replacingOccurrences(of: "listen: 127.0.0.1:0",
                                                                 with: "listen: 127.0.0.1:\(moved)"))
        #expect(await live.daemon.reload() == nil)
        #expect(await eventually { live.bound.withLock { $0 } == moved })
        #expect(try await HTTPTestClient(port: moved).request("GET", "/healthz").status == 200)
        await #expect(throws: HTTPTestClient.Failure.connect) {
            try await live.client.request("GET", "/healthz", timeout: 2)
        }

        // No http screen and no http block: nothing listens. Put back: the listener opens again.
        try live.venue.writeConfig("""
            timezone: UTC
            playlists:
              main: [first, second]
            screens:
              wall:
                output: recording
                playlist: main
            """)
        #expect(await live.daemon.reload() == nil)
        #expect(await port(moved, answers: false))
        try live.venue.writeConfig(original.replacingOccurrences(of: "listen: 127.0.0.1:0",
                                                                 with: "listen: 127.0.0.1:\(moved)"))
        #expect(await live.daemon.reload() == nil)
        #expect(await port(moved, answers: true))
        await live.stop()
    }

    /// Asks `/healthz` on `port` until it answers (or stops answering) as `expected`, for up to 10 s.
    func port(_ port: Int, answers expected: Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let answered = (try? await HTTPTestClient(port: port).request("GET", "/healthz", timeout: 1))?.status == 200
            if answered == expected { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test func statusScheduleHealthAndMetrics() async throws {
        let screen = unique("kiosk")
        let live = try await live(screen: screen)
        let status = try await live.client.request("GET", "/api/status")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.body)) as? [String: Any])
        let screens = try #require(json["screens"] as? [[String: Any]])
        #expect(screens.first?["name"] as? String == screen)
        #expect(screens.first?["summary"] as? String == "First 1/1")
        #expect(screens.first?["kiosk"] as? String == "/screens/\(screen)")
        #expect(try await live.client.request("GET", "/healthz").status == 200)

        let schedule = try await live.client.request("GET", "/api/schedule?screen=\(screen)&at=2026-06-01T10:00&for=30s")
        let changes = try #require(try JSONSerialization.jsonObject(with: Data(schedule.body)) as? [[String: Any]])
        #expect(changes.map { $0["shows"] as? String } == ["First 1/1", "Second 1/1", "First 1/1"])
        #expect(try await live.client.request("GET", "/api/schedule?screen=nowhere").status == 404)
        #expect(try await live.client.request("GET", "/api/schedule?at=yesterday").status == 400)

        // The page that finished is in the play log.
        live.clock.advance(to: Self.start + 10_000)
        #expect(await eventually { live.daemon.browsers.current(screen)?.data.contains("\"title\":\"Second\"") == true })
        let plays = try await live.client.request("GET", "/api/plays?screen=\(screen)&format=csv").text
        #expect(plays.hasPrefix("screen,exhibit,title,page,pages,theme,shows,start,end,seconds,recording,"
            + "recording_seconds,recording_outcome\n"))
        #expect(plays.contains("\(screen),first,First,1,1,paper,First 1/1,2026-06-01T10:00:01Z,2026-06-01T10:00:10Z,9.0"),
                "\(plays)")
        // A long log is sent whole, a page of plays at a time: 12,000 more plays, as CSV and as JSON.
        let insert = Process()
        insert.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        insert.arguments = ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.executemany('INSERT INTO play (screen, exhibit, title, page, pages, theme, shows, start, "end") '
                           'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                           [("other", "x", "X", 1, 1, "paper", "X 1/1", 1764547200000 + i, 1764547200001 + i)
                            for i in range(12000)])
            db.commit()
            """, live.venue.root.appendingPathComponent("state/plays.sqlite").path]
        try insert.run()
        insert.waitUntilExit()
        let csv = try await live.client.request("GET", "/api/plays?screen=other&format=csv").text
        #expect(csv.split(separator: "\n").count == 12_001, "\(csv.split(separator: "\n").count) lines")
        let asJSON = try await live.client.request("GET", "/api/plays?screen=other")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(asJSON.body)) as? [[String: Any]])
        #expect(list.count == 12_000)
        let metrics = try await live.client.request("GET", "/metrics").text
        #expect(metrics.contains("vitrine_pages_shown_total{screen=\"\(screen)\"} 2"), "\(metrics)")
        #expect(metrics.contains("vitrine_kiosk_clients"))
        let dashboard = try await live.client.request("GET", "/")
        #expect(dashboard.status == 200 && dashboard.text.contains("/assets/dashboard.js"))
        #expect(try await live.client.request("GET", "/assets/dashboard.js").text.contains("/api/status/events"))
        await live.stop()
    }
}

