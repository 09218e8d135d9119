import BuiltinOutputs
import Foundation
import Testing
import TerminalOutput
import VitrineCore
import VitrineModel
import VitrinePluginAPI
import VitrineTestKit

/// Every plugin folder explains itself: its sample decodes, and its README shows the sample and every option.
@Suite struct PluginTests {
    let plugins = TemporaryVenue.packageRoot.appendingPathComponent("plugins")

    /// The folders under plugins/ (`builtin` is the list of built-in outputs, not a plugin).
    func pluginFolders() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: plugins.path).filter {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: plugins.appendingPathComponent($0).path,
                                                        isDirectory: &isDirectory)
            return exists && isDirectory.boolValue && $0 != "builtin"
        }
    }

    /// One list of built-in outputs: a plugin folder with Swift sources that the list forgets fails here, not in
    /// front of a technician whose `output: NAME` is unknown.
    @Test func everyPluginFolderWithSwiftSourcesIsInTheOneList() throws {
        let swiftFolders = try pluginFolders().filter { folder in
            let files = try FileManager.default.contentsOfDirectory(atPath: plugins.appendingPathComponent(folder).path)
            return files.contains { $0.hasSuffix(".swift") }
        }
        #expect(Set(swiftFolders) == Set(BuiltinOutputs.all.map { $0.type }),
                "plugins/ folders with Swift sources vs BuiltinOutputs.all (a folder is named as its output type)")
        #expect(Set(testRegistry.types).isSuperset(of: BuiltinOutputs.all.map { $0.type }))
    }

    @Test func everyPluginSampleDecodesAndIsDocumented() throws {
        let folders = try pluginFolders()
        #expect(!folders.isEmpty)
        for folder in folders {
            let base = plugins.appendingPathComponent(folder)
            let sample = try String(contentsOf: base.appendingPathComponent("sample.yaml"), encoding: .utf8)
            let readme = try String(contentsOf: base.appendingPathComponent("README.md"), encoding: .utf8)
            #expect(readme.contains(sample.trimmingCharacters(in: .whitespacesAndNewlines)),
                    "plugins/\(folder)/README.md shows its sample.yaml")

            // The sample's screens, with a playlist and theme around them, make a valid configuration.
            let venue = try TemporaryVenue()
            try venue.addExhibit("first", "---\ntitle: First\n---\nText.\n")
            try venue.writeConfig("""
                timezone: UTC
                themes:
                  paper: { background: "#FFFFFF", text: "#111111" }
                playlists:
                  main: [first]
                \(sample)
                """)
            let outcome = venue.load()
            #expect(outcome.diagnostics.errors.isEmpty, "plugins/\(folder)/sample.yaml: \(outcome.diagnostics)")
            let type = try #require(outcome.program?.configuration.screens.first?.output)
            let plugin = try #require(testRegistry.plugin(type))
            for option in plugin.options {
                #expect(readme.contains("`\(option.name)`"), "plugins/\(folder)/README.md documents \(option.name)")
            }
        }
    }

    @Test func unknownAndBadOptionsAreLocatedErrors() throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("first", "---\ntitle: First\n---\nText.\n")
        try venue.writeConfig("""
            themes:
              paper: { background: "#FFFFFF", text: "#111111" }
            playlists:
              main: [first]
            screens:
              hall:
                output: terminal
                playlist: main
                tyy: /dev/tty2
                colours: millions
                columns: 3
              lobby:
                output: terminal
                playlist: main
              foyer:
                output: terminal
                playlist: main

            """)
        let errors = venue.load().diagnostics.errors.map { "\($0.line ?? 0):\($0.column ?? 0): \($0.message)" }
        #expect(errors.contains("9:5: screens.hall: unknown option 'tyy' for this output; did you mean 'tty'?"), "\(errors)")
        #expect(errors.contains { $0.hasPrefix("10:14: screens.hall.colours: expected one of auto, truecolor, 256, 16, none") },
                "\(errors)")
        #expect(errors.contains { $0.hasPrefix("11:14: screens.hall.columns: expected a whole number from 20") }, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("15:3: screens.foyer: /dev/stdout is already used by screen 'lobby'") },
                "\(errors)")
    }

    /// A 200-column terminal keeps text to the theme's measure (70 cells), the column centred: lines ran to ~190.
    @Test func aWideTerminalKeepsTextToTheMeasure() throws {
        let exhibit = try #require(ExhibitLoader().loadFolder(
            TemporaryVenue.packageRoot.appendingPathComponent("config/exhibits").path).exhibits["long-winter"])
        let theme = Theme(name: "paper")
        let surface = Surface.cells(columns: 200, rows: 50)
        let pages = Paginator().paginate(exhibit, measurer: surface.measurer(theme))
        var widest = 0, lefts: Set<Int> = []
        for page in pages {
            let layout = TerminalLayout(frame: .page(page), columns: 200, rows: 50, measure: theme.measure)
            for row in layout.lines.dropFirst().dropLast() {
                for span in row { widest = max(widest, CellMeasurer.displayWidth(span.text)); lefts.insert(span.column) }
            }
        }
        #expect(widest <= 70 && widest > 50, "widest line \(widest) cells")
        #expect(lefts.min() == (200 - 70) / 2, "centred: \(lefts.sorted())")
    }

    @Test func terminalLayoutFitsAndColoursDegrade() {
        let page = Page(exhibit: "x", series: "Series", title: "Title", index: 1, count: 3,
                        items: [.text(role: .body, lines: [PageLine(text: "日本語 text", height: 1)], spaceBefore: 0)],
                        words: 2)
        let layout = TerminalLayout(frame: .page(page), columns: 30, rows: 8)
        #expect(layout.plainRows.count == 8)
        #expect(layout.plainRows.allSatisfy { CellMeasurer.displayWidth($0) == 30 })
        #expect(layout.plainRows[0].hasPrefix(" Series :: Title"))
        #expect(layout.plainRows[7].hasSuffix("2/3 "))
        let clocked = TerminalLayout(frame: .page(page), columns: 30, rows: 8, clock: "14:05")
        #expect(clocked.plainRows[7].hasSuffix("14:05  2/3 "), "a theme's clock sits before the page indicator")
        let accent = Colour(hex: "#7A1F1F")!
        #expect(ColourMode.truecolor.sgr(accent, background: false) == "38;2;122;31;31")
        #expect(ColourMode.palette256.sgr(accent, background: false) == "38;5;88")
        #expect(ColourMode.palette16.sgr(Colour(hex: "#FFFFFF")!, background: true) == "107")
        #expect(ColourMode.detect(term: "xterm-256color", colorterm: "truecolor") == .truecolor)
        #expect(ColourMode.detect(term: "linux", colorterm: nil) == .palette16)
        #expect(ColourMode.detect(term: "dumb", colorterm: nil) == ColourMode.none)
    }
}
