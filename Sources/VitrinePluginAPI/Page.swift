import VitrineModel

/// What a line of text is, so each output can style it from the theme.
public enum TextRole: String, Hashable, Sendable, CaseIterable {
    case series, title, heading, summary, body, quote, attribution, context, caption, credit, mediaLabel, transcript
    /// A text stand-in for an image on outputs that cannot draw one.
    case imageText
}

/// One line as the output's measurer broke it.
public struct PageLine: Hashable, Sendable {
    public var text: String
    /// Height in the measurer's units (cells or pixels).
    public var height: Double
    /// Stretched to the full measure (justified text, every line of a paragraph but its last).
    public var justified: Bool
    public init(text: String, height: Double, justified: Bool = false) {
        self.text = text
        self.height = height
        self.justified = justified
    }
}

public enum PageItem: Hashable, Sendable {
    /// Consecutive lines of one block with one role; `spaceBefore` in the measurer's units.
    case text(role: TextRole, lines: [PageLine], spaceBefore: Double)
    /// An image box of `height` units, scaled to fit the measure with its aspect ratio.
    case image(ImageBlock, height: Double, spaceBefore: Double)

    public var height: Double {
        switch self {
        case let .text(_, lines, space): space + lines.reduce(0) { $0 + $1.height }
        case let .image(_, height, space): space + height
        }
    }
}

/// One page of an exhibit laid out for one surface and theme.
public struct Page: Hashable, Sendable {
    public var exhibit: ExhibitID
    public var series: String?
    public var title: String
    /// 0-based.
    public var index: Int
    public var count: Int
    public var items: [PageItem]
    /// Words on the page, for reading-time durations.
    public var words: Int
    /// Media named on the page (audio or film), for outputs that can play it.
    public var media: [MediaBlock]
    /// The exhibit's folder: images and media files are relative to it.
    public var mediaFolder: String?
    /// The language the page is written in (`ru`, `ar`, `zh-Hans`), for hyphenation, script and direction.
    public var language: String?
    /// The same page of the exhibit in other languages, set beside this one in columns (this one first).
    public var alongside: [Page] = []

    public init(exhibit: ExhibitID, series: String?, title: String, index: Int, count: Int, items: [PageItem],
                words: Int, media: [MediaBlock] = [], mediaFolder: String? = nil, language: String? = nil) {
        self.language = language
        self.exhibit = exhibit
        self.series = series
        self.title = title
        self.index = index
        self.count = count
        self.items = items
        self.words = words
        self.media = media
        self.mediaFolder = mediaFolder
    }

    /// "2/5"
    public var indicator: String { "\(index + 1)/\(count)" }

    /// How a recording's line on the page begins (then ": " and its title): pixel screens put a film below it.
    public static let filmLabel = "▶ Film"
    public static let soundLabel = "▶ Audio"
}
