import Foundation
import Glibc
import Testing
import VitrinePlayLog
import VitrineTestKit

/// `vitrine run` as systemd runs it: a real NOTIFY_SOCKET, real signals, the real binary.
@Suite(.serialized) struct DaemonProcessTests {
    func venue(playlist: String = "main", pageDuration: String = "1h") throws -> TemporaryVenue {
        let venue = try TemporaryVenue()
        try venue.writeConfig(config(venue, playlist: playlist, pageDuration: pageDuration))
        try venue.addExhibit("first", "---\ntitle: First\n---\nThe first exhibit.\n")
        try venue.addExhibit("second", "---\ntitle: Second\n---\nThe second exhibit.\n")
        // The terminal output writes to a device; a file stands in for it (it is never created by the output).
        try venue.writeRaw("screen.out", Data())
        return venue
    }

    func config(_ venue: TemporaryVenue, playlist: String, pageDuration: String = "1h") -> String {
        """
        timezone: UTC
        pages: { duration: \(pageDuration) }
        themes:
          paper: { background: "#FFFFFF", text: "#111111" }
        playlists:
          main: [first]
          other: [second]
        screens:
          hall:
            output: terminal
            playlist: \(playlist)
            tty: \(venue.root.path)/screen.out
            columns: 60
            rows: 20

        """
    }

    func start(_ venue: TemporaryVenue, socket: NotifySocket, watchdogUSec: Int? = nil, watch: Bool = false)
        throws -> Process
    {
        let process = Process()
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = socket.path
        environment["STATE_DIRECTORY"] = venue.root.appendingPathComponent("state").path
        environment.removeValue(forKey: "JOURNAL_STREAM")
        environment.removeValue(forKey: "INVOCATION_ID")
        let log = venue.root.appendingPathComponent("vitrine.log").path
        let arguments = ["run", "--config", venue.configPath, "--log-file", log] + (watch ? [] : ["--no-watch"])
        if let watchdogUSec {
            // libsystemd only honours WATCHDOG_USEC when WATCHDOG_PID is this very process.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "WATCHDOG_PID=$$ WATCHDOG_USEC=\(watchdogUSec) exec \"$0\" \"$@\"",
                                 Vitrine.binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Vitrine.binary)
            process.arguments = arguments
        }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// STATUS is one line whatever a plugin says: an exec plugin's error message with "\r\n" (one Character in
    /// Swift, equal to neither "\r" nor "\n") cannot add an assignment such as WATCHDOG=trigger to the datagram
    /// systemd reads.
    @Test func aPluginCannotAddLinesToTheNotifyDatagram() async throws {
        let venue = try venue()
        let plugin = venue.root.appendingPathComponent("plugin.sh").path
        try #"""
            #!/bin/sh
            printf '%s\n' '{"type":"ready","protocol":2,"measure":null}'
            printf '%s\n' '{"type":"error","message":"unplugged\r\nWATCHDOG=trigger\u2028STOPPING=1"}'
            exec cat > /dev/null
            """#.write(toFile: plugin, atomically: true, encoding: .utf8)
        var yaml = config(venue, playlist: "main")
        yaml += """
              ticker:
                output: exec
                playlist: main
                command: [/bin/sh, \(plugin)]

            """
        try venue.writeConfig(yaml)
        let socket = try NotifySocket(directory: venue.root)
        let process = try start(venue, socket: socket)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let said = try #require(socket.wait { $0.contains("WATCHDOG=trigger") }, "the error never reached STATUS: \(socket.messages)")
        #expect(said.contains("unplugged"), "\(said)")
        for message in socket.messages {
            let lines = message.unicodeScalars.split(separator: "\n").map { String(String.UnicodeScalarView($0)) }
            #expect(!lines.contains { $0.hasPrefix("WATCHDOG=trigger") || $0.hasPrefix("STOPPING=1") }, "\(lines)")
            #expect(!message.unicodeScalars.contains { $0 == "\r" || $0 == "\u{2028}" }, "\(lines)")
        }
    }

    /// Adds an exec screen `ticker` whose program writes what `command` prints to a file, then reads its input to
    /// the end; the file's path.
    func addPlugin(to venue: TemporaryVenue, writing command: String, extra: String = "") throws -> String {
        let seen = venue.root.appendingPathComponent("plugin-saw.txt").path
        try venue.writeConfig(config(venue, playlist: "main") + """
              ticker:
                output: exec
                playlist: main
                command: [/bin/sh, -c, '\(command) > \(seen); exec cat > /dev/null']

            """ + extra)
        return seen
    }

    /// An exec plugin's program gets a clean environment: what programs need (PATH, the language) and the screen's
    /// `env:`, never the service manager's NOTIFY_SOCKET (with it a plugin could tell systemd the daemon stopped) nor
    /// anything else the daemon was started with.
    @Test func anExecPluginGetsACleanEnvironment() async throws {
        let venue = try venue()
        let seen = try addPlugin(to: venue, writing: "env", extra: "    env:\n      TICKER_PORT: /dev/ttyUSB0\n")
        let socket = try NotifySocket(directory: venue.root)
        setenv("VITRINE_TEST_SECRET", "do-not-pass", 1)
        defer { unsetenv("VITRINE_TEST_SECRET") }
        let process = try start(venue, socket: socket)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        #expect(await eventually(timeout: .seconds(15)) {
            (try? String(contentsOfFile: seen, encoding: .utf8))?.contains("TICKER_PORT") == true
        })
        let environment = (try? String(contentsOfFile: seen, encoding: .utf8)) ?? ""
        #expect(environment.contains("TICKER_PORT=/dev/ttyUSB0") && environment.contains("PATH="), "\(environment)")
        for name in ["NOTIFY_SOCKET", "STATE_DIRECTORY", "VITRINE_TEST_SECRET"] {
            #expect(!environment.contains(name + "="), "\(name) was passed on: \(environment)")
        }
    }

    /// The console capability the unit gives the daemon (AmbientCapabilities=CAP_SYS_TTY_CONFIG) stays the daemon's:
    /// an exec plugin it starts has no ambient capabilities. (Run as root, which may give itself one with setpriv.)
    @Test(.enabled(if: getuid() == 0)) func anExecPluginGetsNoAmbientCapabilities() async throws {
        let venue = try venue()
        let seen = try addPlugin(to: venue, writing: "grep Cap /proc/self/status")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--inh-caps", "+sys_tty_config", "--ambient-caps", "+sys_tty_config", "--", Vitrine.binary,
                             "run", "--config", venue.configPath, "--no-watch",
                             "--state-dir", venue.root.appendingPathComponent("state").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        #expect(await eventually(timeout: .seconds(15)) {
            (try? String(contentsOfFile: seen, encoding: .utf8))?.contains("CapAmb") == true
        })
        let caps = (try? String(contentsOfFile: seen, encoding: .utf8)) ?? ""
        #expect(caps.contains("CapAmb:\t0000000000000000"), "\(caps)")
    }

    /// An exec plugin ends with its daemon even when the daemon is killed with `kill -9` outside systemd (no cgroup
    /// to end them together), and even if the plugin does not stop at the end of its input, as one busy with its
    /// device may not. It is not ended early: alive after more than the seconds an idle pool thread lives.
    @Test func anExecPluginEndsWithTheDaemon() async throws {
        let venue = try venue()
        let pidFile = venue.root.appendingPathComponent("plugin.pid").path
        let plugin = venue.root.appendingPathComponent("plugin.sh").path
        try """
            #!/bin/sh
            echo $$ > \(pidFile)
            printf '%s\\n' '{"type":"ready","protocol":2,"measure":null}'
            cat > /dev/null
            while :; do sleep 1; done
            """.write(toFile: plugin, atomically: true, encoding: .utf8)
        try venue.writeConfig(config(venue, playlist: "main") + """
              ticker:
                output: exec
                playlist: main
                command: [/bin/sh, \(plugin)]

            """)
        let socket = try NotifySocket(directory: venue.root)
        let process = try start(venue, socket: socket)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        func running(_ pid: Int32) -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
        }
        var child: Int32 = 0
        #expect(await eventually(timeout: .seconds(15)) {
            child = Int32(((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            return child > 0
        })
        try #require(child > 0, "the plugin never started")
        defer { if running(child) { kill(child, SIGKILL) } }
        try await Task.sleep(for: .seconds(8))
        #expect(running(child), "the plugin ended while its daemon ran")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(await eventually(timeout: .seconds(10)) { !running(child) }, "plugin \(child) outlived its daemon")
    }

    /// A second `vitrine run` on the same state directory (started by mistake) refuses to start and says which
    /// process holds it; the first runs on.
    @Test func aSecondDaemonOnTheSameStateDirectoryRefusesToStart() async throws {
        let venue = try venue()
        let socket = try NotifySocket(directory: venue.root)
        let first = try start(venue, socket: socket)
        defer {
            first.terminate()
            first.waitUntilExit()
        }
        _ = try #require(socket.wait { $0.contains("READY=1") }, "\(socket.messages)")
        let second = Process()
        second.executableURL = URL(fileURLWithPath: Vitrine.binary)
        second.arguments = ["run", "--config", venue.configPath, "--no-watch"]
        var environment = ProcessInfo.processInfo.environment
        environment["STATE_DIRECTORY"] = venue.root.appendingPathComponent("state").path
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        second.environment = environment
        let errors = Pipe()
        second.standardError = errors
        second.standardOutput = FileHandle.nullDevice
        try second.run()
        let ended = await eventually(timeout: .seconds(15)) { !second.isRunning }
        if !ended { second.terminate() }
        second.waitUntilExit()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(ended && second.terminationStatus == 1, "the second daemon ran: \(said)")
        #expect(said.contains("pid \(first.processIdentifier)") && said.contains("state directory"), "\(said)")
        #expect(first.isRunning)
    }

    /// Proof of play survives `kill -9`: every page that had finished showing is in the log, with its times.
    @Test func killNineLosesNoFinishedPlay() async throws {
        let venue = try venue(pageDuration: "1s")
        var yaml = config(venue, playlist: "main", pageDuration: "1s")
        yaml = yaml.replacingOccurrences(of: "  main: [first]", with: "  main: [first, second]")
        try venue.writeConfig(yaml)
        let socket = try NotifySocket(directory: venue.root)
        let process = try start(venue, socket: socket)
        _ = try #require(socket.wait { $0.contains("READY=1") }, "\(socket.messages)")
        try await Task.sleep(for: .seconds(4.5))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let killedAt = Int64(Date().timeIntervalSince1970 * 1000)
        let log = try PlayLog(path: venue.root.appendingPathComponent("state/plays.sqlite").path)
        let plays = try log.plays(screen: "hall")
        #expect(plays.count >= 3, "\(plays.map(\.shows))")
        for play in plays {
            #expect(play.end <= killedAt)
            // A page of one second: a frame drawn late on a loaded machine lengthens one play by a fraction, never
            // to twice its time; the first play began with the daemon, before the schedule's first change.
            #expect((500..<2000).contains(play.end - play.start) || play == plays.first, "\(play)")
        }
        // Over the whole run, the pages took their scheduled second each.
        let timed = plays.dropFirst()
        if let first = timed.first, let last = timed.last {
            let mean = Double(last.end - first.start) / Double(timed.count)
            #expect(abs(mean - 1000) < 250, "mean play \(mean) ms: \(plays)")
        }
        // Pages alternate, each followed by the other.
        #expect(zip(plays, plays.dropFirst()).allSatisfy { $0.shows != $1.shows && abs($0.end - $1.start) < 50 })
    }

    @Test func notifiesReadyStatusReloadingAndStopping() throws {
        let venue = try venue()
        let socket = try NotifySocket(directory: venue.root)
        let process = try start(venue, socket: socket)
        defer { if process.isRunning { process.terminate() } }

        let ready = try #require(socket.wait { $0.contains("READY=1") }, "\(socket.messages)")
        #expect(ready.contains("STATUS=1 screen · program "), "\(ready)")
        #expect(ready.contains("hall: First"), "\(ready)")

        // A good reload: RELOADING=1 with MONOTONIC_USEC, then READY=1 with the new program.
        try venue.writeConfig(config(venue, playlist: "other"))
        var mark = socket.messages.count
        kill(process.processIdentifier, SIGHUP)
        let reloading = try #require(socket.wait(after: mark) { $0.contains("RELOADING=1") })
        let usec = reloading.split(separator: "\n").first { $0.hasPrefix("MONOTONIC_USEC=") }
        #expect(usec.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) } != nil, "\(reloading)")
        let reloaded = try #require(socket.wait(after: mark) { $0.contains("READY=1") })
        #expect(reloaded.contains("hall: Second"), "\(reloaded)")
        let screen = try String(contentsOfFile: venue.root.path + "/screen.out", encoding: .utf8)
        #expect(screen.contains("Second"), "the new program is on the screen")

        // A broken configuration: still running, STATUS names the error with file and line.
        try venue.writeConfig(config(venue, playlist: "other") + "themes: [\n")
        mark = socket.messages.count
        kill(process.processIdentifier, SIGHUP)
        let failed = try #require(socket.wait(after: mark) { $0.contains("READY=1") })
        #expect(failed.contains("reload failed: \(venue.configPath):"), "\(failed)")
        #expect(failed.contains("still running program of"), "\(failed)")
        #expect(failed.contains("hall: Second"), "the old program stays on the screen: \(failed)")
        #expect(process.isRunning)

        // SIGTERM: STOPPING=1, then a clean exit with the terminal restored.
        mark = socket.messages.count
        let stopAt = Date()
        process.terminate()
        #expect(socket.wait(after: mark) { $0.contains("STOPPING=1") } != nil)
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(stopAt)
        #expect(process.terminationStatus == 0)
        print("SIGTERM to exit: \(String(format: "%.3f", seconds)) s")
        let output = try String(contentsOfFile: venue.root.path + "/screen.out", encoding: .utf8)
        #expect(output.hasSuffix("\u{1B}[0m\u{1B}[?7h\u{1B}[?25h\u{1B}[?1049l"), "cursor, wrapping and main screen restored")
    }

    /// An exhibit broken by an edit is shown at its last good version, and every report of the reload says so with
    /// the file, line and column of its first error until it is fixed; the log does not contradict itself. One
    /// broken at start-up (no good version yet) is named as left out.
    @Test func anExhibitWithErrorsIsNamedUntilItIsFixed() throws {
        let venue = try venue()
        try venue.addExhibit("third", "---\ntitle: Third\nvalid-until: 2027-02-30\n---\nThe third.\n")
        try venue.addExhibit("fourth", "---\ntitle: [Fourth\n---\nThe fourth.\n")
        let socket = try NotifySocket(directory: venue.root)
        let process = try start(venue, socket: socket)
        defer { if process.isRunning { process.terminate() } }
        let ready = try #require(socket.wait { $0.contains("READY=1") }, "\(socket.messages)")
        #expect(ready.contains("exhibit 'fourth': left out, first error at fourth/exhibit.md:2:8"), "\(ready)")
        #expect(ready.contains("(and 1 more exhibits with errors)"), "\(ready)")

        let first = venue.contentPath + "/first/exhibit.md"
        try "---\ntitle: \"The first\nsummary: A summary.\n---\nThe first exhibit, edited.\n"
            .write(toFile: first, atomically: true, encoding: .utf8)
        var mark = socket.messages.count
        kill(process.processIdentifier, SIGHUP)
        let partial = try #require(socket.wait(after: mark) { $0.contains("READY=1") })
        #expect(partial.contains("exhibit 'first': last good version shown, first error at first/exhibit.md:2:8"), "\(partial)")
        #expect(partial.contains("(and 2 more exhibits with errors)"), "\(partial)")
        #expect(partial.contains("reloaded, in part: 3 exhibits with errors"), "\(partial)")
        #expect(partial.contains("hall: First"), "the last good version is on the screen: \(partial)")
        let log = try String(contentsOfFile: venue.root.appendingPathComponent("vitrine.log").path, encoding: .utf8)
        let afterReload = log.components(separatedBy: "Reloading.").last ?? ""
        #expect(!afterReload.contains("'first' is left out"), "the log contradicts itself: \(afterReload)")
        #expect(afterReload.contains("last good version shown until they are fixed"), "\(afterReload)")

        try "---\ntitle: First\n---\nThe first exhibit.\n".write(toFile: first, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: venue.contentPath + "/third")
        try FileManager.default.removeItem(atPath: venue.contentPath + "/fourth")
        mark = socket.messages.count
        kill(process.processIdentifier, SIGHUP)
        let fixed = try #require(socket.wait(after: mark) { $0.contains("READY=1") })
        #expect(!fixed.contains("exhibit '") && !fixed.contains("in part"), "\(fixed)")
    }

    @Test func aBurstOfSignalsCoalesces() throws {
        let venue = try venue()
        let socket = try NotifySocket(directory: venue.root)
        let process = try start(venue, socket: socket)
        defer { if process.isRunning { process.terminate() } }
        // A SIGHUP during start-up, before the reload handler exists, must not kill the daemon.
        kill(process.processIdentifier, SIGHUP)
        #expect(socket.wait { $0.contains("READY=1") } != nil)
        #expect(process.isRunning)
        let mark = socket.messages.count
        for _ in 0..<50 { kill(process.processIdentifier, SIGHUP) }
        #expect(socket.wait(after: mark) { $0.contains("READY=1") } != nil)
        Thread.sleep(forTimeInterval: 2)
        let reloads = socket.messages.dropFirst(mark).filter { $0.contains("RELOADING=1") }.count
        #expect((1...2).contains(reloads), "\(reloads) reloads for 50 signals")
        #expect(process.isRunning)
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func savingAnExhibitReloadsOnce() throws {
        let venue = try venue()
        let socket = try NotifySocket(directory: venue.root)
        let process = try start(venue, socket: socket, watch: true)
        defer { if process.isRunning { process.terminate() } }
        #expect(socket.wait { $0.contains("READY=1") } != nil)
        let mark = socket.messages.count
        // Several saves in a row, as an editor makes them: one reload after a second of quiet.
        for version in 1...5 {
            try venue.addExhibit("first", "---\ntitle: First, version \(version)\n---\nThe first exhibit.\n")
            usleep(50_000)
        }
        let reloaded = try #require(socket.wait(after: mark) { $0.contains("READY=1") && $0.contains("reloaded") })
        #expect(reloaded.contains("hall: First, version 5"), "\(reloaded)")
        Thread.sleep(forTimeInterval: 1.5)
        #expect(socket.messages.dropFirst(mark).filter { $0.contains("RELOADING=1") }.count == 1)
        // A new exhibit folder is watched too.
        let second = socket.messages.count
        try venue.addExhibit("third", "---\ntitle: Third\n---\nNew.\n")
        #expect(socket.wait(after: second) { $0.contains("RELOADING=1") } != nil)
        Thread.sleep(forTimeInterval: 0.5)
        let third = socket.messages.count
        try venue.addExhibit("third", "---\ntitle: Third again\n---\nNew.\n")
        #expect(socket.wait(after: third) { $0.contains("RELOADING=1") } != nil, "edits inside the new folder are seen")
        process.terminate()
        process.waitUntilExit()
    }

    @Test func aHungDeviceDoesNotHangTheStop() throws {
        let venue = try venue()
        // A terminal device nobody reads: the first big frame fills the pipe and the write blocks for ever.
        let fifo = venue.root.appendingPathComponent("stuck").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        defer { close(reader) }
        try venue.writeConfig(config(venue, playlist: "main")
            .replacingOccurrences(of: "\(venue.root.path)/screen.out", with: fifo)
            .replacingOccurrences(of: "columns: 60", with: "columns: 1000")
            .replacingOccurrences(of: "rows: 20", with: "rows: 1000"))
        let socket = try NotifySocket(directory: venue.root)
        let process = try start(venue, socket: socket)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        Thread.sleep(forTimeInterval: 2)
        let stopAt = Date()
        process.terminate()
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        #expect(!process.isRunning, "the daemon exits although an output is stuck")
        if !process.isRunning { #expect(process.terminationStatus == 0) }
        print("SIGTERM to exit with a stuck output: \(String(format: "%.1f", Date().timeIntervalSince(stopAt))) s")
    }

    @Test func watchdogPingsAtHalfTheInterval() throws {
        let venue = try venue()
        let socket = try NotifySocket(directory: venue.root)
        let process = try start(venue, socket: socket, watchdogUSec: 400_000)
        defer { if process.isRunning { process.terminate() } }
        #expect(socket.wait { $0.contains("READY=1") } != nil)
        let mark = socket.messages.count
        Thread.sleep(forTimeInterval: 1.5)
        let pings = socket.messages.dropFirst(mark).filter { $0 == "WATCHDOG=1" }.count
        // Every 200 ms: about seven in 1.5 s; at least three even on a loaded machine.
        #expect(pings >= 3, "\(pings) pings")
        // A stopped daemon stops pinging, so systemd's watchdog would restart it.
        kill(process.processIdentifier, SIGSTOP)
        Thread.sleep(forTimeInterval: 0.3)
        let frozen = socket.messages.count
        Thread.sleep(forTimeInterval: 1)
        #expect(socket.messages.count == frozen)
        kill(process.processIdentifier, SIGCONT)
        process.terminate()
        process.waitUntilExit()
    }
}

/// The play log's exports are whole: `vitrine plays --csv` prints every play, however many (a sponsor's monthly
/// report of six screens is well over 100,000), read page by page from a log it opens read-only.
@Suite struct PlayLogExportTests {
    @Test func aLongLogIsExportedWhole() throws {
        let venue = try TemporaryVenue()
        let state = venue.root.appendingPathComponent("state").path
        let path = state + "/plays.sqlite"
        _ = try PlayLog(path: path)
        // 100,010 plays written at once (as 11 days of six screens would have been, one by one).
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            rows = [("hall" if i % 2 else "wall", "bread", "Bread", 1, 1, "paper", "Bread 1/1",
                     1764547200000 + i * 10000, 1764547200000 + i * 10000 + 9000) for i in range(100010)]
            db.executemany("INSERT INTO play (screen, exhibit, title, page, pages, theme, shows, start, \\"end\\") "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            db.commit()
            """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = ["-c", script, path]
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let all = try Vitrine.run(["plays", "--state-dir", state, "--csv", "--config", "/nonexistent.yaml"])
        #expect(all.status == 0, "\(all.stderr)")
        let lines = all.stdout.split(separator: "\n")
        #expect(lines.count == 100_011, "\(lines.count) lines: the export was cut")
        #expect(lines.first?.hasPrefix("screen,exhibit") == true)
        // A span, and one screen.
        let span = try Vitrine.run(["plays", "--state-dir", state, "--csv", "--config", "/nonexistent.yaml",
                                    "--screen", "hall", "--from", "2025-12-01T00:00", "--until", "2025-12-01T01:00"])
        #expect(span.stdout.split(separator: "\n").count == 1 + 180, "\(span.stdout.prefix(300))")
        // Read only: the file is as it was.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }
}
