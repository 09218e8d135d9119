import ArgumentParser
import Foundation
import VitrineCore
import VitrinePlayLog

/// Where the daemon keeps its state (the play log).
enum StateDirectory {
    static func choose(_ given: String?) -> String {
        if let given { return given }
        if let systemd = ProcessInfo.processInfo.environment["STATE_DIRECTORY"]?.split(separator: ":").first {
            return String(systemd)
        }
        if access("/var/lib/vitrine", W_OK) == 0 { return "/var/lib/vitrine" }
        return (ProcessInfo.processInfo.environment["HOME"] ?? NSTemporaryDirectory()) + "/.local/state/vitrine"
    }
}

struct PlaysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plays",
        abstract: "What was shown, where and for how long: the play log (proof of play)."
    )

    @Option(name: .long, help: "Where the daemon keeps the play log (as for vitrine run).")
    var stateDir: String?

    @Option(name: .long, help: "Only this screen.", completion: NameCompletion.screens)
    var screen: String?

    @Option(name: .long, help: "From this date or date and time (venue time, from --config).")
    var from: String?

    @Option(name: [.customLong("until"), .customLong("to")], help: "Until this date or date and time.")
    var to: String?

    @Flag(name: .long, help: "CSV instead of a table.")
    var csv = false

    @Option(name: .long, help: "The configuration file, for the venue's time zone.")
    var config: String = "/etc/vitrine/vitrine.yaml"

    func run() async throws {
        let path = StateDirectory.choose(stateDir) + "/plays.sqlite"
        guard FileManager.default.fileExists(atPath: path) else {
            var standardError = StandardError()
            print("vitrine plays: no play log at \(path) (give --state-dir)", to: &standardError)
            throw ExitCode(1)
        }
        let zone = (FileManager.default.fileExists(atPath: config) ? Outputs.loader().load(path: config).program : nil)?
            .configuration.timeZone
        let calendar = zone.flatMap { VenueCalendar(identifier: $0) } ?? VenueCalendar(zone: .utc)
        func instant(_ text: String?, _ option: String) throws -> Int64? {
            guard let text else { return nil }
            guard let ms = calendar.parseDateTime(text) else {
                throw ValidationError("--\(option): expected a date such as 2026-12-05 or 2026-12-05T10:00")
            }
            return ms
        }
        // Read only, page by page: a year of plays is printed whole, never held at once, and the daemon writing
        // the log is never in the way.
        let log = try PlayLog(readingAt: path)
        if csv { print(PlayLog.csvHeader, terminator: "") }
        try log.pages(screen: screen, from: instant(from, "from") ?? 0, to: instant(to, "until") ?? .max) { plays in
            if csv {
                print(PlayLog.csvRows(plays), terminator: "")
                return
            }
            for play in plays {
                let seconds = Double(play.end - play.start) / 1000
                print("\(calendar.format(play.start, seconds: true))  \(play.screen)  \(play.shows)  \(play.theme)  "
                    + String(format: "%.0f s", seconds))
            }
        }
    }
}
