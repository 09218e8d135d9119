import VitrineModel

/// What a key holds, for `vitrine plugins`, the option tables in the docs and the strict check of unknown keys.
/// Built from an `Option` declaration, so the table, the type and the default are written once.
public struct OptionSpec: Hashable, Sendable {
    public enum Default: Hashable, Sendable {
        /// Nothing happens without it.
        case none
        /// A missing key is an error.
        case required
        /// The value used when the key is absent, as it would be written (`1920`, `5s`).
        case value(String)
        /// A default that depends on something else ("the device's").
        case described(String)
    }

    public var name: String
    /// "number from 64 to 8192", "duration", "one of auto, truecolor, 256, 16" …
    public var kind: String
    public var fallback: Default
    /// Markdown: backticks for what is typed, links to other docs.
    public var summary: String
    /// The keys of a nested group (`push:` below an http screen), read as strictly as the screen's own.
    public var children: [OptionSpec]

    public init(_ name: String, kind: String, fallback: Default = .none, children: [OptionSpec] = [],
                _ summary: String) {
        self.name = name
        self.kind = kind
        self.fallback = fallback
        self.children = children
        self.summary = summary
    }

    /// The default as `vitrine plugins` prints it; nil when there is none.
    public var defaultText: String? {
        switch fallback {
        case .none: nil
        case .required: "required"
        case let .value(text), let .described(text): text
        }
    }
}

extension Array where Element == OptionSpec {
    /// The Markdown table of these keys, as the docs print it (`| key | value | default | meaning |`).
    public func markdownTable(keyHeading: String = "key") -> String {
        var lines = ["| \(keyHeading) | value | default | meaning |", "|---|---|---|---|"]
        for spec in self {
            let fallback: String = switch spec.fallback {
            case .none: "none"
            case .required: "required"
            case let .value(text): "`\(text)`"
            case let .described(text): text
            }
            lines.append("| `\(spec.name)` | \(spec.kind) | \(fallback) | \(spec.summary) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A key a mapping may hold, declared once: its name, its type, its default and what it means. Reading it
/// (`reader[option]`) gives the typed value; `spec` documents it.
public struct Key<Value: Sendable>: Sendable {
    public let type: OptionType<Value>
    public let spec: OptionSpec
    public var name: String { spec.name }

    /// A key with no default, or one that depends on something else (`otherwise: "the device's"`).
    public init(_ name: String, _ type: OptionType<Value>, otherwise: String? = nil, _ summary: String) {
        self.type = type
        spec = OptionSpec(name, kind: type.kind, fallback: otherwise.map { .described($0) } ?? .none, summary)
    }

    /// A key that must be written.
    public init(_ name: String, _ type: OptionType<Value>, required: Bool, _ summary: String) {
        self.type = type
        spec = OptionSpec(name, kind: type.kind, fallback: required ? .required : .none, summary)
    }

    /// A nested group of keys, read with `reader.section(option)`.
    public init(_ name: String, section children: [OptionSpec], otherwise: String? = nil, _ summary: String)
        where Value == OptionNode
    {
        type = .mapping
        spec = OptionSpec(name, kind: "options below it", fallback: otherwise.map { .described($0) } ?? .none,
                          children: children, summary)
    }
}

/// A key with a typed default: reading it always gives a value (the default when the key is absent or wrong; a
/// wrong value is reported, so nothing runs on it).
public struct DefaultedKey<Value: Sendable>: Sendable {
    public let type: OptionType<Value>
    public let value: Value
    public let spec: OptionSpec
    public var name: String { spec.name }

    public init(_ name: String, _ type: OptionType<Value>, default value: Value, _ summary: String) {
        self.type = type
        self.value = value
        spec = OptionSpec(name, kind: type.kind, fallback: .value(type.show(value)), summary)
    }
}

/// How one kind of value is written and read, with the message that says what was expected.
public struct OptionType<Value: Sendable>: Sendable {
    /// For the docs and `vitrine plugins`: "number from 64 to 8192".
    public let kind: String
    /// The value as it would be written, for defaults in the docs.
    public let show: @Sendable (Value) -> String
    /// Reads `node` (written at `path`), reporting a problem to `reader` and giving nil when it is not usable.
    public let read: @Sendable (_ node: OptionNode, _ path: String, _ reader: OptionsReader) -> Value?

    public init(kind: String, show: @escaping @Sendable (Value) -> String,
                read: @escaping @Sendable (OptionNode, String, OptionsReader) -> Value?) {
        self.kind = kind
        self.show = show
        self.read = read
    }

    /// The same text, read further (a URL, a listen address): `refine` reports and returns nil when it is wrong.
    public static func text(kind: String, show: @escaping @Sendable (Value) -> String,
                            _ refine: @escaping @Sendable (String, OptionNode, String, OptionsReader) -> Value?)
        -> OptionType
    {
        OptionType(kind: kind, show: show) { node, path, reader in
            guard let text = OptionType<String>.text.read(node, path, reader) else { return nil }
            return refine(text, node, path, reader)
        }
    }
}

extension OptionType where Value == String {
    /// Text on one or more lines; control characters other than tab and newline are refused.
    public static var text: OptionType { text(allowEmpty: false) }

    public static func text(allowEmpty: Bool) -> OptionType {
        OptionType(kind: "text", show: { $0 }) { node, path, reader in
            guard case let .scalar(text) = node.value else {
                reader.error("\(path): expected text, found \(node.kind)", at: node)
                return nil
            }
            if !allowEmpty, text.allSatisfy(\.isWhitespace) {
                reader.error("\(path): expected text, found nothing", at: node)
                return nil
            }
            if let bad = text.unicodeScalars.first(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) {
                reader.error("\(path): control character U+\(String(bad.value, radix: 16, uppercase: true)) in text",
                             at: node)
                return nil
            }
            return text
        }
    }

    /// An absolute path such as `example`.
    public static func path(example: String) -> OptionType {
        .text(kind: "absolute path", show: { $0 }) { text, node, path, reader in
            guard text.hasPrefix("/") else {
                reader.error("\(path): expected an absolute path such as \(example), found '\(text)'", at: node)
                return nil
            }
            return text
        }
    }

    /// Text read further by the code that declared it; `kind` says what it holds ("opening, midnight or a date-time").
    public static func text(kind: String) -> OptionType {
        .text(kind: kind, show: { $0 }) { text, _, _, _ in text }
    }

    /// One of a few words.
    public static func oneOf(_ choices: [String]) -> OptionType {
        .text(kind: "one of \(choices.joined(separator: ", "))", show: { $0 }) { text, node, path, reader in
            guard choices.contains(text) else {
                var message = "\(path): expected one of \(choices.joined(separator: ", ")), found '\(text)'"
                if let near = nearestName(to: text, in: choices) { message += "; did you mean '\(near)'?" }
                reader.error(message, at: node)
                return nil
            }
            return text
        }
    }
}

extension OptionType {
    /// One of an enumeration's cases, written as its raw value.
    public static func choice(_ type: Value.Type = Value.self) -> OptionType
        where Value: RawRepresentable & CaseIterable, Value.RawValue == String
    {
        let words = OptionType<String>.oneOf(Value.allCases.map(\.rawValue))
        return OptionType(kind: words.kind, show: \.rawValue) { node, path, reader in
            words.read(node, path, reader).flatMap(Value.init(rawValue:))
        }
    }

    /// A list of values, or one value standing for a list of one.
    public static func list<Element>(of element: OptionType<Element>) -> OptionType where Value == [Element] {
        OptionType(kind: "list of \(element.kind)", show: { "[\($0.map(element.show).joined(separator: ", "))]" }) {
            node, path, reader in
            let items = reader.list(node, at: path)
            let values = items.enumerated().compactMap { index, item in element.read(item, "\(path)[\(index)]", reader) }
            return values.count == items.count ? values : nil
        }
    }
}

extension OptionType where Value == Int {
    /// A whole number within `range` (`1_000` is read as 1000).
    public static func number(_ range: ClosedRange<Int>) -> OptionType {
        .text(kind: "number from \(range.lowerBound) to \(range.upperBound)", show: { String($0) }) {
            text, node, path, reader in
            guard let value = Int(text.replacingOccurrences(of: "_", with: "")), range.contains(value) else {
                reader.error("\(path): expected a whole number from \(range.lowerBound) to \(range.upperBound), "
                    + "found '\(text)'", at: node)
                return nil
            }
            return value
        }
    }
}

extension OptionType where Value == Bool {
    public static var bool: OptionType {
        .text(kind: "true or false", show: { String($0) }) { text, node, path, reader in
            switch text.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default:
                reader.error("\(path): expected true or false, found '\(text)'", at: node)
                return nil
            }
        }
    }
}

extension OptionType where Value == Int64 {
    /// `600ms`, `30s`, `2m`, `1h30m`; a bare number is seconds. Milliseconds, within `range`.
    public static func duration(_ range: ClosedRange<Int64>) -> OptionType {
        let bounds = "from \(showDuration(range.lowerBound)) to \(showDuration(range.upperBound))"
        return .text(kind: "duration \(bounds)", show: showDuration) { text, node, path, reader in
            guard let ms = parseDuration(text) else {
                reader.error("\(path): expected a duration such as 30s, 2m, 1h30m or 600ms, found '\(text)'", at: node)
                return nil
            }
            guard range.contains(ms) else {
                reader.error("\(path): expected a duration \(bounds), found '\(text)'", at: node)
                return nil
            }
            return ms
        }
    }
}

/// Milliseconds as a duration is written: `600ms`, `5s`, `2m`, `1h`.
public func showDuration(_ ms: Int64) -> String {
    if ms != 0, ms % 86_400_000 == 0 { return "\(ms / 86_400_000)d" }
    if ms != 0, ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
    if ms != 0, ms % 60_000 == 0 { return "\(ms / 60_000)m" }
    if ms % 1000 == 0 { return "\(ms / 1000)s" }
    return "\(ms)ms"
}

extension OptionType where Value == LocalDate {
    public static var date: OptionType {
        .text(kind: "date YYYY-MM-DD", show: \.description) { text, node, path, reader in
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let date = LocalDate(iso: trimmed) else {
                reader.error("\(path): \(LocalDate.problem(with: trimmed))", at: node)
                return nil
            }
            return date
        }
    }
}

extension OptionType where Value == TimeRange {
    public static var timeRange: OptionType {
        .text(kind: "time range HH:MM-HH:MM", show: \.description) { text, node, path, reader in
            guard let range = TimeRange(text: text) else {
                reader.error("\(path): expected a time range as HH:MM-HH:MM, found '\(text)'", at: node)
                return nil
            }
            if range.start == range.end {
                reader.error("\(path): the range \(text) is empty; for all day write 00:00-24:00", at: node)
                return nil
            }
            return range
        }
    }
}

extension OptionType where Value == Colour {
    public static var colour: OptionType {
        .text(kind: "colour #RRGGBB", show: \.description) { text, node, path, reader in
            guard let colour = Colour(hex: text.trimmingCharacters(in: .whitespaces)) else {
                reader.error("\(path): expected a colour as #RRGGBB, found '\(text)'", at: node)
                return nil
            }
            return colour
        }
    }
}

extension OptionType where Value == OptionNode {
    /// Keys and values below it, read by their own declarations (`reader.section`).
    public static var mapping: OptionType {
        OptionType(kind: "options below it", show: { _ in "" }) { node, path, reader in
            guard case .map = node.value else {
                reader.error("\(path): expected options indented below it (key: value lines), found \(node.kind)",
                             at: node)
                return nil
            }
            return node
        }
    }

    /// Any value, read by the code that declared it (`kind` says what it holds).
    public static func written(_ kind: String) -> OptionType {
        OptionType(kind: kind, show: { _ in "" }) { node, _, _ in node }
    }
}
