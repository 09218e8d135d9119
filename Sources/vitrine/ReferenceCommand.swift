import ArgumentParser
import Foundation
import VitrineCore

struct ReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference",
        abstract: "Print the tables of keys (configuration, exhibits, plugin options) the docs show.",
        discussion: "With --update, rewrites the tables marked `<!-- keys: NAME -->` in the files given (make docs)."
    )

    @Flag(help: "Rewrite the marked tables in FILES instead of printing.")
    var update = false

    @Argument(help: "Markdown files whose marked tables are rewritten (with --update).")
    var files: [String] = []

    func run() throws {
        let tables = KeyTables(outputs: Outputs.registry)
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
