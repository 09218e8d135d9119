import ArgumentParser
import Foundation
import VitrineCore
import VitrineModel

struct VitrineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vitrine",
        abstract: "Runs the screens of a museum or gallery.",
        version: BuildInfo.running.description,
        subcommands: [
            RunCommand.self, StatusCommand.self, PlaysCommand.self, Check.self, ScheduleCommand.self, PagesCommand.self, RenderCommand.self,
            PluginsCommand.self, ReferenceCommand.self, BundleCommand.self,
        ]
    )
}

struct ConfigOption: ParsableArguments {
    /// Where the package installs the configuration.
    static let installed = "/etc/vitrine/vitrine.yaml"

    @Option(name: .long, help: "The configuration file.", completion: .file(extensions: ["yaml", "yml"]))
    var config: String = ConfigOption.installed

    /// The program, or its errors on standard error and exit status 1.
    func loadProgram() throws -> Program { try loadProgramAndProblems().program }

    /// The program, and each exhibit with errors (the first of them) for messages about an exhibit not in it.
    func loadProgramAndProblems() throws -> (program: Program, problems: [ExhibitID: Diagnostic]) {
        let outcome = Outputs.loader().load(path: config)
        guard let program = outcome.program else {
            var standardError = StandardError()
            for diagnostic in outcome.diagnostics.errors { print(diagnostic, to: &standardError) }
            print("\(config): not valid, see `vitrine check`", to: &standardError)
            throw ExitCode(1)
        }
        return (program, outcome.exhibitProblems)
    }
}

/// Why `id` is not an exhibit of the program: it has errors (and where the first is), or there is no such folder
/// (with the nearest name).
func noSuchExhibit(_ id: String, option: String? = nil, in program: Program, problems: [ExhibitID: Diagnostic])
    -> ValidationError
{
    let prefix = option.map { "--\($0): " } ?? ""
    if let problem = problems[ExhibitID(id)] {
        return ValidationError("\(prefix)exhibit '\(id)' is left out because it has errors; the first: "
                               + "\(problem.placeAndMessage) (`vitrine check` lists them all)")
    }
    let names = program.exhibits.keys.map(\.rawValue).sorted()
    let suggestion = didYouMean(id, names + problems.keys.map(\.rawValue))
    return ValidationError("\(prefix)no exhibit '\(id)' in \(program.configuration.contentFolder)\(suggestion)"
                           + (suggestion.isEmpty ? " (exhibits: \(names.joined(separator: ", ")))" : ""))
}

/// A `--at`-style option read as venue time, or now.
func instantOption(_ text: String?, option: String, in program: Program) throws -> Int64 {
    guard let text else { return Int64(Date().timeIntervalSince1970 * 1000) }
    guard let ms = program.calendar.parseDateTime(text) else {
        throw ValidationError("--\(option): expected a date and time such as 2026-12-24T17:45, found '\(text)'")
    }
    return ms
}

/// `--language` of a command that shows one exhibit: nil, or a language the exhibit is written in.
func requireLanguage(_ language: String?, of exhibit: Exhibit) throws {
    guard let language, !exhibit.isWritten(in: language) else { return }
    let written = exhibit.languages.isEmpty ? "its original does not say its language"
        : "it is written in \(exhibit.languages.joined(separator: ", "))"
    throw ValidationError("--language: '\(exhibit.id)' has no \(language) version (\(written))")
}
