import Synchronization
import VitrinePluginAPI

/// What a recording output saw, for assertions.
public final class Recorder: Sendable {
    public struct Entry: Sendable {
        public var frame: Frame
        /// Milliseconds since 1970 on the daemon's clock when the frame arrived.
        public var at: Int64
    }
    private let state = Mutex<(entries: [Entry], runs: Int, failNextRuns: Int)>(([], 0, 0))
    let clock: @Sendable () -> Int64

    public init(clock: @escaping @Sendable () -> Int64) { self.clock = clock }

    public var entries: [Entry] { state.withLock { $0.entries } }
    /// How many times the output was started.
    public var runs: Int { state.withLock { $0.runs } }
    /// Makes the next `count` runs throw at once, as a failing device would.
    public func failNextRuns(_ count: Int) { state.withLock { $0.failNextRuns = count } }

    func record(_ frame: Frame) { state.withLock { $0.entries.append(Entry(frame: frame, at: clock())) } }
    func started() -> Bool {
        state.withLock { state in
            state.runs += 1
            if state.failNextRuns > 0 {
                state.failNextRuns -= 1
                return false
            }
            return true
        }
    }

    // Tests name their recorder in the screen's options; the table is the test kit's, not the daemon's.
    static let table = Mutex<[String: Recorder]>([:])
    public func register(as name: String) { Self.table.withLock { $0[name] = self } }
}

/// An output that records every frame it is given instead of drawing it: `output: recording`, `recorder: NAME`.
public struct RecordingOutput: OutputPlugin {
    public static let type = "recording"
    public static let summary = "Records frames (tests only)"
    static let recorderName = Key("recorder", .text, "The recorder registered by the test.")
    static let device = Key("device", .text, "A resource name to claim, for reload tests.")
    static let hidden = Key("hidden", .text,
                               "Reports the page hidden for this reason instead of shown (a panel on another console).")
    public static let options = [recorderName.spec, device.spec, hidden.spec]
    let recorder: Recorder?
    let device: String?
    let hidden: String?

    public init?(screen: String, options reader: OptionsReader) {
        recorder = reader[Self.recorderName].flatMap { name in Recorder.table.withLock { $0[name] } }
        device = reader[Self.device]
        hidden = reader[Self.hidden]
    }

    public var claims: [String] { device.map { [$0] } ?? [] }

    struct Failure: Error {}

    public func run(frames: AsyncStream<Frame>, context: OutputContext) async throws {
        guard recorder?.started() ?? true else { throw Failure() }
        for await frame in frames {
            recorder?.record(frame)
            if let hidden { context.hidden(hidden) } else { context.shown(frame) }
        }
    }
}
