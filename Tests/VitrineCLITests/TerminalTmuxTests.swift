import Foundation
import Glibc
import Testing
import VitrineTestKit

/// The terminal output on a real terminal: tmux runs `vitrine run`, capture-pane reads the screen.
@Suite(.serialized) struct TerminalTmuxTests {
    let session = "vitrine-test-\(getpid())"

    /// Runs tmux with posix_spawn and waitpid. (Foundation's Process never reaps the client that starts the tmux
    /// server here, so waiting for it hangs.)
    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { throw POSIXError(.EIO) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let capture = arguments.first == "capture-pane"
        if capture {
            posix_spawn_file_actions_adddup2(&actions, pipe[1], STDOUT_FILENO)
        } else {
            // A tmux server started by this call would keep a pipe open for ever.
            posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        posix_spawn_file_actions_addclose(&actions, pipe[1])
        let argv = (["tmux"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawnp(&pid, "tmux", &actions, nil, argv, environ) == 0 else { throw POSIXError(.ENOENT) }
        close(pipe[1])
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while capture {
            let n = buffer.withUnsafeMutableBytes { read(pipe[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            output += buffer[0..<n]
        }
        close(pipe[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return String(decoding: output, as: UTF8.self)
    }

    func screen(escapes: Bool = false) throws -> String {
        try tmux(["capture-pane", "-p", "-t", session] + (escapes ? ["-e"] : []))
    }

    func waitFor(_ what: String, timeout: TimeInterval = 20, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            usleep(100_000)
        }
        Issue.record("timed out waiting for \(what); screen:\n\(last)")
        return last
    }

    /// The page count from the indicator at the foot ("4/11" gives 11).
    func pageCount(_ screen: String) -> Int {
        for line in screen.split(separator: "\n").reversed() {
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: "/")
            if parts.count == 2, Int(parts[0]) != nil, let count = Int(parts[1]) { return count }
        }
        return 0
    }

    @Test func drawsRecolorsResizesAndRestores() throws {
        let venue = try TemporaryVenue()
        try venue.copyDemo()
        // Only the long exhibit, an hour a page counted from a minute ago, so the first page (its series line in the
        // accent) is up whatever the time of day, and the page count shows the layout.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        let epoch = formatter.string(from: Date().addingTimeInterval(-60))
        let yaml = """
            timezone: UTC
            epoch: \(epoch)
            content: exhibits
            themes:
              paper: { background: "#F6F1E7", text: "#1D1B18", accent: "#7A1F1F", muted: "#4F4A42" }
            playlists:
              main:
                - exhibit: long-winter
                  duration: 1h
            screens:
              hall-a:
                output: terminal
                playlist: main
                colours: "256"

            """
        try venue.writeConfig(yaml)
        let log = venue.root.appendingPathComponent("vitrine.log").path
        try tmux(["kill-session", "-t", session])
        try tmux(["new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                  "\(Vitrine.binary) run --config \(venue.configPath) --log-file \(log); echo EXIT=$?; sleep 60"])
        defer { _ = try? tmux(["kill-session", "-t", session]) }

        let first = try waitFor("the first page") { $0.contains("The Long Winter") }
        #expect(first.contains("Days and Lives"))
        let pagesAt80 = pageCount(first)
        #expect(pagesAt80 >= 3, "\(first)")

        // Theme colours as 256-colour escapes: the paper background and the accent.
        let coloured = try screen(escapes: true)
        #expect(coloured.contains("\u{1B}[48;5;255m"), "paper background")
        #expect(coloured.contains("38;5;88m"), "accent series line")

        // Resized: laid out again for the new size, so there are more pages and no line is cut.
        try tmux(["resize-window", "-t", session, "-x", "50", "-y", "16"])
        let small = try waitFor("a new layout") { pageCount($0) > pagesAt80 }
        let pagesAt50 = pageCount(small)
        #expect(pagesAt50 > pagesAt80, "\(pagesAt80) pages at 80x24, \(pagesAt50) at 50x16")
        for line in small.split(separator: "\n") {
            #expect(line.count <= 50)
        }
        #expect(small.contains("Days and Lives"))

        // SIGTERM: the daemon leaves the alternate screen and exits 0.
        let pgrep = Process()
        pgrep.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        pgrep.arguments = ["-f", "vitrine run --config \(venue.configPath)"]
        let out = Pipe()
        pgrep.standardOutput = out
        try pgrep.run()
        pgrep.waitUntilExit()
        let found = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").compactMap { Int32($0) }
        // The tmux server's own command line names the config too; the daemon is the one whose binary is vitrine.
        for pid in found {
            let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
            if exe.hasSuffix("/vitrine") { kill(pid, SIGTERM) }
        }
        let after = try waitFor("the exit") { $0.contains("EXIT=") }
        #expect(after.contains("EXIT=0"))
        #expect(!after.contains("The Long Winter"), "the page is gone with the alternate screen")
    }
}
