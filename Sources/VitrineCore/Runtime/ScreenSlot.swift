import Synchronization
import VitrineModel
import VitrinePluginAPI

/// One running screen: its output, the surface it measured, what it shows; its runner (`ScreenRunner`) feeds and
/// supervises the output until asked to stop.
final class ScreenSlot: Sendable {
    enum Health: Sendable, Equatable {
        case starting
        case showing
        case failed(String)
    }

    let name: String
    let type: String
    /// The options as written; options of the same meaning keep the output running across reloads.
    let options: [OptionEntry]
    let output: any OutputPlugin
    let mailbox = Mailbox()
    let wakeup = Wakeup()
    /// The program generation the runner last showed: a reload waits for its kept screens to reach the new one.
    let shownGeneration = Progress()
    /// Reaches 1 when the runner was handed to the host, asked to stop, and finished.
    let scheduled = Progress()
    let stopRequested = Progress()
    let finished = Progress()
    /// Frames the output put on its panel (page flips), for /metrics: counted apart from the rest of the state,
    /// since a crossfade flips sixty times a second.
    let flips = Atomic<Int>(0)
    /// Whether the display should be on, as the schedule last said (latest wins): what `power()` follows.
    let displayChanges: AsyncStream<Bool>
    private let displaySink: AsyncStream<Bool>.Continuation
    private let state: Mutex<State>

    private struct State {
        var surface: Surface
        var health: Health = .starting
        var summary = "starting"
        var trouble: String?
        var hidden: String?
        var frame: Frame?
        /// The display's power as the screen's television was last told over HDMI-CEC ("standby", "on"), or why
        /// it could not be told.
        var cec: String?
        /// The program generation of the frame handed to the output and not yet reported shown.
        var awaiting: (frame: Frame, generation: Int)?
    }

    init(name: String, type: String, options: [OptionEntry], output: any OutputPlugin) {
        self.name = name
        self.type = type
        self.options = options
        self.output = output
        state = Mutex(State(surface: output.initialSurface))
        (displayChanges, displaySink) = AsyncStream<Bool>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// The schedule says the display should be on (true) or off.
    func display(on: Bool) { displaySink.yield(on) }

    var cec: String? {
        get { state.withLock { $0.cec } }
        set { state.withLock { $0.cec = newValue } }
    }

    var surface: Surface {
        get { state.withLock { $0.surface } }
        set { state.withLock { $0.surface = newValue } }
    }

    var health: Health {
        get { state.withLock { $0.health } }
        set { state.withLock { $0.health = newValue } }
    }

    /// What the screen shows, for STATUS: "Solidarity 2/5".
    var summary: String {
        get { state.withLock { $0.summary } }
        set { state.withLock { $0.summary = newValue } }
    }

    /// What the running output reported going wrong without stopping it.
    var trouble: String? {
        get { state.withLock { $0.trouble } }
        set { state.withLock { $0.trouble = newValue } }
    }

    /// Why the running output's page is not what the panel shows (another console is active), if it is not.
    var hidden: String? {
        get { state.withLock { $0.hidden } }
        set { state.withLock { $0.hidden = newValue } }
    }

    /// The frame last handed to the output.
    var frame: Frame? {
        get { state.withLock { $0.frame } }
        set { state.withLock { $0.frame = newValue } }
    }

    /// The runner handed `frame` of program `generation` to the output: a reload waiting for this screen is done once
    /// the output reports it shown (`confirm`). A screen that cannot show it now (failed, or its panel showing
    /// something else) does not hold the reload up.
    func handed(_ frame: Frame, generation: Int) {
        let waits = state.withLock { state -> Bool in
            guard state.health == .showing, state.hidden == nil else { return false }
            state.awaiting = (frame, generation)
            return true
        }
        if !waits { shownGeneration.advance(to: generation) }
    }

    /// The output reports `frame` on the screen.
    func confirm(_ frame: Frame) {
        let generation = state.withLock { state -> Int? in
            guard let awaiting = state.awaiting, awaiting.frame.showsSame(as: frame) else { return nil }
            state.awaiting = nil
            return awaiting.generation
        }
        if let generation { shownGeneration.advance(to: generation) }
    }

    /// Stops feeding and running the output, and waits until it has restored its device.
    func stop() async {
        mailbox.close()
        displaySink.finish()
        stopRequested.advance(to: 1)
        // A screen whose runner was never started has nothing to wait for.
        if scheduled.value > 0 { await finished.wait(for: 1) }
    }

    /// Same plugin, options of the same meaning: wherever they are written, whatever the comments and key order.
    func sameOutput(type: String, options: [OptionEntry]) -> Bool {
        self.type == type && self.options.meaning == options.meaning
    }
}
