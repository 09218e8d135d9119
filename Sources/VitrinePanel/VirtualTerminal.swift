import CFramebuffer
import Dispatch
import Foundation
import Glibc
import Synchronization
import VitrinePluginAPI

/// The virtual terminal (text console) a framebuffer screen is shown on, held for as long as the screen runs.
///
/// The text console and the picture share the framebuffer: whatever the active VT is, its owner draws. So the output
/// makes its VT the active one, puts it in graphics mode (`KD_GRAPHICS`: the console stops drawing text, cursor
/// and kernel messages) and takes over switching (`VT_PROCESS`): a switch away (Ctrl-Alt-F1 for a login) waits
/// until the frame being written is finished, and a switch back tells the output to paint its page again, since
/// the console that was shown meanwhile left its text in the framebuffer.
///
/// Anything that resets the console under the screen (a getty's terminal reset, `setfont`, a `reset` typed by
/// someone) puts it back in text mode without telling anyone: `check()` notices and takes it back.
public final class VirtualTerminal: @unchecked Sendable {
    /// What the screen's viewers see, as far as the console goes.
    public enum Sight: Equatable {
        /// The page is visible; `epoch` changes each time the VT came back and the page must be painted again.
        case shown(epoch: Int)
        /// Another console is on the panel, or the switch to this one is still waiting.
        case hidden(String)
        /// The console was hung up under the screen (a login or getty on it ended, `vhangup`): this open file of it
        /// is dead, and the console must be opened and taken again.
        case lost(String)
    }

    public let path: String
    /// N of /dev/ttyN.
    public let number: Int
    private let fd: Int32
    /// Told (latest wins) when the VT was released or acquired: the output looks at `check()` again.
    public let changes: AsyncStream<Void>
    private let poke: AsyncStream<Void>.Continuation
    /// Called when the panel is given to another console, with no frame being drawn: a DRM screen drops its master
    /// role here, so the console shown next can set its own mode.
    public var onRelease: (@Sendable () -> Void)?
    /// Why switching or graphics mode could not be set up, for the log.
    public private(set) var problems: [String] = []

    private struct Gate {
        /// Not the active VT: nothing may be drawn.
        var released = false
        var epoch = 0
    }
    /// Held while a frame is written, and by a release before it lets the switch happen.
    private let gate = Mutex(Gate())
    private let owner = OwnerThread()
    private let queue = DispatchQueue(label: "vitrine.console")
    private var sources: [any DispatchSourceSignal] = []
    /// Whether this screen put the console in graphics mode (and so must put it back in text mode).
    private var inGraphics = false
    /// The VT that was active when the screen first took this one: it is shown again when the screen stops.
    private var previous: Int?
    private var processControlled = false
    private var closed = false

    static let releaseSignal = SIGUSR1
    static let acquireSignal = SIGUSR2

    /// Opens the console (`/dev/tty0` means the one active now). Touches nothing yet: see `take()`.
    public init(path: String) throws {
        // Write access is all a console gives its group (crw--w---- root:tty), and all the ioctls need.
        var fd = Glibc.open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            throw OutputError.system("open", path, errno: errno, fix: "the service user needs the tty group")
        }
        var status = stat()
        var number = -1
        if fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFCHR {
            // Virtual terminals are character devices 4:0 to 4:63 (4:64 and up are serial lines).
            let device = UInt64(status.st_rdev)
            let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff)
            let minor = (device & 0xff) | ((device >> 12) & ~0xff)
            if major == 4, minor < 64 { number = Int(minor) }
        }
        guard number >= 0 else {
            Glibc.close(fd)
            throw OutputError.system("console", path, errno: ENOTTY,
                                     fix: "give a virtual terminal such as /dev/tty7; `tty: none` leaves consoles alone")
        }
        var resolvedPath = path
        if number == 0 {
            // /dev/tty0 is whichever console is active: hold that one by its own name, so a switch is seen.
            var state = vt_stat()
            guard ioctl(fd, UInt(VT_GETSTATE), &state) == 0 else {
                let error = errno
                Glibc.close(fd)
                throw OutputError.system("VT_GETSTATE", path, errno: error)
            }
            Glibc.close(fd)
            number = Int(state.v_active)
            resolvedPath = "/dev/tty\(number)"
            fd = Glibc.open(resolvedPath, O_WRONLY | O_NOCTTY | O_CLOEXEC)
            guard fd >= 0 else { throw OutputError.system("open", resolvedPath, errno: errno) }
        }
        self.fd = fd
        self.path = resolvedPath
        self.number = number
        (changes, poke) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Graphics mode, process-controlled switching, and this VT made the active one.
    /// `returnTo` is the console to show again when the screen stops, if an earlier run of the screen noted one
    /// (a screen started again after a failure finds its own console active).
    public func take(returnTo: Int? = nil) async {
        previous = returnTo
        // The cursor first: fbcon's blink timer checks only whether the cursor is on, and a cursor drawn just
        // before the switch is not erased by it (seen in a QEMU guest: a block over the page at the login prompt).
        write("\u{1B}[?25l")
        if ioctl(fd, UInt(KDSETMODE), Int32(KD_GRAPHICS)) == 0 {
            inGraphics = true
        } else {
            problems.append("cannot switch \(path) to graphics mode: \(String(cString: strerror(errno)))"
                + (errno == EPERM ? " (needs CAP_SYS_TTY_CONFIG, as the packaged unit gives)" : ""))
        }
        Self.prepareSignals()
        let release = DispatchSource.makeSignalSource(signal: Self.releaseSignal, queue: queue)
        release.setEventHandler { [weak self] in self?.releaseRequested() }
        let acquire = DispatchSource.makeSignalSource(signal: Self.acquireSignal, queue: queue)
        acquire.setEventHandler { [weak self] in self?.acquireRequested() }
        sources = [release, acquire]
        for source in sources { source.resume() }
        if let failure = controlSwitching() {
            problems.append("\(failure): a switch to another console and back leaves its text on the panel until "
                + "the next check")
        }
        let active = activeNumber()
        gate.withLock { $0.released = active != number }
        guard let active, active != number else { return }
        previous = previous ?? active
        guard ioctl(fd, UInt(VT_ACTIVATE), Int32(number)) == 0 else {
            problems.append("cannot make \(path) the active console: \(String(cString: strerror(errno)))")
            return
        }
        // The kernel switches a moment later; a console held by another program (a desktop) may delay it. Wait a
        // little, so a screen starting up is not reported hidden for those milliseconds.
        var waited = 0
        while activeNumber() != number, waited < 50 {
            try? await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        if activeNumber() == number { gate.withLock { $0.released = false } }
    }

    /// Runs `draw` unless another console is on the panel; a switch away waits until it is done. False when it
    /// did not run.
    public func whileShown(_ draw: () throws -> Void) throws -> Bool {
        try gate.withLock { gate throws -> Bool in
            guard !gate.released else { return false }
            try draw()
            return true
        }
    }

    /// Looks at the console as it is now, and takes it back from whatever put it in text mode.
    /// `retaken` says what had happened when something was taken back (for the log and the status).
    public func check() -> (sight: Sight, retaken: String?) {
        var retaken: [String] = []
        var mode: Int32 = 0
        if ioctl(fd, UInt(KDGETMODE), &mode) == 0, mode != KD_GRAPHICS, inGraphics {
            write("\u{1B}[?25l")
            if ioctl(fd, UInt(KDSETMODE), Int32(KD_GRAPHICS)) == 0 {
                retaken.append("\(path) had been put back in text mode by another program")
            }
        }
        var switching = vt_mode()
        if processControlled, ioctl(fd, UInt(VT_GETMODE), &switching) == 0, switching.mode != VT_PROCESS {
            if controlSwitching() == nil { retaken.append("its switching had been reset") }
        }
        var state = vt_stat()
        let known = ioctl(fd, UInt(VT_GETSTATE), &state) == 0
        guard known || errno != EIO else {
            gate.withLock { $0.released = true }
            return (.lost("\(path) was hung up (a login or getty on it ended)"), nil)
        }
        let active = known ? Int(state.v_active) : nil
        let sight = gate.withLock { gate -> Sight in
            guard let active, active == number else {
                // Switched away without asking (switching not ours at the time): stop drawing all the same.
                if !gate.released { onRelease?() }
                gate.released = true
                let other = active.map { "tty\($0)" } ?? "another console"
                return .hidden("\(path) is not the active console (\(other) is); Ctrl-Alt-F\(number) shows the "
                    + "screen again")
            }
            if gate.released || !retaken.isEmpty {
                // Back without an acquire signal, or the console drew over the page: paint it again.
                gate.released = false
                gate.epoch += 1
            }
            return .shown(epoch: gate.epoch)
        }
        return (sight, retaken.isEmpty ? nil : retaken.joined(separator: " and "))
    }

    /// Gives the console back as a text console: automatic switching, text mode, the cursor, and the console that
    /// was active before, if this one is still shown. (Not "as it was found": a screen started again after a
    /// failure, or after a crash, finds the console as this program left it.)
    public func restore() {
        guard !closed else { return }
        closed = true
        for source in sources { source.cancel() }
        var switching = vt_mode()
        switching.mode = CChar(VT_AUTO)
        if processControlled { _ = ioctl(fd, UInt(VT_SETMODE), &switching) }
        if inGraphics { _ = ioctl(fd, UInt(KDSETMODE), Int32(KD_TEXT)) }
        write("\u{1B}[?25h")
        if let previous, activeNumber() == number { _ = ioctl(fd, UInt(VT_ACTIVATE), Int32(previous)) }
        Glibc.close(fd)
        owner.finish()
        poke.finish()
    }

    deinit { restore() }

    // MARK: Switching

    /// Asks for the switch signals. The kernel sends them to the thread that asked and, once that thread has
    /// exited, gives process switching up at the next switch (text mode again): Swift's concurrency threads come
    /// and go, so the call is made on a thread of its own that lives as long as the console is held.
    private func controlSwitching() -> String? {
        let fd = fd
        let error = owner.run { () -> Int32 in
            var switching = vt_mode()
            switching.mode = CChar(VT_PROCESS)
            switching.relsig = Int16(Self.releaseSignal)
            switching.acqsig = Int16(Self.acquireSignal)
            return ioctl(fd, UInt(VT_SETMODE), &switching) == 0 ? 0 : errno
        }
        processControlled = processControlled || error == 0
        return error == 0 ? nil : "cannot take over switching of \(path): \(String(cString: strerror(error)))"
    }

    /// The kernel asks to switch away: finish the frame being written, then let it.
    private func releaseRequested() {
        // Every console held by this process gets the signal; only the active one is being asked.
        guard activeNumber() == number else { return }
        gate.withLock { gate in
            gate.released = true
            onRelease?()
        }
        _ = ioctl(fd, UInt(VT_RELDISP), Int32(1))
        poke.yield()
    }

    /// The VT is shown again: acknowledge, and have the page painted again.
    private func acquireRequested() {
        guard activeNumber() == number else { return }
        _ = ioctl(fd, UInt(VT_RELDISP), Int32(VT_ACKACQ))
        gate.withLock {
            $0.released = false
            $0.epoch += 1
        }
        poke.yield()
    }

    /// The console to show again when the screen stops.
    public var returnTo: Int? { previous }

    private func activeNumber() -> Int? {
        var state = vt_stat()
        return ioctl(fd, UInt(VT_GETSTATE), &state) == 0 ? Int(state.v_active) : nil
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    /// Until libdispatch has installed its handler for a signal source, a switch signal's default action would end
    /// the process: ignore them first, once (setting it again later would undo libdispatch's handler).
    private static let signalsIgnored: Void = {
        signal(releaseSignal, SIG_IGN)
        signal(acquireSignal, SIG_IGN)
    }()

    private static func prepareSignals() { _ = signalsIgnored }
}

/// A thread that runs what it is given, one call at a time, until finished.
private final class OwnerThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var finished = false
    private var started = false

    /// Runs `body` on the thread and returns its result.
    func run<T>(_ body: @escaping () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: T?
        condition.lock()
        if !started {
            started = true
            let thread = Thread { [self] in loop() }
            thread.name = "vitrine-console"
            thread.start()
        }
        jobs.append {
            result = body()
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        return result!
    }

    func finish() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty, !finished { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}

/// The number of the console that was on the panel before a screen first took its own, shared by the screen's runs.
public final class ConsoleBefore: Sendable {
    private let value = Mutex<Int?>(nil)

    public init() {}

    public var number: Int? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
