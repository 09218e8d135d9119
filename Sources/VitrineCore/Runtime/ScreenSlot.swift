import Synchronization
import VitrineModel
import VitrinePluginAPI

/// One running screen: its output, the surface it measured, and the tasks that feed and supervise it.
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
    private let state: Mutex<State>

    private struct State {
        var surface: Surface
        var health: Health = .starting
        var summary = "starting"
        var trouble: String?
        var hidden: String?
        var frame: Frame?
        var runner: Task<Void, Never>?
        var supervisor: Task<Void, Never>?
        var generation = 0
    }

    init(name: String, type: String, options: [OptionEntry], output: any OutputPlugin) {
        self.name = name
        self.type = type
        self.options = options
        self.output = output
        state = Mutex(State(surface: output.initialSurface))
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

    /// The program generation the runner last showed.
    var generation: Int {
        get { state.withLock { $0.generation } }
        set { state.withLock { $0.generation = newValue } }
    }

    func attach(runner: Task<Void, Never>, supervisor: Task<Void, Never>) {
        state.withLock {
            $0.runner = runner
            $0.supervisor = supervisor
        }
    }

    /// Stops feeding and running the output, and waits until it has restored its device.
    func stop() async {
        let (runner, supervisor) = state.withLock { ($0.runner, $0.supervisor) }
        runner?.cancel()
        supervisor?.cancel()
        mailbox.close()
        await runner?.value
        await supervisor?.value
    }

    /// Same plugin, options of the same meaning: wherever they are written, whatever the comments and key order.
    func sameOutput(type: String, options: [OptionEntry]) -> Bool {
        self.type == type && self.options.meaning == options.meaning
    }
}
