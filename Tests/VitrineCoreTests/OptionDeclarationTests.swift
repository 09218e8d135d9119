import BuiltinOutputs
import Foundation
import Testing
import VitrineCore
import VitrinePluginAPI
import VitrineTestKit

/// One reader for every YAML value, and one declaration per key: the configuration, exhibits and plugins say the same
/// thing about the same kind of mistake, and the docs' tables are the declarations the readers use.
@Suite struct OptionDeclarationTests {
    /// Every Markdown file of the repository that marks a table of keys.
    func documents() throws -> [URL] {
        let root = TemporaryVenue.packageRoot
        let docs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.map { root.appendingPathComponent("docs/\($0)") }
        let plugins = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("plugins").path)
            .map { root.appendingPathComponent("plugins/\($0)/README.md") }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        return docs + plugins
    }

    /// A key added, renamed, retyped or given another default without its table fails here (`make docs` fixes it).
    @Test func theDocsTablesAreTheDeclarations() throws {
        let tables = KeyTables(outputs: OutputRegistry(BuiltinOutputs.all))
        var marked: Set<String> = []
        for file in try documents() {
            let text = try String(contentsOf: file, encoding: .utf8)
            let (updated, unknown) = tables.update(text)
            #expect(unknown.isEmpty, "\(file.lastPathComponent) marks tables that are not declared: \(unknown)")
            #expect(updated == text, "\(file.path): a table of keys differs from its declarations; run `make docs`")
            marked.formUnion(KeyTables.marks(in: text))
        }
        let declared = Set(tables.tables.map(\.name))
        #expect(declared.count == tables.tables.count, "two tables of keys share a name")
        #expect(declared.subtracting(marked).isEmpty,
                "declared tables no doc shows: \(declared.subtracting(marked).sorted())")
        // The configuration's own keys, every plugin's and the nested `push:` are among them.
        #expect(declared.isSuperset(of: ["configuration", "screens", "front-matter", "output framebuffer", "output http.push"]))
    }

    /// The same mistake in a configuration section, a plugin option and an exhibit's front matter gets the same
    /// words, each with its key path and where it is written.
    @Test func oneMistakeOneMessageWhereverItIsWritten() throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("first", """
            ---
            title: First
            page-duration: soon
            ---
            Text.

            """)
        try venue.writeConfig("""
            pages:
              words-per-minute: fast
              min: soon
            themes:
              paper: { background: "#FFFFFF", text: "#111111" }
            playlists:
              main: [first]
            screens:
              hall:
                output: terminal
                playlist: main
                columns: fast
              ticker:
                output: exec
                playlist: main
                command: [/bin/cat]
                ready-timeout: soon

            """)
        let outcome = venue.load()
        let errors = outcome.diagnostics.errors.map {
            "\(URL(fileURLWithPath: $0.file).lastPathComponent):\($0.line ?? 0):\($0.column ?? 0): \($0.message)"
        }
        #expect(errors.contains("vitrine.yaml:2:21: pages.words-per-minute: expected a whole number from 20 to 2000, "
            + "found 'fast'"), "\(errors)")
        #expect(errors.contains("vitrine.yaml:12:14: screens.hall.columns: expected a whole number from 20 to 1000, "
            + "found 'fast'"), "\(errors)")
        let duration = "expected a duration such as 30s, 2m, 1h30m or 600ms, found 'soon'"
        #expect(errors.contains("vitrine.yaml:3:8: pages.min: \(duration)"), "\(errors)")
        #expect(errors.contains("vitrine.yaml:17:20: screens.ticker.ready-timeout: \(duration)"), "\(errors)")
        // The front matter's `page-duration: auto or a duration`, read by the same type as a playlist item's.
        #expect(errors.contains("exhibit.md:3:16: page-duration: \(duration)"), "\(errors)")
    }

    /// A value out of its declared range says the range; a default is what the declaration says it is.
    @Test func rangesAndDefaultsComeFromTheDeclaration() throws {
        let reader = OptionsReader(screen: "wall", entries: [
            OptionEntry(key: "page-cache", node: OptionNode(.scalar("9000"), line: 4, column: 17), line: 4, column: 5),
        ])
        let width = DefaultedKey("width", .number(64...8192), default: 1920, "Stage width.")
        let cache = DefaultedKey("page-cache", .number(0...4096), default: 16, "Megabytes.")
        #expect(reader[width] == 1920)
        #expect(reader[cache] == 16)
        #expect(reader.errors.map(\.message) == ["screens.wall.page-cache: expected a whole number from 0 to 4096, "
            + "found '9000'"])
        #expect(reader.errors.first?.line == 4 && reader.errors.first?.column == 17)
        #expect(width.spec.fallback == .value("1920") && width.spec.kind == "number from 64 to 8192")
        let timeout = DefaultedKey("timeout", .duration(100...300_000), default: 5_000, "Per request.")
        #expect(timeout.spec.fallback == .value("5s") && timeout.spec.kind == "duration from 100ms to 5m")
    }
}

/// The README's layout table is where a newcomer starts: every folder under Sources/, plugins/ and Tests/ is in it.
@Suite struct LayoutTests {
    @Test func theReadmeLayoutNamesEveryFolder() throws {
        let root = TemporaryVenue.packageRoot
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let layout = readme.components(separatedBy: "## Layout").dropFirst().first ?? ""
        for top in ["Sources", "plugins", "Tests"] {
            let folders = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(top).path)
                .filter { name in
                    var isDirectory: ObjCBool = false
                    let path = root.appendingPathComponent("\(top)/\(name)").path
                    return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                        && isDirectory.boolValue
                }
            for folder in folders {
                #expect(layout.contains("`\(top)/\(folder)`"), "README.md's layout table lacks \(top)/\(folder)")
            }
        }
    }
}
