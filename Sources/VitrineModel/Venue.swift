/// Opening hours: daily ranges per weekday, closed dates. No ranges at all means open around the clock.
public struct OpeningHours: Hashable, Sendable {
    /// Ranges that start on each weekday; a weekday absent from the map uses `everyDay`.
    public var weekly: [Weekday: [TimeRange]]
    /// Used for weekdays not listed; `nil` with an empty `weekly` means always open.
    public var everyDay: [TimeRange]?
    /// Days on which no range starts (a range that began the evening before still runs past midnight).
    public var closed: Set<LocalDate>

    public init(weekly: [Weekday: [TimeRange]] = [:], everyDay: [TimeRange]? = nil, closed: Set<LocalDate> = []) {
        self.weekly = weekly
        self.everyDay = everyDay
        self.closed = closed
    }

    /// The ranges that start on a given day.
    public func ranges(on day: LocalDate, weekday: Weekday) -> [TimeRange] {
        if closed.contains(day) { return [] }
        if let ranges = weekly[weekday] { return ranges }
        if let everyDay { return everyDay }
        return weekly.isEmpty ? [TimeRange(start: TimeOfDay(minutes: 0), end: TimeOfDay(minutes: 24 * 60))] : []
    }
}

/// What a screen does outside opening hours.
public enum AfterHours: Hashable, Sendable {
    case blank
    case playlist(String)
}

/// Where rotation positions count from.
public enum RotationEpoch: Hashable, Sendable {
    /// The start of the current opening period (local midnight when open around the clock).
    case opening
    /// Local midnight of each day.
    case midnight
    /// A fixed instant, in milliseconds since 1970: rotation runs on across days and closures.
    case fixed(millisecondsSince1970: Int64)
}

public struct PlaylistItem: Hashable, Sendable {
    public var exhibit: ExhibitID
    /// Dwell per page; overrides the exhibit's own.
    public var pageDuration: PageDuration?
    /// How many times the exhibit comes round in one cycle of the playlist.
    public var weight: Int
    public var from: LocalDate?
    public var until: LocalDate?
    public init(exhibit: ExhibitID, pageDuration: PageDuration? = nil, weight: Int = 1, from: LocalDate? = nil,
                until: LocalDate? = nil) {
        self.exhibit = exhibit
        self.pageDuration = pageDuration
        self.weight = weight
        self.from = from
        self.until = until
    }

    public func isScheduled(on day: LocalDate) -> Bool {
        if let from, day < from { return false }
        if let until, day > until { return false }
        return true
    }
}

public struct Playlist: Hashable, Sendable {
    public var name: String
    public var items: [PlaylistItem]
    public init(name: String, items: [PlaylistItem]) {
        self.name = name
        self.items = items
    }
}

/// A message or exhibit that pre-empts playlists on some screens for a while.
public struct Announcement: Hashable, Sendable {
    public enum Content: Hashable, Sendable {
        case text(String)
        case exhibit(ExhibitID)
    }
    public var id: String
    public var content: Content
    /// Milliseconds since 1970, start inclusive, end exclusive.
    public var start: Int64
    public var end: Int64
    /// `nil` means every screen.
    public var screens: [String]?
    public var priority: Int
    public init(id: String, content: Content, start: Int64, end: Int64, screens: [String]? = nil, priority: Int = 0) {
        self.id = id
        self.content = content
        self.start = start
        self.end = end
        self.screens = screens
        self.priority = priority
    }

    public func applies(to screen: String) -> Bool { screens?.contains(screen) ?? true }
}

/// Which theme is up when: time-of-day rules first, then the interval rotation.
public struct ThemeRotation: Hashable, Sendable {
    public struct Rule: Hashable, Sendable {
        public var during: TimeRange
        public var theme: String
        public init(during: TimeRange, theme: String) {
            self.during = during
            self.theme = theme
        }
    }
    /// Interval in milliseconds, counted from local midnight.
    public var every: Int64?
    public var themes: [String]
    public var rules: [Rule]
    public init(every: Int64? = nil, themes: [String] = [], rules: [Rule] = []) {
        self.every = every
        self.themes = themes
        self.rules = rules
    }
}

/// How long pages stay up: reading time for text, the recordings' length for a page that plays them.
public struct ReadingPace: Hashable, Sendable {
    public var wordsPerMinute: Int
    public var minimum: Int64
    public var maximum: Int64
    /// Before a page's recordings start, and after they end, so a visitor sees the page come and the end arrive.
    public var leadIn: Int64
    public var leadOut: Int64
    public init(wordsPerMinute: Int = 180, minimum: Int64 = 8_000, maximum: Int64 = 45_000, leadIn: Int64 = 1_000,
                leadOut: Int64 = 2_000) {
        self.wordsPerMinute = wordsPerMinute
        self.minimum = minimum
        self.maximum = maximum
        self.leadIn = leadIn
        self.leadOut = leadOut
    }

    /// Milliseconds a page playing `recordings` (their lengths, one after the other) stays up.
    public func duration(ofRecordings recordings: [Int64]) -> Int64 {
        leadIn + recordings.reduce(0, +) + leadOut
    }

    /// Milliseconds to read `words`, clamped to the limits.
    public func duration(forWords words: Int) -> Int64 {
        let ms = Int64(words) * 60_000 / Int64(max(wordsPerMinute, 1))
        return min(max(ms, minimum), maximum)
    }
}

/// A screen as configured: which output drives it and what it shows. Plugin options stay with the output.
public struct Screen: Hashable, Sendable {
    /// What a screen does with an exhibit's recordings.
    public enum Recordings: String, Hashable, Sendable, CaseIterable {
        /// Plays them: their page lasts them, the output plays them.
        case play
        /// Shows their transcript only (a screen in a quiet room, a panel with no speaker): pages are timed by
        /// reading, nothing plays.
        case transcript
    }

    /// How a screen that shows several languages takes turns between them.
    public enum LanguageTurns: String, Hashable, Sendable, CaseIterable {
        /// Every page of an exhibit in the first language, then every page in the next.
        case exhibit
        /// Page 1 in each language, then page 2 in each, …: a visitor never waits a whole exhibit for theirs.
        case page
        /// The languages side by side in columns, page 1 of each together, on a landscape pixel screen (up to
        /// three); elsewhere (a portrait panel, a terminal) page by page.
        case sideBySide = "side-by-side"
    }

    /// When the screen's display is switched off and on.
    public struct Power: Hashable, Sendable {
        public enum AfterHours: String, Hashable, Sendable, CaseIterable {
            /// Switched off while the venue is closed and the screen has nothing to show.
            case off
            /// Kept on (black).
            case on
        }
        public var afterHours: AfterHours
        /// Switched on this long before opening (ms).
        public var wakeBefore: Int64
        /// The HDMI-CEC adapter that switches a television (`/dev/cec0`), if any.
        public var cec: String?

        public init(afterHours: AfterHours = .off, wakeBefore: Int64 = 300_000, cec: String? = nil) {
            self.afterHours = afterHours
            self.wakeBefore = wakeBefore
            self.cec = cec
        }
    }

    public var name: String
    public var output: String
    public var playlist: String
    /// A fixed theme for this screen; otherwise the venue's rotation.
    public var theme: String?
    public var recordings: Recordings
    /// The languages shown, in turn; empty: each exhibit in its original language.
    public var languages: [String]
    public var languageTurns: LanguageTurns
    /// Shows a QR code that opens the companion page of the exhibit on screen on a visitor's phone.
    public var visitorCode: Bool
    public var power: Power
    public init(name: String, output: String, playlist: String, theme: String? = nil, recordings: Recordings = .play,
                languages: [String] = [], languageTurns: LanguageTurns = .exhibit, visitorCode: Bool = false,
                power: Power = Power()) {
        self.visitorCode = visitorCode
        self.power = power
        self.name = name
        self.output = output
        self.playlist = playlist
        self.theme = theme
        self.recordings = recordings
        self.languages = languages
        self.languageTurns = languageTurns
    }

    /// The languages `exhibit` is shown in on this screen, in turn: those of the screen's it is written in (nil: the
    /// original, when the screen names none, or none of them is written).
    public func languages(of exhibit: Exhibit) -> [String?] {
        let written = languages.filter { exhibit.isWritten(in: $0) }
        return written.isEmpty ? [exhibit.language] : written
    }
}
