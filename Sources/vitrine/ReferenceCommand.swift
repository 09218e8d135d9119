import ArgumentParser
import Foundation
import VitrineCore

struct ReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference",
        abstract: "Print the tables of keys (configuration, exhibits, plugin options) the docs show.",
        discussion: "With --update, rewrites the tables marked `<!-- keys: NAME -->` in the files given (make docs). "
            + "With --manual, prints the manual page vitrine.yaml(5) from the same declarations."
    )

    @Flag(help: "Print the manual page vitrine.yaml(5) instead.")
    var manual = false

    @Option(help: "The date the manual page carries, YYYY-MM-DD (default: today).")
    var date: String?

    @Flag(help: "Rewrite the marked tables in FILES instead of printing.")
    var update = false

    @Argument(help: "Markdown files whose marked tables are rewritten (with --update).")
    var files: [String] = []

    func run() throws {
        let tables = KeyTables(outputs: Outputs.registry)
        if manual {
            let today = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!,
                                                    formatOptions: [.withFullDate])
            if let date, date.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}/) == nil {
                throw ValidationError("--date: expected YYYY-MM-DD, found '\(date)'")
            }
            print(ConfigurationManual(tables: tables, date: date ?? today).text, terminator: "")
            return
        }
        guard update else {
            for table in tables.tables {
                print("<!-- keys: \(table.name) -->")
                print(table.markdown)
            }
            return
        }
        var failed = false
        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let (updated, unknown) = tables.update(text)
            for name in unknown {
                var standardError = StandardError()
            print("\(file): no table of keys named '\(name)'", to: &standardError)
                failed = true
            }
            if updated != text {
                try updated.write(toFile: file, atomically: true, encoding: .utf8)
                print("\(file): updated")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
