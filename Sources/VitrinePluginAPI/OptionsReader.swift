/// A problem with one value, located in its file.
public struct OptionProblem: Hashable, Sendable, Error {
    /// The key of the reader's mapping the problem is under (for a plugin: which option).
    public var key: String
    public var message: String
    public var line: Int?
    public var column: Int?
    /// A warning is reported and nothing is refused.
    public var isWarning: Bool
    public init(key: String, message: String, line: Int?, column: Int?, isWarning: Bool = false) {
        self.key = key
        self.message = message
        self.line = line
        self.column = column
        self.isWarning = isWarning
    }
}

/// The one strict reader of YAML values: configuration sections, a screen's plugin options and exhibits' front
/// matter. A reader stands for one mapping at a path ("screens.lobby", "themes.dark", "" for the top level); keys
/// are read through their declarations (`Option`), which type, default and document them. Every problem is
/// collected with its line and column, so one pass reports all of them; unknown keys get a "did you mean".
public final class OptionsReader {
    /// Where the mapping sits, for messages: "screens.lobby".
    public let path: String
    public let entries: [OptionEntry]
    /// Where the mapping itself is written (errors about the whole of it, such as a missing key, point here).
    private let line: Int?
    private let column: Int?
    private let sink: Sink

    /// Problems are shared by a reader and the readers of what is nested in it.
    private final class Sink {
        var problems: [OptionProblem] = []
    }

    /// Every problem reported to this reader or to one nested in it (or to the reader it is nested in).
    public var problems: [OptionProblem] { sink.problems }
    public var errors: [OptionProblem] { sink.problems.filter { !$0.isWarning } }

    /// A screen's plugin options: messages say `screens.NAME.KEY`.
    public convenience init(screen: String, entries: [OptionEntry]) {
        self.init(path: "screens.\(screen)", entries: entries)
    }

    public init(path: String, entries: [OptionEntry], line: Int? = nil, column: Int? = nil) {
        self.path = path
        self.entries = entries
        self.line = line
        self.column = column
        sink = Sink()
    }

    private init(path: String, entries: [OptionEntry], line: Int?, column: Int?, sink: Sink) {
        self.path = path
        self.entries = entries
        self.line = line
        self.column = column
        self.sink = sink
    }

    /// `key` under this reader's path.
    public func path(of key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    // MARK: Reporting

    public func error(_ message: String, at node: OptionNode?, key: String = "") {
        sink.problems.append(OptionProblem(key: key, message: message, line: node?.line ?? line,
                                           column: node?.line == nil ? column : node?.column))
    }

    public func warning(_ message: String, at node: OptionNode?, key: String = "") {
        sink.problems.append(OptionProblem(key: key, message: message, line: node?.line ?? line,
                                           column: node?.line == nil ? column : node?.column, isWarning: true))
    }

    /// A problem with `key`'s value, which the plugin found itself (two options that contradict each other, say).
    public func problem(_ key: String, _ message: String) {
        let entry = entries.first { $0.key == key }
        sink.problems.append(OptionProblem(key: key, message: "\(path(of: key)): \(message)",
                                           line: entry?.node.line ?? entry?.line ?? line,
                                           column: entry?.node.line != nil ? entry?.node.column
                                               : entry?.line != nil ? entry?.column : column))
    }

    /// An error about the mapping as a whole ("until is before from").
    public func problem(_ message: String) {
        sink.problems.append(OptionProblem(key: "", message: path.isEmpty ? message : "\(path): \(message)",
                                           line: line, column: column))
    }

    public func warning(_ message: String) {
        sink.problems.append(OptionProblem(key: "", message: path.isEmpty ? message : "\(path): \(message)",
                                           line: line, column: column, isWarning: true))
    }

    // MARK: Keys

    /// Checks the keys against their declarations: a key not among `specs` is an error with a suggestion (for a
    /// plugin, `unknown` is "option … for this output"), a required key that is missing is an error at the mapping.
    /// `place` names the mapping in those messages when its path does not ("front matter").
    public func accept(_ specs: [OptionSpec], unknown noun: String = "key", forOutput: Bool = false,
                       place: String? = nil) {
        let known = specs.map(\.name)
        let place = place ?? path
        for entry in entries where !known.contains(entry.key) {
            var message = "\(place.isEmpty ? "" : "\(place): ")unknown \(noun) '\(entry.key)'"
            if forOutput { message += " for this output" }
            if let near = nearestName(to: entry.key, in: known) { message += "; did you mean '\(near)'?" }
            else if forOutput, !known.isEmpty { message += " (options: \(known.joined(separator: ", ")))" }
            sink.problems.append(OptionProblem(key: entry.key, message: message, line: entry.line ?? line,
                                               column: entry.line != nil ? entry.column : column))
        }
        for spec in specs where spec.fallback == .required && node(spec.name) == nil {
            sink.problems.append(OptionProblem(
                key: spec.name, message: "\(place.isEmpty ? "top level" : place): missing required key '\(spec.name)'",
                line: line ?? 1, column: line == nil ? 1 : column))
        }
    }

    /// Reports every key not among `specs` (a plugin's options).
    public func rejectUnknown(_ specs: [OptionSpec]) { accept(specs, unknown: "option", forOutput: true) }

    public func node(_ key: String) -> OptionNode? { entries.first { $0.key == key }?.node }

    public func has(_ option: Key<some Sendable>) -> Bool { node(option.name) != nil }
    public func has(_ option: DefaultedKey<some Sendable>) -> Bool { node(option.name) != nil }

    /// The key's value; nil when the key is absent or its value is wrong (reported).
    public subscript<Value>(_ option: Key<Value>) -> Value? {
        guard let node = node(option.name) else { return nil }
        return read(node, at: path(of: option.name), as: option.type, key: option.name)
    }

    /// The key's value, or its default when the key is absent or wrong (a wrong value is reported).
    public subscript<Value>(_ option: DefaultedKey<Value>) -> Value {
        guard let node = node(option.name) else { return option.value }
        return read(node, at: path(of: option.name), as: option.type, key: option.name) ?? option.value
    }

    /// A nested group of keys (`push:` below an http screen), checked against the option's `children`; its problems
    /// are this reader's. Nil when the key is absent or not a mapping (reported).
    public func section(_ option: Key<OptionNode>) -> OptionsReader? {
        guard let node = self[option] else { return nil }
        let reader = mapping(node, at: path(of: option.name))
        // A section's keys are declared; a free mapping (`.mapping`: an exec plugin's `env:`) takes any name.
        if !option.spec.children.isEmpty { reader?.accept(option.spec.children, unknown: "option") }
        return reader
    }

    // MARK: Values

    /// `node`, written at `path`, read as `type`; nil when wrong (reported).
    public func read<Value>(_ node: OptionNode, at path: String, as type: OptionType<Value>, key: String = "")
        -> Value?
    {
        let before = sink.problems.count
        let value = type.read(node, path, self)
        if !key.isEmpty {
            for index in before..<sink.problems.count where sink.problems[index].key.isEmpty {
                sink.problems[index].key = key
            }
        }
        return value
    }

    /// A reader for the mapping `node`, written at `path`, sharing this reader's problems; nil when `node` is not a
    /// mapping (reported).
    public func mapping(_ node: OptionNode, at path: String) -> OptionsReader? {
        guard case let .map(entries) = node.value else {
            error("\(path.isEmpty ? "" : "\(path): ")expected a mapping of keys, found \(node.kind)", at: node)
            return nil
        }
        return OptionsReader(path: path, entries: entries, line: node.line, column: node.column, sink: sink)
    }

    /// The same mapping with only `keys` in it, sharing this reader's problems (a screen's own keys, apart from its
    /// plugin's options).
    public func only(_ keys: [String]) -> OptionsReader {
        OptionsReader(path: path, entries: entries.filter { keys.contains($0.key) }, line: line, column: column,
                      sink: sink)
    }

    /// A list, or one value standing for a list of one.
    public func list(_ node: OptionNode, at path: String) -> [OptionNode] {
        if case let .list(items) = node.value { return items }
        return [node]
    }

    /// A list; nil when `node` is something else (reported).
    public func sequence(_ node: OptionNode, at path: String) -> [OptionNode]? {
        guard case let .list(items) = node.value else {
            error("\(path.isEmpty ? "" : "\(path): ")expected a list, found \(node.kind)", at: node)
            return nil
        }
        return items
    }
}

extension OptionNode {
    /// What was written, for "expected …, found …".
    public var kind: String {
        switch value {
        case .map: "a mapping"
        case .list: "a list"
        case let .scalar(text): text.isEmpty || text == "~" || text == "null" ? "nothing" : "'\(text)'"
        }
    }

    /// The text of a scalar; nil for a list or a mapping.
    public var text: String? {
        if case let .scalar(text) = value { return text }
        return nil
    }
}
