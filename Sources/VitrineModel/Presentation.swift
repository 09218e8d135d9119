/// What one screen shows from one instant until `validUntil`: the schedule's answer.
public struct Presentation: Hashable, Sendable {
    public enum Content: Hashable, Sendable {
        /// Page `page` (0-based) of `pageCount` of an exhibit.
        case exhibit(ExhibitID, page: Int, pageCount: Int)
        /// A text announcement.
        case message(String)
        /// Nothing: outside opening hours with `after-hours: blank`, or nothing to show.
        case blank
    }
    public enum Reason: String, Hashable, Sendable {
        case playlist
        case afterHours = "after-hours"
        case announcement
        case closed
        case empty
    }
    public var screen: String
    public var content: Content
    public var theme: String
    /// The language an exhibit is shown in (nil: its original, which does not say).
    public var language: String?
    /// Other languages shown beside `language` in columns, in order (a screen with `language-turns: side-by-side`).
    public var alongside: [String] = []
    public var reason: Reason
    /// The announcement or playlist that put this up.
    public var source: String?
    /// Whether the screen's display is switched on (off while the venue is closed and nothing is shown, per the
    /// screen's `power:`).
    public var displayOn = true
    /// Milliseconds since 1970 at which this began, as far as the schedule can tell.
    public var validFrom: Int64
    /// Milliseconds since 1970 at which anything on this screen next changes.
    public var validUntil: Int64

    public init(screen: String, content: Content, theme: String, language: String? = nil, reason: Reason,
                source: String? = nil, validFrom: Int64, validUntil: Int64) {
        self.screen = screen
        self.content = content
        self.theme = theme
        self.language = language
        self.reason = reason
        self.source = source
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    /// True when both put the same thing on the screen (ignores validity).
    public func showsSame(as other: Presentation) -> Bool {
        content == other.content && theme == other.theme && language == other.language
            && alongside == other.alongside && displayOn == other.displayOn
    }
}
