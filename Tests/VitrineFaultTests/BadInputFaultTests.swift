import Foundation
import Logging
import PropertyBased
import Synchronization
import Testing
import VitrineCore
import VitrineModel
import VitrineTestKit

/// Thousands of damaged configurations and exhibits, generated from the demo, go through what `vitrine check` runs
/// and through a live reload of a running daemon. None may crash or hang it; each is rejected with the file and line
/// of a problem, and the screen beside it keeps changing pages on time.
@Suite(.serialized) struct BadInputFaultTests {
    @Test(.timeLimit(.minutes(20))) func damagedConfigurationsAreRejectedWithTheirPlace() async throws {
        let stage = try await ReloadStage()
        let good = try stage.venue.bytes(of: stage.venue.configPath)
        let tally = Mutex<[String: Int]>([:])
        await propertyCheck(count: FaultSuite.count(full: 10_000, short: 300), input: Damage.generator) { damage in
            try Data(damage.apply(to: good)).write(to: URL(fileURLWithPath: stage.venue.configPath))
            let checked = stage.check()
            expectLocated(checked.diagnostics.errors, damage)
            tally.withLock { $0[checked.hasErrors ? "rejected" : "accepted", default: 0] += 1 }
            if checked.hasErrors {
                await stage.expectRejectedReload(of: stage.venue.configPath, damage)
            } else {
                // Some damage leaves a valid file (a dropped comment line): then it is simply the new program.
                expectFault(await stage.daemon.reload() == nil, "\(damage)")
                try Data(good).write(to: URL(fileURLWithPath: stage.venue.configPath))
                expectFault(await stage.daemon.reload() == nil)
            }
        }
        try Data(good).write(to: URL(fileURLWithPath: stage.venue.configPath))
        print("damaged configurations: \(tally.withLock { $0 })")
        expectFault(tally.withLock { $0["rejected", default: 0] } > FaultSuite.count(full: 10_000, short: 300) / 2)
        await stage.daemon.stopAll()
    }

    @Test(.timeLimit(.minutes(20))) func damagedExhibitsAreRejectedAndTheLastGoodVersionStays() async throws {
        let stage = try await ReloadStage()
        let ids = stage.daemon.program.exhibits.keys.map(\.rawValue).sorted()
        let paths = ids.map { stage.venue.contentPath + "/\($0)/exhibit.md" }
        let goods = try paths.map { try stage.venue.bytes(of: $0) }
        let tally = Mutex<[String: Int]>([:])
        await propertyCheck(count: FaultSuite.count(full: 10_000, short: 300), input: Damage.generator) { damage in
            let which = damage.variant % paths.count
            let before = stage.daemon.program.exhibits[ExhibitID(ids[which])]
            try Data(damage.apply(to: goods[which])).write(to: URL(fileURLWithPath: paths[which]))
            let checked = stage.check()
            expectLocated(checked.diagnostics.errors, damage)
            let folder = stage.venue.contentPath + "/\(ids[which])/"
            for error in checked.diagnostics.errors {
                expectFault(error.file.hasPrefix(folder) || error.file == stage.venue.configPath,
                        "an exhibit's damage reported elsewhere: \(error) (\(damage))")
            }
            tally.withLock { $0[checked.hasErrors ? "rejected" : "accepted", default: 0] += 1 }
            let logged = stage.log.count
            let onTime = stage.witnessDeadline()
            expectFault(await stage.daemon.reload() == nil, "a broken exhibit does not fail the reload (\(damage))")
            if checked.diagnostics.errors.contains(where: { $0.file.hasPrefix(folder) }) {
                // The running program keeps the last good version, and the log says where the problem is.
                let kept = stage.daemon.program.exhibits[ExhibitID(ids[which])]
                expectFault(kept == before, "\(damage): \(ids[which]) is \(kept == nil ? "gone" : "changed"), "
                    + "errors: \(checked.diagnostics.errors.map(\.description).joined(separator: "; ").prefix(400))")
                let messages = stage.log.messages(after: logged)
                expectFault(messages.contains { $0.hasPrefix("error " + paths[which] + ":") }, "\(damage): \(messages.prefix(3))")
                await stage.expectWitnessChanges(at: onTime, damage)
            }
            try Data(goods[which]).write(to: URL(fileURLWithPath: paths[which]))
            if !checked.hasErrors { expectFault(await stage.daemon.reload() == nil) }
        }
        print("damaged exhibits: \(tally.withLock { $0 })")
        await stage.daemon.stopAll()
    }

    /// A problem is located when it names its file and line; a few concern the whole file.
    func expectLocated(_ errors: [Diagnostic], _ damage: Damage, sourceLocation: SourceLocation = #_sourceLocation) {
        for error in errors {
            let wholeFile = ["over the", "is empty", "not a regular file"].contains { error.message.contains($0) }
            expectFault(!error.file.isEmpty && (error.line != nil || wholeFile),
                    "not located: \(error) (\(damage))", sourceLocation: sourceLocation)
        }
    }
}

/// The demo's configuration and exhibits with two recording screens, running in a daemon on a manual clock.
final class ReloadStage: Sendable {
    let venue: TemporaryVenue
    let clock: ManualClock
    let witness: Recorder
    let daemon: Daemon
    let log = CapturedLog()

    init() async throws {
        venue = try TemporaryVenue()
        try venue.copyDemo()
        let demo = try String(contentsOfFile: venue.configPath, encoding: .utf8)
        guard let screens = demo.range(of: "\nscreens:\n"), let http = demo.range(of: "\n# The HTTP listener") else {
            throw CocoaError(.fileReadCorruptFile)
        }
        let name = "fault-witness-\(UUID().uuidString)"
        try venue.writeConfig(String(demo[..<screens.upperBound]) + """
              witness:
                output: recording
                playlist: main
                recorder: \(name)
              lobby:
                output: recording
                playlist: lobby

            """ + String(demo[http.lowerBound...]))
        // A Wednesday morning: open, the main playlist on.
        let clock = ManualClock(at: instant("2026-12-02T11:00:00+01:00"))
        self.clock = clock
        witness = Recorder(clock: { clock.now() })
        witness.register(as: name)
        let outcome = venue.load()
        guard outcome.program != nil else { throw CocoaError(.fileReadCorruptFile) }
        let settings = Daemon.Settings(configPath: venue.configPath, registry: testRegistry, systemTimeZone: "UTC")
        daemon = Daemon(settings: settings, initial: outcome, clock: clock, logger: log.logger)
        daemon.start()
        _ = await soon { self.witness.entries.count == 1 }
    }

    func check() -> ProgramLoader.Outcome { venue.load() }


    /// When the witness's current page ends, by the running program's schedule.
    func witnessDeadline() -> Int64 {
        let surface = daemon.status().screens.first { $0.name == "witness" }?.surface
        return daemon.program.presentation(for: "witness", at: clock.now(), surface: surface)?.validUntil ?? 0
    }

    /// The reload fails with the file and line, the program stays, and the witness changes page on time.
    func expectRejectedReload(of path: String, _ damage: Damage, sourceLocation: SourceLocation = #_sourceLocation)
        async
    {
        let loadedAt = daemon.status().loadedAt
        let onTime = witnessDeadline()
        let failure = await daemon.reload()
        expectFault(failure?.hasPrefix("reload failed: \(path)") == true, "\(damage): \(failure ?? "accepted")",
                sourceLocation: sourceLocation)
        expectFault(daemon.status().loadedAt == loadedAt, "the running program was replaced (\(damage))",
                sourceLocation: sourceLocation)
        await expectWitnessChanges(at: onTime, damage, sourceLocation: sourceLocation)
    }

    /// Moves the clock to `deadline` and expects the witness's next page at that very instant.
    func expectWitnessChanges(at deadline: Int64, _ damage: Damage,
                              sourceLocation: SourceLocation = #_sourceLocation) async
    {
        _ = await soon { self.clock.sleeping >= 2 }
        let program = daemon.program
        let surface = daemon.status().screens.first { $0.name == "witness" }?.surface
        guard let next = program.presentation(for: "witness", at: deadline, surface: surface) else { return }
        let expected = program.frame(for: next, surface: surface, at: deadline).summary
        // The same page again (a one-page playlist) is not drawn again: nothing to see then.
        let changes = witness.entries.last?.frame.summary != expected
        clock.advance(to: deadline)
        guard changes else { return }
        let shown = await soon { self.witness.entries.last?.frame.summary == expected }
        expectFault(shown && witness.entries.last?.at == deadline,
                    "the witness screen did not change to \(expected) at \(deadline) (\(damage)); it shows "
                        + "\(witness.entries.last.map { "\($0.frame.summary) since \($0.at)" } ?? "-"), "
                        + "clock at \(clock.now()), sleepers until \(clock.deadlines), \(daemon.status().line)",
                    sourceLocation: sourceLocation)
    }
}

/// Log records kept in memory, so a test can read what the daemon told the journal.
final class CapturedLog: Sendable {
    /// The newest records, and how many older ones were let go (a week of page changes is logged too).
    private let records = Mutex<(kept: [String], dropped: Int)>(([], 0))

    var logger: Logger {
        let captured = self
        return Logger(label: "fault") { _ in Handler(log: captured) }
    }

    /// Records so far, counting those let go.
    var count: Int { records.withLock { $0.kept.count + $0.dropped } }

    func messages(after index: Int) -> [String] {
        records.withLock { Array($0.kept.dropFirst(max(0, index - $0.dropped))) }
    }

    fileprivate func append(_ message: String) {
        records.withLock { records in
            if records.kept.count >= 20_000 {
                records.kept.removeFirst(10_000)
                records.dropped += 10_000
            }
            records.kept.append(message)
        }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            log.append("\(level) \(message) \(metadata ?? [:])")
        }
    }
}

extension TemporaryVenue {
    func bytes(of path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
}
