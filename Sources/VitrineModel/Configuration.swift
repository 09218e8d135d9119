/// The operator's configuration once validated: plain values the schedule reads.
public struct Configuration: Hashable, Sendable {
    /// IANA time zone of the venue.
    public var timeZone: String
    /// Absolute path of the exhibits folder.
    public var contentFolder: String
    public var hours: OpeningHours
    public var afterHours: AfterHours
    public var epoch: RotationEpoch
    public var themes: [String: Theme]
    /// The theme used where nothing else picks one: the first one written.
    public var defaultTheme: String
    public var themeRotation: ThemeRotation?
    public var playlists: [String: Playlist]
    public var announcements: [Announcement]
    /// In the order written.
    public var screens: [Screen]
    public var reading: ReadingPace
    /// Page dwell where neither the playlist item nor the exhibit sets one.
    public var defaultPageDuration: PageDuration
    /// The file this came from.
    public var sourcePath: String

    public init(
        timeZone: String, contentFolder: String, hours: OpeningHours = OpeningHours(), afterHours: AfterHours = .blank,
        epoch: RotationEpoch = .opening, themes: [String: Theme], defaultTheme: String,
        themeRotation: ThemeRotation? = nil, playlists: [String: Playlist], announcements: [Announcement] = [],
        screens: [Screen], reading: ReadingPace = ReadingPace(),
        defaultPageDuration: PageDuration = .readingTime, sourcePath: String = ""
    ) {
        self.timeZone = timeZone
        self.contentFolder = contentFolder
        self.hours = hours
        self.afterHours = afterHours
        self.epoch = epoch
        self.themes = themes
        self.defaultTheme = defaultTheme
        self.themeRotation = themeRotation
        self.playlists = playlists
        self.announcements = announcements
        self.screens = screens
        self.reading = reading
        self.defaultPageDuration = defaultPageDuration
        self.sourcePath = sourcePath
    }

    public func screen(named name: String) -> Screen? { screens.first { $0.name == name } }
}
