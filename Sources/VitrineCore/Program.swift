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

    public init(configuration: Configuration, exhibits: [ExhibitID: Exhibit], surfaces: @escaping SurfaceProvider) {
        self.init(configuration: configuration, exhibits: exhibits, surfaces: surfaces, book: PageBook())
    }

    init(configuration: Configuration, exhibits: [ExhibitID: Exhibit], surfaces: @escaping SurfaceProvider,
         book: PageBook) {
        self.configuration = configuration
        self.exhibits = exhibits
        self.calendar = VenueCalendar(identifier: configuration.timeZone)
            ?? VenueCalendar(identifier: "UTC")!
        self.surfaces = surfaces
        self.book = book
    }

    /// The same program with other announcements; pages already laid out are kept (they do not depend on them).
    public func with(announcements: [Announcement]) -> Program {
        var configuration = configuration
        configuration.announcements = announcements
        return Program(configuration: configuration, exhibits: exhibits, surfaces: surfaces, book: book)
    }

    /// The same configuration and surfaces with other exhibits (and a fresh page cache).
    public func with(exhibits: [ExhibitID: Exhibit]) -> Program {
        Program(configuration: configuration, exhibits: exhibits, surfaces: surfaces)
    }

    /// This program, starting with the pages `old` already laid out wherever nothing they depend on changed (the
    /// exhibit, the theme, the surface): a reload lays out only what was edited, not every exhibit again.
    public func reusingPages(of old: Program) -> Program {
        let reused = old.book.entries.filter { key, _ in
            guard let exhibit = exhibits[key.exhibit], exhibit == old.exhibits[key.exhibit] else { return false }
            return configuration.themes[key.theme] == old.configuration.themes[key.theme]
        }
        book.store(reused)
        return self
    }

    /// The pages of an exhibit as laid out for a screen's surface and a theme, in `language` (nil: the original) and
    /// in one of `columns` columns (languages side by side); computed once, then cached.
    public func pages(of id: ExhibitID, in language: String? = nil, on screen: Screen, theme: String,
                      surface: Surface? = nil, columns: Int = 1) -> [Page] {
        guard let exhibit = exhibits[id]?.version(in: language) else { return [] }
        let surface = surface ?? surfaces(screen)
        let themeValue = self.theme(named: theme, on: screen, columns: columns)
        // Keyed by what the layout depends on: room for a visitor code only where one is really drawn.
        let key = PageBook.Key(surface: surface.key, theme: theme, exhibit: id, language: exhibit.language,
                               visitorCode: themeValue.visitorCode, columns: columns)
        return book.pages(for: key) { Paginator().paginate(exhibit, measurer: surface.measurer(themeValue)) }
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

/// Pages per (surface, theme, exhibit). Shared by copies of one program; a new program starts a new book.
///
/// Each key is laid out once: screens of the same size (a wall and its kiosk twin) go through the same playlist at
/// start-up, and the second waits for the first's pages rather than laying them out again beside it (which also
/// queued both on Pango's one lock).
final class PageBook: Sendable {
    struct Key: Hashable {
        var surface: String
        var theme: String
        var exhibit: ExhibitID
        var language: String?
        var visitorCode: Bool
        var columns: Int
    }
    private struct State {
        var table: [Key: [Page]] = [:]
        /// Keys being laid out now, each with what the others asking for it wait on.
        var laying: [Key: DispatchGroup] = [:]
    }
    private let state = Mutex(State())

    /// The pages of `key`, laid out by `layOut` the first time (by whichever caller asks first).
    func pages(for key: Key, layOut: () -> [Page]) -> [Page] {
        enum Step {
            case found([Page])
            case wait(DispatchGroup)
            case make(DispatchGroup)
        }
        let step = state.withLock { state -> Step in
            if let pages = state.table[key] { return .found(pages) }
            if let laying = state.laying[key] { return .wait(laying) }
            let laying = DispatchGroup()
            laying.enter()
            state.laying[key] = laying
            return .make(laying)
        }
        switch step {
        case let .found(pages):
            return pages
        case let .wait(laying):
            laying.wait()
            return state.withLock { $0.table[key] } ?? layOut()
        case let .make(laying):
            let pages = layOut()
            state.withLock { state in
                state.table[key] = pages
                state.laying[key] = nil
            }
            laying.leave()
            return pages
        }
    }

    var entries: [Key: [Page]] { state.withLock { $0.table } }
    func store(_ entries: [Key: [Page]]) { state.withLock { $0.table.merge(entries) { current, _ in current } } }
}
