/// The folder name of an exhibit under the content folder; what playlists refer to.
public struct ExhibitID: Hashable, Codable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (a: ExhibitID, b: ExhibitID) -> Bool { a.rawValue < b.rawValue }
}

/// How long each page of an exhibit stays up.
public enum PageDuration: Hashable, Codable, Sendable {
    /// Fixed dwell per page, in milliseconds.
    case fixed(milliseconds: Int64)
    /// Reading time of the words on the page, within the venue's limits.
    case readingTime
}

/// One exhibit as a curator wrote it: front matter and Markdown body turned into blocks.
///
/// Its contents live in one shared box (copy on write): the schedule, the loader and the page book pass exhibits
/// around by value thousands of times per reload, and a copy is then one reference, not twenty; two copies of the
/// same exhibit compare equal without comparing their text. Fields read and write as before (`exhibit.title`).
@dynamicMemberLookup
public struct Exhibit: Hashable, Codable, Sendable {
    public struct Contents: Hashable, Codable, Sendable {
        public var id: ExhibitID
        public var series: String?
        public var title: String
        public var summary: String?
        public var accession: String?
        public var credit: String?
        /// The language this text is in (`en`, `ru`, `zh-Hans`, …): the original's as its front matter says, a
        /// translation's from its file name (`exhibit.ru.md`).
        public var language: String?
        /// The exhibit's translations by language, each a whole exhibit read from `exhibit.LANG.md` beside the
        /// original.
        public var translations: [String: Exhibit] = [:]
        public var validFrom: LocalDate?
        /// Last day shown (inclusive): a loan that ends withdraws the exhibit at the following midnight.
        public var validUntil: LocalDate?
        public var pageDuration: PageDuration?
        /// Everything below the title, in reading order.
        public var blocks: [Block]
        /// The file the exhibit was read from, for messages.
        public var sourcePath: String
    }

    /// Only ever mutated while uniquely referenced (copy on write), so shared boxes never change.
    private final class Box: @unchecked Sendable {
        var contents: Contents
        init(_ contents: Contents) { self.contents = contents }
    }

    private var box: Box

    public var contents: Contents {
        get { box.contents }
        set { box = Box(newValue) }
    }

    public subscript<T>(dynamicMember path: WritableKeyPath<Contents, T>) -> T {
        get { box.contents[keyPath: path] }
        set {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.contents) }
            box.contents[keyPath: path] = newValue
        }
    }

    public init(
        id: ExhibitID, series: String? = nil, title: String, summary: String? = nil, accession: String? = nil,
        credit: String? = nil, language: String? = nil, validFrom: LocalDate? = nil, validUntil: LocalDate? = nil,
        pageDuration: PageDuration? = nil, blocks: [Block], sourcePath: String = ""
    ) {
        box = Box(Contents(id: id, series: series, title: title, summary: summary, accession: accession,
                           credit: credit, language: language, validFrom: validFrom, validUntil: validUntil,
                           pageDuration: pageDuration, blocks: blocks, sourcePath: sourcePath))
    }

    public static func == (a: Exhibit, b: Exhibit) -> Bool { a.box === b.box || a.box.contents == b.box.contents }
    /// The very same version (as kept by a cache), not only equal contents: a test in a pointer's time.
    public func isSameVersion(as other: Exhibit) -> Bool { box === other.box }
    public func hash(into hasher: inout Hasher) { hasher.combine(box.contents) }
    public init(from decoder: any Decoder) throws { box = Box(try Contents(from: decoder)) }
    public func encode(to encoder: any Encoder) throws { try box.contents.encode(to: encoder) }

    /// Whether the exhibit may be shown on a given local day (its loan dates).
    public func isOnShow(on day: LocalDate) -> Bool {
        if let from = box.contents.validFrom, day < from { return false }
        if let until = box.contents.validUntil, day > until { return false }
        return true
    }

    /// The languages the exhibit can be shown in: the original's first (when it says), then its translations.
    public var languages: [String] {
        let contents = box.contents
        return (contents.language.map { [$0] } ?? []) + contents.translations.keys.sorted().filter { $0 != contents.language }
    }

    /// The exhibit as written in `language`: a translation, or the original (for its own language, an unknown one,
    /// or none).
    public func version(in language: String?) -> Exhibit {
        guard let language, language != box.contents.language else { return self }
        let translations = box.contents.translations
        return translations[language] ?? translations.first { Self.sameLanguage($0.key, language) }?.value ?? self
    }

    /// Whether the exhibit is written in `language`, as its original or a translation.
    public func isWritten(in language: String) -> Bool {
        if let own = box.contents.language, Self.sameLanguage(own, language) { return true }
        return box.contents.translations.keys.contains { Self.sameLanguage($0, language) }
    }

    /// Language tags compared as BCP 47 says: case does not matter (`zh-hans` is `zh-Hans`).
    public static func sameLanguage(_ a: String, _ b: String) -> Bool { a.lowercased() == b.lowercased() }

    /// Every piece of text the exhibit shows (titles, body, quotes, descriptions, captions, transcripts), one per
    /// line: for checks that look at the characters themselves, such as whether a font draws them.
    public var allText: String {
        let contents = box.contents
        var parts = [contents.series, contents.title].compactMap { $0 }
        for block in contents.blocks {
            switch block {
            case let .heading(_, text), let .paragraph(text), let .summary(text): parts.append(text.plain)
            case let .testimony(t): parts += t.quote.map { $0.plain } + [t.speaker, t.role, t.context].compactMap { $0 }
            case let .image(i): parts += [i.alt, i.caption, i.credit].compactMap { $0 }
            case let .media(m): parts += [m.title, m.credit].compactMap { $0 } + m.transcript.map { $0.plain }
            }
        }
        return parts.joined(separator: "\n")
    }

    /// "Days and Lives :: Solidarity", or just the title.
    public var displayTitle: String {
        if let series = box.contents.series, !series.isEmpty { return "\(series) :: \(box.contents.title)" }
        return box.contents.title
    }
}
