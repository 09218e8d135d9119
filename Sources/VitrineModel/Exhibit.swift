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
public struct Exhibit: Hashable, Codable, Sendable {
    public var id: ExhibitID
    public var series: String?
    public var title: String
    public var summary: String?
    public var accession: String?
    public var credit: String?
    /// The language this text is in (`en`, `ru`, `zh-Hans`, …): the original's as its front matter says, a
    /// translation's from its file name (`exhibit.ru.md`).
    public var language: String?
    /// The exhibit's translations by language, each a whole exhibit read from `exhibit.LANG.md` beside the original.
    public var translations: [String: Exhibit] = [:]
    public var validFrom: LocalDate?
    /// Last day shown (inclusive): a loan that ends withdraws the exhibit at the following midnight.
    public var validUntil: LocalDate?
    public var pageDuration: PageDuration?
    /// Everything below the title, in reading order.
    public var blocks: [Block]
    /// The file the exhibit was read from, for messages.
    public var sourcePath: String

    public init(
        id: ExhibitID, series: String? = nil, title: String, summary: String? = nil, accession: String? = nil,
        credit: String? = nil, language: String? = nil, validFrom: LocalDate? = nil, validUntil: LocalDate? = nil,
        pageDuration: PageDuration? = nil, blocks: [Block], sourcePath: String = ""
    ) {
        self.id = id
        self.series = series
        self.title = title
        self.summary = summary
        self.accession = accession
        self.credit = credit
        self.language = language
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.pageDuration = pageDuration
        self.blocks = blocks
        self.sourcePath = sourcePath
    }

    /// Whether the exhibit may be shown on a given local day (its loan dates).
    public func isOnShow(on day: LocalDate) -> Bool {
        if let from = validFrom, day < from { return false }
        if let until = validUntil, day > until { return false }
        return true
    }

    /// The languages the exhibit can be shown in: the original's first (when it says), then its translations.
    public var languages: [String] {
        (language.map { [$0] } ?? []) + translations.keys.sorted().filter { $0 != language }
    }

    /// The exhibit as written in `language`: a translation, or the original (for its own language, an unknown one,
    /// or none).
    public func version(in language: String?) -> Exhibit {
        guard let language, language != self.language else { return self }
        return translations[language] ?? translations.first { Self.sameLanguage($0.key, language) }?.value ?? self
    }

    /// Whether the exhibit is written in `language`, as its original or a translation.
    public func isWritten(in language: String) -> Bool {
        if let own = self.language, Self.sameLanguage(own, language) { return true }
        return translations.keys.contains { Self.sameLanguage($0, language) }
    }

    /// Language tags compared as BCP 47 says: case does not matter (`zh-hans` is `zh-Hans`).
    public static func sameLanguage(_ a: String, _ b: String) -> Bool { a.lowercased() == b.lowercased() }

    /// Every piece of text the exhibit shows (titles, body, quotes, descriptions, captions, transcripts), one per
    /// line: for checks that look at the characters themselves, such as whether a font draws them.
    public var allText: String {
        var parts = [series, title].compactMap { $0 }
        for block in blocks {
            switch block {
            case let .heading(_, text), let .paragraph(text), let .summary(text): parts.append(text.plain)
            case let .testimony(t): parts += t.quote.map(\.plain) + [t.speaker, t.role, t.context].compactMap { $0 }
            case let .image(i): parts += [i.alt, i.caption, i.credit].compactMap { $0 }
            case let .media(m): parts += [m.title, m.credit].compactMap { $0 } + m.transcript.map(\.plain)
            }
        }
        return parts.joined(separator: "\n")
    }

    /// "Days and Lives :: Solidarity", or just the title.
    public var displayTitle: String {
        if let series, !series.isEmpty { return "\(series) :: \(title)" }
        return title
    }
}
