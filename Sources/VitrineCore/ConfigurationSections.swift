import Foundation
import VitrineModel
import VitrinePluginAPI

/// The sections of the configuration file, each read through its declarations in `ConfigurationKeys`.
extension Parse {
    /// The most days all `closed:` ranges together may name (a day named twice counts twice): a century.
    static let closedDaysLimit = 36_600

    // MARK: Hours

    func readHours(_ top: OptionsReader) -> OpeningHours {
        var hours = OpeningHours()
        if let node = top[Keys.hours], let days = top.mapping(node, at: "hours") {
            let names = Weekday.allCases.map(\.name)
            for entry in days.entries {
                let path = "hours.\(entry.key)"
                let ranges: [TimeRange]
                if entry.node.text == "closed" {
                    ranges = []
                } else {
                    ranges = days.list(entry.node, at: path).enumerated().compactMap { index, item in
                        days.read(item, at: "\(path)[\(index)]", as: .timeRange)
                    }
                }
                if entry.key == "every-day" {
                    hours.everyDay = ranges
                } else if let day = Weekday.allCases.first(where: { $0.name == entry.key }) {
                    hours.weekly[day] = ranges
                } else {
                    days.error("hours: unknown day '\(entry.key)'\(didYouMean(entry.key, names + ["every-day"]))",
                               at: OptionNode(.scalar(entry.key), line: entry.line, column: entry.column))
                }
            }
            if hours.weekly.isEmpty, hours.everyDay == nil {
                days.warning("hours: no days listed, so the venue counts as always open", at: node)
            } else if hours.everyDay == nil {
                hours.everyDay = []  // days not listed are closed
            }
        }
        if let closed = top[Keys.closed] {
            // Each range at most ten years, and all of them together at most a century of days: a list of 60,000
            // ranges (or one range aliased 400,000 times) is refused instead of taking minutes to spell out.
            var total = 0
            ranges: for range in closed {
                var day = range.lowerBound
                var count = 0
                while day <= range.upperBound, count < 3660 {
                    guard total < Self.closedDaysLimit else {
                        top.error("closed: more than \(Self.closedDaysLimit) days in all; list the days the venue is "
                                  + "closed in the next years only", at: top.node(Keys.closed.name))
                        break ranges
                    }
                    hours.closed.insert(day)
                    total += 1
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

    func readPages(_ top: OptionsReader) -> (pace: ReadingPace, duration: PageDuration) {
        guard let pages = top.section(Keys.pages) else { return (ReadingPace(), .readingTime) }
        let pace = ReadingPace(wordsPerMinute: pages[Keys.wordsPerMinute], minimum: pages[Keys.minimum],
                               maximum: pages[Keys.maximum], leadIn: pages[Keys.leadIn], leadOut: pages[Keys.leadOut])
        if pace.minimum > pace.maximum { pages.problem("min is longer than max") }
        return (pace, pages[Keys.duration])
    }

    // MARK: Themes

    func readThemes(_ top: OptionsReader) -> (table: [String: Theme], order: [String]) {
        guard let node = top[Keys.themes], let themes = top.mapping(node, at: "themes") else { return ([:], []) }
        var table: [String: Theme] = [:]
        var order: [String] = []
        for entry in themes.entries {
            guard let f = themes.mapping(entry.node, at: "themes.\(entry.key)") else { continue }
            f.accept(Keys.themeKeys)
            let before = f.errors.count
            var theme = Theme(name: entry.key)
            theme.background = f[Keys.background]
            theme.text = f[Keys.text]
            theme.accent = f[Keys.accent]
            theme.muted = f[Keys.muted]
            let coloursRead = f.errors.count == before
            if let fonts = f.section(Keys.fonts) {
                theme.bodyFont = fonts[Keys.bodyFont]
                theme.headingFont = fonts[Keys.headingFont]
            }
            if let sizes = f.section(Keys.sizes) {
                theme.bodySize = Double(sizes[Keys.bodySize])
                theme.titleSize = Double(sizes[Keys.titleSize])
                theme.headingSize = Double(sizes[Keys.headingSize])
                theme.captionSize = Double(sizes[Keys.captionSize])
                theme.summarySize = Double(sizes[Keys.summarySize])
            }
            theme.margin = f[Keys.margin]
            theme.measure = f[Keys.measure]
            theme.alignment = f[Keys.align]
            theme.transition = f[Keys.transition]
            theme.showClock = f[Keys.clock]
            theme.footer = f[Keys.footer]
            theme.film = f[Keys.film]
            if let care = f.section(Keys.burnIn) {
                theme.burnIn = BurnInCare(shift: care[Keys.shift], every: care[Keys.shiftEvery],
                                          dimAfter: care[Keys.dimAfter])
            }
            let name = OptionNode(.scalar(entry.key), line: entry.line, column: entry.column)
            if coloursRead { checkContrast(theme, path: f.path, reader: f, at: name) }
            table[entry.key] = theme
            order.append(entry.key)
        }
        if themes.entries.isEmpty { themes.error("themes: at least one theme is needed", at: node) }
        return (table, order)
    }

    /// WCAG 2.2: body text below AA (4.5:1) is an error, below AAA (7:1) a warning. Headings in the accent colour
    /// are large text (AA 3:1); captions in the muted colour are small text (AA 4.5:1). Each message points at the
    /// colour's value (or, when that colour is the default, at the background's, else at the theme's name) and
    /// proposes the nearest colour of the same hue that passes.
    func checkContrast(_ theme: Theme, path: String, reader: OptionsReader, at name: OptionNode) {
        func ratio(_ colour: Colour) -> String { String(format: "%.2f:1", colour.contrast(with: theme.background)) }
        func check(_ key: String, _ colour: Colour, _ needed: Double, _ standard: String, warning: Bool = false) {
            guard colour.contrast(with: theme.background) < needed else { return }
            let suggestion = colour.nearest(reaching: needed, on: theme.background).map {
                "; \($0) is the nearest colour of that hue that reaches it (\(ratio($0)))"
            } ?? "; no colour of that hue reaches it on this background: change the background"
            let message = "\(path).\(key): \(colour) on \(theme.background) has contrast \(ratio(colour)), "
                + "below \(standard)" + suggestion
            let node = reader.node(key) ?? reader.node("background") ?? name
            warning ? reader.warning(message, at: node) : reader.error(message, at: node)
        }
        let body = theme.text.contrast(with: theme.background)
        if body < 4.5 {
            check("text", theme.text, 4.5, "WCAG AA (4.5:1)")
        } else {
            check("text", theme.text, 7, "WCAG AAA (7:1)", warning: true)
        }
        check("accent", theme.accent, 3, "WCAG AA for large text (3:1)")
        check("muted", theme.muted, 4.5, "WCAG AA (4.5:1)")
    }

    func readThemeRotation(_ top: OptionsReader, themes: [String: Theme]) -> ThemeRotation? {
        guard let f = top.section(Keys.themeRotation) else { return nil }
        var rotation = ThemeRotation()
        func theme(_ name: String, _ node: OptionNode?, _ path: String) -> String? {
            guard themes[name] != nil else {
                f.error("\(path): no theme named '\(name)'\(didYouMean(name, themes.keys))", at: node)
                return nil
            }
            return name
        }
        rotation.every = f[Keys.every]
        if let names = f[Keys.rotationThemes], let node = f.node(Keys.rotationThemes.name) {
            let items = f.list(node, at: "theme-rotation.themes")
            rotation.themes = zip(names, items).enumerated().compactMap { index, pair in
                theme(pair.0, pair.1, "theme-rotation.themes[\(index)]")
            }
        }
        if rotation.every != nil, rotation.themes.isEmpty {
            rotation.themes = themes.keys.sorted()
        }
        if rotation.every == nil, f.has(Keys.rotationThemes) {
            f.problem("'themes' needs 'every' (how long each theme stays up)")
        }
        if let node = f[Keys.rules], let items = f.sequence(node, at: "theme-rotation.rules") {
            for (index, item) in items.enumerated() {
                guard let r = f.mapping(item, at: "theme-rotation.rules[\(index)]") else { continue }
                r.accept(Keys.ruleKeys)
                guard let during = r[Keys.during], let name = r[Keys.ruleTheme],
                      let name = theme(name, r.node(Keys.ruleTheme.name), r.path(of: "theme"))
                else { continue }
                rotation.rules.append(ThemeRotation.Rule(during: during, theme: name))
            }
        }
        return rotation
    }

    // MARK: Playlists

    func readPlaylists(_ top: OptionsReader) -> [String: Playlist] {
        guard let node = top[Keys.playlists], let lists = top.mapping(node, at: "playlists") else { return [:] }
        var result: [String: Playlist] = [:]
        for entry in lists.entries {
            let path = "playlists.\(entry.key)"
            guard let items = lists.sequence(entry.node, at: path) else { continue }
            var playlist = Playlist(name: entry.key, items: [])
            for (index, item) in items.enumerated() {
                let itemPath = "\(path)[\(index)]"
                if case .scalar = item.value {
                    if let id = lists.read(item, at: itemPath, as: .text) {
                        playlist.items.append(PlaylistItem(exhibit: ExhibitID(id)))
                        exhibitReferences.append(ExhibitReference(id, at: item, path: itemPath))
                    }
                    continue
                }
                guard let f = lists.mapping(item, at: itemPath) else { continue }
                f.accept(Keys.itemKeys)
                guard let id = f[Keys.exhibit], let idNode = f.node(Keys.exhibit.name) else { continue }
                var entry = PlaylistItem(exhibit: ExhibitID(id))
                exhibitReferences.append(ExhibitReference(id, at: idNode, path: f.path(of: Keys.exhibit.name)))
                entry.pageDuration = f[Keys.itemDuration]
                entry.weight = f[Keys.weight]
                entry.from = f[Keys.from]
                entry.until = f[Keys.until]
                if let from = entry.from, let until = entry.until, until < from {
                    f.problem("until \(until) is before from \(from)")
                }
                playlist.items.append(entry)
            }
            if items.isEmpty { lists.warning("\(path): the playlist is empty", at: entry.node) }
            result[entry.key] = playlist
        }
        return result
    }

    // MARK: Screens

    func readScreens(_ top: OptionsReader, playlists: [String: Playlist], themes: [String: Theme]) -> [Screen] {
        guard let node = top[Keys.screens], let all = top.mapping(node, at: "screens") else { return [] }
        if all.entries.isEmpty { all.error("screens: at least one screen is needed", at: node) }
        let ownKeys = Keys.screenKeys.map(\.name)
        var screens: [Screen] = []
        for entry in all.entries {
            guard let screen = all.mapping(entry.node, at: "screens.\(entry.key)") else { continue }
            // Keys other than the screen's own are the plugin's options, checked by the plugin.
            let own = screen.only(ownKeys)
            own.accept(Keys.screenKeys)
            var output: String?
            if let type = own[Keys.output] {
                if loader.outputTypes.contains(type) {
                    output = type
                } else {
                    let known = loader.outputTypes.map { "'\($0)'" }.joined(separator: ", ")
                    own.problem("output", "no output plugin '\(type)'\(didYouMean(type, loader.outputTypes)) "
                        + "(known: \(known))")
                }
            }
            var playlist: String?
            if let name = own[Keys.playlist] {
                if playlists[name] != nil {
                    playlist = name
                } else {
                    own.problem("playlist", "no playlist named '\(name)'\(didYouMean(name, playlists.keys))")
                }
            }
            var theme: String?
            if let name = own[Keys.screenTheme] {
                if themes[name] != nil {
                    theme = name
                } else {
                    own.problem("theme", "no theme named '\(name)'\(didYouMean(name, themes.keys))")
                }
            }
            var options = screen.entries.filter { !ownKeys.contains($0.key) }
            // A misspelt screen key would otherwise be handed to the plugin as an option.
            for option in options {
                if let near = nearestName(to: option.key, in: ownKeys), own.node(near) == nil {
                    screen.error("\(screen.path): unknown key '\(option.key)'; did you mean '\(near)'?",
                                 at: OptionNode(.scalar(option.key), line: option.line, column: option.column))
                }
            }
            if ScreenOptions.count(options.map(\.node)) > ScreenOptions.valueLimit {
                screen.error("\(screen.path): the plugin's options hold more than \(ScreenOptions.valueLimit) values "
                    + "(YAML aliases expanding?)", at: entry.node)
                options = []
            }
            screenOptions[entry.key] = ScreenOptions(screen: entry.key, entries: options, line: entry.line,
                                                     column: entry.column)
            if let output { screenOutputs.append((entry.key, output)) }
            let recordings = own[Keys.recordings]
            let languages = own[Keys.languages] ?? []
            for (index, language) in languages.enumerated()
            where languages[..<index].contains(where: { Exhibit.sameLanguage($0, language) }) {
                own.problem("languages", "'\(language)' is listed twice")
            }
            var power = Screen.Power()
            if let section = own.section(Keys.power) {
                power = Screen.Power(afterHours: section[Keys.powerAfterHours], wakeBefore: section[Keys.wakeBefore],
                                     cec: section[Keys.cec])
            }
            if let output, let playlist {
                screens.append(Screen(name: entry.key, output: output, playlist: playlist, theme: theme,
                                      recordings: recordings, languages: languages,
                                      languageTurns: own[Keys.languageTurns], visitorCode: own[Keys.visitorCode],
                                      power: power))
            }
        }
        return screens
    }

    // MARK: Announcements

    func readAnnouncements(_ top: OptionsReader, calendar: VenueCalendar, screens: [String]) -> [Announcement] {
        guard let node = top[Keys.announcements], let items = top.sequence(node, at: "announcements") else { return [] }
        var result: [Announcement] = []
        for (index, item) in items.enumerated() {
            guard let f = top.mapping(item, at: "announcements[\(index)]") else { continue }
            f.accept(Keys.announcementKeys)
            let id = f[Keys.id] ?? "announcement-\(index + 1)"
            var content: Announcement.Content?
            switch (f.has(Keys.message), f.has(Keys.announcedExhibit)) {
            case (true, false): content = f[Keys.message].map { .text($0) }
            case (false, true):
                if let id = f[Keys.announcedExhibit], let node = f.node(Keys.announcedExhibit.name) {
                    content = .exhibit(ExhibitID(id))
                    exhibitReferences.append(ExhibitReference(id, at: node, path: f.path(of: "exhibit")))
                }
            case (true, true): f.problem("give either 'text' or 'exhibit', not both")
            case (false, false): f.problem("missing 'text' or 'exhibit'")
            }
            func instant(_ option: Key<String>) -> Int64? {
                guard let text = f[option] else { return nil }
                guard let ms = calendar.parseDateTime(text) else {
                    f.problem(option.name, "expected a date and time such as 2026-12-24T16:45, found '\(text)'")
                    return nil
                }
                return ms
            }
            let start = instant(Keys.start), end = instant(Keys.end)
            if let start, let end, end <= start {
                f.error("\(f.path): 'until' must be after 'from'", at: f.node("until"))
            }
            var targets: [String]?
            if let names = f[Keys.targets], let node = f.node(Keys.targets.name) {
                targets = names
                for (name, item) in zip(names, f.list(node, at: f.path(of: "screens"))) where !screens.contains(name) {
                    f.error("\(f.path(of: "screens")): no screen named '\(name)'\(didYouMean(name, screens))", at: item)
                }
            }
            if let content, let start, let end {
                result.append(Announcement(id: id, content: content, start: start, end: end, screens: targets,
                                           priority: f[Keys.priority]))
            }
        }
        return result
    }

    func readHTTP(_ f: OptionsReader, base: URL) -> HTTPListener {
        var listener = HTTPListener()
        let address = f[Keys.listen]
        listener.host = address.host
        listener.port = address.port
        if let path = f[Keys.tokenFile] {
            listener.tokenFile = URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path
        }
        listener.maxStreams = f[Keys.maxStreams]
        listener.hostNames = f[Keys.hostNames] ?? []
        if let visitorURL = f[Keys.visitorURL] {
            listener.visitorURL = visitorURL
            // Phones ask for the name the code gives them.
            if let host = URL(string: visitorURL)?.host, !listener.hostNames.contains(host) {
                listener.hostNames.append(host)
            }
        }
        return listener
    }
}
