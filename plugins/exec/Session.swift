import Foundation
import Subprocess
import Synchronization
import VitrinePluginAPI
#if canImport(System)
import System
#else
import SystemPackage
#endif

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
