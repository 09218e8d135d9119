import Foundation
import Subprocess
import Synchronization
import VitrinePluginAPI
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// An output in any language: a child process that gets each page as one JSON line on its standard input and
/// answers on its standard output (docs/plugin-protocol.md). LED tickers on a serial line, e-paper labels,
/// projectors with a network API — displays Vitrine ships no driver for.
///
/// The child is supervised: one that exits, sends no `ready` in time, stops reading its input or stops answering
/// pings makes this output fail, and the daemon restarts it with a capped backoff (its screen shows as failed
/// meanwhile; no other screen waits for it). Whatever way it ends, the child's whole process group gets `shutdown`,
/// then SIGTERM, then SIGKILL after a grace period, and is reaped.
public struct ExecOutput: OutputPlugin {
    public static let type = "exec"
    public static let summary = "A program in any language, fed pages as JSON lines (docs/plugin-protocol.md)"
    public static let options = [
        OptionSpec("command", "list: program and arguments", "The plugin program (absolute path, or a name on PATH) "
            + "and its arguments, such as [/usr/local/bin/led-ticker, --port, /dev/ttyUSB0]."),
        OptionSpec("settings", "options below it", "Passed to the plugin as they are, in `hello` (its own options)."),
        OptionSpec("env", "options below it", "Environment variables added for the plugin."),
        OptionSpec("working-directory", "path", default: "/", "Where the plugin runs."),
        OptionSpec("columns", "number", default: "the plugin's", "Measure to lay text out for until the plugin "
            + "declares its own in `ready`."),
        OptionSpec("rows", "number", default: "the plugin's", "See columns."),
        OptionSpec("ready-timeout", "duration", default: "10s", "How long the plugin may take to send `ready`."),
        OptionSpec("ping-interval", "duration", default: "30s",
                   "How often a plugin that declares the `ping` capability is asked for a `pong`."),
        OptionSpec("reply-timeout", "duration", default: "10s",
                   "How long the plugin may take to answer a ping, or to read a page written to it."),
        OptionSpec("stop-grace", "duration", default: "3s",
                   "After `shutdown`, and again after SIGTERM, how long the plugin has to exit."),
    ]

    public let screen: String
    let command: [String]
    /// The plugin's own options, as written (sent in `hello`).
    let settings: OptionValue
    let environment: [String: String]
    let workingDirectory: String
    let measure: PluginMessages.Measure?
    let readyTimeout: Int64
    let pingInterval: Int64
    let replyTimeout: Int64
    let stopGrace: Int64

    public init?(screen: String, options reader: OptionsReader) {
        self.screen = screen
        var command: [String] = []
        switch reader.node("command")?.value {
        case let .scalar(text)?: command = [text]
        case let .list(items)?:
            for item in items {
                if case let .scalar(text) = item.value, !text.isEmpty { command.append(text) } else {
                    reader.problem("command", "every item must be text (the program, then its arguments)")
                }
            }
        case .map?: reader.problem("command", "expected a list: [program, arguments…]")
        case nil: reader.problem("command", "an exec output needs the program to run: command: [program, arguments…]")
        }
        if let program = command.first, program.contains("/"), !program.hasPrefix("/") {
            reader.problem("command", "the program must be an absolute path or a name on PATH, found '\(program)'")
        }
        self.command = command
        switch reader.node("settings")?.value {
        case let .map(entries)?: settings = .map(entries)
        case nil: settings = .map([])
        case let other?:
            settings = other
            reader.problem("settings", "expected options indented below it (key: value lines)")
        }
        var environment: [String: String] = [:]
        if let node = reader.node("env") {
            if case let .map(entries) = node.value {
                for entry in entries {
                    if case let .scalar(value) = entry.node.value { environment[entry.key] = value } else {
                        reader.problem("env", "\(entry.key): expected text")
                    }
                }
            } else {
                reader.problem("env", "expected NAME: value lines indented below it")
            }
        }
        self.environment = environment
        workingDirectory = reader.path("working-directory") ?? "/"
        let columns = reader.int("columns", in: 1...10_000)
        let rows = reader.int("rows", in: 1...10_000)
        measure = columns.map { PluginMessages.Measure(columns: $0, rows: rows ?? 1) }
        readyTimeout = reader.duration("ready-timeout", in: 100...600_000) ?? 10_000
        pingInterval = reader.duration("ping-interval", in: 1_000...3_600_000) ?? 30_000
        replyTimeout = reader.duration("reply-timeout", in: 100...600_000) ?? 10_000
        stopGrace = reader.duration("stop-grace", in: 0...60_000) ?? 3_000
        if !reader.problems.isEmpty { return nil }
    }

    public var initialSurface: Surface { Self.surface(for: measure) }

    /// Text laid out in the plugin's cells, or (no measure) each exhibit on one page, lines unbroken.
    static func surface(for measure: PluginMessages.Measure?) -> Surface {
        guard let measure else { return .cells(columns: 10_000, rows: 10_000) }
        return .cells(columns: measure.columns, rows: measure.rows)
    }

    static func json(_ value: OptionValue) -> Any {
        switch value {
        case let .scalar(text): text
        case let .list(items): items.map { json($0.value) }
        case let .map(entries): Dictionary(entries.map { ($0.key, json($0.node.value)) }, uniquingKeysWith: { $1 })
        }
    }

    // MARK: Running

    /// A plugin that exits while a page is written to it would otherwise kill the daemon with SIGPIPE; the write
    /// fails with EPIPE instead and the plugin is restarted.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    public func run(frames: AsyncStream<Frame>, context: OutputContext) async throws {
        Self.ignoreBrokenPipes
        var platform = PlatformOptions()
        // Its own session and process group, so every process it starts is stopped with it.
        platform.createSession = true
        platform.teardownSequence = [
            .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .milliseconds(stopGrace)),
        ]
        let program = command[0]
        let executable: Executable = program.hasPrefix("/") ? .path(FilePath(program)) : .name(program)
        var updates: [Environment.Key: String?] = [:]
        for (key, value) in environment { if let name = Environment.Key(rawValue: key) { updates[name] = value } }
        let group = Mutex<pid_t>(0)
        defer {
            // Anything the plugin started and left running goes with it.
            let pgid = group.withLock { $0 }
            if pgid > 0 { kill(-pgid, SIGKILL) }
        }
        let session = Session(output: self, context: context)
        // The child runs in a task of its own: cancelling this output (a reload, a stop) must first tell the plugin
        // `shutdown` and give it its grace period, not send SIGTERM at once as a cancelled run would.
        let (stopRequests, requestStop) = AsyncStream.makeStream(of: Void.self)
        let child = Task {
            do {
                _ = try await Subprocess.run(
                    executable, arguments: Arguments(Array(command.dropFirst())),
                    environment: .inherit.updating(updates), workingDirectory: FilePath(workingDirectory),
                    platformOptions: platform, input: .inputWriter, output: .sequence, error: .sequence
                ) { execution in
                    group.withLock { $0 = execution.processIdentifier.value }
                    try await session.run(execution, frames: frames, stopRequests: stopRequests)
                }
            } catch let error as SubprocessError {
                throw OutputError("cannot start \(program): \(error)", recovery: .needsFixing(
                    "check the screen's command: the program must exist and be executable by the service user"))
            }
        }
        try await withTaskCancellationHandler {
            try await child.value
        } onCancel: {
            requestStop.yield()
            requestStop.finish()
        }
    }
}
