import Foundation
import VitrineHTTP

/// The built `vitrine` executable, run as an operator would.
public enum Vitrine {
    public static var binary: String {
        if let path = ProcessInfo.processInfo.environment["VITRINE_BIN"] { return path }
        return TemporaryVenue.packageRoot.appendingPathComponent(".build/debug/vitrine").path
    }

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes read at once, before waiting: a child that fills one while the other is read would stall.
        let errors = ErrorsRead()
        let reader = Thread { errors.data = err.fileHandleForReading.readDataToEndOfFile(); errors.done.signal() }
        reader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        errors.done.wait()
        let stderr = errors.data
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// Runs a program to its end, as a technician would at a shell: its exit status and what it printed (standard
/// error after standard output, on one pipe). `folder`: where it runs; `environment`: added to this process's.
public func runProgram(_ program: String, _ arguments: [String], in folder: URL? = nil,
                       environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    if let folder { process.currentDirectoryURL = folder }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

/// Standard error as a reader thread collects it.
private final class ErrorsRead: @unchecked Sendable {
    var data = Data()
    let done = DispatchSemaphore(value: 0)
}

/// Starts `vitrine run` on a venue whose listener takes any free port; returns once it answers /healthz. `config`:
/// another configuration than the venue's; `watch`: reload when its files change; `binary`: another program (an
/// installed copy).
public func startDaemon(_ venue: TemporaryVenue, config: String? = nil, watch: Bool = false,
                        binary: String = Vitrine.binary) async throws -> (Process, Int) {
    let log = venue.root.appendingPathComponent("vitrine.log").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = ["run", "--config", config ?? venue.configPath, "--log-file", log]
        + (watch ? [] : ["--no-watch"]) + ["--state-dir", venue.root.appendingPathComponent("state").path]
    try process.run()
    var port = 0
    _ = await eventually(timeout: .seconds(30)) {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard let range = text.range(of: "vitrine.listen=127.0.0.1:") else { return false }
        port = Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
        return port > 0
    }
    if port == 0 { process.terminate() }
    guard port > 0 else { throw DaemonDidNotStart(log: log) }
    let client = HTTPTestClient(port: port)
    _ = await eventually(timeout: .seconds(30)) {
        (try? client.requestNow("GET", "/healthz", headers: [:], body: "", timeout: 5).status) == 200
    }
    return (process, port)
}

public struct DaemonDidNotStart: Error, CustomStringConvertible {
    public var log: String
    public var description: String {
        "the daemon's listener did not start; its log: " + ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "(none)")
    }
}
