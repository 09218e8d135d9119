import Foundation
import Glibc
import Testing
import VitrineTestKit

/// A framebuffer screen holding a real virtual terminal of this machine's kernel, as on a panel: the console is
/// switched away and back, and put in text mode under the screen, as a technician's Ctrl-Alt-F2 or a getty's
/// terminal reset would. The framebuffer itself is a file (the host has no /dev/fb0); the console and its
/// switching are the kernel's own.
@Suite(.serialized) struct ConsoleTests {
    @Test(.enabled(if: Consoles.usable, "needs root and the kernel's virtual terminals"))
    func theScreenKeepsItsConsoleAndPaintsAgainAfterEverySwitch() async throws {
        let consoles = try #require(Consoles())
        let original = try #require(consoles.active)
        let number = try #require(consoles.free, "no free virtual terminal")
        let tty = "/dev/tty\(number)"
        let venue = try TemporaryVenue()
        let framebuffer = venue.root.appendingPathComponent("fb0").path
        try venue.writeConfig("""
            timezone: UTC
            pages: { duration: 1h }
            playlists:
              main: [first]
            screens:
              wall: { output: framebuffer, playlist: main, device: \(framebuffer), width: 640, height: 360, tty: \(tty) }

            """)
        try venue.addExhibit("first", "---\ntitle: First\n---\nThe first exhibit.\n")
        let socket = try NotifySocket(directory: venue.root)
        let process = try startWithNotifySocket(venue, socket: socket)
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            consoles.activate(original)
        }
        _ = try #require(socket.wait { $0.contains("READY=1") }, "\(socket.messages)")

        // Taken: made the active console, in graphics mode, switching under the daemon's control.
        #expect(await eventually { consoles.active == number }, "active console: \(String(describing: consoles.active))")
        #expect(consoles.mode(of: tty) == Consoles.graphics)
        #expect(consoles.switching(of: tty) == Consoles.processControlled)
        let page = try Data(contentsOf: URL(fileURLWithPath: framebuffer))
        #expect(page.contains { $0 != 0 }, "nothing painted")

        // Something resets the console to text mode under the screen and draws its text over the page.
        var seen = socket.messages.count
        consoles.setMode(of: tty, Consoles.text)
        try Data(count: page.count).write(to: URL(fileURLWithPath: framebuffer))
        let hiddenStatus = socket.wait(after: seen) { $0.contains("wall: not showing") }
        #expect(hiddenStatus?.contains("text mode") == true, "\(socket.messages.dropFirst(seen))")
        let back = socket.wait(after: seen) { $0.contains("STATUS=") && $0.contains("wall: First 1/1") }
        #expect(back != nil, "\(socket.messages.dropFirst(seen))")
        #expect(consoles.mode(of: tty) == Consoles.graphics, "the console was not taken back")
        #expect(await eventually { (try? Data(contentsOf: URL(fileURLWithPath: framebuffer))) == page },
                "the page was not painted again")

        // A switch to another console (a technician's Ctrl-Alt-F1): allowed, and said in the status.
        seen = socket.messages.count
        consoles.activate(original)
        #expect(await eventually { consoles.active == original }, "the switch away was held up")
        let away = socket.wait(after: seen) { $0.contains("wall: not showing") }
        #expect(away?.contains("is not the active console") == true, "\(socket.messages.dropFirst(seen))")
        // The other console draws its text meanwhile.
        try Data(count: page.count).write(to: URL(fileURLWithPath: framebuffer))

        // And back (Ctrl-Alt-F<number>): the page is painted again and the status says it is shown.
        seen = socket.messages.count
        consoles.activate(number)
        #expect(await eventually { consoles.active == number })
        let shown = socket.wait(after: seen) { $0.contains("STATUS=") && $0.contains("wall: First 1/1") }
        #expect(shown != nil, "\(socket.messages.dropFirst(seen))")
        #expect(await eventually { (try? Data(contentsOf: URL(fileURLWithPath: framebuffer))) == page },
                "the page was not painted again after the switch back")

        // A login session on that console ends (as a getty's or a login's does): the kernel hangs the console up, and
        // the daemon's open file of it is dead. The output is started again and takes the console afresh.
        seen = socket.messages.count
        let session = Process()
        session.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        session.arguments = ["-c", """
            import fcntl, os, termios
            child = os.fork()
            if child == 0:
                os.setsid()
                fd = os.open("\(tty)", os.O_RDWR)  # a new session's first terminal becomes its own
                try:
                    fcntl.ioctl(fd, termios.TIOCSCTTY, 1)
                except OSError:
                    pass  # it is already
                os._exit(0)
            os.waitpid(child, 0)
            """]
        try session.run()
        session.waitUntilExit()
        #expect(session.terminationStatus == 0, "the session on \(tty) could not be started")
        try Data(count: page.count).write(to: URL(fileURLWithPath: framebuffer))
        let lost = socket.wait(after: seen) { $0.contains("wall: failed") }
        #expect(lost?.contains("was hung up") == true, "\(socket.messages.dropFirst(seen))")
        #expect(socket.wait(after: seen) { $0.contains("STATUS=") && $0.contains("wall: First 1/1") } != nil)
        #expect(consoles.mode(of: tty) == Consoles.graphics)
        #expect(consoles.switching(of: tty) == Consoles.processControlled)
        #expect(await eventually { (try? Data(contentsOf: URL(fileURLWithPath: framebuffer))) == page },
                "the page was not painted again after the console was hung up")

        // Stopped: the console is given back as it was found, and the one that was active is shown again.
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(consoles.active == original, "the console that was active is not shown again")
        #expect(consoles.mode(of: tty) == Consoles.text)
        #expect(consoles.switching(of: tty) == 0)
    }
}

/// `vitrine run` with a NOTIFY_SOCKET, its log in the venue.
func startWithNotifySocket(_ venue: TemporaryVenue, socket: NotifySocket) throws -> Process {
    let process = Process()
    var environment = ProcessInfo.processInfo.environment
    environment["NOTIFY_SOCKET"] = socket.path
    environment.removeValue(forKey: "JOURNAL_STREAM")
    environment.removeValue(forKey: "INVOCATION_ID")
    process.executableURL = URL(fileURLWithPath: Vitrine.binary)
    process.arguments = ["run", "--config", venue.configPath, "--no-watch",
                         "--log-file", venue.root.appendingPathComponent("vitrine.log").path,
                         "--state-dir", venue.root.appendingPathComponent("state").path]
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// The kernel's virtual terminals, through the ioctls of linux/vt.h and linux/kd.h (numbers from those headers).
final class Consoles {
    static let graphics: Int32 = 1  // KD_GRAPHICS
    static let text: Int32 = 0  // KD_TEXT
    static let processControlled: Int8 = 1  // VT_PROCESS
    private static let openQuery: UInt = 0x5600, getMode: UInt = 0x5601, getState: UInt = 0x5603
    private static let activateCall: UInt = 0x5606, getKDMode: UInt = 0x4B3B, setKDMode: UInt = 0x4B3A

    private let fd: Int32

    init?() {
        guard getuid() == 0 else { return nil }
        let fd = open("/dev/tty0", O_WRONLY | O_NOCTTY | O_CLOEXEC)
        var state: (UInt16, UInt16, UInt16) = (0, 0, 0)
        guard fd >= 0, ioctl(fd, Self.getState, &state) == 0 else {
            if fd >= 0 { close(fd) }
            return nil
        }
        self.fd = fd
    }

    deinit { close(fd) }

    static var usable: Bool { Consoles() != nil }

    /// The number of the console on the screen.
    var active: Int? {
        var state: (UInt16, UInt16, UInt16) = (0, 0, 0)
        return ioctl(fd, Self.getState, &state) == 0 ? Int(state.0) : nil
    }

    /// The first console nobody has open.
    var free: Int? {
        var number: Int32 = -1
        return ioctl(fd, Self.openQuery, &number) == 0 && number > 0 ? Int(number) : nil
    }

    func activate(_ number: Int) { _ = ioctl(fd, Self.activateCall, Int32(number)) }

    func mode(of tty: String) -> Int32? {
        withConsole(tty) { fd in
            var mode: Int32 = -1
            return ioctl(fd, Self.getKDMode, &mode) == 0 ? mode : nil
        }
    }

    func setMode(of tty: String, _ mode: Int32) { _ = withConsole(tty) { ioctl($0, Self.setKDMode, mode) } }

    /// VT_AUTO (0) or VT_PROCESS (1).
    func switching(of tty: String) -> Int8? {
        withConsole(tty) { fd in
            var mode: (Int8, Int8, Int16, Int16, Int16) = (0, 0, 0, 0, 0)
            return ioctl(fd, Self.getMode, &mode) == 0 ? mode.0 : nil
        }
    }

    private func withConsole<T>(_ tty: String, _ body: (Int32) -> T?) -> T? {
        let fd = open(tty, O_WRONLY | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return body(fd)
    }
}
