import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import VitrineCore
import VitrineHTTP
import VitrineMedia
import VitrineRenderer
import VitrinePlayLog
import VitrineSystemd

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the screens until stopped (SIGTERM or Ctrl-C); SIGHUP reloads the configuration and content."
    )

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "Write the log to this file instead of standard error (or the journal under systemd).")
    var logFile: String?

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Flag(name: .long, help: "Do not reload when files in the content folder change (SIGHUP still reloads).")
    var noWatch = false

    @Option(name: .long, help: ArgumentHelp(
        "Where the play log and live announcements are kept (default: $STATE_DIRECTORY under systemd, else /var/lib/vitrine when writable, "
            + "else ~/.local/state/vitrine)."))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp(
        "Where the pages' timings are kept so a restart lays out only what changed (default: $CACHE_DIRECTORY under "
            + "systemd, else /var/cache/vitrine when writable, else ~/.cache/vitrine)."))
    var cacheDir: String?

    @Option(name: .long, help: "Days of plays kept in the play log.")
    var playLogDays = 400

    @Flag(name: .long, help: "Keep no play log.")
    var noPlayLog = false

    func run() async throws {
        Allocator.keepReturnable()
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level: expected trace, debug, info, notice, warning, error or critical")
        }
        let exhibits = ExhibitCache()
        // Read before the first load: its program's schedule asks for every playlist page's timings.
        let pages = PageBook(file: CacheDirectory.choose(cacheDir) + "/page-timings", fingerprint: Self.layoutFingerprint())
        let pagesProblem = pages.load()
        var loader = Outputs.loader()
        loader.exhibitCache = exhibits
        loader.pageBook = pages
        let outcome = loader.load(path: options.config)
        var standardError = StandardError()
        guard outcome.program != nil else {
            for diagnostic in outcome.diagnostics.errors { print(diagnostic, to: &standardError) }
            print("\(options.config): not valid, nothing started (see `vitrine check`)", to: &standardError)
            throw ExitCode(1)
        }
        let destination = try LogDestination.choose(file: logFile, ownTerminalInUse: outcome.outputs.values.contains {
            $0.claims.contains("/dev/stdout")
        })
        LoggingSystem.bootstrap { label in
            var handler = destination.handler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "vitrine")
        // First, so a log sent with a bug report names the build.
        logger.info("Vitrine \(BuildInfo.running.description).")
        for diagnostic in outcome.diagnostics {
            logger.warning("\(diagnostic)")
        }
        if let pagesProblem { logger.notice("Pages' timings not reused: \(pagesProblem).") }
        let settings = Daemon.Settings(configPath: options.config, registry: Outputs.registry, exhibitCache: exhibits,
                                       pageBook: pages, build: .running)
        let daemon = Daemon(settings: settings, initial: outcome, manager: SystemdServiceManager(), logger: logger)
        let program = daemon.program
        // Catch SIGHUP from here on, before any screen can report ready.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let coordinator = ReloadCoordinator(daemon: daemon, hangups: hangups, watch: !noWatch, logger: logger)
        let state = StateDirectory.choose(stateDir)
        if (try? FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)) == nil {
            logger.error("Cannot create the state directory; live announcements and plays will not be kept.",
                         metadata: ["vitrine.path": "\(state)"])
        }
        let stateLock: StateLock?
        do {
            stateLock = try StateLock(directory: state)
        } catch let held as StateLock.Held {
            print("vitrine run: \(held)", to: &standardError)
            throw ExitCode(1)
        } catch {
            logger.warning("Cannot lock the state directory: \(error).", metadata: ["vitrine.path": "\(state)"])
            stateLock = nil
        }
        // Held until the daemon has stopped.
        defer { withExtendedLifetime(stateLock) {} }
        AnnouncementStore(path: state + "/announcements.json", logger: logger).attach(to: daemon)
        var playLog: PlayLog?
        if !noPlayLog {
            let path = state + "/plays.sqlite"
            do {
                playLog = try PlayLog(path: path)
                playLog?.attach(to: daemon, logger: logger)
                logger.info("Play log.", metadata: ["vitrine.path": "\(path)"])
            } catch {
                // Proof of play matters, but not more than the screens: they run without it.
                logger.error("Cannot open the play log; running without it: \(error)", metadata: ["vitrine.path": "\(path)"])
            }
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: daemon), .init(service: coordinator)]
        if let playLog {
            services.append(.init(service: PlayLogPruning(log: playLog, keepDays: max(1, playLogDays),
                                                          now: { daemon.now() }, logger: logger)))
        }
        // Always in the group, so a reload that adds an `http:` block or an http screen opens the listener.
        VitrineMetrics.shared.attach(to: daemon)
        services.append(.init(service: HTTPServer(listener: program.configuration.http, daemon: daemon,
                                                  metrics: .shared, playLog: playLog, logger: logger)))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        logger.info("Starting.", metadata: [
            "vitrine.config": "\(options.config)",
            "vitrine.screens": "\(program.configuration.screens.map(\.name))",
        ])
        try await group.run()
        try? playLog?.close(at: daemon.now())
        logger.info("Stopped.")
    }
}

extension RunCommand {
    /// This build (the executable's size and time: a new build or package) and what layouts depend on besides the
    /// pages (fonts, Pango, hyphenation).
    static func layoutFingerprint() -> String {
        var status = stat()
        let build = stat("/proc/self/exe", &status) == 0 ? "\(status.st_size) \(status.st_mtim.tv_sec)" : "unknown"
        return ContentDigest(of: "build \(build)\n" + FontFiles.layoutFingerprint()).description
    }
}

/// Where the pages' timings are kept between runs: a cache (nothing is lost without it, a start only takes longer).
enum CacheDirectory {
    static func choose(_ given: String?) -> String {
        if let given { return given }
        let environment = ProcessInfo.processInfo.environment
        if let systemd = environment["CACHE_DIRECTORY"]?.split(separator: ":").first { return String(systemd) }
        if access("/var/cache/vitrine", W_OK) == 0 || (access("/var/cache", W_OK) == 0 && getuid() == 0) {
            return "/var/cache/vitrine"
        }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/vitrine" }
        return (environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache/vitrine"
    }
}

/// Where log lines go: the journal under systemd, a file when asked (or when the page is drawn on this very
/// terminal, so log lines do not scribble over it), standard error otherwise.
enum LogDestination {
    case journal
    case file(FileHandle)
    case standardError

    static func choose(file: String?, ownTerminalInUse: Bool) throws -> LogDestination {
        if JournalLogHandler.journalIsAvailable, file == nil { return .journal }
        var path = file
        if path == nil, ownTerminalInUse, isatty(STDERR_FILENO) == 1 {
            path = NSTemporaryDirectory() + "vitrine-\(getuid()).log"
            FileHandle.standardError.write(Data("vitrine: the screen uses this terminal; logging to \(path!)\n".utf8))
        }
        guard let path else { return .standardError }
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ValidationError("--log-file: cannot create \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw ValidationError("--log-file: cannot open \(path)") }
        handle.seekToEndOfFile()
        return .file(handle)
    }

    func handler(label: String) -> any LogHandler {
        switch self {
        case .journal: return JournalLogHandler(label: label)
        case let .file(handle): return FileLogHandler(stream: FileStream(handle), label: label)
        case .standardError: return StreamLogHandler.standardError(label: label)
        }
    }
}

/// A log stream appending to a file.
struct FileStream: TextOutputStream, @unchecked Sendable {
    let handle: FileHandle
    init(_ handle: FileHandle) { self.handle = handle }
    mutating func write(_ string: String) { handle.write(Data(string.utf8)) }
}

/// swift-log's stream handler cannot take an arbitrary stream, so file logging formats lines the same way here.
struct FileLogHandler: LogHandler {
    var stream: FileStream
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(stream: FileStream, label: String) {
        self.stream = stream
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Now as `2026-12-05T10:00:00Z`. The C library's formatting, not Foundation's ISO8601DateFormatter: that one
    /// goes through ICU, whose data would stay resident in an otherwise idle daemon.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(Self.timestamp()) \(event.level) \(label): \(event.message)"
            + (fields.isEmpty ? "" : " \(fields)") + "\n"
        var stream = self.stream
        stream.write(line)
    }
}
