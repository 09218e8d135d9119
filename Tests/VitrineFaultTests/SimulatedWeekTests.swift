import Foundation
import Glibc
import Logging
import Testing
import VitrineCore
import VitrinePlayLog
import VitrineTestKit

/// A week of opening hours, late nights, a closed Monday and the lobby loop, on a clock the test moves (time is
/// injected, not slept): every screen keeps changing pages each day, and memory does not grow with the days.
@Suite(.serialized) struct SimulatedWeekTests {
    @Test(.timeLimit(.minutes(20))) func aWeekOfPagesLeavesMemoryFlat() async throws {
        let days = FaultSuite.count(full: 7, short: 3)
        let venue = try TemporaryVenue()
        try venue.copyDemo()
        var yaml = try String(contentsOfFile: venue.configPath, encoding: .utf8)
        guard let screens = yaml.range(of: "\nscreens:\n"), let http = yaml.range(of: "\n# The HTTP listener") else {
            throw CocoaError(.fileReadCorruptFile)
        }
        let plugin = TemporaryVenue.packageRoot.appendingPathComponent("plugins/log-pages/log-pages.sh").path
        try venue.writeRaw("hall.out", Data())
        try venue.writeRaw("wall.fb", Data(count: 320 * 180 * 4))
        // Every kind of built-in output at once; cut transitions, since a crossfade runs on real time.
        yaml = String(yaml[..<screens.upperBound]) + """
              hall: { output: terminal, playlist: main, tty: \(venue.root.path)/hall.out, columns: 80, rows: 24 }
              wall: { output: framebuffer, playlist: lobby, device: \(venue.root.path)/wall.fb, width: 320, height: 180 }
              kiosk: { output: http, playlist: main, width: 640, height: 360 }
              logbook: { output: exec, playlist: main, command: [\(plugin)] }

            """ + String(yaml[http.lowerBound...])
        yaml = yaml.replacingOccurrences(of: "transition: crossfade 600ms", with: "transition: cut")
            .replacingOccurrences(of: "transition: crossfade 800ms", with: "transition: cut")
        try venue.writeConfig(yaml)

        // Monday 7 December 2026, midnight in Paris: closed Monday, then the week's hours, Thursday's and
        // Saturday's late openings, the night theme with its clock every evening.
        let start = instant("2026-12-07T00:00:00+01:00")
        let clock = ManualClock(at: start)
        let logger = Logger(label: "week") { _ in SwiftLogNoOpLogHandler() }
        let outcome = venue.load()
        #expect(outcome.diagnostics.errors.isEmpty, "\(outcome.diagnostics)")
        let settings = Daemon.Settings(configPath: venue.configPath, registry: testRegistry, systemTimeZone: "UTC")
        let daemon = Daemon(settings: settings, initial: outcome, clock: clock, logger: logger)
        let playLog = try PlayLog(path: venue.root.appendingPathComponent("plays.sqlite").path)
        playLog.attach(to: daemon, logger: logger)
        daemon.start()
        #expect(await eventually { clock.sleeping >= 4 && daemon.status().screens.allSatisfy { $0.health == "showing" } })

        // Resident memory, and its anonymous part (heap and stacks: where a leak shows).
        var memory: [(day: Int, rss: Int, heap: Int)] = []
        var steps = 0
        for day in 1...days {
            let end = start + Int64(day) * 86_400_000
            while let next = clock.nextDeadline, next <= end {
                await step(clock, to: next)
                steps += 1
            }
            await step(clock, to: end)
            // Let the outputs draw what they were handed before measuring.
            try await Task.sleep(for: .milliseconds(200))
            Self.trimHeap()
            memory.append((day, Self.status("VmRSS"), Self.status("RssAnon")))
            let plays = try playLog.plays(from: end - 86_400_000, to: end)
            let byScreen = Dictionary(grouping: plays, by: \.screen).mapValues(\.count)
            print("day \(day): \(byScreen.sorted { $0.key < $1.key }), RSS \(memory.last!.rss / 1024) KiB, "
                + "of which heap and stacks \(memory.last!.heap / 1024) KiB, \(steps) clock steps so far")
            for screen in ["hall", "wall", "kiosk", "logbook"] {
                #expect(byScreen[screen, default: 0] > 100, "\(screen) showed only \(byScreen[screen, default: 0]) pages on day \(day)")
            }
            #expect(daemon.status().screens.allSatisfy { $0.health == "showing" }, "\(daemon.status().line)")
        }
        await daemon.stopAll()

        // The first days warm up (pages laid out, fonts and caches filled, the allocator's pools grown); after that
        // nothing may pile up. Measured: the exec output queued every page for a slow plugin (fixed).
        let first = memory[0], last = memory[memory.count - 1]
        let settled = memory[memory.count / 2]
        let growth = last.heap - settled.heap
        print("memory: day 1 RSS \(first.rss / 1024) KiB (anonymous \(first.heap / 1024) KiB); day \(settled.day) "
            + "anonymous \(settled.heap / 1024) KiB; day \(last.day) RSS \(last.rss / 1024) KiB (anonymous "
            + "\(last.heap / 1024) KiB); growth from day \(settled.day) \(growth / 1024) KiB")
        let allowed = FaultSuite.full ? 1 : 3
        #expect(growth < allowed * 1024 * 1024,
                "heap and stacks grew by \(growth / 1024) KiB from day \(settled.day) to day \(last.day)")
    }

    /// Moves the clock and waits until every sleeper that woke is asleep again (each runner has handed its new
    /// frame to its output).
    func step(_ clock: ManualClock, to instant: Int64) async {
        let sleepers = clock.sleeping
        clock.advance(to: instant)
        _ = await soon(timeout: .seconds(20)) { clock.sleeping >= sleepers }
    }

    /// A field of /proc/self/status, in bytes.
    static func status(_ field: String) -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// glibc keeps freed memory for reuse; handing it back makes day-to-day figures comparable.
    static func trimHeap() {
        typealias Trim = @convention(c) (Int) -> Int32
        if let trim = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
            _ = unsafeBitCast(trim, to: Trim.self)(0)
        }
    }
}
