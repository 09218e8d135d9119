/// A screen's plugin options as written in the configuration, with where each value came from.
public indirect enum OptionValue: Hashable, Sendable {
    case scalar(String)
    case list([OptionNode])
    case map([OptionEntry])
}

public struct OptionNode: Hashable, Sendable {
    public var value: OptionValue
    public var line: Int?
    public var column: Int?
    public init(_ value: OptionValue, line: Int? = nil, column: Int? = nil) {
        self.value = value
        self.line = line
        self.column = column
    }
}

public struct OptionEntry: Hashable, Sendable {
    public var key: String
    public var node: OptionNode
    /// Where the key itself is written.
    public var line: Int?
    public var column: Int?
    public init(key: String, node: OptionNode, line: Int? = nil, column: Int? = nil) {
        self.key = key
        self.node = node
        self.line = line
        self.column = column
    }
}

/// What a screen's options say, without where they are written: two option sets that differ only in their lines
/// and columns, their comments or the order of keys inside a mapping mean the same, and a reload keeps the output
/// running.
public indirect enum OptionMeaning: Hashable, Sendable {
    case scalar(String)
    case list([OptionMeaning])
    case map([String: OptionMeaning])
}

extension OptionValue {
    public var meaning: OptionMeaning {
        switch self {
        case let .scalar(text): .scalar(text)
        case let .list(nodes): .list(nodes.map(\.value.meaning))
        case let .map(entries): entries.meaning
        }
    }
}

extension Array where Element == OptionEntry {
    /// The options as a mapping of key to meaning (a duplicated key is refused when the file is read).
    public var meaning: OptionMeaning {
        .map(Dictionary(map { ($0.key, $0.node.value.meaning) }, uniquingKeysWith: { _, last in last }))
    }
}

/// One documented option of an output plugin, for `vitrine plugins` and the strict check of unknown keys.
public struct OptionSpec: Hashable, Sendable {
    public var name: String
    /// "path", "duration", "one of auto, truecolor, 256, 16" …
    public var kind: String
    public var defaultValue: String?
    public var summary: String
    public init(_ name: String, _ kind: String, default defaultValue: String? = nil, _ summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.summary = summary
    }
}

/// A problem with one option, located in the configuration file.
public struct OptionProblem: Hashable, Sendable, Error {
    public var key: String
    public var message: String
    public var line: Int?
    public var column: Int?
    public init(key: String, message: String, line: Int?, column: Int?) {
        self.key = key
        self.message = message
        self.line = line
        self.column = column
    }
}

/// Typed, strict reads of a screen's options: every problem is collected, and keys the plugin does not declare in
/// its `OptionSpec`s are reported with a suggestion.
public final class OptionsReader {
    public let screen: String
    public let entries: [OptionEntry]
    /// The screen's reader, when this one reads a nested group of options (`push:`): problems go there.
    private let parent: OptionsReader?
    private var ownProblems: [OptionProblem] = []
    public var problems: [OptionProblem] { parent?.problems ?? ownProblems }

    /// `screen` names where the options sit in messages: "lobby", or "lobby.push" for a nested group.
    public init(screen: String, entries: [OptionEntry]) {
        self.screen = screen
        self.entries = entries
        parent = nil
    }

    private init(screen: String, entries: [OptionEntry], parent: OptionsReader) {
        self.screen = screen
        self.entries = entries
        self.parent = parent
    }

    private func record(_ problem: OptionProblem) {
        if let parent { parent.record(problem) } else { ownProblems.append(problem) }
    }

    public func problem(_ key: String, _ message: String) {
        let entry = entries.first { $0.key == key }
        record(OptionProblem(key: key, message: "screens.\(screen).\(key): \(message)",
                             line: entry?.node.line ?? entry?.line, column: entry?.node.column ?? entry?.column))
    }

    /// A nested group of options (`push: { url: …, timeout: … }`), read strictly against `specs`; its problems are
    /// this reader's. Nil when the key is absent or not a mapping (reported).
    public func section(_ key: String, specs: [OptionSpec]) -> OptionsReader? {
        guard let node = node(key) else { return nil }
        guard case let .map(entries) = node.value else {
            problem(key, "expected options indented below it (key: value lines)")
            return nil
        }
        let reader = OptionsReader(screen: "\(screen).\(key)", entries: entries, parent: self)
        reader.rejectUnknown(specs)
        return reader
    }

    /// Reports every key not among `specs`.
    public func rejectUnknown(_ specs: [OptionSpec]) {
        let known = specs.map(\.name)
        for entry in entries where !known.contains(entry.key) {
            var message = "screens.\(screen): unknown option '\(entry.key)' for this output"
            if let near = nearestName(to: entry.key, in: known) { message += "; did you mean '\(near)'?" }
            else if !known.isEmpty { message += " (options: \(known.joined(separator: ", ")))" }
            record(OptionProblem(key: entry.key, message: message, line: entry.line, column: entry.column))
        }
    }

    public func node(_ key: String) -> OptionNode? { entries.first { $0.key == key }?.node }

    public func string(_ key: String) -> String? {
        guard let node = node(key) else { return nil }
        guard case let .scalar(text) = node.value, !text.isEmpty else {
            problem(key, "expected text")
            return nil
        }
        return text
    }

    public func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            problem(key, "expected a whole number from \(range.lowerBound) to \(range.upperBound), found '\(text)'")
            return nil
        }
        return value
    }

    public func bool(_ key: String) -> Bool? {
        guard let text = string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            problem(key, "expected true or false, found '\(text)'")
            return nil
        }
    }

    public func oneOf(_ key: String, _ choices: [String]) -> String? {
        guard let text = string(key) else { return nil }
        guard choices.contains(text) else {
            var message = "expected one of \(choices.joined(separator: ", ")), found '\(text)'"
            if let near = nearestName(to: text, in: choices) { message += "; did you mean '\(near)'?" }
            problem(key, message)
            return nil
        }
        return text
    }

    /// `600ms`, `5s`, `2m`; a bare number is seconds. Milliseconds.
    public func duration(_ key: String, in range: ClosedRange<Int64>) -> Int64? {
        guard let text = string(key) else { return nil }
        guard let value = parseDuration(text), range.contains(value) else {
            problem(key, "expected a duration from \(range.lowerBound) ms to \(range.upperBound / 1000) s "
                + "such as 5s or 800ms, found '\(text)'")
            return nil
        }
        return value
    }

    /// An absolute path.
    public func path(_ key: String) -> String? {
        guard let text = string(key) else { return nil }
        guard text.hasPrefix("/") else {
            problem(key, "expected an absolute path such as /dev/tty2, found '\(text)'")
            return nil
        }
        return text
    }
}

/// The candidate closest to a misspelt `word`, within a small edit distance; for "did you mean …?".
public func nearestName(to word: String, in candidates: some Sequence<String>) -> String? {
    // A name is a word, not a pasted page: past 100 characters nothing is suggested (the distance costs the
    // product of both lengths, and a megabyte of text made `check` crawl).
    let length = word.count
    guard length <= 100 else { return nil }
    let limit = max(1, length / 3)
    let lowered = word.lowercased()
    var best: (String, Int)?
    for candidate in candidates where abs(candidate.count - length) <= limit {
        let d = editDistance(lowered, candidate.lowercased())
        if d <= limit, d < (best?.1 ?? Int.max) { best = (candidate, d) }
    }
    return best?.0
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours ("mian").
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}
