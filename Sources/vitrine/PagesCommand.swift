import ArgumentParser
import Foundation
import TerminalOutput
import VitrineCore
import VitrineModel
import VitrinePluginAPI

/// Prints an exhibit's pages as a terminal of the given size would paginate them: a curator's preview.
struct PagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pages",
        abstract: "Preview how an exhibit is split into pages on a text screen of a given size."
    )

    @OptionGroup var options: ConfigOption

    @Argument(help: "The exhibit (its folder name).", completion: NameCompletion.exhibits)
    var exhibit: String

    @Option(name: .long, help: "Screen width in character cells.")
    var columns: Int = 80

    @Option(name: .long, help: "Screen height in character cells.")
    var rows: Int = 24

    @Option(name: .long, help: "A translation's language (default: the original).")
    var language: String?

    func validate() throws {
        guard (20...1000).contains(columns), (6...1000).contains(rows) else {
            throw ValidationError("--columns must be 20 to 1000 and --rows 6 to 1000")
        }
    }

    func run() throws {
        // As a terminal screen with the default theme lays it out.
        let measure = Theme(name: "default").measure
        let measurer = CellMeasurer(columns: columns, rows: rows, measure: measure)
        let (program, problems) = try options.loadProgramAndProblems()
        guard let value = program.exhibits[ExhibitID(exhibit)] else {
            throw noSuchExhibit(exhibit, in: program, problems: problems)
        }
        try requireLanguage(language, of: value)
        let pages = Paginator().paginate(value.version(in: language), measurer: measurer)
        for page in pages {
            let layout = TerminalLayout(frame: .page(page), columns: columns, rows: rows, measure: measure)
            let rule = "+" + String(repeating: "-", count: layout.columns) + "+"
            print(([rule] + layout.plainRows.map { "|\($0)|" } + [rule]).joined(separator: "\n"))
        }
    }
}

