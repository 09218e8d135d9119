import Foundation
import Glibc
import Testing
import VitrineHTTP
import VitrineTestKit

/// "Reload without downtime": an edit that does not change what a screen's options mean leaves its output running
/// (a restarted framebuffer gives its console back and takes it again, a restarted kiosk screen drops its
/// browsers' streams, a restarted exec plugin is a new process); an edit to one screen's options restarts that
/// screen only.
@Suite(.serialized) struct ReloadKeepsOutputsTests {
    /// The venue's two exhibits (pages of an hour) and three screens: a framebuffer, a kiosk and an exec plugin.
    func writeVenue(_ venue: TemporaryVenue) throws {
        try venue.writeFirstAndSecond(screens: """
              wall: { output: framebuffer, playlist: main, device: \(framebuffer(venue)), width: 320, height: 200, page-cache: 16 }
              kiosk: { output: http, playlist: main, width: 640, height: 360 }
              logbook:
                output: exec
                playlist: main
                command: [\(logPages)]
            http:
              listen: 127.0.0.1:0

            """, pageDuration: "1h")
    }

    func framebuffer(_ venue: TemporaryVenue) -> String { venue.root.appendingPathComponent("fb0").path }
    let logPages = TemporaryVenue.packageRoot.appendingPathComponent("plugins/log-pages/log-pages.sh").path

    /// The same venue written otherwise.
    func edited(_ venue: TemporaryVenue, wallPageCache: Int = 16) -> String {
        let fb = framebuffer(venue)
        // The same screens written otherwise: comments and lines above them, keys reordered, block style instead of
        // flow, the screens in another order, another theme colour and another section edited.
        return """
            # Edited by a curator: nothing about the screens' outputs changed.
            timezone: UTC

            themes:
              paper: { background: "#FFFFFF", text: "#1D1B18", transition: cut }   # whiter paper
            playlists:
              main: [first, second]
              spare: [second]
            screens:
              # The sign by the door.
              logbook:
                command: [\(logPages)]
                playlist: spare
                output: exec
              kiosk: { height: 360, width: 640, playlist: main, output: http }
              wall:
                page-cache: \(wallPageCache)
                height: 200
                width: 320
                device: \(fb)
                playlist: main
                output: framebuffer
            http:
              listen: 127.0.0.1:0

            """
    }

    func log(_ venue: TemporaryVenue) -> String {
        (try? String(contentsOfFile: venue.root.appendingPathComponent("vitrine.log").path, encoding: .utf8)) ?? ""
    }

    /// The `vitrine.restarted` lists of every reload so far.
    func reloads(_ venue: TemporaryVenue) -> [String] {
        log(venue).split(separator: "\n").filter { $0.contains("Reloaded.") }.map { line in
            guard let start = line.range(of: "vitrine.restarted=") else { return "?" }
            return String(line[start.upperBound...].prefix { $0 != " " })
        }
    }

    /// The exec plugin's process: the daemon's child (of any of its threads) running log-pages.sh.
    func pluginProcess(of daemon: Int32) -> Int32? {
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(daemon)/task")) ?? []
        let children = threads.flatMap { thread in
            ((try? String(contentsOfFile: "/proc/\(daemon)/task/\(thread)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").compactMap { Int32($0) }
        }
        return children.first { id in
            ((try? String(contentsOfFile: "/proc/\(id)/cmdline", encoding: .utf8)) ?? "").contains("log-pages.sh")
        }
    }

    @Test func aReloadRestartsOnlyTheScreensWhoseOptionsChanged() async throws {
        let venue = try TemporaryVenue()
        try writeVenue(venue)
        let (daemon, port) = try await startDaemon(venue)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let stream = try await HTTPTestClient(port: port).stream("/screens/kiosk/events")
        _ = try await stream.next(timeout: 10)
        #expect(await eventually { pluginProcess(of: daemon.processIdentifier) != nil }, "no exec plugin process")
        let plugin = try #require(pluginProcess(of: daemon.processIdentifier))
        func framebufferStarts() -> Int { log(venue).components(separatedBy: "Framebuffer ready.").count - 1 }
        #expect(framebufferStarts() == 1)

        // Everything rewritten, nothing about the outputs' options changed.
        try venue.writeConfig(edited(venue))
        kill(daemon.processIdentifier, SIGHUP)
        #expect(await eventually { reloads(venue).count == 1 }, "\(log(venue))")
        #expect(reloads(venue) == ["[]"], "restarted: \(reloads(venue))")
        #expect(framebufferStarts() == 1, "the framebuffer output was started again")
        #expect(await stream.isOpen(), "the kiosk browser's stream was closed")
        #expect(pluginProcess(of: daemon.processIdentifier) == plugin, "the exec plugin is a new process")

        // One screen's own option changed: that screen alone starts again.
        try venue.writeConfig(edited(venue, wallPageCache: 8))
        kill(daemon.processIdentifier, SIGHUP)
        #expect(await eventually { reloads(venue).count == 2 }, "\(log(venue))")
        #expect(reloads(venue).last == "[\"wall\"]", "restarted: \(reloads(venue))")
        #expect(await eventually { framebufferStarts() == 2 })
        #expect(await stream.isOpen(), "the kiosk browser's stream was closed")
        #expect(pluginProcess(of: daemon.processIdentifier) == plugin, "the exec plugin is a new process")

        stream.close()
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
    }
}
