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
    /// The HTTP listener, when the file has an `http:` block or an `http` screen.
    public var http: HTTPListener?

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
}

/// Where the HTTP listener (kiosk screens, dashboard, API, metrics) listens, and what guards it.
public struct HTTPListener: Hashable, Sendable {
    public var host: String
    public var port: Int
    /// A file holding the bearer token for control calls; without it control calls are refused.
    public var tokenFile: String?
    /// Kiosk browsers' event streams served at once; more get 503. (Dashboards have 100 of their own, so they never
    /// take a kiosk's place.)
    public var maxStreams: Int
    /// The names browsers may reach the listener by, besides IP addresses, `localhost` and the machine's own name:
    /// a request for any other name (a DNS-rebinding page that points its own name at the venue's machine) is
    /// refused.
    public var hostNames: [String]
    /// The address visitors' phones open the listener by (`http://192.168.1.20:8080`), for screens that show a
    /// visitor code: the code holds this address and the companion page's path.
    public var visitorURL: String?

    public static let defaultPort = 8080

    /// Only this machine, unless the configuration says otherwise: kiosks on the network need `listen:
    /// 0.0.0.0:8080`, said at start.
    public init(host: String = "127.0.0.1", port: Int = HTTPListener.defaultPort, tokenFile: String? = nil,
                maxStreams: Int = 1000, hostNames: [String] = []) {
        self.host = host
        self.port = port
        self.tokenFile = tokenFile
        self.maxStreams = maxStreams
        self.hostNames = hostNames
    }
}

extension Configuration {
    public func screen(named name: String) -> Screen? { screens.first { $0.name == name } }
}
