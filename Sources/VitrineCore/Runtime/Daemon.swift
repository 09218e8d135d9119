import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VitrineModel
import VitrinePluginAPI

/// The long-running part of `vitrine run`: one runner and one output per screen, the current program, reloads.
///
/// Each runner asks the program what its screen shows, hands the frame to the output and sleeps until the answer's
/// `validUntil` (no polling). A reload is a transaction: anything that fails before the swap leaves the running
/// program untouched.
public final class Daemon: Service, Sendable {
    public struct Settings: Sendable {
        public var configPath: String
        public var registry: OutputRegistry
        public var systemTimeZone: String?
        /// Exhibits as last read; give the cache the first load used too, so the first reload reuses them.
        public var exhibitCache: ExhibitCache
        public init(configPath: String, registry: OutputRegistry, systemTimeZone: String? = nil,
                    exhibitCache: ExhibitCache = ExhibitCache()) {
            self.configPath = configPath
            self.registry = registry
            self.systemTimeZone = systemTimeZone
            self.exhibitCache = exhibitCache
        }
    }

    let settings: Settings
    let clock: any ScheduleClock
    let manager: any ServiceManager
    let logger: Logger
    private let state: Mutex<State>
    /// Reloads run one at a time.
    private let reloadLock = AsyncLock()

    private struct State {
        var program: Program
        var loadedAt: Int64
        var slots: [String: ScreenSlot] = [:]
        var order: [String] = []
        var ready = false
        var lastReload: String?
        var stopping = false
        /// Counts program swaps; each runner notes the generation it last showed.
        var generation = 0
        /// The announcements written in the configuration; live ones (from the API) are added to them.
        var configured: [Announcement] = []
        var live: [Announcement] = []
    }

    /// Starts from a program that loaded without errors.
    public init(settings: Settings, initial: ProgramLoader.Outcome, clock: any ScheduleClock = SystemClock(),
                manager: any ServiceManager = NoServiceManager(), logger: Logger) {
        precondition(initial.program != nil, "the daemon starts from a valid program")
        self.settings = settings
        self.clock = clock
        self.manager = manager
        self.logger = logger
        state = Mutex(State(program: initial.program!, loadedAt: clock.now(),
                            configured: initial.program!.configuration.announcements))
        for screen in initial.program!.configuration.screens {
            guard let output = initial.outputs[screen.name] else { continue }
            let slot = ScreenSlot(name: screen.name, type: screen.output,
                                  options: initial.screenOptions[screen.name]?.entries ?? [], output: output)
            state.withLock {
                $0.slots[screen.name] = slot
                $0.order.append(screen.name)
            }
        }
    }

    public var program: Program { state.withLock { $0.program } }

    /// The time on the schedule's clock (ms since 1970).
    public func now() -> Int64 { clock.now() }

    // MARK: Running

    public func run() async throws {
        start()
        let watchdog = manager.watchdogInterval
        if let watchdog { logger.info("Watchdog enabled.", metadata: ["vitrine.interval": "\(watchdog)"]) }

        // Everything runs in the screens' own tasks; this waits for SIGTERM/SIGINT (or cancellation).
        try? await gracefulShutdown()
        state.withLock { $0.stopping = true }
        manager.stopping(status: "stopping")
        logger.info("Stopping.")
        // An output stuck in a device write cannot be interrupted: give the outputs a few seconds to restore their
        // devices, then exit anyway rather than hang the service manager's stop.
        let stopped = Mutex(false)
        let stopping = Task {
            await self.stopAll()
            stopped.withLock { $0 = true }
        }
        let deadline = ContinuousClock.now + .seconds(3)
        while !stopped.withLock({ $0 }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if !stopped.withLock({ $0 }) {
            logger.error("An output did not stop within 3 seconds; exiting without it.")
            _ = stopping
        }
    }

    /// Starts every screen's runner and output (`run` does this; tests call it directly).
    public func start() {
        let slots = state.withLock { state in state.order.compactMap { state.slots[$0] } }
        for slot in slots { start(slot) }
    }

    /// Stops every screen and waits until each output has restored its device.
    public func stopAll() async {
        let slots = state.withLock { state in state.order.compactMap { state.slots[$0] } }
        await withTaskGroup(of: Void.self) { group in
            for slot in slots { group.addTask { await slot.stop() } }
        }
    }

    func start(_ slot: ScreenSlot) {
        let runner = Task { await self.runScreen(slot) }
        let supervisor = Task { await self.supervise(slot) }
        slot.attach(runner: runner, supervisor: supervisor)
    }

    /// The screen's loop: ask, show, sleep until the answer expires (or a reload or resize nudges it).
    func runScreen(_ slot: ScreenSlot) async {
        var last: Frame?
        let beat = manager.watchdogInterval.map { Int64($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) / 2 }
        while !Task.isCancelled {
            let (program, generation) = state.withLock { ($0.program, $0.generation) }
            let now = clock.now()
            let surface = slot.surface
            guard let presentation = program.presentation(for: slot.name, at: now, surface: surface) else { return }
            let frame = program.frame(for: presentation, surface: surface, at: now)
            if last.map({ !$0.showsSame(as: frame) }) ?? true {
                // The summary first: the output may report the frame shown (and the daemon ready) at once.
                slot.summary = frame.summary
                slot.frame = frame
                slot.mailbox.send(frame)
                last = frame
                publishStatus()
                var metadata: Logger.Metadata = ["vitrine.screen": "\(slot.name)", "vitrine.page": "\(slot.summary)"]
                if case let .exhibit(id, _, _) = presentation.content { metadata["vitrine.exhibit"] = "\(id)" }
                logger.debug("Showing.", metadata: metadata)
            }
            slot.generation = generation
            var deadline = presentation.validUntil
            // A page with a clock is shown again at the next minute.
            if frame.clock != nil { deadline = min(deadline, (now / 60_000 + 1) * 60_000) }
            if let beat, beat > 0 {
                beatWatchdog(slot.name)
                deadline = min(deadline, now + beat)
            }
            await slot.wakeup.wait(until: deadline, on: clock)
        }
    }

    /// Runs the output; when it fails, logs it, marks the screen failed and starts it again after a capped
    /// exponential backoff. Other screens are not affected.
    func supervise(_ slot: ScreenSlot) async {
        var failures = 0
        let outputLogger: Logger = {
            var l = logger
            l[metadataKey: "vitrine.screen"] = "\(slot.name)"
            l[metadataKey: "vitrine.plugin"] = "\(slot.type)"
            return l
        }()
        while !Task.isCancelled {
            let context = OutputContext(
                screen: slot.name, logger: outputLogger,
                surfaceChanged: { [slot] surface in
                    guard surface.key != slot.surface.key else { return }
                    slot.surface = surface
                    slot.wakeup.nudge()
                },
                shown: { [self, slot] frame in
                    if slot.health != .showing {
                        slot.health = .showing
                        screenSettled()
                    }
                    notify(.shown(screen: slot.name, frame: frame))
                },
                trouble: { [self, slot] trouble in
                    guard slot.trouble != trouble else { return }
                    slot.trouble = trouble
                    publishStatus()
                },
                hidden: { [self, slot] reason in
                    guard slot.hidden != reason else { return }
                    slot.hidden = reason
                    notify(.visibilityChanged(screen: slot.name, hidden: reason))
                    if reason != nil, slot.health == .starting {
                        // Running, but its panel shows something else (another console): settled all the same, so
                        // the daemon is ready and STATUS says why this screen's page is not seen.
                        slot.health = .showing
                        screenSettled()
                    }
                    publishStatus()
                }
            )
            let started = ContinuousClock.now
            var reason = "the output stopped"
            var needsFixing = false
            do {
                try await slot.output.run(frames: slot.mailbox.subscribe(), context: context)
            } catch let error as OutputError {
                reason = "\(error)"
                needsFixing = error.needsFixing
            } catch {
                reason = "\(error)"
            }
            if Task.isCancelled { return }
            if ContinuousClock.now - started > .seconds(60) { failures = 0 }
            failures += 1
            // Passing trouble backs off from a second to a minute; what a person must fix is tried again only slowly
            // (they may have fixed it), and STATUS says what to do.
            let delay = needsFixing ? OutputError.slowRetry : Duration.seconds(min(60, 1 << min(failures - 1, 6)))
            if needsFixing { reason += "; tried again every \(delay.components.seconds) s" }
            slot.health = .failed(reason)
            slot.trouble = nil
            slot.hidden = nil
            notify(.outputFailed(screen: slot.name, reason: reason))
            outputLogger.error("Output failed: \(reason); restarting in \(delay).")
            screenSettled()
            publishStatus()
            try? await Task.sleep(for: delay)
        }
    }

    // MARK: Watchdog and readiness

    private let beats = Mutex<Set<String>>([])

    /// Pings systemd once every running screen has gone round its loop since the last ping: a wedged runner stops
    /// the pings and systemd restarts the daemon.
    func beatWatchdog(_ screen: String) {
        let names = state.withLock { Set($0.order) }
        let ping = beats.withLock { beats -> Bool in
            beats.insert(screen)
            guard beats.isSuperset(of: names) else { return false }
            beats.removeAll()
            return true
        }
        if ping { manager.watchdog() }
    }

    /// READY=1 once every screen has shown its first page, or failed trying (reported in STATUS).
    func screenSettled() {
        let becameReady = state.withLock { state -> Bool in
            guard !state.ready else { return false }
            let settled = state.order.allSatisfy { state.slots[$0]?.health != .starting }
            if settled { state.ready = true }
            return settled
        }
        if becameReady {
            manager.ready(status: statusLine())
            logger.info("Ready.", metadata: ["vitrine.status": "\(statusLine())"])
        }
    }

    /// "2 screens · program 2026-11-29 14:02 · hall-a: Solidarity 2/5 · lobby: failed (…)"
    public func statusLine() -> String {
        let (program, loadedAt, slots, lastReload) = state.withLock { state in
            (state.program, state.loadedAt, state.order.compactMap { state.slots[$0] }, state.lastReload)
        }
        var parts = ["\(slots.count) screen\(slots.count == 1 ? "" : "s")",
                     "program \(program.calendar.format(loadedAt))"]
        if let lastReload { parts.append(lastReload) }
        for slot in slots {
            switch slot.health {
            case let .failed(reason): parts.append("\(slot.name): failed (\(reason))")
            case .showing where slot.hidden != nil:
                parts.append("\(slot.name): not showing \(slot.summary) (\(slot.hidden!))")
            default: parts.append("\(slot.name): \(slot.summary)" + (slot.trouble.map { " (\($0))" } ?? ""))
            }
        }
        return parts.joined(separator: " · ")
    }

    func publishStatus() {
        let (ready, stopping) = state.withLock { ($0.ready, $0.stopping) }
        if ready, !stopping { manager.status(statusLine()) }
    }

    // MARK: Frames



    // MARK: Reload

    /// Reads the configuration and content again and swaps them in; on any failure the running program stays.
    /// Returns nil on success, or the reason it failed.
    @discardableResult
    public func reload() async -> String? {
        await reloadLock.withLock { await self.reloadNow() }
    }

    private func reloadNow() async -> String? {
        manager.reloading(status: "reloading \(settings.configPath)")
        logger.info("Reloading.", metadata: ["vitrine.config": "\(settings.configPath)"])
        let loader = ProgramLoader(registry: settings.registry, systemTimeZone: settings.systemTimeZone,
                                   exhibitCache: settings.exhibitCache)
        let outcome = loader.load(path: settings.configPath)
        for diagnostic in outcome.diagnostics {
            let level: Logger.Level = diagnostic.severity == .error ? .error : .warning
            logger.log(level: level, "\(diagnostic)")
        }
        let old = state.withLock { $0 }
        guard var program = outcome.program else {
            let first = outcome.diagnostics.errors.first.map(\.description) ?? "the configuration is not valid"
            let count = outcome.diagnostics.errors.count
            let summary = "reload failed: \(first)\(count > 1 ? " (and \(count - 1) more)" : "")"
                + " (still running program of \(old.program.calendar.format(old.loadedAt)))"
            state.withLock { $0.lastReload = summary }
            manager.ready(status: statusLine())
            logger.error("Reload failed; the running program stays.", metadata: ["vitrine.error": "\(first)"])
            notify(.reloaded(failure: summary))
            return summary
        }

        // An exhibit that was fine and now has errors keeps its last good version, whether the new one could not be
        // read at all or only in part (a summary of the wrong type, a picture not copied yet): nothing is lost
        // mid-edit. At start-up there is no earlier version, and what could be read is shown.
        var exhibits = program.exhibits
        var kept = false
        for (id, exhibit) in old.program.exhibits where outcome.hasErrors {
            if outcome.diagnostics.errors.contains(where: { $0.file.hasPrefix(URL(fileURLWithPath: exhibit.sourcePath)
                .deletingLastPathComponent().path + "/") || $0.file == exhibit.sourcePath })
            {
                exhibits[id] = exhibit
                kept = true
                logger.warning("Keeping the last good version of an exhibit with errors.",
                               metadata: ["vitrine.exhibit": "\(id)"])
            }
        }
        if kept { program = program.with(exhibits: exhibits) }
        program = program.reusingPages(of: old.program)

        // Plan: keep screens whose output and options did not change; replace or remove the rest.
        var keep: [String: ScreenSlot] = [:]
        var create: [ScreenSlot] = []
        for screen in program.configuration.screens {
            let options = outcome.screenOptions[screen.name]?.entries ?? []
            if let slot = old.slots[screen.name], slot.sameOutput(type: screen.output, options: options) {
                keep[screen.name] = slot
            } else if let output = outcome.outputs[screen.name] {
                create.append(ScreenSlot(name: screen.name, type: screen.output, options: options, output: output))
            }
        }
        let retire = old.slots.values.filter { keep[$0.name] == nil }
        let keptClaims = Set(keep.values.flatMap(\.output.claims))
        if let clash = create.first(where: { !keptClaims.isDisjoint(with: $0.output.claims) }) {
            let summary = "reload failed: screen \(clash.name) would use \(clash.output.claims.joined(separator: ", ")), "
                + "which another screen holds (still running program of \(old.program.calendar.format(old.loadedAt)))"
            state.withLock { $0.lastReload = summary }
            manager.ready(status: statusLine())
            logger.error("\(summary)")
            notify(.reloaded(failure: summary))
            return summary
        }

        // Swap. Replaced outputs let go of their devices before the new ones take them.
        for slot in retire { await slot.stop() }
        let now = clock.now()
        let generation = state.withLock { state -> Int in
            state.generation += 1
            state.configured = program.configuration.announcements
            // Live announcements outlast a reload; those whose screens are gone or that have ended are dropped.
            let names = Set(program.configuration.screens.map(\.name))
            state.live.removeAll { $0.end <= now || ($0.screens.map { !names.isSuperset(of: $0) } ?? false) }
            state.program = program.with(announcements: state.configured + state.live)
            state.loadedAt = now
            state.slots = keep
            state.order = program.configuration.screens.map(\.name)
            for slot in create { state.slots[slot.name] = slot }
            state.lastReload = nil
            return state.generation
        }
        for slot in create { start(slot) }
        for slot in keep.values { slot.wakeup.nudge() }
        let createdNames = Set(create.map(\.name))
        let changed = create.map(\.name) + retire.map(\.name).filter { !createdNames.contains($0) }.map { "-\($0)" }
        let note = changed.isEmpty ? "reloaded" : "reloaded (restarted \(changed.joined(separator: ", ")))"
        logger.info("Reloaded.", metadata: ["vitrine.restarted": "\(changed)"])
        // Report once the kept screens show the new program (they were nudged; this takes microseconds).
        let deadline = ContinuousClock.now + .seconds(2)
        while keep.values.contains(where: { $0.generation < generation }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(2))
        }
        manager.ready(status: statusLine() + " · " + note)
        notify(.reloaded(failure: nil))
        return nil
    }

    // MARK: Live announcements

    /// Shows a message or an exhibit on some or all screens for a while, pre-empting their playlists; screens
    /// change at once. Lasts until its end or a withdrawal (`AnnouncementStore` keeps it across restarts).
    public func announce(_ announcement: Announcement) {
        let slots = state.withLock { state -> [ScreenSlot] in
            state.live.removeAll { $0.id == announcement.id }
            state.live.append(announcement)
            state.generation += 1
            state.program = state.program.with(announcements: state.configured + state.live)
            return Array(state.slots.values)
        }
        for slot in slots { slot.wakeup.nudge() }
        logger.notice("Announcement.", metadata: ["vitrine.announcement": "\(announcement.id)"])
        notify(.announcementsChanged(liveAnnouncements))
    }

    /// Withdraws a live announcement; false when there is none with that id.
    @discardableResult
    public func withdraw(announcement id: String) -> Bool {
        let (found, slots) = state.withLock { state -> (Bool, [ScreenSlot]) in
            guard state.live.contains(where: { $0.id == id }) else { return (false, []) }
            state.live.removeAll { $0.id == id }
            state.generation += 1
            state.program = state.program.with(announcements: state.configured + state.live)
            return (true, Array(state.slots.values))
        }
        for slot in slots { slot.wakeup.nudge() }
        if found {
            logger.notice("Announcement withdrawn.", metadata: ["vitrine.announcement": "\(id)"])
            notify(.announcementsChanged(liveAnnouncements))
        }
        return found
    }

    /// The live announcements that have not ended.
    public var liveAnnouncements: [Announcement] {
        let now = clock.now()
        return state.withLock { $0.live.filter { $0.end > now } }
    }

    // MARK: Observers and status

    /// What happens in the daemon, for the dashboard, the metrics and the play log.
    public enum Event: Sendable {
        /// An output reports a frame on its screen.
        case shown(screen: String, frame: Frame)
        /// An output failed; it is restarted after a backoff.
        case outputFailed(screen: String, reason: String)
        /// A reload finished: nil when the new program runs, else why the old one stays.
        case reloaded(failure: String?)
        /// A running output's page stopped (reason) or started again (nil) being what its panel shows.
        case visibilityChanged(screen: String, hidden: String?)
        /// A live announcement was made or withdrawn: these are the live ones now.
        case announcementsChanged([Announcement])
    }

    private let observers = Mutex<[@Sendable (Event) -> Void]>([])

    /// Calls `observer` on every event, from the daemon's tasks: it must return quickly.
    public func observe(_ observer: @escaping @Sendable (Event) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    func notify(_ event: Event) {
        for observer in observers.withLock({ $0 }) { observer(event) }
    }

    public struct Status: Sendable {
        public struct Screen: Sendable {
            public var name: String
            public var output: String
            /// "starting", "showing", "hidden" (running, but another console is on the panel) or "failed".
            public var health: String
            public var failure: String?
            /// Why the page is not visible, when health is "hidden".
            public var hidden: String?
            /// Trouble that leaves the screen running (a remote display not answering).
            public var trouble: String?
            /// "Solidarity 2/5".
            public var summary: String
            public var frame: Frame?
            /// The size the output measured: pages are laid out for it.
            public var surface: Surface
        }
        public var screens: [Screen]
        public var ready: Bool
        /// When the running program was loaded (ms since 1970).
        public var loadedAt: Int64
        /// The last reload's failure, while the old program runs.
        public var lastReload: String?
        /// The STATUS line systemd shows.
        public var line: String
        public var configPath: String
        /// The schedule's clock when this was taken (ms since 1970).
        public var now: Int64
    }

    public func status() -> Status {
        let (slots, ready, loadedAt, lastReload) = state.withLock { state in
            (state.order.compactMap { state.slots[$0] }, state.ready, state.loadedAt, state.lastReload)
        }
        let screens = slots.map { slot -> Status.Screen in
            var health = "starting", failure: String?
            switch slot.health {
            case .starting: break
            case .showing: health = slot.hidden == nil ? "showing" : "hidden"
            case let .failed(reason):
                health = "failed"
                failure = reason
            }
            return Status.Screen(name: slot.name, output: slot.type, health: health, failure: failure,
                                 hidden: health == "hidden" ? slot.hidden : nil, trouble: slot.trouble, summary: slot.summary, frame: slot.frame, surface: slot.surface)
        }
        return Status(screens: screens, ready: ready, loadedAt: loadedAt, lastReload: lastReload, line: statusLine(),
                      configPath: settings.configPath, now: clock.now())
    }
}

/// A mutual exclusion usable across suspension points.
final class AsyncLock: Sendable {
    private let state = Mutex<(locked: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func withLock<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        await acquire()
        defer { release() }
        return await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if !state.locked {
                    state.locked = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
