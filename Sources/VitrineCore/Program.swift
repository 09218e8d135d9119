import Foundation
import Synchronization
import VitrineModel
import VitrinePluginAPI

/// The surface a screen's output paginates for, before the output has measured its device.
public typealias SurfaceProvider = @Sendable (Screen) -> Surface

/// A validated configuration with its exhibits: everything the schedule needs, and nothing that changes.
/// `presentation(for:at:)` is a pure function of time.
public struct Program: Sendable {
    public let configuration: Configuration
    public let exhibits: [ExhibitID: Exhibit]
    public let calendar: VenueCalendar
    let surfaces: SurfaceProvider
    let book: PageBook
    /// The playlists' cycles as far as the schedule has worked them out (they depend on everything above, so a
    /// program with other exhibits or configuration starts without).
    let cycles: Cycles
    /// Which read of the content folder the exhibits come from (`Program.continuing` asks what changed since).
    var contentVersion: ExhibitLoader.ContentVersion?

    /// `book`: where pages are kept as they are laid out; a daemon passes every program the same one, so a reload
    /// lays out only what changed.
    public init(configuration: Configuration, exhibits: [ExhibitID: Exhibit], book: PageBook = PageBook(),
                surfaces: @escaping SurfaceProvider) {
        self.init(configuration: configuration, exhibits: exhibits, book: book, cycles: Cycles(), surfaces: surfaces)
    }

    private init(configuration: Configuration, exhibits: [ExhibitID: Exhibit], book: PageBook, cycles: Cycles,
                 surfaces: @escaping SurfaceProvider) {
        self.cycles = cycles
        self.configuration = configuration
        self.exhibits = exhibits
        self.calendar = VenueCalendar(identifier: configuration.timeZone)
            ?? VenueCalendar(identifier: "UTC")!
        self.surfaces = surfaces
        self.book = book
    }

    /// A fingerprint of the exhibits as read (their text, pictures and recordings as the files name them): two
    /// machines given the same content folder, at the same path, report the same one. The fleet's alert for
    /// content that differs compares it; the configuration (each machine's own screens) is left out.
    public func contentDigest() -> ContentDigest {
        var digest = ContentDigest(high: 0, low: UInt64(exhibits.count))
        for id in exhibits.keys.sorted() {
            digest = digest.with(book.digest(of: exhibits[id]!), id.rawValue)
        }
        return digest
    }

    /// The same program with other announcements; pages and cycles already worked out are kept (they do not depend
    /// on them).
    public func with(announcements: [Announcement]) -> Program {
        var configuration = configuration
        configuration.announcements = announcements
        var program = Program(configuration: configuration, exhibits: exhibits, book: book, cycles: cycles,
                              surfaces: surfaces)
        program.contentVersion = contentVersion
        return program
    }

    /// The same configuration and surfaces with other exhibits (pages are kept by content: nothing is laid out again
    /// that did not change).
    public func with(exhibits: [ExhibitID: Exhibit]) -> Program {
        var program = Program(configuration: configuration, exhibits: exhibits, book: book, surfaces: surfaces)
        // Exhibits put back as another program had them are among those read again (they had errors), or were
        // put back the same way in the program before.
        program.contentVersion = contentVersion
        return program
    }

    /// The same program, starting from what `earlier` worked out that still holds (`Cycles(continuing:…)`): with
    /// the same configuration (announcements aside) and book, the exhibits that are the very versions `earlier`
    /// had keep their turns. The answers are the same as without it; only the work to reach them is less.
    public func continuing(_ earlier: Program) -> Program {
        var mine = configuration, theirs = earlier.configuration
        mine.announcements = []
        theirs.announcements = []
        guard book === earlier.book, mine == theirs else { return self }
        // Patched from the read the running program came from: only what was read again can differ.
        let changed = if let mine = contentVersion, let theirs = earlier.contentVersion,
                         mine.patchedFrom == theirs.number {
            mine.reread
        } else {
            Self.changed(from: earlier.exhibits, to: exhibits)
        }
        let cycles = Cycles(continuing: earlier.cycles, changed: changed) { key in
            changed.allSatisfy { id in
                (earlier.exhibits[id]?.isOnShow(on: key.day) ?? false) == (exhibits[id]?.isOnShow(on: key.day) ?? false)
            }
        }
        var program = Program(configuration: configuration, exhibits: exhibits, book: book, cycles: cycles,
                              surfaces: surfaces)
        program.contentVersion = contentVersion
        return program
    }

    /// The exhibits that are not the very versions they were (changed, added or gone). A table patched from the
    /// other (a watched reload) keeps its layout: both are walked side by side, without hashing 10,000 names,
    /// until a name differs; from there on each is looked up.
    static func changed(from earlier: [ExhibitID: Exhibit], to now: [ExhibitID: Exhibit]) -> Set<ExhibitID> {
        var changed: Set<ExhibitID> = []
        var mine = now.startIndex, theirs = earlier.startIndex
        while mine != now.endIndex, theirs != earlier.endIndex {
            let (id, exhibit) = now[mine], (otherID, other) = earlier[theirs]
            guard id == otherID else { break }
            if !exhibit.isSameVersion(as: other) { changed.insert(id) }
            mine = now.index(after: mine)
            theirs = earlier.index(after: theirs)
        }
        guard mine != now.endIndex || theirs != earlier.endIndex else { return changed }
        for (id, exhibit) in now[mine...] where !(earlier[id]?.isSameVersion(as: exhibit) ?? false) {
            changed.insert(id)
        }
        for id in earlier.keys where now[id] == nil { changed.insert(id) }
        return changed
    }

    /// The pages of an exhibit as laid out for a screen's surface and a theme, in `language` (nil: the original) and
    /// in one of `columns` columns (languages side by side); computed once, then cached.
    public func pages(of id: ExhibitID, in language: String? = nil, on screen: Screen, theme: String,
                      surface: Surface? = nil, columns: Int = 1) -> [Page] {
        guard let exhibit = exhibits[id]?.version(in: language) else { return [] }
        let surface = surface ?? surfaces(screen)
        let themeValue = self.theme(named: theme, on: screen, columns: columns)
        let key = book.key(exhibit: exhibit, theme: themeValue, surface: surface.key)
        return book.pages(for: key) { Paginator().paginate(exhibit, measurer: surface.measurer(themeValue)) }
    }

    /// What the schedule needs of the same pages (`pages(of:…)`): their words and recordings, from the book when
    /// this exhibit was laid out the same way before (in this run or, with a book kept on disk, an earlier one).
    func timings(of id: ExhibitID, in language: String? = nil, on screen: Screen, theme: String,
                 surface: Surface? = nil, columns: Int = 1) -> [PageTiming] {
        guard let original = exhibits[id] else { return [] }
        return timings(of: original, in: language, on: screen, theme: theme, surface: surface, columns: columns)
    }

    func timings(of original: Exhibit, in language: String?, on screen: Screen, theme: String, surface: Surface?,
                 columns: Int) -> [PageTiming] {
        let exhibit = original.version(in: language)
        let surface = surface ?? surfaces(screen)
        let laidOut = cycles.theme(.init(name: theme, visitorCode: screen.visitorCode, columns: columns)) {
            self.theme(named: theme, on: screen, columns: columns)
        }
        let key = book.key(exhibit: exhibit, themeDigest: laidOut.digest, surface: surface.key)
        return book.timings(for: key) { Paginator().paginate(exhibit, measurer: surface.measurer(laidOut.theme)) }
    }

    /// The page a presentation shows, if it shows an exhibit; with the same page in the languages set beside it.
    public func page(for presentation: Presentation, surface: Surface? = nil) -> Page? {
        guard case let .exhibit(id, index, count) = presentation.content,
              let screen = configuration.screen(named: presentation.screen)
        else { return nil }
        let columns = 1 + presentation.alongside.count
        func page(in language: String?) -> Page? {
            let pages = pages(of: id, in: language, on: screen, theme: presentation.theme, surface: surface,
                              columns: columns)
            return pages.indices.contains(index) ? pages[index] : nil
        }
        guard columns > 1 else { return page(in: presentation.language) }
        // Side by side, a language with fewer pages leaves its column empty (under its running head).
        let exhibit = exhibits[id]
        func placeholder(_ language: String?) -> Page {
            let version = exhibit?.version(in: language)
            return Page(exhibit: id, series: version?.series, title: version?.title ?? id.rawValue, index: index,
                        count: count, items: [], words: 0, language: language)
        }
        var first = page(in: presentation.language) ?? placeholder(presentation.language)
        first.count = count
        first.alongside = presentation.alongside.map { language in
            var other = page(in: language) ?? placeholder(language)
            other.count = count
            return other
        }
        return first
    }
}

extension Program {
    /// A theme as a screen lays pages out in it: with room for the visitor code on a screen that shows one.
    func theme(named name: String, on screen: Screen, columns: Int = 1) -> Theme {
        var theme = configuration.themes[name] ?? Theme(name: name)
        theme.visitorCode = screen.visitorCode && configuration.http?.visitorURL != nil
        theme.columns = columns
        return theme
    }

    /// The companion page of an exhibit, at the address visitors' phones reach the listener by. The page opens in
    /// the phone's own language where the exhibit is written in it; `shown` (the language on screen) otherwise.
    public func visitorLink(_ id: ExhibitID, _ shown: String?) -> String? {
        guard let base = configuration.http?.visitorURL else { return nil }
        var link = base + "/visit/" + (id.rawValue.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)
            ?? id.rawValue)
        if let shown { link += "?shown=" + shown }
        return link
    }

    /// What an output is handed for a presentation: the page laid out for `surface`, with its theme, and the
    /// venue's time at `instant` when the theme shows a clock.
    public func frame(for presentation: Presentation, surface: Surface? = nil, at instant: Int64? = nil) -> Frame {
        var frame = laidOutFrame(for: presentation, surface: surface, at: instant)
        frame.surfaceKey = surface?.key
        return frame
    }

    private func laidOutFrame(for presentation: Presentation, surface: Surface?, at instant: Int64?) -> Frame {
        let screen = configuration.screen(named: presentation.screen)
        let theme = screen.map { self.theme(named: presentation.theme, on: $0, columns: 1 + presentation.alongside.count) }
            ?? configuration.themes[presentation.theme] ?? Theme(name: presentation.theme)
        switch presentation.content {
        case .exhibit:
            if var page = page(for: presentation, surface: surface) {
                let title = exhibits[page.exhibit]?.version(in: presentation.language).displayTitle
                let clock = theme.showClock ? instant.map { "\(calendar.local($0).time)" } : nil
                // A screen that shows transcripts only is handed no recording to play.
                if screen?.recordings == .transcript { page.media = [] }
                let recordingStart = page.media.isEmpty ? nil : presentation.validFrom + configuration.reading.leadIn
                var frame = Frame(content: .page(page), presentation: presentation, theme: theme, title: title,
                                  clock: clock, recordingStart: recordingStart,
                                  visitorLink: theme.visitorCode ? visitorLink(page.exhibit, page.language) : nil)
                if let languages = exhibits[page.exhibit]?.languages, languages.count > 1 { frame.languages = languages }
                if let instant {
                    let offset = theme.burnIn.offset(at: instant)
                    frame.shift = PixelShift(x: offset.x, y: offset.y)
                    frame.dimmed = theme.burnIn.dimAfter.map { instant - presentation.validFrom >= $0 } ?? false
                }
                return frame
            }
            return Frame(content: .blank, presentation: presentation, theme: theme)
        case let .message(text):
            return Frame(content: .message(text), presentation: presentation, theme: theme)
        case .blank:
            return Frame(content: .blank, presentation: presentation, theme: theme)
        }
    }
}

extension Program {
    /// When the frame shown since `now` next looks different though the schedule's answer stands: the clock's next
    /// minute, the page's next burn-in move, the moment its running head and foot dim.
    public func nextRefresh(of frame: Frame, after now: Int64) -> Int64? {
        guard case .page = frame.content else { return nil }
        var next: [Int64] = []
        if frame.clock != nil { next.append((now / 60_000 + 1) * 60_000) }
        let care = frame.theme.burnIn
        if let move = care.nextMove(after: now) { next.append(move) }
        if let dim = care.dimAfter, !frame.dimmed { next.append(frame.presentation.validFrom + dim) }
        return next.filter { $0 > now }.min()
    }
}
