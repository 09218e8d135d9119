/// A run of text with the emphasis the curator wrote (Markdown `*…*`, `**…**`, `` `…` ``).
public struct TextSpan: Hashable, Codable, Sendable {
    public struct Style: OptionSet, Hashable, Codable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let emphasis = Style(rawValue: 1)
        public static let strong = Style(rawValue: 2)
        public static let code = Style(rawValue: 4)
    }
    public var text: String
    public var style: Style
    public init(_ text: String, style: Style = []) {
        self.text = text
        self.style = style
    }
}

/// Text as a list of styled spans; `plain` is what gets measured and wrapped.
public struct RichText: Hashable, Codable, Sendable, ExpressibleByStringLiteral {
    public var spans: [TextSpan]
    public init(_ spans: [TextSpan]) { self.spans = spans }
    public init(_ plain: String) { self.spans = plain.isEmpty ? [] : [TextSpan(plain)] }
    public init(stringLiteral value: String) { self.init(value) }
    public var plain: String { spans.map(\.text).joined() }
    public var isEmpty: Bool { spans.allSatisfy { $0.text.isEmpty } }
}

/// Words quoted from a person, with who said them and when.
public struct Testimony: Hashable, Codable, Sendable {
    public var quote: [RichText]
    public var speaker: String?
    public var role: String?
    public var context: String?
    public init(quote: [RichText], speaker: String? = nil, role: String? = nil, context: String? = nil) {
        self.quote = quote
        self.speaker = speaker
        self.role = role
        self.context = context
    }

    /// "— Anton Weiss, net-mender"
    public var attribution: String? {
        guard let speaker, !speaker.isEmpty else { return nil }
        if let role, !role.isEmpty { return "— \(speaker), \(role)" }
        return "— \(speaker)"
    }
}

public struct ImageBlock: Hashable, Codable, Sendable {
    /// Path relative to the exhibit folder.
    public var file: String
    public var alt: String?
    public var caption: String?
    public var credit: String?
    /// Pixel size when the file's header could be read, upright (a photograph stored on its side, as its EXIF
    /// orientation says, is counted standing); outputs keep this aspect ratio.
    public var pixelWidth: Int?
    public var pixelHeight: Int?

    /// Pictures larger than this are refused (`vitrine check`, and never decoded): one would take more memory than
    /// a small display machine should give a label, and no screen shows that many pixels.
    public static let maxMegapixels = 50
    public init(file: String, alt: String? = nil, caption: String? = nil, credit: String? = nil,
                pixelWidth: Int? = nil, pixelHeight: Int? = nil) {
        self.file = file
        self.alt = alt
        self.caption = caption
        self.credit = credit
        self.pixelWidth = pixelWidth
        self.pixelHeight = pixelHeight
    }
}

/// One caption of a recording: its words, and when they are spoken (ms from the recording's start).
public struct CaptionCue: Hashable, Codable, Sendable {
    public var start: Int64
    public var end: Int64
    public var text: String
    public init(start: Int64, end: Int64, text: String) {
        self.start = start
        self.end = end
        self.text = text
    }
}

public struct MediaBlock: Hashable, Codable, Sendable {
    public enum Kind: String, Hashable, Codable, Sendable { case audio, film }
    public var kind: Kind
    /// Path relative to the exhibit folder.
    public var file: String
    public var title: String?
    /// The full transcript, one entry per paragraph.
    public var transcript: [RichText]
    /// WebVTT captions, relative to the exhibit folder.
    public var captions: String?
    public var credit: String?
    /// The recording's length, read from the file when the exhibit is loaded (nil until then): a page that plays it
    /// lasts this long.
    public var milliseconds: Int64?
    /// The captions' cues, read from `captions` when the exhibit is loaded: drawn over a film, highlighted in the
    /// transcript as they are spoken, sent to players.
    public var cues: [CaptionCue] = []

    /// The caption spoken `position` milliseconds into the recording, if any.
    public func caption(at position: Int64) -> CaptionCue? {
        cues.first { $0.start <= position && position < $0.end }
    }

    public init(kind: Kind, file: String, title: String? = nil, transcript: [RichText] = [], captions: String? = nil,
                credit: String? = nil, milliseconds: Int64? = nil) {
        self.milliseconds = milliseconds
        self.kind = kind
        self.file = file
        self.title = title
        self.transcript = transcript
        self.captions = captions
        self.credit = credit
    }
}

/// One unit of an exhibit's page flow.
public enum Block: Hashable, Codable, Sendable {
    case heading(level: Int, text: RichText)
    case paragraph(RichText)
    /// The exhibit's summary paragraph, set apart from body text.
    case summary(RichText)
    case testimony(Testimony)
    case image(ImageBlock)
    case media(MediaBlock)
}
