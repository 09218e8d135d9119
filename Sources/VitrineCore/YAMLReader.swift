import Foundation
import VitrineModel
import Yams

/// Typed reads from a Yams node tree that report every problem with its line, instead of stopping at the first.
/// Codable would lose the marks and ignore unknown keys; this keeps both.
final class YAMLReader {
    let log: DiagnosticLog
    /// Nodes visited; an alias bomb expands into far more nodes than any real file has.
    private var visits = 0
    private let visitLimit = 2_000_000
    private var exhausted = false

    init(log: DiagnosticLog) { self.log = log }

    struct Entry {
        let key: String
        let keyNode: Node
        let value: Node
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
            if let context { message += " (\(context.text) at line \(context.mark.line + log.lineOffset))" }
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

    // MARK: Reporting

    func error(_ message: String, at node: Node?) {
        log.error(message, line: node?.mark?.line, column: node?.mark?.column)
    }

    func warning(_ message: String, at node: Node?) {
        log.warning(message, line: node?.mark?.line, column: node?.mark?.column)
    }

    private func visit(_ node: Node) -> Bool {
        visits += 1
        if visits > visitLimit {
            if !exhausted {
                error("document expands to too many values (an alias bomb?)", at: node)
                exhausted = true
            }
            return false
        }
        return true
    }

    static func kind(of node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case let .scalar(scalar): scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" ? "nothing"
            : "'\(scalar.string)'"
        }
    }

    // MARK: Structure

    func entries(_ node: Node, _ path: String) -> [Entry]? {
        guard visit(node) else { return nil }
        guard case let .mapping(mapping) = node else {
            error("\(path): expected a mapping of keys, found \(Self.kind(of: node))", at: node)
            return nil
        }
        var result: [Entry] = []
        for (keyNode, value) in mapping {
            guard case let .scalar(scalar) = keyNode else {
                error("\(path): keys must be plain names", at: keyNode)
                continue
            }
            if scalar.string.hasPrefix(Self.duplicatePrefix) { continue }
            result.append(Entry(key: scalar.string, keyNode: keyNode, value: value))
        }
        return result
    }

    /// The fields of a mapping whose keys are fixed: unknown keys are errors with a suggestion, missing required
    /// keys are errors at the mapping.
    func fields(_ node: Node, _ path: String, allowed: [String], required: [String] = []) -> [String: Node]? {
        guard let entries = entries(node, path) else { return nil }
        var result: [String: Node] = [:]
        for entry in entries {
            if allowed.contains(entry.key) {
                result[entry.key] = entry.value
            } else {
                error("\(path.isEmpty ? "" : "\(path): ")unknown key '\(entry.key)'\(didYouMean(entry.key, allowed))",
                      at: entry.keyNode)
            }
        }
        for key in required where result[key] == nil {
            let message = "\(path.isEmpty ? "top level" : path): missing required key '\(key)'"
            // An empty document has no position of its own: the key belongs at its first line.
            if node.mark == nil, path.isEmpty { log.error(message, line: 1, column: 1) } else { error(message, at: node) }
        }
        return result
    }

    /// A list, or a single value standing for a list of one.
    func list(_ node: Node, _ path: String) -> [Node] {
        guard visit(node) else { return [] }
        switch node {
        case let .sequence(sequence): return Array(sequence)
        default: return [node]
        }
    }

    func sequence(_ node: Node, _ path: String) -> [Node]? {
        guard visit(node) else { return nil }
        guard case let .sequence(sequence) = node else {
            error("\(path): expected a list, found \(Self.kind(of: node))", at: node)
            return nil
        }
        return Array(sequence)
    }

    // MARK: Scalars

    func string(_ node: Node, _ path: String, allowEmpty: Bool = false) -> String? {
        guard visit(node) else { return nil }
        guard case let .scalar(scalar) = node else {
            error("\(path): expected text, found \(Self.kind(of: node))", at: node)
            return nil
        }
        if !allowEmpty, scalar.string.allSatisfy(\.isWhitespace) {
            error("\(path): expected text, found nothing", at: node)
            return nil
        }
        if let bad = scalar.string.unicodeScalars.first(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) {
            error("\(path): control character U+\(String(bad.value, radix: 16, uppercase: true)) in text", at: node)
            return nil
        }
        return scalar.string
    }

    func int(_ node: Node, _ path: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, path) else { return nil }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            error("\(path): expected a whole number, found '\(text)'", at: node)
            return nil
        }
        guard range.contains(value) else {
            error("\(path): \(value) is out of range \(range.lowerBound)...\(range.upperBound)", at: node)
            return nil
        }
        return value
    }

    func bool(_ node: Node, _ path: String) -> Bool? {
        guard let text = string(node, path) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            error("\(path): expected true or false, found '\(text)'", at: node)
            return nil
        }
    }

    /// `600ms`, `30s`, `2m`, `1h30m`; a bare number is seconds. Milliseconds.
    func duration(_ node: Node, _ path: String, minimum: Int64 = 1) -> Int64? {
        guard let text = string(node, path) else { return nil }
        guard let ms = VitrineModel.parseDuration(text) else {
            error("\(path): expected a duration such as 30s, 2m, 1h30m or 600ms, found '\(text)'", at: node)
            return nil
        }
        guard ms >= minimum else {
            error("\(path): duration must be at least \(minimum) ms", at: node)
            return nil
        }
        return ms
    }
}

extension YAMLReader {

    func date(_ node: Node, _ path: String) -> LocalDate? {
        guard let text = string(node, path) else { return nil }
        guard let date = LocalDate(iso: text.trimmingCharacters(in: .whitespaces)) else {
            error("\(path): expected a date as YYYY-MM-DD, found '\(text)'", at: node)
            return nil
        }
        return date
    }

    func timeRange(_ node: Node, _ path: String) -> TimeRange? {
        guard let text = string(node, path) else { return nil }
        guard let range = TimeRange(text: text) else {
            error("\(path): expected a time range as HH:MM-HH:MM, found '\(text)'", at: node)
            return nil
        }
        if range.start == range.end {
            error("\(path): the range \(text) is empty; for all day write 00:00-24:00", at: node)
            return nil
        }
        return range
    }

    func colour(_ node: Node, _ path: String) -> Colour? {
        guard let text = string(node, path) else { return nil }
        guard let colour = Colour(hex: text.trimmingCharacters(in: .whitespaces)) else {
            error("\(path): expected a colour as #RRGGBB, found '\(text)'", at: node)
            return nil
        }
        return colour
    }

    func oneOf(_ node: Node, _ path: String, _ choices: [String]) -> String? {
        guard let text = string(node, path) else { return nil }
        guard choices.contains(text) else {
            let list = choices.map { "'\($0)'" }.joined(separator: ", ")
            error("\(path): expected one of \(list), found '\(text)'\(didYouMean(text, choices))", at: node)
            return nil
        }
        return text
    }
}
