import Foundation
import Glibc
import Testing
import VitrineTestKit

/// A gallery's bad afternoon, all at once: the framebuffer goes away, a console is hung up, a kiosk browser stops
/// reading, a plugin crashes in a loop. Each affected screen degrades and recovers when its device comes back;
/// the others change pages on time throughout.
@Suite(.serialized) struct DeviceFaultTests {
    /// A pseudo-terminal standing in for a console; closing the controlling side hangs it up.
    struct Console {
        let controller: Int32
        let path: String

        init() throws {
            // posix_openpt and friends are not in Swift's Glibc module; these are the ioctls they make on Linux.
            controller = open("/dev/ptmx", O_RDWR | O_NOCTTY)
            var unlock: Int32 = 0, number: UInt32 = 0
            guard controller >= 0, ioctl(controller, UInt(0x4004_5431) /* TIOCSPTLCK */, &unlock) == 0,
                  ioctl(controller, UInt(0x8004_5430) /* TIOCGPTN */, &number) == 0
            else { throw POSIXError(.ENODEV) }
            path = "/dev/pts/\(number)"
            _ = fcntl(controller, F_SETFL, fcntl(controller, F_GETFL) | O_NONBLOCK)
        }

        /// What the daemon drew since the last call.
        func drained() -> Int {
            var total = 0
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(controller, $0.baseAddress, $0.count) }
                if n <= 0 { return total }
                total += n
            }
        }

        func hangUp() { close(controller) }
    }

    /// Each screen's entry in the daemon's status, by name.
    func screens(port: Int) async throws -> [String: [String: Any]] {
        let reply = try await HTTPTestClient(port: port).request("GET", "/api/status", timeout: 5)
        let body = try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]
        let list = body?["screens"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "", $0) })
    }

    func health(port: Int) async -> [String: String] {
        ((try? await screens(port: port)) ?? [:]).mapValues { $0["health"] as? String ?? "?" }
    }

    @Test(.timeLimit(.minutes(5))) func lostDevicesDegradeOnlyTheirScreensAndRecover() async throws {
        let venue = try TemporaryVenue()
        let root = venue.root.path
        let frameBytes = 320 * 180 * 4
        try venue.writeRaw("wall.fb", Data(count: frameBytes))
        var console = try Console()
        try FileManager.default.createSymbolicLink(atPath: root + "/console", withDestinationPath: console.path)
        try venue.writeRaw("ticker.sh", Data("""
            #!/bin/sh
            # Crashes whenever the flag file exists: at start (a crash loop) or at the next page.
            [ -e \(root)/crash ] && exit 1
            while IFS= read -r line; do
                [ -e \(root)/crash ] && exit 1
                case "$line" in
                    *'"type":"hello"'*) printf '{"type":"ready","protocol":1}\\n' ;;
                    *'"type":"shutdown"'*) exit 0 ;;
                esac
            done

            """.utf8))
        chmod(root + "/ticker.sh", 0o755)
        try venue.writeFirstAndSecond(screens: """
              witness: { output: http, playlist: main, width: 640, height: 360 }
              kiosk: { output: http, playlist: main, width: 640, height: 360 }
              wall: { output: framebuffer, playlist: main, device: \(root)/wall.fb, width: 320, height: 180 }
              hall: { output: terminal, playlist: main, tty: \(root)/console, columns: 60, rows: 20 }
              ticker: { output: exec, playlist: main, command: [\(root)/ticker.sh] }
            http:
              listen: 127.0.0.1:0
            """, pageDuration: "2s")
        let (daemon, port) = try await startDaemon(venue)
        defer {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        let everyone = ["witness", "kiosk", "wall", "hall", "ticker"]
        let started = await poll(timeout: .seconds(20)) {
            await health(port: port) == Dictionary(uniqueKeysWithValues: everyone.map { ($0, "showing") })
        }
        let first = await health(port: port)
        #expect(started, "\(first)")
        let witness = try StreamCrowd(port: port, path: "/screens/witness/events", count: 1)
        let reader = try StreamCrowd(port: port, path: "/screens/kiosk/events", count: 1)
        let watchedFrom = Date()
        // A browser that stops reading: a tiny receive window, and nothing read until the end.
        let stalled = try StreamCrowd.connect(port: port, receiveBuffer: 1024)
        _ = "GET /screens/kiosk/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".withCString { send(stalled, $0, strlen($0), 0) }
        try await Task.sleep(for: .seconds(3))

        // Everything goes wrong at once.
        try FileManager.default.removeItem(atPath: root + "/wall.fb")
        console.hangUp()
        try venue.writeRaw("crash", Data())
        let brokeAt = Date()
        let broken = await poll(timeout: .seconds(15)) {
            let h = await health(port: port)
            return h["wall"] == "failed" && h["hall"] == "failed" && h["ticker"] == "failed"
        }
        let during = await health(port: port)
        #expect(broken, "the affected screens do not show as failed: \(during)")
        #expect(during["witness"] == "showing" && during["kiosk"] == "showing", "\(during)")
        #expect(daemon.isRunning)
        try await Task.sleep(for: .seconds(2))

        // The devices come back; so does each screen, at its next restart.
        try venue.writeRaw("wall.fb", Data(count: frameBytes))
        console = try Console()
        try FileManager.default.removeItem(atPath: root + "/console")
        try FileManager.default.createSymbolicLink(atPath: root + "/console", withDestinationPath: console.path)
        try FileManager.default.removeItem(atPath: root + "/crash")
        let restoredAt = Date()
        let recovered = await poll(timeout: .seconds(40)) {
            await health(port: port) == Dictionary(uniqueKeysWithValues: everyone.map { ($0, "showing") })
        }
        let recoveredAfter = Date().timeIntervalSince(restoredAt)
        let after = await health(port: port)
        #expect(recovered, "not every screen recovered: \(after)")
        #expect(await eventually {
            let painted = (try? Data(contentsOf: URL(fileURLWithPath: root + "/wall.fb"))) ?? Data()
            return painted.count == frameBytes && painted.contains { $0 != 0 }
        }, "the restored framebuffer was not painted")
        #expect(await eventually { console.drained() > 0 }, "nothing drawn on the new console")

        // The stalled browser reads again, and catches up with the page on now.
        var stalledText = ""
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var timeout = timeval(tv_sec: 0, tv_usec: 300_000)
        setsockopt(stalled, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let current = try await screens(port: port)["kiosk"]?["summary"] as? String ?? "?"
        let title = current.split(separator: " ").dropLast().joined(separator: " ")
        for _ in 0..<20 {
            let n = buffer.withUnsafeMutableBytes { recv(stalled, $0.baseAddress, $0.count, 0) }
            if n > 0 { stalledText += String(decoding: buffer[0..<n], as: UTF8.self) }
            if let last = stalledText.components(separatedBy: "event: page").last, last.contains("\"title\":\"\(title)\"") {
                break
            }
        }
        close(stalled)
        #expect(stalledText.components(separatedBy: "event: page").last?.contains("\"title\":\"\(title)\"") == true,
                "the browser that stopped reading did not catch up with \(title)")

        // The unaffected screens changed pages on time all along.
        try await Task.sleep(for: .seconds(1))
        witness.stop()
        reader.stop()
        for (name, crowd) in [("witness", witness), ("kiosk reader", reader)] {
            let browser = crowd.snapshot[0]
            // The first event is the page already on when the browser connected; each later one is a change.
            let changes = browser.arrivals.dropFirst()
            let late = changes.map { $0.at - $0.validFrom }.filter { $0 > 1_000 }
            let expected = Int(Date().timeIntervalSince(watchedFrom) / 2) - 1
            print("\(name): \(changes.count) page changes, latest \(changes.map { $0.at - $0.validFrom }.max() ?? 0) ms after "
                + "its time; faults for \(String(format: "%.1f", restoredAt.timeIntervalSince(brokeAt))) s, recovered "
                + "\(String(format: "%.1f", recoveredAfter)) s after the devices came back")
            #expect(!browser.closed && late.isEmpty && changes.count >= expected,
                    "\(name): \(changes.count) changes of \(expected), \(late.count) late (ms: \(late.prefix(5)))")
        }
        #expect(daemon.isRunning)
    }
}
