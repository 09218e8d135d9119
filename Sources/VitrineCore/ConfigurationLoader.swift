import Foundation
import Synchronization
import VitrineModel
import VitrinePluginAPI
import Yams

/// The options block of one screen: every key that is not one of the screen's own goes to its output plugin,
/// which decodes it strictly.
public struct ScreenOptions: Sendable {
    public let screen: String
    /// The screen's mapping minus `output`, `playlist`, `theme`, each value with its line.
    public let entries: [OptionEntry]
    /// Where the screen's mapping is written.
    public var line: Int?
    public var column: Int? = nil

    /// The most values one screen's options may hold: they are handed to the plugin (an exec plugin gets them all).
    static let valueLimit = 10_000

    static func count(_ nodes: [OptionNode]) -> Int {
        nodes.reduce(0) { total, node in
            switch node.value {
            case .scalar: total + 1
            case let .list(items): total + 1 + count(items)
            case let .map(entries): total + 1 + count(entries.map(\.node))
            }
        }
    }
}

/// The configuration file, read and checked; `configuration` is nil when any error was found.
public struct LoadedConfiguration: Sendable {
    public var configuration: Configuration?
    public var screenOptions: [String: ScreenOptions]
    /// Every screen whose output type is known, in file order, even when other parts of the file have errors: its
    /// plugin still checks its options, so one `vitrine check` reports every problem.
    public var screenOutputs: [(screen: String, output: String)] = []
    /// Exhibits named by playlists and announcements, resolved once the content is loaded.
    public var exhibitReferences: [ExhibitReference] = []
    public var diagnostics: [Diagnostic]
    /// Served by the memo: the same file as the last read without errors.
    public internal(set) var remembered = false
}

public struct ExhibitReference: Hashable, Sendable {
    public var id: ExhibitID
    public var keyPath: String
    public var line: Int?
    public var column: Int?
    init(_ id: String, at node: OptionNode, path: String) {
        self.id = ExhibitID(id)
        self.keyPath = path
        self.line = node.line
        self.column = node.column
    }
}

/// The last configuration read without errors, with its text: a reload after an exhibit was edited does not parse
/// again a file that did not change (a playlist of 10,000 exhibits takes longer to parse than the edit to read).
/// Only a configuration without errors is kept: one with errors is always read again.
public final class ConfigurationMemo: Sendable {
    private let last = Mutex<(text: String, path: String, loaded: LoadedConfiguration)?>(nil)
    /// The file as it was just before the remembered text was read: while it stands, the text is not even read
    /// (10,000 exhibits in a playlist make a file of 170 KB, checked character by character when read).
    private let stamp = Mutex<ExhibitCache.Stamp?>(nil)
    /// The read of the content folder (`ExhibitLoader.ContentVersion`) in which every exhibit the remembered
    /// configuration names was found, with nothing to say: while the file and the exhibits' names stay the same,
    /// 10,000 names need not be looked up again.
    private let resolved = Mutex<Int?>(nil)

    func referencesResolved(in version: Int) -> Bool { resolved.withLock { $0 == version } }

    func resolvedReferences(in version: Int?) { resolved.withLock { $0 = version } }

    public init() {}

    /// The remembered configuration when `text` is the one it was read from. The stamp then stands for the file
    /// (saved unchanged, or touched); any other text takes the stamp away: the file is no longer the one remembered,
    /// even when what it says now has errors and is not remembered in its place.
    func kept(text: String, path: String, stamp: ExhibitCache.Stamp?) -> LoadedConfiguration? {
        let kept = last.withLock { last in last.flatMap { $0.text == text ? remembered($0, path: path) : nil } }
        self.stamp.withLock { $0 = kept == nil ? nil : stamp?.settled }
        return kept
    }

    /// The remembered configuration when the file at `path` is the one its text was read from.
    func kept(unchanged path: String) -> LoadedConfiguration? {
        guard let before = stamp.withLock({ $0 }), before.path == path, ExhibitCache.Stamp(path) == before
        else { return nil }
        return last.withLock { last in last.flatMap { remembered($0, path: path) } }
    }

    private func remembered(_ last: (text: String, path: String, loaded: LoadedConfiguration), path: String)
        -> LoadedConfiguration?
    {
        guard last.path == path else { return nil }
        var kept = last.loaded
        kept.remembered = true
        return kept
    }

    func keep(_ loaded: LoadedConfiguration, text: String, path: String, stamp: ExhibitCache.Stamp?) {
        self.stamp.withLock { $0 = stamp?.settled }
        last.withLock { $0 = (text, path, loaded) }
        resolved.withLock { $0 = nil }
    }
}

/// Reads the operator's YAML file into a `Configuration`, reporting every problem with its line.
public struct ConfigurationLoader: Sendable {
    public static let sizeLimit = 4 << 20

    /// Output types a screen may name; from the plugin registry.
    public var outputTypes: [String]
    /// Those whose screens browsers load: a configuration with one gets an HTTP listener without an `http:` block.
    public var browserTypes: Set<String>
    /// Used when the file sets no `timezone`.
    public var systemTimeZone: String
    /// The last configuration read without errors (the daemon keeps one across reloads).
    public var memo: ConfigurationMemo?

    public init(outputTypes: [String], browserTypes: Set<String> = [],
                systemTimeZone: String = ZoneInfo.systemIdentifier) {
        self.outputTypes = outputTypes
        self.browserTypes = browserTypes
        self.systemTimeZone = systemTimeZone
    }

    public func load(path: String) -> LoadedConfiguration {
        let log = DiagnosticLog(file: path)
        if let kept = memo?.kept(unchanged: path) { return kept }
        // Stamped before it is read: a file saved while it is read is then seen as changed the next time.
        let stamp = memo == nil ? nil : ExhibitCache.Stamp(path)
        switch TextFile.read(path, limit: Self.sizeLimit) {
        case let .failure(failure):
            let (message, line, column) = TextFile.describe(failure)
            log.error(message, line: line, column: column)
            return LoadedConfiguration(configuration: nil, screenOptions: [:], diagnostics: log.items)
        case let .success(text):
            if let kept = memo?.kept(text: text, path: path, stamp: stamp) { return kept }
            let loaded = load(text: text, path: path)
            if loaded.configuration != nil { memo?.keep(loaded, text: text, path: path, stamp: stamp) }
            return loaded
        }
    }

    public func load(text: String, path: String) -> LoadedConfiguration {
        let log = DiagnosticLog(file: path)
        guard let root = YAMLDocument.parse(text, log: log) else {
            return LoadedConfiguration(configuration: nil, screenOptions: [:], diagnostics: log.items)
        }
        let reader = OptionsReader(path: "", entries: [])
        let parse = Parse(loader: self, path: path)
        let configuration = reader.mapping(root, at: "").flatMap(parse.run)
        log.append(reader.problems)
        return LoadedConfiguration(
            configuration: log.items.hasErrors ? nil : configuration,
            screenOptions: parse.screenOptions,
            screenOutputs: parse.screenOutputs,
            exhibitReferences: parse.exhibitReferences,
            diagnostics: log.items
        )
    }
}

/// One pass over the document; keeps going after errors so all of them are reported.
final class Parse {
    let loader: ConfigurationLoader
    let path: String
    var screenOptions: [String: ScreenOptions] = [:]
    var screenOutputs: [(screen: String, output: String)] = []
    var exhibitReferences: [ExhibitReference] = []

    init(loader: ConfigurationLoader, path: String) {
        self.loader = loader
        self.path = path
    }

    typealias Keys = ConfigurationKeys

    func run(_ top: OptionsReader) -> Configuration? {
        top.accept(Keys.topLevel)

        // Time zone first: dates in the rest of the file are venue time.
        var zoneName = loader.systemTimeZone
        if let name = top[Keys.timezone] {
            if VenueCalendar(identifier: name) != nil, name.contains("/") || name == "UTC" {
                zoneName = name
            } else {
                top.error("timezone: unknown time zone '\(name)' (use an IANA name such as Europe/Paris)",
                          at: top.node(Keys.timezone.name))
            }
        }
        let calendar = VenueCalendar(identifier: zoneName) ?? VenueCalendar(zone: .utc)

        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        let folder = top[Keys.content]
        let contentFolder = (folder.hasPrefix("/") ? URL(fileURLWithPath: folder)
            : base.appendingPathComponent(folder)).standardizedFileURL.path
        if top.node(Keys.content.name) != nil {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: contentFolder, isDirectory: &isDirectory) || !isDirectory.boolValue {
                top.error("content: no folder at \(contentFolder)", at: top.node(Keys.content.name))
            }
        }

        let themes = readThemes(top)
        let themeNames = themes.order
        let defaultTheme = themeNames.first ?? "default"
        var themeTable = themes.table
        if themeTable.isEmpty { themeTable[defaultTheme] = Theme(name: defaultTheme) }

        let playlists = readPlaylists(top)
        let hours = readHours(top)
        let reading = readPages(top)
        var afterHours = AfterHours.blank
        let afterHoursName = top[Keys.afterHours]
        if afterHoursName != "blank" {
            if playlists[afterHoursName] != nil {
                afterHours = .playlist(afterHoursName)
            } else {
                top.error("after-hours: expected 'blank' or a playlist name, found '\(afterHoursName)'"
                    + didYouMean(afterHoursName, ["blank"] + playlists.keys.sorted()), at: top.node(Keys.afterHours.name))
            }
        }
        var epoch = RotationEpoch.opening
        switch top[Keys.epoch] {
        case "opening": epoch = .opening
        case "midnight": epoch = .midnight
        case let value:
            if let ms = calendar.parseDateTime(value) {
                epoch = .fixed(millisecondsSince1970: ms)
            } else {
                top.error("epoch: expected 'opening', 'midnight' or a date and time, found '\(value)'",
                          at: top.node(Keys.epoch.name))
            }
        }
        let rotation = readThemeRotation(top, themes: themeTable)
        let screens = readScreens(top, playlists: playlists, themes: themeTable)
        let announcements = readAnnouncements(top, calendar: calendar, screens: screens.map(\.name))
        var http: HTTPListener?
        if let section = top.section(Keys.http) {
            http = readHTTP(section, base: base)
        } else if !top.has(Keys.http), screens.contains(where: { loader.browserTypes.contains($0.output) }) {
            http = HTTPListener()
        }
        if http?.visitorURL == nil, let screen = screens.first(where: \.visitorCode) {
            let node = top.node(Keys.screens.name)
            top.error("screens.\(screen.name).visitor-code: phones need the address they reach this machine by: set "
                + "http.visitor-url (e.g. http://192.168.1.20:8080) and let the listener accept them (http.listen: "
                + "0.0.0.0:8080)", at: node.flatMap { screensNode in
                    if case let .map(entries) = screensNode.value,
                       case let .map(own)? = entries.first(where: { $0.key == screen.name })?.node.value {
                        return own.first { $0.key == Keys.visitorCode.name }?.node
                    }
                    return nil
                } ?? node)
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
}
