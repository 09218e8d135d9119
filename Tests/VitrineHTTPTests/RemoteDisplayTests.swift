import Foundation
import HTTPOutput
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import VitrineCore
import VitrineModel
import VitrineTestKit

/// `push:` on an http screen, against a real HTTP server standing in for a remote display (Hummingbird on a
/// loopback port), which can answer, refuse, hang or be absent.
@Suite(.serialized) struct RemoteDisplayTests {
    /// A remote display: records every POST, answers as told.
    final class Display: Sendable {
        enum Mode { case answer, fail, hang }
        struct Received: Sendable {
            var contentType: String
            var authorization: String?
            var screen: String?
            var body: [UInt8]
        }

        let received = Mutex<[Received]>([])
        let mode = Mutex<Mode>(.answer)
        let port = Mutex(0)

        /// Serves on `port` (0: any free one) until the returned task is cancelled.
        func start(port requested: Int = 0) async throws -> Task<Void, Error> {
            let router = Router()
            router.post("/page") { request, _ -> Response in
                let body = try await request.body.collect(upTo: 16 << 20)
                switch self.mode.withLock({ $0 }) {
                case .fail: return Response(status: .internalServerError)
                case .hang: try await Task.sleep(for: .seconds(30))
                case .answer: break
                }
                self.received.withLock {
                    $0.append(Received(contentType: request.headers[.contentType] ?? "",
                                       authorization: request.headers[.authorization],
                                       screen: request.headers[HTTPField.Name("X-Vitrine-Screen")!],
                                       body: Array(buffer: body)))
                }
                return Response(status: .noContent)
            }
            let app = Application(router: router,
                                  configuration: .init(address: .hostname("127.0.0.1", port: requested)),
                                  onServerRunning: { self.port.withLock { [port = $0.localAddress?.port] in $0 = port ?? 0 } },
                                  logger: Logger(label: "display"))
            let task = Task { try await app.runService() }
            #expect(await eventually { self.port.withLock { $0 } > 0 })
            return task
        }

        func titles() -> [String] {
            received.withLock { $0 }.filter { $0.contentType == "application/json" }.compactMap {
                (try? JSONDecoder().decode(KioskMessage.self, from: Data($0.body)))?.title
            }
        }
    }

    static let start = instant("2026-06-01T10:00:00Z")

    struct Running {
        var venue: TemporaryVenue
        var clock: ManualClock
        var daemon: Daemon
        var task: Task<Void, Error>
        var group: ServiceGroup
        /// The screen that pushes, and one that does not (names unique to the test: the kiosk hub is shared).
        var ticker: String
        var lobby: String

        var trouble: String? { daemon.status().screens.first { $0.name == ticker }?.trouble }

        func stop() async {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
        }
    }

    /// A daemon with a screen pushing to `port` and one that does not, both on the playlist first, second (10 s
    /// pages).
    func daemon(port: Int, push extra: String = "", token: String? = nil) throws -> Running {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let ticker = "ticker-\(suffix)", lobby = "lobby-\(suffix)"
        let venue = try TemporaryVenue()
        var tokenLine = ""
        if let token {
            try venue.writeRaw("display.token", Data((token + "\n").utf8))
            tokenLine = "token-file: \(venue.root.appendingPathComponent("display.token").path)"
        }
        try venue.writeFirstAndSecond(screens: """
              \(ticker):
                output: http
                playlist: main
                width: 320
                height: 180
                push:
                  url: http://127.0.0.1:\(port)/page
                  timeout: 500ms
                  retry-max: 1s
                  \(tokenLine)
                  \(extra)
              \(lobby):
                output: http
                playlist: main
            """)
        let outcome = venue.load()
        #expect(outcome.diagnostics.errors.isEmpty, "\(outcome.diagnostics)")
        let clock = ManualClock(at: Self.start + 1_000)
        let daemon = Daemon(settings: .init(configPath: venue.configPath, registry: testRegistry, systemTimeZone: "UTC"),
                            initial: outcome, clock: clock, logger: Logger(label: "test"))
        let group = ServiceGroup(configuration: .init(services: [daemon], logger: Logger(label: "test")))
        let task = Task { try await group.run() }
        return Running(venue: venue, clock: clock, daemon: daemon, task: task, group: group, ticker: ticker,
                       lobby: lobby)
    }

    @Test func everyPageChangeIsPostedAsJSONAndPNGWithTheToken() async throws {
        let display = Display()
        let server = try await display.start()
        defer { server.cancel() }
        let running = try daemon(port: display.port.withLock { $0 }, push: "format: json+png", token: "s3cret")
        #expect(await eventually { display.received.withLock { $0.count } == 2 })
        running.clock.advance(to: Self.start + 10_000)
        #expect(await eventually { display.received.withLock { $0.count } == 4 })
        let all = display.received.withLock { $0 }
        #expect(all.map(\.contentType) == ["application/json", "image/png", "application/json", "image/png"])
        #expect(all.allSatisfy { $0.authorization == "Bearer s3cret" && $0.screen == running.ticker })
        #expect(display.titles() == ["First", "Second"])
        let message = try JSONDecoder().decode(KioskMessage.self, from: Data(all[0].body))
        #expect(message.screen == running.ticker && message.stage.width == 320 && message.summary == "First 1/1")
        #expect(message.texts.contains { $0.text.contains("The first page.") })
        // The PNG is the page at the screen's size: the IHDR chunk holds width and height.
        let png = all[1].body
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 320 && height == 180)
        #expect(running.trouble == nil)
        await running.stop()
    }

    /// The display is switched off while pages change: the other screen carries on, STATUS says why the push
    /// fails, and once the display is back it gets the current page only, not the ones it missed.
    @Test func aDisplayThatIsDownGetsTheCurrentPageWhenItComesBack() async throws {
        let port = try freeLoopbackPort()
        let running = try daemon(port: port)
        #expect(await eventually { running.trouble?.contains("connection refused") == true })
        #expect(running.daemon.statusLine().contains(
            "\(running.ticker): First 1/1 (push to http://127.0.0.1:\(port)/page: connection refused)"))
        running.clock.advance(to: Self.start + 10_000)
        #expect(await eventually {
            running.daemon.browsers.current(running.lobby)?.data.contains("\"title\":\"Second\"") == true
        }, "the other screen is not held up")
        running.clock.advance(to: Self.start + 20_000)
        running.clock.advance(to: Self.start + 30_000)
        let display = Display()
        let server = try await display.start(port: port)
        defer { server.cancel() }
        #expect(await eventually { display.titles() == ["Second"] })
        #expect(await eventually { running.trouble == nil }, "the trouble is over once the display answers")
        try await Task.sleep(for: .seconds(1.5))
        #expect(display.titles() == ["Second"], "no backlog of missed pages")
        await running.stop()
    }

    @Test func aDisplayThatHangsOrFailsIsRetriedAndReported() async throws {
        let display = Display()
        display.mode.withLock { $0 = .hang }
        let server = try await display.start()
        defer { server.cancel() }
        let running = try daemon(port: display.port.withLock { $0 })
        #expect(await eventually { running.trouble?.hasSuffix("timed out") == true })
        display.mode.withLock { $0 = .fail }
        #expect(await eventually { running.trouble?.hasSuffix("answered HTTP 500") == true })
        display.mode.withLock { $0 = .answer }
        #expect(await eventually { display.titles() == ["First"] })
        #expect(await eventually { running.trouble == nil })
        await running.stop()
    }

    @Test func pushOptionsAreCheckedWithLocatedErrors() throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("first", "---\ntitle: First\n---\nText.\n")
        try venue.writeConfig("""
            playlists:
              main: [first]
            screens:
              ticker:
                output: http
                playlist: main
                push:
                  url: ftp://example.org/page
                  format: jsn
                  tiemout: 5s
                  token-file: /nonexistent/token
              other:
                output: http
                playlist: main
                push: http://10.0.0.5/page
            """)
        let errors = venue.load().diagnostics.errors.map { "\($0)" }.joined(separator: "\n")
        #expect(errors.contains("screens.ticker.push.url: expected an http:// or https:// URL"), "\(errors)")
        #expect(errors.contains("screens.ticker.push.format: expected one of json, png, json+png, found 'jsn'"))
        #expect(errors.contains("unknown option 'tiemout'") && errors.contains("did you mean 'timeout'?"))
        #expect(errors.contains("screens.ticker.push.token-file: cannot read a token from /nonexistent/token"))
        #expect(errors.contains("screens.other.push: expected options indented below it"))
        #expect(errors.contains("vitrine.yaml:8:12: error: screens.ticker.push.url"), "located at the url: \(errors)")
    }
}
