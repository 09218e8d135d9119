import VitrineModel
import VitrinePluginAPI

/// The schedule: what each screen shows at an instant and until when. Pure; instants are milliseconds since 1970.
extension Program {
    public func presentation(for screenName: String, at t: Int64, surface: Surface? = nil) -> Presentation? {
        guard let screen = configuration.screen(named: screenName) else { return nil }
        let (theme, themeUntil) = theme(for: screen, at: t)
        let boundary = nextAnnouncementBoundary(for: screen, after: t)

        if let announcement = activeAnnouncement(for: screen, at: t) {
            let until = min(announcement.end, boundary)
            switch announcement.content {
            case let .text(message):
                return Presentation(screen: screen.name, content: .message(message), theme: theme,
                                    reason: .announcement, source: announcement.id, validFrom: announcement.start,
                                    validUntil: until)
            case let .exhibit(id):
                let item = PlaylistItem(exhibit: id)
                if let shown = rotate([item], from: announcement.start, at: t, screen: screen, theme: theme, surface: surface) {
                    var presentation = Presentation(screen: screen.name, content: shown.content, theme: theme,
                                                    language: shown.language, reason: .announcement,
                                                    source: announcement.id, validFrom: shown.start,
                                                    validUntil: min(until, shown.end, themeUntil))
                    presentation.alongside = shown.alongside
                    return presentation
                }
            }
        }

        let opening = openingState(at: t)
        let playlistName: String
        let reason: Presentation.Reason
        if opening.open {
            playlistName = screen.playlist
            reason = .playlist
        } else if case let .playlist(name) = configuration.afterHours {
            playlistName = name
            reason = .afterHours
        } else {
            // The display sleeps until `wake-before` ahead of opening (a television takes a while to wake).
            let wake = opening.until - screen.power.wakeBefore
            let asleep = screen.power.afterHours == .off && t < wake
            var presentation = Presentation(screen: screen.name, content: .blank, theme: theme, reason: .afterHours,
                                            validFrom: asleep ? opening.since : max(opening.since, wake),
                                            validUntil: min(asleep ? wake : opening.until, boundary))
            presentation.displayOn = !asleep
            return presentation
        }

        let day = calendar.localDate(t)
        let nextMidnight = calendar.startOfDay(calendar.adding(days: 1, to: day))
        let items = shownItems(of: playlistName, on: day)
        var start: Int64
        switch configuration.epoch {
        case .opening: start = opening.since
        case .midnight: start = calendar.startOfDay(day)
        case let .fixed(ms): start = ms
        }
        // A loan that starts or ends at midnight changes the playlist: count the new one from that midnight.
        let epochDay = calendar.localDate(start)
        if epochDay != day {
            let before = shownItems(of: playlistName, on: epochDay)
            if before != items { start = calendar.startOfDay(day) }
        }
        let limit = min(opening.until, boundary, themeUntil, nextMidnight)
        let cycle = Cycles.Key(screen: screen.name, playlist: playlistName, day: day, theme: theme,
                               surface: (surface ?? surfaces(screen)).key)
        guard let shown = rotate(items, from: start, at: t, screen: screen, theme: theme, surface: surface,
                                 cycle: cycle) else {
            return Presentation(screen: screen.name, content: .blank, theme: theme, reason: .empty,
                                source: playlistName, validFrom: opening.since, validUntil: limit)
        }
        var presentation = Presentation(screen: screen.name, content: shown.content, theme: theme,
                                        language: shown.language, reason: reason, source: playlistName,
                                        validFrom: shown.start, validUntil: min(limit, shown.end))
        presentation.alongside = shown.alongside
        return presentation
    }

    /// Every change on a screen between two instants, first entry being what is up at `from`.
    public func timeline(for screenName: String, from: Int64, until: Int64, surface: Surface? = nil,
                         limit: Int = 10_000) -> [Presentation] {
        var result: [Presentation] = []
        var t = from
        while t < until, result.count < limit, let p = presentation(for: screenName, at: t, surface: surface) {
            if let last = result.last, last.showsSame(as: p), last.reason == p.reason {
                result[result.count - 1].validUntil = p.validUntil
            } else {
                result.append(p)
            }
            guard p.validUntil > t else { break }
            t = p.validUntil
        }
        return result
    }

    /// A playlist's items shown on a day (their loans and dates), worked out once per program.
    func shownItems(of playlist: String, on day: LocalDate) -> [PlaylistItem] {
        cycles.items(.init(playlist: playlist, day: day)) {
            (configuration.playlists[playlist]?.items ?? []).filter { isShown($0, on: day) }
        }
    }

    func isShown(_ item: PlaylistItem, on day: LocalDate) -> Bool {
        guard item.isScheduled(on: day), let exhibit = exhibits[item.exhibit] else { return false }
        return exhibit.isOnShow(on: day)
    }

    /// Milliseconds a page stays up. A page that plays recordings lasts at least them (with the lead-in and
    /// lead-out), however its text would be timed: a testimony is never cut mid-sentence.
    func duration(of page: PageTiming, item: PlaylistItem, screen: Screen) -> Int64 {
        let rule = item.pageDuration ?? exhibits[item.exhibit]?.pageDuration ?? configuration.defaultPageDuration
        let text: Int64 = switch rule {
        case let .fixed(ms): max(ms, 1000)
        case .readingTime: configuration.reading.duration(forWords: page.words)
        }
        let recordings = screen.recordings == .play ? page.recordings : []
        return recordings.isEmpty ? text : max(text, configuration.reading.duration(ofRecordings: recordings))
    }

    /// One page's turn in a playlist's cycle.
    struct Turn: Sendable {
        var item: PlaylistItem
        var language: String?
        /// Languages set beside `language` in columns.
        var alongside: [String] = []
        var page: Int
        var pageCount: Int
        var duration: Int64
    }

    /// The turns of one playlist item on a screen: each page in each of the screen's languages the exhibit is
    /// written in, language after language, page by page, or side by side as the screen takes turns.
    func turns(of item: PlaylistItem, screen: Screen, theme: String, surface: Surface?) -> [Turn] {
        guard let exhibit = exhibits[item.exhibit] else { return [] }
        let languages = screen.languages(of: exhibit)
        let columns = columns(for: languages, on: screen, surface: surface)
        let versions: [[Turn]] = languages.map { language in
            let pages = timings(of: exhibit, in: language, on: screen, theme: theme, surface: surface,
                                columns: columns)
            return pages.enumerated().map { index, page in
                Turn(item: item, language: language, page: index, pageCount: pages.count,
                     duration: duration(of: page, item: item, screen: screen))
            }
        }
        let longest = versions.map(\.count).max() ?? 0
        if columns > 1 {
            // Page N of every language together, up as long as the slowest reader of them needs.
            return (0..<longest).map { index in
                let present = versions.compactMap { $0.indices.contains(index) ? $0[index] : nil }
                return Turn(item: item, language: languages[0], alongside: languages.dropFirst().compactMap { $0 },
                            page: index, pageCount: longest, duration: present.map(\.duration).max() ?? 0)
            }
        }
        switch screen.languageTurns {
        case .exhibit:
            return versions.flatMap { $0 }
        case .page, .sideBySide:
            return (0..<longest).flatMap { index in versions.compactMap { $0.indices.contains(index) ? $0[index] : nil } }
        }
    }

    /// Columns for an exhibit's languages on a screen: one per language when the screen sets them side by side and
    /// its surface is a landscape pixel screen with room (two or three languages); else one.
    public func columns(for languages: [String?], on screen: Screen, surface: Surface?) -> Int {
        guard screen.languageTurns == .sideBySide, (2...3).contains(languages.count),
              case let .pixels(width, height)? = (surface ?? surfaces(screen)).grid, width * 10 >= height * 13
        else { return 1 }
        return languages.count
    }

    /// Position in a playlist's cycle counted from `start`.
    ///
    /// While `t` is still in the first cycle from `start` (a museum's day is often shorter than its playlist), the
    /// turns after `t`'s are not needed: nor their pages laid out. The cycle's length is worked out (every page's
    /// timing) only once `t` is past it. Either way the answer is the same. The turns worked out are kept with the
    /// program under `cycle` (the day's playlist on one screen), so the next answer starts where this one stopped.
    func rotate(_ items: [PlaylistItem], from start: Int64, at t: Int64, screen: Screen, theme: String,
                surface: Surface?, cycle key: Cycles.Key? = nil)
        -> (content: Presentation.Content, language: String?, alongside: [String], start: Int64, end: Int64)?
    {
        var cycle = key.flatMap { cycles.kept($0) } ?? Cycles.Cycle(sequence: weightedSequence(items))
        func shown(_ index: Int, at position: Int64)
            -> (content: Presentation.Content, language: String?, alongside: [String], start: Int64, end: Int64)
        {
            let turn = cycle.turns[index]
            let pageStart = t - (position - (index == 0 ? 0 : cycle.ends[index - 1]))
            return (.exhibit(turn.item.exhibit, page: turn.page, pageCount: turn.pageCount), turn.language,
                    turn.alongside, pageStart, pageStart + turn.duration)
        }
        func found(at position: Int64) -> Int? {
            guard position >= 0, let last = cycle.ends.last, position < last else { return nil }
            // The first turn ending after `position`.
            var low = 0, high = cycle.ends.count - 1
            while low < high {
                let middle = (low + high) / 2
                if cycle.ends[middle] > position { high = middle } else { low = middle + 1 }
            }
            return low
        }
        let elapsed = t - start
        var index = found(at: elapsed)
        while index == nil, cycle.next < cycle.sequence.count {
            cycle.firstTurns.append(cycle.turns.count)
            for turn in turns(of: cycle.sequence[cycle.next], screen: screen, theme: theme, surface: surface)
                where turn.duration > 0
            {
                cycle.turns.append(turn)
                cycle.ends.append((cycle.ends.last ?? 0) + turn.duration)
            }
            cycle.next += 1
            index = found(at: elapsed)
        }
        if let key { cycles.keep(cycle, for: key) }
        if let index { return shown(index, at: elapsed) }
        guard let length = cycle.ends.last, length > 0 else { return nil }
        let position = (elapsed % length + length) % length
        return found(at: position).map { shown($0, at: position) }
    }

    /// Items repeated by weight and spread out (smooth weighted round robin), so a weight-3 exhibit does not
    /// come three times in a row.
    func weightedSequence(_ items: [PlaylistItem]) -> [PlaylistItem] {
        guard items.contains(where: { $0.weight > 1 }) else { return items }
        let total = items.reduce(0) { $0 + $1.weight }
        var current = [Int](repeating: 0, count: items.count)
        var sequence: [PlaylistItem] = []
        for _ in 0..<total {
            var best = 0
            for i in items.indices {
                current[i] += items[i].weight
                if current[i] > current[best] { best = i }
            }
            current[best] -= total
            sequence.append(items[best])
        }
        return sequence
    }

    // MARK: Opening hours

    struct OpeningState {
        var open: Bool
        /// When the current state began (opening or closing time).
        var since: Int64
        /// When it next changes.
        var until: Int64
    }

    func windows(around day: LocalDate, days: ClosedRange<Int>) -> [(start: Int64, end: Int64)] {
        var result: [(start: Int64, end: Int64)] = []
        for offset in days {
            let d = calendar.adding(days: offset, to: day)
            for range in configuration.hours.ranges(on: d, weekday: calendar.weekday(of: d)) {
                let w = calendar.window(range, on: d)
                if w.end > w.start { result.append(w) }
            }
        }
        return result
    }

    /// The venue's opening hours on the day of `t`, as written (`10:00-18:00`, `10:00-13:00, 14:00-18:00`), or
    /// "closed": what the status says beside each display's power.
    public func hoursOfTheDay(at t: Int64) -> String {
        let day = calendar.localDate(t)
        let ranges = configuration.hours.ranges(on: day, weekday: calendar.weekday(of: day))
        return ranges.isEmpty ? "closed" : ranges.map(\.description).joined(separator: ", ")
    }

    func openingState(at t: Int64) -> OpeningState {
        let day = calendar.localDate(t)
        let near = windows(around: day, days: -1...1)
        if let current = near.filter({ $0.start <= t && t < $0.end }).max(by: { $0.start < $1.start }) {
            let nextStart = near.filter { $0.start > t }.map(\.start).min() ?? Int64.max
            return OpeningState(open: true, since: current.start, until: min(current.end, nextStart))
        }
        // Closed: look back and ahead up to two weeks for the neighbouring opening times.
        let around = windows(around: day, days: -14...14)
        let since = around.filter { $0.end <= t }.map(\.end).max()
            ?? calendar.startOfDay(calendar.adding(days: -14, to: day))
        let until = around.filter { $0.start > t }.map(\.start).min()
            ?? calendar.startOfDay(calendar.adding(days: 14, to: day))
        return OpeningState(open: false, since: since, until: until)
    }

    // MARK: Announcements

    func activeAnnouncement(for screen: Screen, at t: Int64) -> Announcement? {
        configuration.announcements
            .filter { $0.applies(to: screen.name) && $0.start <= t && t < $0.end }
            .max { ($0.priority, $0.start) < ($1.priority, $1.start) }
    }

    func nextAnnouncementBoundary(for screen: Screen, after t: Int64) -> Int64 {
        var next = Int64.max
        for a in configuration.announcements where a.applies(to: screen.name) {
            if a.start > t { next = min(next, a.start) } else if a.end > t { next = min(next, a.end) }
        }
        return next
    }

    // MARK: Themes

    /// The theme up at `t` and when that may change: the screen's own theme, else a time-of-day rule, else the
    /// interval rotation counted from local midnight, else the default theme.
    func theme(for screen: Screen, at t: Int64) -> (String, Int64) {
        if let fixed = screen.theme { return (fixed, Int64.max) }
        guard let rotation = configuration.themeRotation else { return (configuration.defaultTheme, Int64.max) }
        let day = calendar.localDate(t)
        let midnight = calendar.startOfDay(day)
        let nextMidnight = calendar.startOfDay(calendar.adding(days: 1, to: day))
        var nextRule = nextMidnight
        for offset in [-1, 0] {
            let d = calendar.adding(days: offset, to: day)
            for rule in rotation.rules {
                let w = calendar.window(rule.during, on: d)
                if w.start <= t, t < w.end { return (rule.theme, w.end) }
            }
        }
        for offset in [0, 1] {
            let d = calendar.adding(days: offset, to: day)
            for rule in rotation.rules {
                let w = calendar.window(rule.during, on: d)
                if w.start > t { nextRule = min(nextRule, w.start) }
            }
        }
        if let every = rotation.every, !rotation.themes.isEmpty {
            let slot = (t - midnight) / every
            let name = rotation.themes[Int(slot % Int64(rotation.themes.count))]
            return (name, min(midnight + (slot + 1) * every, nextRule))
        }
        return (configuration.defaultTheme, nextRule)
    }
}
