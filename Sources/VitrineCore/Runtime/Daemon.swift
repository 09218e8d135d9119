import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VitrineModel
import VitrinePluginAPI

/// The long-running part of `vitrine run`, a service in the program's group: the current program and its swaps
/// (reloads, live announcements), one `ScreenRunner` per screen, the `StatusReporter` for READY, STATUS and the
/// watchdog, and the events observers follow.
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
        /// Pages as laid out; give it the first load's program's book too. Written to its file once the screens are
        /// up and after each reload.
        public var pageBook: PageBook
        /// The channels outputs that serve browsers publish on, and the HTTP listener streams.
        public var browsers: BrowserChannels
        /// This program's version and commit, reported in the status.
        public var build: BuildInfo
        public init(configPath: String, registry: OutputRegistry, systemTimeZone: String? = nil,
                    exhibitCache: ExhibitCache = ExhibitCache(), pageBook: PageBook = PageBook(),
                    browsers: BrowserChannels = BrowserChannels(), build: BuildInfo = .unstamped) {
            self.configPath = configPath
            self.registry = registry
            self.systemTimeZone = systemTimeZone
            self.exhibitCache = exhibitCache
            self.pageBook = pageBook
            self.browsers = browsers
            self.build = build
        }
    }

    let settings: Settings
    let clock: any ScheduleClock
    let manager: any ServiceManager
    let logger: Logger
    let reporter: StatusReporter
    private let state: Mutex<State>
    /// Reloads run one at a time.
    private let reloadLock = AsyncLock()

    private struct State {
        var program: Program
        var loadedAt: Int64
        var slots: [String: ScreenSlot] = [:]
        var order: [String] = []
        var lastReload: String?
        /// Exhibits with errors in the files last read, and what is shown of each.
        var exhibitProblems: [ExhibitProblem] = []
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
        reporter = StatusReporter(manager: manager, logger: logger)
        state = Mutex(State(program: initial.program!, loadedAt: clock.now(),
                            exhibitProblems: ExhibitProblem.found(in: initial, shown: initial.program!, earlier: nil),
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

    /// The output types this daemon knows.
    public var registry: OutputRegistry { settings.registry }

    /// The channels its browser-serving outputs publish on.
    public var browsers: BrowserChannels { settings.browsers }

    /// The time on the schedule's clock (ms since 1970).
    public func now() -> Int64 { clock.now() }

    // MARK: Running

    /// The screens' runners, children of one task group (`RunnerHost`).
    private let host = RunnerHost()
    /// The task that hosts them: started once, by `run` or by a test's `start()`.
    private let hostTask = Mutex<Task<Void, Never>?>(nil)

    public func run() async throws {
        start()
        if let watchdog = manager.watchdogInterval {
            logger.info("Watchdog enabled.", metadata: ["vitrine.interval": "\(watchdog)"])
        }
        // Everything runs in the screens' runners; this waits for SIGTERM/SIGINT (or cancellation).
        try? await gracefulShutdown()
        reporter.stopping()
        logger.info("Stopping.")
        // An output stuck in a device write cannot be interrupted: the outputs get a few seconds to restore their
        // devices, then the daemon exits without the stuck one rather than hold up the service manager's stop.
        // (That is why the stop runs in a task of its own: a child task would have to be waited for.)
        let stopped = Progress()
        Task {
            await self.stopAll()
            stopped.advance(to: 1)
        }
        if await stopped.wait(for: 1, atMost: .seconds(3)) {
            host.finish()
            await hostTask.withLock { $0 }?.value
        } else {
            logger.error("An output did not stop within 3 seconds; exiting without it.")
        }
    }

    /// Starts every screen's runner and output (`run` does this; tests that drive the daemon without a service
    /// group call it directly).
    public func start() {
        hostTask.withLock { task in
            guard task == nil else { return }
            task = Task { await self.host.run { slot in await ScreenRunner(daemon: self, slot: slot).run() } }
        }
        for slot in slots() { host.start(slot) }
    }

    /// Stops every screen and waits until each output has restored its device.
    public func stopAll() async {
        let slots = slots()
        await withTaskGroup(of: Void.self) { group in
            for slot in slots { group.addTask { await slot.stop() } }
        }
    }

    // MARK: What the runners ask

    /// The program the screens show and its generation.
    func currentProgram() -> (Program, Int) { state.withLock { ($0.program, $0.generation) } }

    func slots() -> [ScreenSlot] { state.withLock { state in state.order.compactMap { state.slots[$0] } } }

    /// When the running program was loaded, and why the last reload failed if it did.
    func loaded() -> (at: Int64, lastReload: String?) { state.withLock { ($0.loadedAt, $0.lastReload) } }

    /// Exhibits with errors in the files last read, and what is shown of each (until they are fixed).
    public var exhibitProblems: [ExhibitProblem] { state.withLock { $0.exhibitProblems } }

    func screenNames() -> Set<String> { state.withLock { Set($0.order) } }

    /// READY=1 once every screen has shown its first page, or failed trying (reported in STATUS).
    func screenSettled() {
        let settled = slots().allSatisfy { $0.health != .starting }
        reporter.settle(settled, line: statusLine())
        if settled { keepPages() }
    }

    /// Writes the pages' timings laid out since the last write (nothing when none were), on a Dispatch thread:
    /// the screens are up, and the next start lays out only what changes meanwhile.
    func keepPages() {
        let book = settings.pageBook
        guard book.file != nil else { return }
        let logger = logger
        DispatchQueue.global(qos: .utility).async {
            do {
                try book.save()
            } catch {
                logger.warning("Cannot keep the pages' timings for the next start: \(error)",
                               metadata: ["vitrine.path": "\(book.file ?? "")"])
            }
        }
    }

    /// "2 screens · program 2026-11-29 14:02 · hall-a: Solidarity 2/5 · lobby: failed (…)"
    public func statusLine() -> String {
        let (program, loadedAt, slots, lastReload, problems) = state.withLock { state in
            (state.program, state.loadedAt, state.order.compactMap { state.slots[$0] }, state.lastReload,
             state.exhibitProblems)
        }
        var parts = ["\(slots.count) screen\(slots.count == 1 ? "" : "s")",
                     "program \(program.calendar.format(loadedAt))"]
        // Today's hours, where the venue has any (what the displays' power follows).
        let hours = program.hoursOfTheDay(at: clock.now())
        if hours != "00:00-24:00" { parts.append(hours == "closed" ? "closed today" : "open \(hours)") }
        if let lastReload { parts.append(lastReload) }
        // Before the screens, so that STATUS's 400 characters keep it; the message itself is in the log, the API
        // and the dashboard.
        if let first = problems.first {
            parts.append(first.briefly(in: program.configuration.contentFolder)
                         + (problems.count > 1 ? " (and \(problems.count - 1) more exhibits with errors)" : ""))
        }
        for slot in slots {
            switch slot.health {
            case let .failed(reason): parts.append("\(slot.name): failed (\(reason))")
            case .showing where slot.hidden != nil:
                parts.append("\(slot.name): not showing \(slot.summary) (\(slot.hidden!))")
            default:
                let troubles = [slot.trouble, slot.cec.flatMap { $0.hasPrefix("failed") ? "HDMI-CEC \($0)" : nil }]
                    .compactMap { $0 }
                parts.append("\(slot.name): \(slot.summary)" + (troubles.isEmpty ? "" : " (\(troubles.joined(separator: "; ")))"))
            }
        }
        return parts.joined(separator: " · ")
    }

    func publishStatus() { reporter.publish(statusLine()) }

    // MARK: Reload

    /// Reads the configuration and content again and swaps them in; on any failure the running program stays.
    /// Returns nil on success, or the reason it failed.
    @discardableResult
    public func reload() async -> String? {
        await reloadLock.withLock { await self.reloadNow() }
    }

    private func reloadNow() async -> String? {
        reporter.reloading(status: "reloading \(settings.configPath)")
        logger.info("Reloading.", metadata: ["vitrine.config": "\(settings.configPath)"])
        let loader = ProgramLoader(registry: settings.registry, systemTimeZone: settings.systemTimeZone,
                                   exhibitCache: settings.exhibitCache, pageBook: settings.pageBook)
        let outcome = loader.load(path: settings.configPath)
        let old = state.withLock { $0 }
        // An exhibit shown at an older version is not "left out": that warning would contradict the one below.
        let keptIDs = outcome.program == nil
            ? [] : Set(outcome.exhibitProblems.keys.filter { old.program.exhibits[$0] != nil })
        for diagnostic in outcome.diagnostics where diagnostic.exhibit.map({ !keptIDs.contains($0) }) ?? true {
            let level: Logger.Level = diagnostic.severity == .error ? .error : .warning
            logger.log(level: level, "\(diagnostic)")
        }
        guard var program = outcome.program else {
            let first = outcome.diagnostics.errorsMostActionableFirst.first.map(\.description)
                ?? "the configuration is not valid"
            let count = outcome.diagnostics.errors.count
            let summary = "reload failed: \(first)\(count > 1 ? " (and \(count - 1) more)" : "")"
                + " (still running program of \(old.program.calendar.format(old.loadedAt)))"
            state.withLock { $0.lastReload = summary }
            reporter.reloaded(status: statusLine())
            logger.error("Reload failed; the running program stays.", metadata: ["vitrine.error": "\(first)"])
            notify(.reloaded(failure: summary))
            return summary
        }

        // An exhibit that was fine and now has errors keeps its last good version, whether the new one could not be
        // read at all or only in part (a summary of the wrong type, a picture not copied yet): nothing is lost
        // mid-edit. At start-up there is no earlier version, and what could be read is shown.
        var exhibits = program.exhibits
        for id in keptIDs.sorted() { exhibits[id] = old.program.exhibits[id] }
        if !keptIDs.isEmpty { program = program.with(exhibits: exhibits) }
        // What the running program worked out of the schedule and still holds is not worked out again.
        program = program.continuing(old.program)
        let problems = ExhibitProblem.found(in: outcome, shown: program, earlier: (old.program, old.exhibitProblems))
        for problem in problems {
            logger.warning("Exhibit with errors: \(problem.shown.rawValue) until they are fixed.", metadata: [
                "vitrine.exhibit": "\(problem.exhibit)", "vitrine.error": "\(problem.error.placeAndMessage)",
            ])
        }

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
            reporter.reloaded(status: statusLine())
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
            state.exhibitProblems = problems
            return state.generation
        }
        for slot in create { host.start(slot) }
        for slot in keep.values { slot.wakeup.nudge() }
        let createdNames = Set(create.map(\.name))
        let changed = create.map(\.name) + retire.map(\.name).filter { !createdNames.contains($0) }.map { "-\($0)" }
        var note = changed.isEmpty ? "reloaded" : "reloaded (restarted \(changed.joined(separator: ", ")))"
        if !problems.isEmpty { note += ", in part: \(problems.count) exhibit\(problems.count == 1 ? "" : "s") with errors" }
        logger.info("Reloaded.", metadata: ["vitrine.restarted": "\(changed)"])
        // Report once the kept screens show the new program (they were nudged; this takes microseconds).
        await withTaskGroup(of: Void.self) { group in
            for slot in keep.values {
                group.addTask { _ = await slot.shownGeneration.wait(for: generation, atMost: .seconds(2)) }
            }
        }
        reporter.reloaded(status: statusLine() + " · " + note)
        notify(.reloaded(failure: nil))
        keepPages()
        // The running program is let go of only now: freeing its tables (10,000 exhibits) need not delay READY=1.
        withExtendedLifetime(old) {}
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

}
