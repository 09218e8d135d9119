import Foundation
import VitrineModel
import VitrinePluginAPI
import Yams

/// The options block of one screen: every key that is not one of the screen's own goes to its output plugin,
/// which decodes it strictly.
public struct ScreenOptions: @unchecked Sendable {
    public let screen: String
    public let file: String
    /// The screen's mapping minus `output`, `playlist`, `theme`; Yams nodes keep their marks.
    public let node: Node
    /// The options as the plugin API sees them: plain values with their lines.
    public var entries: [OptionEntry] {
        guard case let .mapping(mapping) = node else { return [] }
        return mapping.compactMap { key, value in
            guard let name = key.string else { return nil }
            return OptionEntry(key: name, node: Self.option(value), line: key.mark?.line, column: key.mark?.column)
        }
    }

    /// The most values one screen's options may hold, aliases expanded.
    static let valueLimit = 10_000

    /// True when `nodes` hold more than `valueLimit` values, counting what aliases repeat (stops counting there).
    static func exceedsLimit(_ nodes: [Node]) -> Bool {
        var count = 0
        func visit(_ node: Node) -> Bool {
            count += 1
            if count > valueLimit { return false }
            switch node {
            case let .sequence(sequence): return sequence.allSatisfy(visit)
            case let .mapping(mapping): return mapping.allSatisfy { visit($0.key) && visit($0.value) }
            default: return true
            }
        }
        return !nodes.allSatisfy(visit)
    }

    static func option(_ node: Node, depth: Int = 0) -> OptionNode {
        let value: OptionValue
        switch node {
        case let .scalar(scalar): value = .scalar(scalar.string)
        case let .sequence(sequence) where depth < 16: value = .list(sequence.map { option($0, depth: depth + 1) })
        case let .mapping(mapping) where depth < 16:
            value = .map(mapping.compactMap { key, value in
                key.string.map { OptionEntry(key: $0, node: option(value, depth: depth + 1), line: key.mark?.line,
                                             column: key.mark?.column) }
            })
        default: value = .scalar("")
        }
        return OptionNode(value, line: node.mark?.line, column: node.mark?.column)
    }
}

/// The configuration file, read and checked; `configuration` is nil when any error was found.
public struct LoadedConfiguration: Sendable {
    public var configuration: Configuration?
    public var screenOptions: [String: ScreenOptions]
    /// Exhibits named by playlists and announcements, resolved once the content is loaded.
    public var exhibitReferences: [ExhibitReference] = []
    public var diagnostics: [Diagnostic]
}

public struct ExhibitReference: Hashable, Sendable {
    public var id: ExhibitID
    public var keyPath: String
    public var line: Int?
    public var column: Int?
    init(_ id: String, at node: Node, path: String) {
        self.id = ExhibitID(id)
        self.keyPath = path
        self.line = node.mark?.line
        self.column = node.mark?.column
    }
}

/// Reads the operator's YAML file into a `Configuration`, reporting every problem with its line.
public struct ConfigurationLoader: Sendable {
    public static let sizeLimit = 4 << 20
    public static let topLevelKeys = [
        "timezone", "content", "hours", "closed", "after-hours", "epoch", "pages", "themes", "theme-rotation",
        "playlists", "announcements", "screens", "http",
    ]
    static let screenKeys = ["output", "playlist", "theme"]
    static let themeKeys = [
        "background", "text", "accent", "muted", "fonts", "sizes", "margin", "align", "transition", "clock", "footer",
    ]

    /// Output types a screen may name; from the plugin registry.
    public var outputTypes: [String]
    /// Those whose screens browsers load: a configuration with one gets an HTTP listener without an `http:` block.
    public var browserTypes: Set<String>
    /// Used when the file sets no `timezone`.
    public var systemTimeZone: String

    public init(outputTypes: [String], browserTypes: Set<String> = [],
                systemTimeZone: String = ZoneInfo.systemIdentifier) {
        self.outputTypes = outputTypes
        self.browserTypes = browserTypes
        self.systemTimeZone = systemTimeZone
    }

    public func load(path: String) -> LoadedConfiguration {
        let log = DiagnosticLog(file: path)
        switch TextFile.read(path, limit: Self.sizeLimit) {
        case let .failure(failure):
            let (message, line, column) = TextFile.describe(failure)
            log.error(message, line: line, column: column)
            return LoadedConfiguration(configuration: nil, screenOptions: [:], diagnostics: log.items)
        case let .success(text):
            return load(text: text, path: path)
        }
    }

    public func load(text: String, path: String) -> LoadedConfiguration {
        let log = DiagnosticLog(file: path)
        let reader = YAMLReader(log: log)
        guard let root = YAMLReader.compose(text, log: log) else {
            return LoadedConfiguration(configuration: nil, screenOptions: [:], diagnostics: log.items)
        }
        let parse = Parse(reader: reader, loader: self, path: path)
        let configuration = parse.run(root)
        return LoadedConfiguration(
            configuration: log.items.hasErrors ? nil : configuration,
            screenOptions: parse.screenOptions,
            exhibitReferences: parse.exhibitReferences,
            diagnostics: log.items
        )
    }
}

/// One pass over the document; keeps going after errors so all of them are reported.
private final class Parse {
    let reader: YAMLReader
    let loader: ConfigurationLoader
    let path: String
    var screenOptions: [String: ScreenOptions] = [:]

    init(reader: YAMLReader, loader: ConfigurationLoader, path: String) {
        self.reader = reader
        self.loader = loader
        self.path = path
    }

    func run(_ root: Node) -> Configuration? {
        guard let top = reader.fields(root, "", allowed: ConfigurationLoader.topLevelKeys, required: ["screens"])
        else { return nil }

        // Time zone first: dates in the rest of the file are venue time.
        var zoneName = loader.systemTimeZone
        if let node = top["timezone"], let name = reader.string(node, "timezone") {
            if VenueCalendar(identifier: name) != nil, name.contains("/") || name == "UTC" {
                zoneName = name
            } else {
                reader.error("timezone: unknown time zone '\(name)' (use an IANA name such as Europe/Paris)", at: node)
            }
        }
        let calendar = VenueCalendar(identifier: zoneName) ?? VenueCalendar(zone: .utc)

        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        var contentFolder = base.appendingPathComponent("exhibits").standardizedFileURL.path
        if let node = top["content"], let folder = reader.string(node, "content") {
            contentFolder = (folder.hasPrefix("/") ? URL(fileURLWithPath: folder)
                : base.appendingPathComponent(folder)).standardizedFileURL.path
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: contentFolder, isDirectory: &isDirectory) || !isDirectory.boolValue {
                reader.error("content: no folder at \(contentFolder)", at: node)
            }
        }

        let themes = readThemes(top["themes"])
        let themeNames = themes.order
        let defaultTheme = themeNames.first ?? "default"
        var themeTable = themes.table
        if themeTable.isEmpty { themeTable[defaultTheme] = Theme(name: defaultTheme) }

        let playlists = readPlaylists(top["playlists"])
        let hours = readHours(top["hours"], closed: top["closed"])
        let reading = readPages(top["pages"])
        var afterHours = AfterHours.blank
        if let node = top["after-hours"], let value = reader.string(node, "after-hours"), value != "blank" {
            if playlists[value] != nil {
                afterHours = .playlist(value)
            } else {
                reader.error("after-hours: expected 'blank' or a playlist name, found '\(value)'"
                    + didYouMean(value, ["blank"] + playlists.keys.sorted()), at: node)
            }
        }
        var epoch = RotationEpoch.opening
        if let node = top["epoch"], let value = reader.string(node, "epoch") {
            switch value {
            case "opening": epoch = .opening
            case "midnight": epoch = .midnight
            default:
                if let ms = calendar.parseDateTime(value) {
                    epoch = .fixed(millisecondsSince1970: ms)
                } else {
                    reader.error("epoch: expected 'opening', 'midnight' or a date and time, found '\(value)'", at: node)
                }
            }
        }
        let rotation = readThemeRotation(top["theme-rotation"], themes: themeTable)
        let screens = readScreens(top["screens"], playlists: playlists, themes: themeTable)
        let announcements = readAnnouncements(top["announcements"], calendar: calendar, screens: screens.map(\.name))
        var http: HTTPListener?
        if let node = top["http"] {
            http = readHTTP(node, base: base)
        } else if screens.contains(where: { loader.browserTypes.contains($0.output) }) {
            http = HTTPListener()
        }

        var configuration = Configuration(
            timeZone: zoneName, contentFolder: contentFolder, hours: hours, afterHours: afterHours, epoch: epoch,
            themes: themeTable, defaultTheme: defaultTheme, themeRotation: rotation, playlists: playlists,
            announcements: announcements, screens: screens, reading: reading.pace, defaultPageDuration: reading.duration,
            sourcePath: path
        )
        configuration.http = http
        return configuration
    }

    // MARK: Hours

    func readHours(_ node: Node?, closed: Node?) -> OpeningHours {
        var hours = OpeningHours()
        if let node, let entries = reader.entries(node, "hours") {
            let days = Weekday.allCases.map(\.name)
            for entry in entries {
                let path = "hours.\(entry.key)"
                let ranges: [TimeRange]
                if entry.value.string == "closed" {
                    ranges = []
                } else {
                    ranges = reader.list(entry.value, path).enumerated().compactMap { index, item in
                        reader.timeRange(item, "\(path)[\(index)]")
                    }
                }
                if entry.key == "every-day" {
                    hours.everyDay = ranges
                } else if let day = Weekday.allCases.first(where: { $0.name == entry.key }) {
                    hours.weekly[day] = ranges
                } else {
                    reader.error("hours: unknown day '\(entry.key)'\(didYouMean(entry.key, days + ["every-day"]))",
                                 at: entry.keyNode)
                }
            }
            if hours.weekly.isEmpty, hours.everyDay == nil {
                reader.warning("hours: no days listed, so the venue counts as always open", at: node)
            } else if hours.everyDay == nil {
                hours.everyDay = []  // days not listed are closed
            }
        }
        if let closed {
            for (index, item) in reader.list(closed, "closed").enumerated() {
                guard let text = reader.string(item, "closed[\(index)]") else { continue }
                let parts = text.components(separatedBy: "..")
                let first = LocalDate(iso: parts[0].trimmingCharacters(in: .whitespaces))
                let last = parts.count == 2 ? LocalDate(iso: parts[1].trimmingCharacters(in: .whitespaces)) : first
                guard parts.count <= 2, let first, let last, first <= last else {
                    reader.error("closed[\(index)]: expected a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD, "
                        + "found '\(text)'", at: item)
                    continue
                }
                var day = first
                var count = 0
                while day <= last, count < 3660 {
                    hours.closed.insert(day)
                    day = VenueCalendar.civil(fromDays: VenueCalendar.daysSince1970(day) + 1)
                    count += 1
                }
            }
            if hours.weekly.isEmpty, hours.everyDay == nil, !hours.closed.isEmpty {
                hours.everyDay = [TimeRange(start: TimeOfDay(minutes: 0), end: TimeOfDay(minutes: 24 * 60))]
            }
        }
        return hours
    }

    func readPages(_ node: Node?) -> (pace: ReadingPace, duration: PageDuration) {
        var pace = ReadingPace()
        var duration = PageDuration.readingTime
        guard let node,
              let f = reader.fields(node, "pages", allowed: ["duration", "words-per-minute", "min", "max"])
        else { return (pace, duration) }
        if let n = f["duration"] { duration = readPageDuration(n, "pages.duration") ?? duration }
        if let n = f["words-per-minute"], let v = reader.int(n, "pages.words-per-minute", in: 20...2000) {
            pace.wordsPerMinute = v
        }
        if let n = f["min"], let v = reader.duration(n, "pages.min") { pace.minimum = v }
        if let n = f["max"], let v = reader.duration(n, "pages.max") { pace.maximum = v }
        if pace.minimum > pace.maximum {
            reader.error("pages: min is longer than max", at: node)
        }
        return (pace, duration)
    }

    func readPageDuration(_ node: Node, _ path: String) -> PageDuration? {
        if node.string == "auto" { return .readingTime }
        guard let ms = reader.duration(node, path, minimum: 1000) else { return nil }
        return .fixed(milliseconds: ms)
    }

    // MARK: Themes

    func readThemes(_ node: Node?) -> (table: [String: Theme], order: [String]) {
        guard let node, let entries = reader.entries(node, "themes") else { return ([:], []) }
        var table: [String: Theme] = [:]
        var order: [String] = []
        for entry in entries {
            let path = "themes.\(entry.key)"
            guard let f = reader.fields(entry.value, path, allowed: ConfigurationLoader.themeKeys) else { continue }
            var theme = Theme(name: entry.key)
            var ok = true
            func colour(_ key: String, _ apply: (Colour) -> Void) {
                guard let n = f[key] else { return }
                if let c = reader.colour(n, "\(path).\(key)") { apply(c) } else { ok = false }
            }
            colour("background") { theme.background = $0 }
            colour("text") { theme.text = $0 }
            colour("accent") { theme.accent = $0 }
            colour("muted") { theme.muted = $0 }
            if let n = f["fonts"], let fonts = reader.fields(n, "\(path).fonts", allowed: ["body", "heading"]) {
                if let b = fonts["body"], let v = reader.string(b, "\(path).fonts.body") { theme.bodyFont = v }
                if let h = fonts["heading"], let v = reader.string(h, "\(path).fonts.heading") { theme.headingFont = v }
            }
            if let n = f["sizes"],
               let sizes = reader.fields(n, "\(path).sizes", allowed: ["body", "title", "heading", "caption"])
            {
                func size(_ key: String, _ apply: (Double) -> Void) {
                    guard let s = sizes[key], let v = reader.int(s, "\(path).sizes.\(key)", in: 8...400) else { return }
                    apply(Double(v))
                }
                size("body") { theme.bodySize = $0 }
                size("title") { theme.titleSize = $0 }
                size("heading") { theme.headingSize = $0 }
                size("caption") { theme.captionSize = $0 }
            }
            if let n = f["margin"], let text = reader.string(n, "\(path).margin") {
                let number = Double(text.hasSuffix("%") ? String(text.dropLast()) : text)
                if let number, number >= 0, number <= 25 {
                    theme.margin = text.hasSuffix("%") || number >= 1 ? number / 100 : number
                } else {
                    reader.error("\(path).margin: expected a percentage from 0% to 25%, found '\(text)'", at: n)
                }
            }
            if let n = f["align"], let v = reader.oneOf(n, "\(path).align", TextAlignment.allCases.map(\.rawValue)) {
                theme.alignment = TextAlignment(rawValue: v)!
            }
            if let n = f["transition"], let text = reader.string(n, "\(path).transition") {
                if text == "cut" {
                    theme.transition = .cut
                } else if text.hasPrefix("crossfade"),
                          let ms = parseDuration(String(text.dropFirst("crossfade".count)).isEmpty
                              ? "600ms" : String(text.dropFirst("crossfade".count))), ms <= 10_000
                {
                    theme.transition = .crossfade(milliseconds: ms)
                } else {
                    reader.error("\(path).transition: expected 'cut' or 'crossfade DURATION' (such as crossfade "
                        + "600ms), found '\(text)'", at: n)
                }
            }
            if let n = f["clock"], let v = reader.bool(n, "\(path).clock") { theme.showClock = v }
            if let n = f["footer"], let v = reader.string(n, "\(path).footer") { theme.footer = v }
            if ok { checkContrast(theme, path: path, at: entry.keyNode) }
            table[entry.key] = theme
            order.append(entry.key)
        }
        if entries.isEmpty { reader.error("themes: at least one theme is needed", at: node) }
        return (table, order)
    }

    /// WCAG 2.2: body text below AA (4.5:1) is an error, below AAA (7:1) a warning. Headings in the accent colour
    /// are large text (AA 3:1); captions in the muted colour are small text (AA 4.5:1).
    func checkContrast(_ theme: Theme, path: String, at node: Node) {
        func ratio(_ c: Colour) -> String { String(format: "%.2f:1", c.contrast(with: theme.background)) }
        let body = theme.text.contrast(with: theme.background)
        if body < 4.5 {
            reader.error("\(path): text \(theme.text) on \(theme.background) has contrast \(ratio(theme.text)), "
                + "below WCAG AA (4.5:1)", at: node)
        } else if body < 7 {
            reader.warning("\(path): text \(theme.text) on \(theme.background) has contrast \(ratio(theme.text)), "
                + "below WCAG AAA (7:1)", at: node)
        }
        if theme.accent.contrast(with: theme.background) < 3 {
            reader.error("\(path): accent \(theme.accent) on \(theme.background) has contrast \(ratio(theme.accent)), "
                + "below WCAG AA for large text (3:1)", at: node)
        }
        if theme.muted.contrast(with: theme.background) < 4.5 {
            reader.error("\(path): muted \(theme.muted) on \(theme.background) has contrast \(ratio(theme.muted)), "
                + "below WCAG AA (4.5:1)", at: node)
        }
    }

    func readThemeRotation(_ node: Node?, themes: [String: Theme]) -> ThemeRotation? {
        guard let node, let f = reader.fields(node, "theme-rotation", allowed: ["every", "themes", "rules"]) else {
            return nil
        }
        var rotation = ThemeRotation()
        func theme(_ n: Node, _ path: String) -> String? {
            guard let name = reader.string(n, path) else { return nil }
            guard themes[name] != nil else {
                reader.error("\(path): no theme named '\(name)'\(didYouMean(name, themes.keys))", at: n)
                return nil
            }
            return name
        }
        if let n = f["every"] { rotation.every = reader.duration(n, "theme-rotation.every", minimum: 60_000) }
        if let n = f["themes"], let items = reader.sequence(n, "theme-rotation.themes") {
            rotation.themes = items.enumerated().compactMap { theme($1, "theme-rotation.themes[\($0)]") }
        }
        if rotation.every != nil, rotation.themes.isEmpty {
            rotation.themes = themes.keys.sorted()
        }
        if rotation.every == nil, f["themes"] != nil {
            reader.error("theme-rotation: 'themes' needs 'every' (how long each theme stays up)", at: node)
        }
        if let n = f["rules"], let items = reader.sequence(n, "theme-rotation.rules") {
            for (index, item) in items.enumerated() {
                let path = "theme-rotation.rules[\(index)]"
                guard let r = reader.fields(item, path, allowed: ["during", "theme"], required: ["during", "theme"]),
                      let during = r["during"].flatMap({ reader.timeRange($0, "\(path).during") }),
                      let name = r["theme"].flatMap({ theme($0, "\(path).theme") })
                else { continue }
                rotation.rules.append(ThemeRotation.Rule(during: during, theme: name))
            }
        }
        return rotation
    }

    // MARK: Playlists

    func readPlaylists(_ node: Node?) -> [String: Playlist] {
        guard let node, let entries = reader.entries(node, "playlists") else { return [:] }
        var result: [String: Playlist] = [:]
        for entry in entries {
            let path = "playlists.\(entry.key)"
            guard let items = reader.sequence(entry.value, path) else { continue }
            var playlist = Playlist(name: entry.key, items: [])
            for (index, item) in items.enumerated() {
                let itemPath = "\(path)[\(index)]"
                if case .scalar = item {
                    if let id = reader.string(item, itemPath) {
                        playlist.items.append(PlaylistItem(exhibit: ExhibitID(id)))
                        exhibitReferences.append(ExhibitReference(id, at: item, path: itemPath))
                    }
                    continue
                }
                guard let f = reader.fields(item, itemPath, allowed: ["exhibit", "duration", "weight", "from", "until"],
                                            required: ["exhibit"]),
                      let idNode = f["exhibit"], let id = reader.string(idNode, "\(itemPath).exhibit")
                else { continue }
                var entry = PlaylistItem(exhibit: ExhibitID(id))
                exhibitReferences.append(ExhibitReference(id, at: idNode, path: "\(itemPath).exhibit"))
                if let n = f["duration"] { entry.pageDuration = readPageDuration(n, "\(itemPath).duration") }
                if let n = f["weight"], let w = reader.int(n, "\(itemPath).weight", in: 1...100) { entry.weight = w }
                if let n = f["from"] { entry.from = reader.date(n, "\(itemPath).from") }
                if let n = f["until"] { entry.until = reader.date(n, "\(itemPath).until") }
                if let from = entry.from, let until = entry.until, until < from {
                    reader.error("\(itemPath): until \(until) is before from \(from)", at: item)
                }
                playlist.items.append(entry)
            }
            if items.isEmpty { reader.warning("\(path): the playlist is empty", at: entry.value) }
            result[entry.key] = playlist
        }
        return result
    }

    // MARK: Screens

    func readScreens(_ node: Node?, playlists: [String: Playlist], themes: [String: Theme]) -> [Screen] {
        guard let node, let entries = reader.entries(node, "screens") else { return [] }
        if entries.isEmpty { reader.error("screens: at least one screen is needed", at: node) }
        var screens: [Screen] = []
        for entry in entries {
            let path = "screens.\(entry.key)"
            guard let all = reader.entries(entry.value, path) else { continue }
            var pluginPairs: [(Node, Node)] = []
            var own: [String: Node] = [:]
            for field in all {
                if ConfigurationLoader.screenKeys.contains(field.key) {
                    own[field.key] = field.value
                } else {
                    pluginPairs.append((field.keyNode, field.value))
                }
            }
            var output: String?
            if let n = own["output"], let type = reader.string(n, "\(path).output") {
                if loader.outputTypes.contains(type) {
                    output = type
                } else {
                    let known = loader.outputTypes.map { "'\($0)'" }.joined(separator: ", ")
                    reader.error("\(path).output: no output plugin '\(type)'\(didYouMean(type, loader.outputTypes)) "
                        + "(known: \(known))", at: n)
                }
            } else if own["output"] == nil {
                reader.error("\(path): missing required key 'output'", at: entry.value)
            }
            var playlist: String?
            if let n = own["playlist"], let name = reader.string(n, "\(path).playlist") {
                if playlists[name] != nil {
                    playlist = name
                } else {
                    reader.error("\(path).playlist: no playlist named '\(name)'\(didYouMean(name, playlists.keys))",
                                 at: n)
                }
            } else if own["playlist"] == nil {
                reader.error("\(path): missing required key 'playlist'", at: entry.value)
            }
            var theme: String?
            if let n = own["theme"], let name = reader.string(n, "\(path).theme") {
                if themes[name] != nil {
                    theme = name
                } else {
                    reader.error("\(path).theme: no theme named '\(name)'\(didYouMean(name, themes.keys))", at: n)
                }
            }
            // A misspelt screen key would otherwise be handed to the plugin as an option.
            for (keyNode, _) in pluginPairs {
                if let key = keyNode.string, let near = nearestName(to: key, in: ConfigurationLoader.screenKeys),
                   own[near] == nil
                {
                    reader.error("\(path): unknown key '\(key)'; did you mean '\(near)'?", at: keyNode)
                }
            }
            // Options are plain values; an alias bomb would expand into millions of them when handed to the plugin.
            var pairs = pluginPairs
            if ScreenOptions.exceedsLimit(pairs.map(\.1)) {
                reader.error("\(path): the plugin's options hold more than \(ScreenOptions.valueLimit) values "
                    + "(YAML aliases expanding?)", at: entry.value)
                pairs = []
            }
            screenOptions[entry.key] = ScreenOptions(
                screen: entry.key, file: path, node: Node.mapping(.init(pairs, .implicit, .block, entry.value.mark)))
            if let output, let playlist {
                screens.append(Screen(name: entry.key, output: output, playlist: playlist, theme: theme))
            }
        }
        return screens
    }

    // MARK: Announcements

    func readAnnouncements(_ node: Node?, calendar: VenueCalendar, screens: [String]) -> [Announcement] {
        guard let node, let items = reader.sequence(node, "announcements") else { return [] }
        var result: [Announcement] = []
        for (index, item) in items.enumerated() {
            let path = "announcements[\(index)]"
            guard let f = reader.fields(item, path,
                                        allowed: ["id", "text", "exhibit", "from", "until", "screens", "priority"],
                                        required: ["from", "until"])
            else { continue }
            let id = f["id"].flatMap { reader.string($0, "\(path).id") } ?? "announcement-\(index + 1)"
            var content: Announcement.Content?
            switch (f["text"], f["exhibit"]) {
            case let (text?, nil): content = reader.string(text, "\(path).text").map { .text($0) }
            case let (nil, exhibit?):
                if let id = reader.string(exhibit, "\(path).exhibit") {
                    content = .exhibit(ExhibitID(id))
                    exhibitReferences.append(ExhibitReference(id, at: exhibit, path: "\(path).exhibit"))
                }
            case (_?, _?): reader.error("\(path): give either 'text' or 'exhibit', not both", at: item)
            case (nil, nil): reader.error("\(path): missing 'text' or 'exhibit'", at: item)
            }
            func instant(_ key: String) -> Int64? {
                guard let n = f[key], let text = reader.string(n, "\(path).\(key)") else { return nil }
                guard let ms = calendar.parseDateTime(text) else {
                    reader.error("\(path).\(key): expected a date and time such as 2026-12-24T16:45, found '\(text)'",
                                 at: n)
                    return nil
                }
                return ms
            }
            let start = instant("from"), end = instant("until")
            if let start, let end, end <= start {
                reader.error("\(path): 'until' must be after 'from'", at: f["until"])
            }
            var targets: [String]?
            if let n = f["screens"] {
                targets = reader.list(n, "\(path).screens").enumerated().compactMap { i, s in
                    guard let name = reader.string(s, "\(path).screens[\(i)]") else { return nil }
                    if !screens.contains(name) {
                        reader.error("\(path).screens: no screen named '\(name)'\(didYouMean(name, screens))", at: s)
                    }
                    return name
                }
            }
            let priority = f["priority"].flatMap { reader.int($0, "\(path).priority", in: -1000...1000) } ?? 0
            if let content, let start, let end {
                result.append(Announcement(id: id, content: content, start: start, end: end, screens: targets,
                                           priority: priority))
            }
        }
        return result
    }

    func readHTTP(_ node: Node, base: URL) -> HTTPListener? {
        guard let f = reader.fields(node, "http", allowed: ["listen", "token-file", "max-streams"]) else { return nil }
        var listener = HTTPListener()
        if let n = f["listen"], let text = reader.string(n, "http.listen") {
            // HOST:PORT, [IPv6]:PORT, or :PORT for every interface.
            var host = "0.0.0.0", portText = text
            if let colon = text.lastIndex(of: ":") {
                host = String(text[..<colon])
                portText = String(text[text.index(after: colon)...])
                if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
                if host.isEmpty || host == "*" { host = "0.0.0.0" }
            }
            // Port 0: any free port (the log names it).
            if let port = Int(portText), (0...65535).contains(port), !host.contains(" ") {
                listener.host = host
                listener.port = port
            } else {
                reader.error("http.listen: expected HOST:PORT such as 0.0.0.0:8080, found '\(text)'", at: n)
            }
        }
        if let n = f["token-file"], let path = reader.string(n, "http.token-file") {
            listener.tokenFile = URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path
        }
        if let n = f["max-streams"], let value = reader.int(n, "http.max-streams", in: 1...100_000) {
            listener.maxStreams = value
        }
        return listener
    }

    var exhibitReferences: [ExhibitReference] = []
}
