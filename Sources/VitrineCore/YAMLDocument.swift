import Foundation
import VitrineModel
import VitrinePluginAPI
import Yams

/// YAML text parsed into values that remember their line and column (`OptionNode`), for the one strict reader,
/// `OptionsReader`. Yams parses; this recovers from duplicate keys so every one is reported, and refuses documents
/// that expand beyond what any real file holds (an alias bomb) or nest deeper than any real file does.
enum YAMLDocument {
    /// The most values a document may hold, aliases expanded: a 10,000-exhibit playlist with five keys an item is
    /// 60,000. A bomb stops here, before it is spelt out in memory.
    static let valueLimit = 200_000
    static let depthLimit = 64
    /// The most text a document may spell out, aliases expanded, as a multiple of its own size (and at least 1 MiB):
    /// a long value aliased a few thousand times is refused here, however few the values, before every later step
    /// (smart quotes, Markdown, messages) goes through each copy.
    static let expansionFactor = 8
    static func textLimit(for source: String) -> Int { max(1 << 20, source.utf8.count * expansionFactor) }

    /// The document's values; nil when it cannot be parsed or is refused (reported to `log`). An empty document is
    /// an empty mapping.
    static func parse(_ text: String, log: DiagnosticLog) -> OptionNode? {
        guard let root = compose(text, log: log) else { return nil }
        var conversion = Conversion(log: log, textLimit: textLimit(for: text))
        return conversion.value(root, depth: 0)
    }

    private struct Conversion {
        let log: DiagnosticLog
        let textLimit: Int
        var count = 0
        var bytes = 0
        var refused = false

        mutating func value(_ node: Node, depth: Int) -> OptionNode? {
            count += 1
            guard !refused else { return nil }
            if count > YAMLDocument.valueLimit {
                refuse("the document expands to more than \(YAMLDocument.valueLimit) values (YAML aliases expanding?)", node)
                return nil
            }
            if depth > YAMLDocument.depthLimit {
                refuse("values nested more than \(YAMLDocument.depthLimit) deep", node)
                return nil
            }
            let converted: OptionValue
            switch node {
            case let .scalar(scalar):
                bytes += scalar.string.utf8.count
                if bytes > textLimit {
                    refuse("the document spells out more than \(textLimit >> 20) MiB of text once its YAML aliases are "
                           + "expanded (a long value repeated by aliases?)", node)
                    return nil
                }
                converted = .scalar(scalar.string)
            case let .sequence(sequence):
                var items: [OptionNode] = []
                items.reserveCapacity(sequence.count)
                for item in sequence {
                    guard let item = value(item, depth: depth + 1) else { return nil }
                    items.append(item)
                }
                converted = .list(items)
            case let .mapping(mapping):
                var entries: [OptionEntry] = []
                for (key, item) in mapping {
                    guard case let .scalar(name) = key else {
                        log.error("keys must be plain names, found \(key.sequence != nil ? "a list" : "a mapping")",
                                  line: key.mark?.line, column: key.mark?.column)
                        continue
                    }
                    // A duplicate, renamed when composing, was reported there.
                    if name.string.hasPrefix(YAMLDocument.duplicatePrefix) { continue }
                    guard let item = value(item, depth: depth + 1) else { return nil }
                    entries.append(OptionEntry(key: name.string, node: item, line: key.mark?.line,
                                               column: key.mark?.column))
                }
                converted = .map(entries)
            case .alias:
                converted = .scalar("")
            }
            return OptionNode(converted, line: node.mark?.line, column: node.mark?.column)
        }

        mutating func refuse(_ message: String, _ node: Node) {
            refused = true
            log.error(message, line: node.mark?.line, column: node.mark?.column)
        }
    }

    // MARK: Composing, with recovery from duplicate keys

    /// Parses one YAML document. Duplicate keys are reported each with its line, and parsing goes on so the other
    /// problems in the file are found too.
    static func compose(_ original: String, log: DiagnosticLog) -> Node? {
        var text = original
        for attempt in 0..<100 {
            do {
                // Every value is read as text and typed here, so Yams need not resolve tags (its regex resolver is the
                // costliest part of parsing); UTF-8 is named so Yams does not consult the environment per document.
                return try Yams.compose(yaml: text, .basic, .default, .utf8) ?? Node.mapping(.init([]))
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                var renamed = false
                for key in duplicates {
                    guard let place = locateDuplicate(key, in: text, hint: context.mark) else { continue }
                    log.error("duplicate key '\(key)' (first written at line \(place.firstLine))",
                              line: place.line, column: place.column)
                    text = rename(in: text, line: place.line, column: place.column, length: place.length,
                                  to: "\(duplicatePrefix)\(attempt)_\(key.count)")
                    renamed = true
                }
                if !renamed {
                    let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
                    log.error("duplicate key \(keys)", line: context.mark.line, column: context.mark.column)
                    return nil
                }
            } catch let error as YamlError {
                report(error, log: log)
                return nil
            } catch {
                log.error("cannot parse YAML: \(error)")
                return nil
            }
        }
        log.error("too many duplicate keys")
        return nil
    }

    static let duplicatePrefix = "__vitrine_duplicate_"

    private static func report(_ error: YamlError, log: DiagnosticLog) {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var message = "YAML syntax: \(problem)"
            let hint = hint(for: problem, context: context?.text)
            if let context, hint?.atOpening == true {
                // An unclosed quote or bracket is fixed where it opens, not where the parser gave up (often the
                // end of the front matter): point there.
                message += " (\(context.text), which starts here; the parser gave up at line \(mark.line + log.lineOffset))"
                log.error(message + "; " + hint!.text, line: context.mark.line, column: context.mark.column)
                return
            }
            if let context { message += " (\(context.text) at line \(context.mark.line + log.lineOffset))" }
            if let hint { message += "; " + hint.text }
            log.error(message, line: mark.line, column: mark.column)
        case let .reader(problem, offset, value, yaml):
            // The reader reports a byte offset (a control character, say); the operator needs a line.
            guard let offset, offset >= 0, offset <= yaml.utf8.count else {
                log.error("YAML: \(problem)")
                return
            }
            let before = yaml.utf8.prefix(offset)
            let line = before.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { before.index(after: $0) } ?? before.startIndex
            let column = String(decoding: before[lineStart...], as: UTF8.self).count + 1
            let character = value >= 0 && value < 32 ? String(format: " (U+%04X)", value) : ""
            log.error("YAML: \(problem)\(character)", line: line, column: column)
        default:
            log.error("YAML: \(error)")
        }
    }

    /// What the parser's words usually mean in a file a person wrote, for the common cases; `atOpening` when the
    /// fix is where the context (a quote, a bracket) opened.
    static func hint(for problem: String, context: String?) -> (text: String, atOpening: Bool)? {
        let problem = problem.lowercased(), context = context?.lowercased() ?? ""
        if problem.contains("mapping values are not allowed") {
            return ("a value that contains ': ' must be put in quotes (title: \"Bread: a story\")", false)
        }
        if problem.contains("unexpected end of stream"), context.contains("quoted scalar") {
            return ("a quote opened here is never closed", true)
        }
        if problem.contains("cannot start any token") {
            return ("indent with spaces, not tabs, and put a value that starts with @, ` or % in quotes", false)
        }
        if problem.contains("did not find expected key") || problem.contains("could not find expected ':'") {
            return ("check this line's indentation (the keys of one block line up) and that each key ends with ':'", false)
        }
        if problem.contains("did not find expected ',' or ']'") {
            return ("a list in [brackets] opened here is not closed, or a comma is missing between its items",
                    context.contains("flow sequence"))
        }
        if problem.contains("did not find expected ',' or '}'") {
            return ("a mapping in {braces} opened here is not closed, or a comma is missing between its entries",
                    context.contains("flow mapping"))
        }
        if problem.contains("block sequence entries are not allowed") {
            return ("a list ('- item') must start on its own line, below its key", false)
        }
        return nil
    }

    /// Finds the second of two block-style occurrences of `key` in one mapping, by column and indentation.
    private static func locateDuplicate(_ key: String, in text: String, hint: Mark)
        -> (line: Int, column: Int, length: Int, firstLine: Int)?
    {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        let column = hint.column
        func keyLength(_ line: [Character]) -> Int? {
            guard column - 1 < line.count else { return nil }
            let prefix = line[0..<(column - 1)]
            guard prefix.allSatisfy({ $0 == " " || $0 == "-" }) else { return nil }
            let rest = String(line[(column - 1)...])
            for written in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(written) {
                let after = rest.dropFirst(written.count).drop { $0 == " " || $0 == "\t" }
                if after.first == ":" { return written.count }
            }
            return nil
        }
        func closesMapping(_ line: [Character]) -> Bool {
            guard let first = line.firstIndex(where: { $0 != " " }) else { return false }
            if line[first] == "#" { return false }
            return first < column - 1
        }
        var previous: Int?
        for (index, line) in lines.enumerated() {
            if let length = keyLength(line) {
                if let previous, index + 1 > hint.line || previous + 1 >= hint.line {
                    return (index + 1, column, length, previous + 1)
                }
                previous = index
            } else if closesMapping(line) {
                previous = nil
            }
        }
        return nil
    }

    private static func rename(in text: String, line: Int, column: Int, length: Int, to replacement: String)
        -> String
    {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var chars = Array(lines[line - 1])
        chars.replaceSubrange((column - 1)..<(column - 1 + length), with: Array(replacement))
        lines[line - 1] = String(chars)
        return lines.joined(separator: "\n")
    }
}
