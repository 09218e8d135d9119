import ArgumentParser
import Foundation
import VitrineCore

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration and every exhibit; exit 0 when valid (warnings allowed), 1 when not."
    )

    @OptionGroup var options: ConfigOption

    @Flag(name: .long, help: "Print errors only.")
    var quiet = false

    func run() throws {
        let started = ContinuousClock.now
        let outcome = Outputs.loader().load(path: options.config)
        var standardError = StandardError()
        for diagnostic in outcome.diagnostics where !(quiet && diagnostic.severity == .warning) {
            print(diagnostic, to: &standardError)
        }
        let errors = outcome.diagnostics.errors.count, warnings = outcome.diagnostics.warnings.count
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        if outcome.hasErrors {
            print("\(options.config): \(errors) error\(errors == 1 ? "" : "s"), "
                + "\(warnings) warning\(warnings == 1 ? "" : "s")", to: &standardError)
            throw ExitCode(1)
        }
        let program = outcome.program!
        print("\(options.config): ok: \(program.configuration.screens.count) screens, "
            + "\(program.exhibits.count) exhibits, \(program.configuration.playlists.count) playlists, "
            + "\(warnings) warning\(warnings == 1 ? "" : "s") (\(String(format: "%.0f", ms)) ms)")
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
