/// A value as written in a YAML file (the configuration, a screen's plugin options, an exhibit's front matter), with
/// where it came from: what `OptionsReader` reads, whoever declared the keys.
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
