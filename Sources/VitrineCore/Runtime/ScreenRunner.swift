import Logging
import Synchronization
import VitrineDisplayPower
import VitrineModel
import VitrinePluginAPI

/// One screen at work: its loop asks the program what the screen shows, hands the frame to the output and sleeps
/// until the answer expires (no polling); beside it, the output runs under supervision and is started again when it
/// fails. Both end when the screen is asked to stop (a reload retiring it, shutdown).
struct ScreenRunner: Sendable {
    let daemon: Daemon
    let slot: ScreenSlot

    func run() async {
        // Two tasks this function owns: started here, cancelled and awaited here when the screen is asked to stop.
        // (As children of a task group instead, SimulatedWeekTests measured more heap growth from day 2 to 3: 0.4 to
        // 4 MiB in four runs, against -3.8 to 2.4 MiB in six runs this way; its bound is 3 MiB.)
        let looping = Task { await loop() }
        let supervising = Task { await supervise() }
        let powering = Task { await power() }
        await slot.stopRequested.wait(for: 1)
        looping.cancel()
        supervising.cancel()
        powering.cancel()
        await looping.value
        await supervising.value
        await powering.value
        slot.finished.advance(to: 1)
    }

    /// Ask, show, sleep until the answer expires (or a reload or resize nudges it).
    func loop() async {
        var last: Frame?
        let beat = daemon.manager.watchdogInterval.map {
            Int64($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) / 2
        }
        while !Task.isCancelled {
            let (program, generation) = daemon.currentProgram()
            let now = daemon.clock.now()
            let surface = slot.surface
            guard let presentation = program.presentation(for: slot.name, at: now, surface: surface) else { return }
            let frame = program.frame(for: presentation, surface: surface, at: now)
            if last.map({ !$0.showsSame(as: frame) }) ?? true {
                // The summary first: the output may report the frame shown (and the daemon ready) at once.
                slot.summary = frame.summary
                slot.frame = frame
                slot.handed(frame, generation: generation)
                slot.mailbox.send(frame)
                if last?.presentation.displayOn != frame.presentation.displayOn {
                    slot.display(on: frame.presentation.displayOn)
                }
                last = frame
                daemon.publishStatus()
                var metadata: Logger.Metadata = ["vitrine.screen": "\(slot.name)", "vitrine.page": "\(slot.summary)"]
                if case let .exhibit(id, _, _) = presentation.content { metadata["vitrine.exhibit"] = "\(id)" }
                daemon.logger.debug("Showing.", metadata: metadata)
            } else {
                // Already on the screen: the new program shows the same.
                slot.shownGeneration.advance(to: generation)
            }
            var deadline = presentation.validUntil
            // A page with a clock is shown again at the next minute, one with burn-in care when it moves or dims.
            if let refresh = program.nextRefresh(of: frame, after: now) { deadline = min(deadline, refresh) }
            if let beat, beat > 0 {
                daemon.reporter.beat(slot.name, of: daemon.screenNames())
                deadline = min(deadline, now + beat)
            }
            await slot.wakeup.wait(until: deadline, on: daemon.clock)
        }
    }

    /// Runs the output; when it fails, logs it, marks the screen failed and starts it again after a wait: passing
    /// trouble backs off from a second to a minute, what a person must fix is tried again only slowly (they may
    /// have fixed it) and STATUS says what to do. Other screens are not affected.
    func supervise() async {
        var failures = 0
        var outputLogger = daemon.logger
        outputLogger[metadataKey: "vitrine.screen"] = "\(slot.name)"
        outputLogger[metadataKey: "vitrine.plugin"] = "\(slot.type)"
        while !Task.isCancelled {
            let started = ContinuousClock.now
            var reason = "the output stopped"
            var needsFixing = false
            do {
                try await slot.output.run(frames: slot.mailbox.subscribe(), context: context(logger: outputLogger))
            } catch let error as OutputError {
                reason = "\(error)"
                needsFixing = error.needsFixing
            } catch {
                reason = "\(error)"
            }
            if Task.isCancelled { return }
            if ContinuousClock.now - started > .seconds(60) { failures = 0 }
            failures += 1
            let delay = needsFixing ? OutputError.slowRetry : Duration.seconds(min(60, 1 << min(failures - 1, 6)))
            if needsFixing { reason += "; tried again every \(delay.components.seconds) s" }
            slot.health = .failed(reason)
            slot.trouble = nil
            slot.hidden = nil
            daemon.notify(.outputFailed(screen: slot.name, reason: reason))
            outputLogger.error("Output failed: \(reason); restarting in \(delay).")
            daemon.screenSettled()
            daemon.publishStatus()
            try? await Task.sleep(for: delay)
        }
    }

    /// Follows the schedule's display power with the screen's television over HDMI-CEC (`power.cec`): Standby when
    /// the display goes off, Image View On when it comes on. The output switches its own panel (DPMS, FBIOBLANK).
    func power() async {
        var adapter: CECAdapter?
        var logger = daemon.logger
        logger[metadataKey: "vitrine.screen"] = "\(slot.name)"
        for await on in slot.displayChanges {
            guard let path = daemon.currentProgram().0.configuration.screen(named: slot.name)?.power.cec else {
                adapter = nil
                continue
            }
            if adapter?.path != path { adapter = nil }
            do {
                let open = try await offThePool { [adapter] in
                    let open = try adapter ?? CECAdapter(path: path)
                    try on ? open.wake() : open.standby()
                    return open
                }
                adapter = open
                slot.cec = on ? "on" : "standby"
                logger.notice(on ? "Television woken over HDMI-CEC." : "Television put in standby over HDMI-CEC.",
                              metadata: ["vitrine.device": "\(path)"])
            } catch {
                adapter = nil
                slot.cec = "failed: \(error)"
                logger.warning("HDMI-CEC: \(error).", metadata: ["vitrine.device": "\(path)"])
            }
            daemon.publishStatus()
        }
    }

    /// What the output is given: where to report, its logger, the browsers' channels.
    func context(logger: Logger) -> OutputContext {
        OutputContext(
            screen: slot.name, logger: logger,
            surfaceChanged: { [slot] surface in
                guard surface.key != slot.surface.key else { return }
                slot.surface = surface
                slot.wakeup.nudge()
            },
            shown: { [daemon, slot] frame in
                slot.confirm(frame)
                if slot.health != .showing {
                    // The first page, or back after a failure: READY=1 the first time, STATUS= every time.
                    slot.health = .showing
                    daemon.screenSettled()
                    daemon.publishStatus()
                }
                daemon.notify(.shown(screen: slot.name, frame: frame))
            },
            trouble: { [daemon, slot] trouble in
                guard slot.trouble != trouble else { return }
                slot.trouble = trouble
                daemon.publishStatus()
            },
            hidden: { [daemon, slot] reason in
                guard slot.hidden != reason else { return }
                slot.hidden = reason
                daemon.notify(.visibilityChanged(screen: slot.name, hidden: reason))
                if reason != nil, slot.health == .starting {
                    // Running, but its panel shows something else (another console): settled all the same, so the
                    // daemon is ready and STATUS says why this screen's page is not seen.
                    slot.health = .showing
                    daemon.screenSettled()
                }
                daemon.publishStatus()
            },
            browsers: daemon.browsers,
            now: { [daemon] in daemon.now() },
            flipped: { [slot] in slot.flips.add(1, ordering: .relaxed) }
        )
    }
}

/// Where the screens' runners run: children of one task group, each until its screen is asked to stop. A runner
/// is started by a message, so a reload adds screens to the group the daemon started with.
final class RunnerHost: Sendable {
    private let slots: AsyncStream<ScreenSlot>
    private let sink: AsyncStream<ScreenSlot>.Continuation

    init() { (slots, sink) = AsyncStream<ScreenSlot>.makeStream() }

    /// Runs the screen's runner, once: a screen already handed over is not started twice.
    func start(_ slot: ScreenSlot) {
        guard slot.scheduled.value == 0 else { return }
        slot.scheduled.advance(to: 1)
        sink.yield(slot)
    }

    /// No more runners: `run` returns once the running ones have finished.
    func finish() { sink.finish() }

    func run(_ body: @escaping @Sendable (ScreenSlot) async -> Void) async {
        await withDiscardingTaskGroup { group in
            for await slot in slots {
                group.addTask { await body(slot) }
            }
        }
    }
}
