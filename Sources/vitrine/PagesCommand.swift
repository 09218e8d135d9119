import ArgumentParser
import Foundation
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

    @Argument(help: "The exhibit (its folder name).")
    var exhibit: String

    @Option(name: .long, help: "Screen width in character cells.")
    var columns: Int = 80

    @Option(name: .long, help: "Screen height in character cells.")
    var rows: Int = 24

    func validate() throws {
        guard (20...1000).contains(columns), (6...1000).contains(rows) else {
            throw ValidationError("--columns must be 20 to 1000 and --rows 6 to 1000")
        }
    }

    func run() throws {
        let measurer = CellMeasurer(columns: columns, rows: rows)
        let loader = ProgramLoader(outputTypes: Outputs.types, measurer: { _, _ in measurer })
        let outcome = loader.load(path: options.config)
        var standardError = StandardError()
        guard let program = outcome.program else {
            for diagnostic in outcome.diagnostics.errors { print(diagnostic, to: &standardError) }
            throw ExitCode(1)
        }
        guard let value = program.exhibits[ExhibitID(exhibit)] else {
            let names = program.exhibits.keys.sorted().map(\.rawValue)
            throw ValidationError("no exhibit '\(exhibit)' (exhibits: \(names.joined(separator: ", ")))")
        }
        let pages = Paginator().paginate(value, measurer: measurer)
        for page in pages {
            print(TextPage.render(page, measurer: measurer).joined(separator: "\n"))
        }
    }
}

/// Plain-text layout of a page on a cell grid: running header, flowing items, page indicator at the foot.
enum TextPage {
    static func render(_ page: Page, measurer: CellMeasurer) -> [String] {
        let rule = "+" + String(repeating: "-", count: measurer.columns) + "+"
        var lines: [String] = []
        if page.index > 0 {
            lines.append(String(page.series.map { "\($0) :: " } ?? "") + page.title)
            lines.append("")
        }
        for item in page.items {
            switch item {
            case let .text(role, pageLines, space):
                lines += Array(repeating: "", count: Int(space))
                let indent: Int
                switch role {
                case .quote, .attribution, .context: indent = measurer.quoteIndent
                default: indent = 0
                }
                lines += pageLines.map { String(repeating: " ", count: indent) + $0.text }
            case let .image(image, height, space):
                lines += Array(repeating: "", count: Int(space))
                lines += Array(repeating: "[\(image.file)]", count: Int(height))
            }
        }
        while lines.count < measurer.rows - 1 { lines.append("") }
        lines.append(String(repeating: " ", count: max(0, measurer.columns - 2 * measurer.margin - page.indicator.count))
            + page.indicator)
        let margin = String(repeating: " ", count: measurer.margin)
        return [rule] + lines.map { line in
            let text = margin + line
            let pad = max(0, measurer.columns - CellMeasurer.displayWidth(text))
            return "|" + text + String(repeating: " ", count: pad) + "|"
        } + [rule]
    }
}
