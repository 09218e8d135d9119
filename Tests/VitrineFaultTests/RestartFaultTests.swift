import Foundation
import Glibc
import Testing
import VitrineTestKit

/// Power cuts and `kill -9`, at random moments (start-up included): after a restart the screens show what the
/// schedule says for that moment, the same page as a daemon beside it that never stopped.
@Suite(.serialized) struct RestartFaultTests {
    func venue() throws -> TemporaryVenue {
        let venue = try TemporaryVenue()
        try venue.addExhibit("first", "---\ntitle: First\npage-duration: 2s\n---\nOne.\n\n---\n\nTwo.\n\n---\n\nThree.\n")
        try venue.addExhibit("second", "---\ntitle: Second\npage-duration: 3s\n---\nOne.\n\n---\n\nTwo.\n")
        try venue.addExhibit("third", "---\ntitle: Third\npage-duration: 1s\n---\nOnly page.\n")
        try venue.writeConfig("""
            timezone: Europe/Paris
            themes:
              paper: { background: "#FFFFFF", text: "#111111", transition: cut }
            playlists:
              main: [first, second, third]
            screens:
              kiosk: { output: http, playlist: main, width: 640, height: 360 }
            http:
              listen: 127.0.0.1:0

            """)
        return venue
    }

    /// The kiosk screen's page and since when, as the daemon's status reports it.
    func page(port: Int) -> String? {
        guard let reply = try? HTTPTestClient(port: port).requestNow("GET", "/api/status", headers: [:], body: "", timeout: 5),
              let body = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any],
              let screen = (body["screens"] as? [[String: Any]])?.first
        else { return nil }
        return "\(screen["summary"] ?? "?") since \(screen["since"] ?? "?")"
    }

    @Test(.timeLimit(.minutes(10))) func killNineAndRestartResumesTheSchedule() async throws {
        let kills = FaultSuite.count(full: 20, short: 4)
        let steady = try venue(), killed = try venue()
        let (peer, peerPort) = try await startDaemon(steady)
        defer {
            peer.terminate()
            peer.waitUntilExit()
        }
        var generator = SystemRandomNumberGenerator()
        var compared: [String] = []
        for round in 1...kills {
            try? FileManager.default.removeItem(at: killed.root.appendingPathComponent("vitrine.log"))
            let (daemon, port) = try await startDaemon(killed)
            let same = await poll(timeout: .seconds(3)) {
                let (mine, theirs) = (page(port: port), page(port: peerPort))
                return mine != nil && mine == theirs
            }
            let mine = page(port: port) ?? "nothing", theirs = page(port: peerPort) ?? "nothing"
            #expect(same, "round \(round): restarted daemon shows \(mine), the one that never stopped \(theirs)")
            compared.append(mine)
            // The next kill comes at a random moment: often mid-page, sometimes during start-up.
            let delay = Double.random(in: 0...2.5, using: &generator)
            if round % 3 == 0 {
                try? FileManager.default.removeItem(at: killed.root.appendingPathComponent("vitrine.log"))
                kill(daemon.processIdentifier, SIGKILL)
                daemon.waitUntilExit()
                let early = Process()
                early.executableURL = URL(fileURLWithPath: Vitrine.binary)
                early.arguments = ["run", "--config", killed.configPath, "--no-watch", "--log-file",
                                   killed.root.appendingPathComponent("vitrine.log").path,
                                   "--state-dir", killed.root.appendingPathComponent("state").path]
                try early.run()
                usleep(UInt32(delay / 10 * 1_000_000))
                kill(early.processIdentifier, SIGKILL)
                early.waitUntilExit()
            } else {
                try await Task.sleep(for: .seconds(delay))
                kill(daemon.processIdentifier, SIGKILL)
                daemon.waitUntilExit()
            }
        }
        print("kill -9: \(kills) restarts, each on the schedule's page: \(compared)")
        #expect(peer.isRunning)
    }
}
