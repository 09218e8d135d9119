import Foundation
import VitrinePluginAPI
import VitrineRenderer

/// What a kiosk browser (and a remote display) receives for one frame: the page placed in pixels on a stage of
/// the screen's size, exactly as the framebuffer paints it, with the fonts to set it in and the media to play.
public struct KioskMessage: Codable, Sendable, Hashable {
    public struct Stage: Codable, Sendable, Hashable {
        public var width: Int
        public var height: Int
    }

    public struct Font: Codable, Sendable, Hashable {
        /// The name the page's CSS uses for this face.
        public var name: String
        public var family: String
        public var bold: Bool
        public var italic: Bool
        /// Where the daemon serves the font file.
        public var src: String
    }

    public struct Text: Codable, Sendable, Hashable {
        public var text: String
        public var role: String?
        public var x: Double
        public var y: Double
        public var font: String
        public var size: Double
        public var colour: String
        public var width: Double?
        public var justify: Bool
        public var align: String
        /// The text's language (`lang`), and `rtl` for a right-to-left one (`dir`).
        public var lang: String?
        public var dir: String?
    }

    public struct Picture: Codable, Sendable, Hashable {
        public var src: String
        public var alt: String
        public var x: Double
        public var y: Double
        public var width: Double
        public var height: Double
    }

    public struct Media: Codable, Sendable, Hashable {
        public var kind: String
        public var src: String
        public var title: String?
        public var captions: String?
        /// The full transcript, paragraph by paragraph (also laid out on the page as text).
        public var transcript: [String]
        /// When it starts playing (ms since 1970; the page's start plus the lead-in), and its length: a browser joins
        /// at the position the clock gives, and keeps playing across re-sends of the same page.
        public var start: Int64?
        public var milliseconds: Int64?
        /// The captions' cues (ms from the recording's start), for a player that draws captions itself.
        public var cues: [Cue]
    }

    public struct Cue: Codable, Sendable, Hashable {
        public var start: Int64
        public var end: Int64
        public var text: String
    }

    public struct Choice: Codable, Sendable, Hashable {
        public var tag: String
        public var name: String
    }

    public struct Code: Codable, Sendable, Hashable {
        public var area: Area
        public var link: String
        public var rows: [String]
        public var quietZone: Int
    }

    /// A rectangle of the stage, in pixels.
    public struct Area: Codable, Sendable, Hashable {
        public var x: Double
        public var y: Double
        public var width: Double
        public var height: Double
        init(_ area: PagePlan.Area) { (x, y, width, height) = (area.x, area.y, area.width, area.height) }
    }

    /// How captions are drawn (as the framebuffer draws them, `CaptionPainter`): the font, its size, the text's
    /// colour, and the band behind it (the theme's background, 85% opaque), centred in the middle four fifths of the
    /// caption area, its foot at 92% of the area's height.
    public struct CaptionStyle: Codable, Sendable, Hashable {
        public var font: String
        public var size: Double
        public var colour: String
        public var band: String
    }

    public struct Transition: Codable, Sendable, Hashable {
        public var kind: String
        public var milliseconds: Int
    }

    public var screen: String
    /// "page", "message" or "blank".
    public var kind: String
    /// "Solidarity 2/4", as in STATUS.
    public var summary: String
    public var exhibit: String?
    public var title: String?
    public var page: Int?
    public var pages: Int?
    public var theme: String
    public var background: String
    public var transition: Transition
    public var stage: Stage
    public var fonts: [Font]
    public var texts: [Text]
    public var pictures: [Picture]
    /// From the right margin leftwards at the foot: page indicator, then clock.
    public var foot: [Text]
    public var footGap: Double
    public var media: [Media]
    /// Where the page's film plays (the theme's `film:`: below its line in the page, or the whole stage).
    public var filmArea: Area?
    /// Where the current caption of a recording is drawn: over the film, or for a sound recording at the foot of
    /// the page's text area.
    public var captionArea: Area?
    public var caption: CaptionStyle?
    /// The visitor code (a screen's `visitor-code: true`): its square on the stage, the address it holds and its
    /// rows of modules ("1" dark), drawn by the page as the framebuffer draws it.
    public var code: Code?
    /// The language the exhibit on screen is shown in, and every language it is written in (each by its own name)
    /// when more than one: what a touch screen offers the visitor.
    public var language: String?
    public var languages: [Choice]?
    /// Set on a touch screen (`touch: true`): how long (ms) a visitor's choice holds after their last touch.
    public var touchQuiet: Int64?
    public var clock: String?
    /// When the schedule put this page up, and when it changes it next (ms since 1970).
    public var validFrom: Int64
    public var validUntil: Int64

    public init(_ frame: Frame, screen: String, width: Int, height: Int) {
        let plan = PagePlan(frame, width: width, height: height)
        self.screen = screen
        summary = frame.summary
        stage = Stage(width: plan.layout.width, height: plan.layout.height)
        theme = frame.theme.name
        background = plan.background.description
        switch frame.theme.transition {
        case let .crossfade(ms): transition = Transition(kind: "crossfade", milliseconds: Int(ms))
        default: transition = Transition(kind: "cut", milliseconds: 0)
        }
        clock = frame.clock
        if case .exhibit = frame.presentation.content { language = frame.presentation.language }
        if !frame.languages.isEmpty {
            languages = frame.languages.map { Choice(tag: $0, name: LanguageTag.nativeName($0)) }
        }
        validFrom = frame.presentation.validFrom
        validUntil = frame.presentation.validUntil
        var fonts: [PixelLayout.Font: Font] = [:]
        func face(_ font: PixelLayout.Font) -> String {
            var key = font
            key.size = 0
            if let known = fonts[key] { return known.name }
            var query = URLComponents()
            query.path = "/assets/font"
            query.queryItems = [URLQueryItem(name: "family", value: font.family),
                                URLQueryItem(name: "bold", value: font.bold ? "1" : "0"),
                                URLQueryItem(name: "italic", value: font.italic ? "1" : "0")]
            let made = Font(name: "vitrine-\(fonts.count)", family: font.family, bold: font.bold, italic: font.italic,
                            src: query.string ?? "/assets/font")
            fonts[key] = made
            return made.name
        }
        func text(_ t: PagePlan.Text) -> Text {
            Text(text: t.text, role: t.role.map { "\($0)" }, x: t.x, y: t.y, font: face(t.font), size: t.font.size,
                 colour: t.colour.description, width: t.width, justify: t.justify, align: t.align.rawValue,
                 lang: t.language, dir: t.language.map(LanguageTag.isRightToLeft) == true ? "rtl" : nil)
        }
        texts = plan.texts.map(text)
        foot = plan.footRight.map(text)
        filmArea = plan.filmArea.map(Area.init)
        captionArea = plan.captionArea.map(Area.init)
        code = plan.visitorCode.map { placed in
            Code(area: Area(placed.area), link: placed.code.link,
                 rows: placed.code.modules.map { String($0.map { $0 ? "1" : "0" }) }, quietZone: VisitorCode.quietZone)
        }
        if plan.captionArea != nil {
            let theme = frame.theme
            let font = plan.layout.captionFont
            let b = theme.background
            caption = CaptionStyle(font: face(font), size: font.size, colour: theme.text.description,
                                   band: "rgba(\(b.red), \(b.green), \(b.blue), 0.85)")
        }
        footGap = plan.footGap
        self.fonts = fonts.values.sorted { $0.name < $1.name }
        switch frame.content {
        case .blank:
            kind = "blank"
            pictures = []
            media = []
        case .message:
            kind = "message"
            pictures = []
            media = []
        case let .page(page):
            kind = "page"
            let id = page.exhibit.rawValue
            exhibit = id
            title = frame.title ?? page.title
            self.page = page.index + 1
            pages = page.count
            pictures = plan.pictures.map {
                Picture(src: KioskMessage.mediaPath(exhibit: id, file: $0.image.file),
                        alt: $0.image.alt ?? $0.image.caption ?? "", x: $0.x, y: $0.y, width: $0.width,
                        height: $0.height)
            }
            media = frame.recordings.map { block, start in
                Media(kind: block.kind == .film ? "video" : "audio",
                      src: KioskMessage.mediaPath(exhibit: id, file: block.file), title: block.title,
                      captions: block.captions.map { KioskMessage.mediaPath(exhibit: id, file: $0) },
                      transcript: block.transcript.map(\.plain), start: start, milliseconds: block.milliseconds,
                      cues: block.cues.map { Cue(start: $0.start, end: $0.end, text: $0.text) })
            }
        }
    }

    /// `/media/EXHIBIT/FILE`, each part percent-encoded.
    public static func mediaPath(exhibit: String, file: String) -> String {
        let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#;"))
        let parts = [exhibit] + file.split(separator: "/").map(String.init)
        return "/media/" + parts.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }
            .joined(separator: "/")
    }

    /// One line of JSON.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }
}
