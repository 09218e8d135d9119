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

/// One run of the child: the conversation, in three tasks (standard output, standard error, and the daemon's side).
struct Session: Sendable {
    let output: ExecOutput
    let context: OutputContext
    static let lineLimit = 64 * 1024

    enum Input: Sendable {
        /// A new frame is in `NewestFrame` (one note for any number of frames that came meanwhile).
        case frame
        case framesEnded
        case said(PluginMessages.Incoming)
        case outputEnded
        case tick
    }

    typealias Child = Execution<CustomWriteInput, SequenceOutput, SequenceOutput>

    /// How often the conversation checks its deadlines: often while `ready` is awaited, at the ping cadence for a
    /// plugin that answers pings, never for one that does not (an idle screen wakes nobody).
    final class Ticks: Sendable {
        private let every = Mutex<Duration?>(nil)
        var interval: Duration? { every.withLock { $0 } }
        func set(_ interval: Duration?) { every.withLock { $0 = interval } }
    }

    func run(_ execution: Child, frames: AsyncStream<Frame>, stopRequests: AsyncStream<Void>) async throws {
        let (inputs, feed) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .unbounded)
        let logger = context.logger
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                // Log lines and complaints are dealt with here, rate-limited, and only what the conversation needs
                // goes on: a plugin that floods its output costs one reading task, never the daemon's attention.
                var splitter = LineSplitter(limit: Self.lineLimit)
                var logs = Budget(120, per: .seconds(60))
                var complaints = Budget(30, per: .seconds(60))
                var forwarded = Budget(6_000, per: .seconds(60))
                var warnedTypes: Set<String> = []
                var budget = Budget(2_000, per: .seconds(1))
                do {
                    for try await buffer in execution.standardOutput {
                        let pieces = buffer.withUnsafeBytes { splitter.feed($0) }
                        for (index, piece) in pieces.enumerated() {
                            // Past the budget, lines are dropped unread (a flood is not worth parsing).
                            guard budget.take() else { continue }
                            if index % 256 == 255 { await Task.yield() }
                            guard case let .line(bytes) = piece else {
                                if case let .cutOff(length) = piece, complaints.take() {
                                    logger.error("Plugin wrote a line of over \(length) bytes; cut off and skipped.")
                                }
                                continue
                            }
                            if bytes.isEmpty { continue }
                            switch PluginMessages.parse(bytes) {
                            case let .log(level, text):
                                if logs.take() { logger.log(level: Logger.Level(rawValue: level) ?? .info, "Plugin: \(text)") }
                            case let .malformed(reason):
                                if complaints.take() {
                                    logger.warning("Plugin wrote a line that is not a message (\(reason)); skipped.")
                                }
                            case let .unknown(type):
                                if warnedTypes.insert(type).inserted {
                                    logger.warning("Plugin sent a message of unknown type '\(type)'; ignored (reported once).")
                                }
                            case let message:
                                if forwarded.take() { feed.yield(.said(message)) }
                            }
                        }
                        // A plugin that writes more than the budget is slowed down by its own pipe: reading pauses
                        // for the rest of the second, so a flood costs the daemon no more than the budget.
                        if let pause = budget.pause() { try? await Task.sleep(for: pause) }
                        await Task.yield()
                    }
                } catch {}
                feed.yield(.outputEnded)
            }
            tasks.addTask {
                var splitter = LineSplitter(limit: 4096)
                var budget = Budget(120, per: .seconds(60))
                do {
                    for try await buffer in execution.standardError {
                        for case let .line(bytes) in buffer.withUnsafeBytes({ splitter.feed($0) }) where budget.take() {
                            logger.warning("Plugin: \(String(decoding: bytes, as: UTF8.self))",
                                           metadata: ["vitrine.stream": "stderr"])
                        }
                        await Task.yield()
                    }
                } catch {}
            }
            // Only the newest frame waits, as with every output: a plugin slower than the page changes skips stale
            // pages instead of queueing them (the queue grew without end when pages came faster than it read).
            let newest = NewestFrame()
            tasks.addTask {
                for await frame in frames where newest.put(frame) { feed.yield(.frame) }
                feed.yield(.framesEnded)
            }
            tasks.addTask {
                for await _ in stopRequests { feed.yield(.framesEnded) }
            }
            let ticks = Ticks()
            ticks.set(.milliseconds(max(50, output.readyTimeout / 4)))
            tasks.addTask {
                while let interval = ticks.interval {
                    try await Task.sleep(for: interval)
                    feed.yield(.tick)
                }
            }
            try await converse(execution, inputs: inputs, newest: newest, ticks: ticks)
            tasks.cancelAll()
        }
    }

    /// The daemon's side: hello, wait for ready, then pages, pings and what the plugin says, until the frames end.
    private func converse(_ execution: Child, inputs: AsyncStream<Input>, newest: NewestFrame, ticks: Ticks)
        async throws
    {
        let logger = context.logger
        let writer = execution.standardInputWriter
        let screen = output.screen
        let replyTimeout = output.replyTimeout
        func send(_ message: [String: Any]) async throws {
            let bytes = PluginMessages.line(message)
            // A plugin that stops reading fills the pipe; it is not waited for longer than the reply timeout.
            try await withThrowingTaskGroup(of: Bool.self) { race in
                race.addTask {
                    do {
                        _ = try await writer.write(bytes)
                    } catch {
                        throw OutputError("the plugin exited (its input is closed)")
                    }
                    return true
                }
                race.addTask {
                    try await Task.sleep(for: .milliseconds(replyTimeout))
                    return false
                }
                let written = try await race.next() ?? false
                race.cancelAll()
                if !written { throw OutputError("the plugin stopped reading its input") }
            }
        }

        try await send(PluginMessages.hello(screen: screen, options: ExecOutput.json(output.settings) as? [String: Any] ?? [:], measure: output.measure))
        let started = ContinuousClock.now
        var ready = false
        var pings = false
        var waiting: Frame?
        var lastPing: (id: Int, at: ContinuousClock.Instant, answered: Bool)?

        func show(_ frame: Frame) async throws {
            if frame.content == .blank { try await send(PluginMessages.blank(frame, screen: screen)) } else {
                try await send(PluginMessages.present(frame, screen: screen))
            }
            context.shown(frame)
        }

        for await input in inputs {
            switch input {
            case .frame:
                guard let frame = newest.take() else { continue }
                if ready { try await show(frame) } else { waiting = frame }
            case .framesEnded:
                try await stop(execution)
                return
            case .outputEnded:
                throw OutputError(ready ? "the plugin exited" : "the plugin exited before `ready`")
            case .tick:
                let now = ContinuousClock.now
                if !ready, now - started > .milliseconds(output.readyTimeout) {
                    throw OutputError("no `ready` from the plugin within \(output.readyTimeout) ms")
                }
                guard ready, pings else { continue }
                if let ping = lastPing, !ping.answered {
                    if now - ping.at > .milliseconds(replyTimeout) {
                        throw OutputError("the plugin did not answer a ping within \(replyTimeout) ms")
                    }
                } else if lastPing.map({ now - $0.at >= .milliseconds(output.pingInterval) }) ?? true {
                    let id = (lastPing?.id ?? 0) + 1
                    lastPing = (id, now, false)
                    try await send(["type": "ping", "id": id])
                }
            case let .said(message):
                switch message {
                case let .ready(measure, capabilities, measureGiven):
                    guard !ready else { continue }
                    ready = true
                    pings = capabilities.contains("ping")
                    ticks.set(pings ? .milliseconds(max(50, min(output.pingInterval, replyTimeout) / 4)) : nil)
                    logger.info("Plugin ready.", metadata: [
                        "vitrine.command": "\(output.command.joined(separator: " "))",
                        "vitrine.capabilities": "\(capabilities)",
                    ])
                    if measureGiven, measure != output.measure {
                        context.surfaceChanged(ExecOutput.surface(for: measure))
                    }
                    if let frame = waiting {
                        waiting = nil
                        try await show(frame)
                    }
                case let .status(text):
                    logger.info("Plugin: \(text)", metadata: ["vitrine.stream": "status"])
                    context.trouble(nil)
                case let .error(text):
                    logger.error("Plugin: \(text)")
                    context.trouble("plugin: \(text)")
                case let .pong(id):
                    if lastPing?.id == id { lastPing?.answered = true }
                case .log, .unknown, .malformed:
                    break  // dealt with where standard output is read
                }
            }
        }
    }

    /// `shutdown`, then the end of its input; it has the grace period to exit before the teardown (SIGTERM to its
    /// process group, the grace period again, then SIGKILL).
    private func stop(_ execution: Child) async throws {
        let pid = execution.processIdentifier.value
        let grace = output.stopGrace
        await withTaskGroup(of: Void.self) { race in
            race.addTask {
                _ = try? await execution.standardInputWriter.write(PluginMessages.line(["type": "shutdown"]))
                try? await execution.standardInputWriter.finish()
            }
            race.addTask { try? await Task.sleep(for: .milliseconds(grace)) }
            await race.next()
            race.cancelAll()
        }
        let deadline = ContinuousClock.now + .milliseconds(grace)
        while !Self.hasExited(pid), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if !Self.hasExited(pid) {
            throw OutputError("the plugin did not exit within \(grace) ms of `shutdown`")
        }
    }

    /// Exited and waiting to be reaped (the state after the command's closing parenthesis is Z), or gone.
    static func hasExited(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].first { $0 != " " }
        return state == "Z" || state == "X"
    }
}

/// The frame a plugin is to show next; a newer one replaces it.
final class NewestFrame: Sendable {
    private let slot = Mutex<Frame?>(nil)

    /// Keeps `frame`; true when none was waiting (so the conversation needs a note).
    func put(_ frame: Frame) -> Bool {
        slot.withLock { slot in
            defer { slot = frame }
            return slot == nil
        }
    }

    func take() -> Frame? { slot.withLock { slot in defer { slot = nil }; return slot } }
}

/// At most `limit` events per `window` (a fixed window): what a plugin may make the daemon do, so one that floods
/// its output floods neither the journal nor the daemon's threads.
struct Budget {
    let limit: Int
    let window: Duration
    private var windowStart = ContinuousClock.now
    private var count = 0

    init(_ limit: Int, per window: Duration) {
        self.limit = limit
        self.window = window
    }

    /// Counts one event; false when the window's budget is spent.
    mutating func take() -> Bool {
        let now = ContinuousClock.now
        if now - windowStart >= window {
            windowStart = now
            count = 0
        }
        count += 1
        return count <= limit
    }

    /// The rest of the window, when its budget is spent.
    func pause() -> Duration? {
        guard count > limit else { return nil }
        let rest = windowStart + window - ContinuousClock.now
        return rest > .zero ? rest : nil
    }
}
