import ArgumentParser
import Foundation
import VitrineCore
import VitrineModel
import VitrinePluginAPI
import VitrineRenderer

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration and every exhibit; exit 0 when valid (warnings allowed), 1 when not."
    )

    @OptionGroup var options: ConfigOption

    @Flag(name: .long, help: "Print errors only.")
    var quiet = false

    @Flag(name: .customLong("no-pages"),
          help: "Do not lay out pages (no warning about pages too long to read in their time): quicker on a large collection.")
    var noPages = false

    func run() throws {
        let started = ContinuousClock.now
        var outcome = Outputs.loader().load(path: options.config)
        // Pages visitors could not read in the time they are up (laid out only for exhibits long enough).
        if !noPages, let program = outcome.program {
            var warnings = program.readingTimeWarnings()
            // Ten say what to do; a thousand alike would bury everything else.
            if warnings.count > 10 {
                let more = warnings.count - 10
                warnings = Array(warnings.prefix(10)) + [Diagnostic(.warning, file: options.config,
                    "\(more) more exhibits have pages too long to read in pages.max at words-per-minute (as above)")]
            }
            outcome.diagnostics += warnings
            // A page up for hours burns into OLED and plasma panels (worked out from the schedule's pages).
            outcome.diagnostics += program.stillPageWarnings()
        }
        if let program = outcome.program {
            outcome.diagnostics += Self.fontWarnings(program) + Self.textScreenWarnings(program)
        }
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

extension Check {
    /// A warning for a text screen (a terminal) told to show a right-to-left language: terminals and the Linux
    /// console neither join Arabic letters nor reverse right-to-left lines, so the text would come out unreadable.
    static func textScreenWarnings(_ program: Program) -> [Diagnostic] {
        program.configuration.screens.compactMap { screen in
            guard Outputs.registry.plugin(screen.output) is any ShowsText.Type,
                  let language = screen.languages.first(where: LanguageTag.isRightToLeft) else { return nil }
            return Diagnostic(.warning, file: program.configuration.sourcePath,
                "screens.\(screen.name).languages: \(language) is written right to left, which a text terminal "
                + "cannot show (its letters would come out unjoined and in reverse order); show it on a pixel or "
                + "kiosk screen")
        }
    }

    /// A warning for each exhibit file (original or translation) with characters no installed font draws: on a
    /// pixel screen they would show as boxes.
    static func fontWarnings(_ program: Program) -> [Diagnostic] {
        let versions = program.exhibits.keys.sorted().flatMap { id -> [Exhibit] in
            guard let exhibit = program.exhibits[id] else { return [] }
            return [exhibit] + exhibit.translations.keys.sorted().compactMap { exhibit.translations[$0] }
        }
        return versions.compactMap { exhibit in
            let (characters, count) = FontCoverage.uncovered(in: exhibit.allText)
            guard count > 0 else { return nil }
            let named = characters.map { c in
                "‘\(c)’ (" + c.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }
                    .joined(separator: " ") + ")"
            }.joined(separator: ", ")
            let more = count > characters.count ? " and \(count - characters.count) more" : ""
            return Diagnostic(.warning, file: exhibit.sourcePath,
                "no installed font draws \(named)\(more): pixel screens would show boxes; install a font for "
                + "this script (Debian: fonts-noto-core; fonts-noto-cjk for Chinese, Japanese and Korean)")
        }
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
