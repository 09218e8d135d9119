import Foundation
import Glibc
import Synchronization
import Testing
import VitrineTestKit

/// An operator's script gone wrong: SIGHUP after SIGHUP while the configuration is rewritten, with kiosk browsers
/// connected and the dashboard polling. Nothing may fail, no browser may be dropped, and the program that runs in
/// the end is the last one written.
@Suite(.serialized) struct ReloadStormTests {
    func config(version: String) -> String {
        """
        # written by the storm: \(version)
        timezone: UTC
        pages: { duration: 2s }
        themes:
          paper: { background: "#FFFFFF", text: "#111111", transition: cut }
        playlists:
          main: [\(version)]
        screens:
          kiosk: { output: http, playlist: main, width: 640, height: 360 }
        http:
          listen: 127.0.0.1:0

        """
    }

    @Test(.timeLimit(.minutes(5))) func aThousandHangupsUnderLoad() async throws {
        let signals = FaultSuite.count(full: 1_000, short: 200)
        let browsers = FaultSuite.count(full: 200, short: 50)
        let seconds = Double(signals) / 100
        let venue = try TemporaryVenue()
        for n in 0..<10 {
            try venue.addExhibit("v\(n)", "---\ntitle: Version \(n)\n---\nPage one of version \(n).\n\n---\n\nPage two.\n")
        }
        try venue.addExhibit("final", "---\ntitle: The final version\n---\nWritten last.\n")
        try venue.writeConfig(config(version: "v0"))
        let (daemon, port) = try await startDaemon(venue)
        defer {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        let crowd = try StreamCrowd(port: port, path: "/screens/kiosk/events", count: browsers)
        #expect(await eventually { crowd.snapshot.allSatisfy { $0.pages >= 1 } }, "every browser gets its first page")

        // The dashboard polls the status all along.
        let polling = Mutex((done: false, answered: 0, failed: [String]()))
        let client = HTTPTestClient(port: port)
        let poller = Task {
            while !polling.withLock({ $0.done }) {
                do {
                    let reply = try await client.request("GET", "/api/status", timeout: 5)
                    polling.withLock {
                        if reply.status == 200 { $0.answered += 1 } else { $0.failed.append("HTTP \(reply.status)") }
                    }
                } catch {
                    polling.withLock { $0.failed.append("\(error)") }
                }
            }
        }

        // The storm: a SIGHUP every 10 ms; every 50th, the configuration is rewritten first (atomically, as
        // editors save). The last rewrite names the exhibit `final`; a few more SIGHUPs follow it.
        let started = Date()
        let written = try await offThePool {
            var written = 0
            for n in 0..<signals {
                if n == signals - 20 {
                    try venue.writeConfig(config(version: "final"))
                    written += 1
                } else if n % 50 == 0 {
                    try venue.writeConfig(config(version: "v\((n / 50) % 10)"))
                    written += 1
                }
                kill(daemon.processIdentifier, SIGHUP)
                let due = started.addingTimeInterval(Double(n + 1) * seconds / Double(signals))
                let wait = due.timeIntervalSinceNow
                if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
            }
            return written
        }
        let took = Date().timeIntervalSince(started)

        // The last program written runs, on the daemon and in every browser.
        let final = await eventually(timeout: .seconds(15)) {
            guard let reply = try? client.requestNow("GET", "/api/status", headers: [:], body: "", timeout: 5),
                  let body = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any],
                  let screens = body["screens"] as? [[String: Any]] else { return false }
            return screens.first?["exhibit"] as? String == "final" && body["lastReload"] == nil
        }
        #expect(final, "the running program is not the last one written")
        #expect(await eventually { crowd.snapshot.allSatisfy { $0.lastPage.contains("The final version") } },
                "browsers without the final page: \(crowd.snapshot.filter { !$0.lastPage.contains("The final version") }.count)")
        polling.withLock { $0.done = true }
        _ = await poller.value
        crowd.stop()

        let closed = crowd.snapshot.filter(\.closed).count
        let (answered, failed) = polling.withLock { ($0.answered, $0.failed) }
        print("storm: \(signals) SIGHUPs in \(String(format: "%.1f", took)) s, \(written) configurations written, "
            + "\(browsers) streams (\(closed) dropped), \(answered) status requests (\(failed.count) failed)")
        #expect(daemon.isRunning)
        #expect(closed == 0, "streams dropped during the storm")
        #expect(failed.isEmpty, "failed status requests: \(failed.prefix(5))")
        #expect(answered > 0)
    }
}
