import VitrinePluginAPI

/// The tables of keys the docs print, all from the declarations the readers use: the configuration's sections, an
/// exhibit's front matter and each output plugin's options (`output NAME`). A doc marks where a table goes with a line
/// `<!-- keys: NAME -->` directly above it; `vitrine reference --update FILE…` (`make docs`) rewrites the tables
/// below the marks, and a test fails when a doc's table differs from its declarations.
public struct KeyTables: Sendable {
    public struct Table: Sendable {
        /// Where the keys are written.
        public enum Part: Sendable { case configuration, exhibit, output }

        public var name: String
        public var keys: [OptionSpec]
        /// "key" for the configuration and exhibits, "option" for a plugin's.
        public var heading: String
        public var part: Part
        /// What the table describes, in a sentence (configuration tables).
        public var about = ""
        public var markdown: String { keys.markdownTable(keyHeading: heading) }
    }

    public let tables: [Table]

    public init(outputs: OutputRegistry) {
        var tables = ConfigurationKeys.tables.map {
            Table(name: $0.name, keys: $0.keys, heading: "key", part: .configuration, about: $0.about)
        }
        tables += ExhibitKeys.tables.map { Table(name: $0.name, keys: $0.keys, heading: "key", part: .exhibit) }
        for plugin in outputs.plugins {
            tables.append(Table(name: "output \(plugin.type)", keys: plugin.options, heading: "option", part: .output,
                                about: "Screens with output: \(plugin.type)."))
            for group in plugin.options where !group.children.isEmpty {
                tables.append(Table(name: "output \(plugin.type).\(group.name)", keys: group.children,
                                    heading: "option", part: .output,
                                    about: "The \(group.name): mapping of a screen with output: \(plugin.type)."))
            }
        }
        self.tables = tables
    }

    static let markPrefix = "<!-- keys: "

    /// `text` with the table under each mark replaced by the declared one; unknown marks are listed in `unknown`.
    public func update(_ text: String) -> (text: String, unknown: [String]) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var unknown: [String] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            guard let name = Self.mark(line) else { continue }
            guard let table = tables.first(where: { $0.name == name }) else {
                unknown.append(name)
                continue
            }
            var end = index
            while end < lines.count, lines[end].hasPrefix("|") { end += 1 }
            let replacement = table.markdown.split(separator: "\n").map(String.init)
            lines.replaceSubrange(index..<end, with: replacement)
            index += replacement.count
        }
        return (lines.joined(separator: "\n"), unknown)
    }

    /// The names of the tables `text` marks.
    public static func marks(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { mark(String($0)) }
    }

    /// The table a line marks (`<!-- keys: NAME -->`), if it is a mark.
    static func mark(_ line: String) -> String? {
        let line = line.trimmingCharacters(in: .whitespaces)
        guard line.hasPrefix(markPrefix), line.hasSuffix("-->") else { return nil }
        return String(line.dropFirst(markPrefix.count).dropLast(3)).trimmingCharacters(in: .whitespaces)
    }
}
