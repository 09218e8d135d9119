import ArgumentParser
import Foundation
import VitrineSystemd

// Capabilities belong to threads, and threads take their creator's: the ambient ones the unit gives are cleared
// here, before any other thread exists, so that no thread of the daemon passes them to a program it starts.
ServiceCapabilities.keepForThisProcessOnly()

// SIGHUP's default action kills the process; the reload coordinator takes it over once it runs.
signal(SIGHUP, SIG_IGN)
// A pipe to an exec plugin that has exited fails its write (EPIPE) instead of killing the daemon.
signal(SIGPIPE, SIG_IGN)

do {
    var command = try VitrineCommand.parseAsRoot()
    if let asyncCommand = command as? any AsyncParsableCommand {
        try await runAsync(asyncCommand)
    } else {
        try command.run()
    }
} catch let code as ExitCode {
    exit(code.rawValue)
} catch {
    let code = VitrineCommand.exitCode(for: error)
    if code == .success {
        VitrineCommand.exit(withError: error)
    }
    // Usage errors exit 2, as with most Unix tools; 1 is kept for "the configuration is invalid".
    FileHandle.standardError.write(Data((VitrineCommand.fullMessage(for: error) + "\n").utf8))
    exit(2)
}

/// Opens the existential so the async `run` is the one called, not ParsableCommand's synchronous default (help).
func runAsync<Command: AsyncParsableCommand>(_ command: Command) async throws {
    var command = command
    try await command.run()
}
