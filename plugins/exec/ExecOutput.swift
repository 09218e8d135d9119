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
    static let command = Key("command", .written("list: program and arguments"), required: true,
        "The program (absolute path, or a name on `PATH`) and its arguments, as a list, such as "
        + "`[/usr/local/bin/led-ticker, --port, /dev/ttyUSB0]`.")
    static let settings = Key("settings", .mapping, "The plugin's own options, passed to it as they are in `hello`.")
    static let env = Key("env", .mapping, "Environment variables added for the program (`NAME: value` lines).")
    static let workingDirectory = DefaultedKey("working-directory", .path(example: "/srv/ticker"), default: "/",
                                                  "Where the program runs.")
    static let columns = Key("columns", .number(1...10_000), otherwise: "the plugin's",
                                "Measure to lay text out for until the plugin declares its own in `ready`.")
    static let rows = Key("rows", .number(1...10_000), otherwise: "the plugin's", "See `columns`.")
    static let readyTimeout = DefaultedKey("ready-timeout", .duration(100...600_000), default: 10_000,
                                              "How long the program may take to send `ready`.")
    static let pingInterval = DefaultedKey("ping-interval", .duration(1_000...3_600_000), default: 30_000,
        "How often a program that declares the `ping` capability is asked for a `pong`.")
    static let replyTimeout = DefaultedKey("reply-timeout", .duration(100...600_000), default: 10_000,
        "How long it may take to answer a ping, or to read a page written to it.")
    static let stopGrace = DefaultedKey("stop-grace", .duration(0...60_000), default: 3_000,
        "After `shutdown`, and again after SIGTERM, how long it has to exit.")
    public static let options = [command.spec, settings.spec, env.spec, workingDirectory.spec, columns.spec,
                                 rows.spec, readyTimeout.spec, pingInterval.spec, replyTimeout.spec, stopGrace.spec]

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
        switch reader[Self.command]?.value {
        case let .scalar(text)?: command = [text]
        case let .list(items)?:
            for item in items {
                if case let .scalar(text) = item.value, !text.isEmpty { command.append(text) } else {
                    reader.problem("command", "every item must be text (the program, then its arguments)")
                }
            }
        case .map?: reader.problem("command", "expected a list: [program, arguments…]")
        case nil: break  // reported as a missing required key
        }
        if let program = command.first, program.contains("/"), !program.hasPrefix("/") {
            reader.problem("command", "the program must be an absolute path or a name on PATH, found '\(program)'")
        }
        self.command = command
        settings = reader[Self.settings]?.value ?? .map([])
        var environment: [String: String] = [:]
        if let variables = reader.section(Self.env) {
            for entry in variables.entries {
                if let value = variables.read(entry.node, at: variables.path(of: entry.key), as: .text(allowEmpty: true)) {
                    environment[entry.key] = value
                }
            }
        }
        self.environment = environment
        workingDirectory = reader[Self.workingDirectory]
        let columns = reader[Self.columns]
        let rows = reader[Self.rows]
        measure = columns.map { PluginMessages.Measure(columns: $0, rows: rows ?? 1) }
        readyTimeout = reader[Self.readyTimeout]
        pingInterval = reader[Self.pingInterval]
        replyTimeout = reader[Self.replyTimeout]
        stopGrace = reader[Self.stopGrace]
        if !reader.errors.isEmpty { return nil }
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

    /// What a plugin's program is given of the daemon's environment: where programs are, the language and time
    /// zone, the home and temporary folders; then the screen's `env:`. Nothing else: not the service manager's
    /// NOTIFY_SOCKET (a plugin could tell systemd the daemon is ready or stopping), its WATCHDOG_*, LISTEN_FDS,
    /// INVOCATION_ID or CREDENTIALS_DIRECTORY, nor whatever else the daemon was started with.
    static let passedOn: Set<String> = ["PATH", "LANG", "LANGUAGE", "TZ", "HOME", "USER", "LOGNAME", "TMPDIR"]

    static func environment(inherited: [String: String], added: [String: String]) -> [String: String] {
        var result = inherited.filter { passedOn.contains($0.key) || $0.key.hasPrefix("LC_") }
        for (key, value) in added { result[key] = value }
        return result
    }

    /// The program's absolute path: `program` itself when it is an executable file, else a name found on the
    /// plugin's own PATH as swift-subprocess finds it; nil when there is none, so the screen says so instead of a
    /// child exiting 127 (it is started through `setpriv`, which would only fail to exec it).
    static func locate(_ program: String, environment: Environment) async -> String? {
        guard program.hasPrefix("/") else {
            return try? await Executable.name(program).resolveExecutablePath(in: environment).string
        }
        var status = stat()
        return stat(program, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG && access(program, X_OK) == 0
            ? program : nil
    }

    /// util-linux's `setpriv`, which every Debian system has (util-linux is essential).
    static let setpriv = "/usr/bin/setpriv"

    /// The program run through `setpriv --pdeathsig TERM`, so that it gets SIGTERM when the daemon dies, even by
    /// `kill -9` outside systemd (under systemd the unit's cgroup is ended whole anyway). Its end of input tells it
    /// too, but a program busy with its device may not be reading. The kernel sends a parent-death signal when the
    /// *thread* that started the child ends, not the process: swift-subprocess starts every child from one worker
    /// thread of its own that lasts as long as the process (a pool thread could end after a few idle seconds and
    /// take the plugin with it; `anExecPluginEndsWithTheDaemon` waits past that). Without setpriv, run as is.
    static func endingWithTheDaemon(_ program: String, _ arguments: [String]) -> (Executable, [String]) {
        guard access(setpriv, X_OK) == 0 else { return (.path(FilePath(program)), arguments) }
        return (.path(FilePath(setpriv)), ["--pdeathsig", "TERM", "--", program] + arguments)
    }

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
        let childEnvironment = Self.environment(inherited: ProcessInfo.processInfo.environment, added: environment)
        var variables: [Environment.Key: String] = [:]
        for (key, value) in childEnvironment {
            if let name = Environment.Key(rawValue: key) { variables[name] = value }
        }
        guard let resolved = await Self.locate(program, environment: .custom(variables)) else {
            throw OutputError("cannot start \(program): " + (program.hasPrefix("/") ? "no executable file at that path"
                                                               : "no executable of that name on PATH"),
                recovery: .needsFixing("check the screen's command: the program must exist and be executable by the "
                                       + "service user"))
        }
        let (executable, arguments) = Self.endingWithTheDaemon(resolved, Array(command.dropFirst()))
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
                    executable, arguments: Arguments(arguments),
                    environment: .custom(variables), workingDirectory: FilePath(workingDirectory),
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
