import Synchronization
import VitrineModel
import VitrinePluginAPI

/// Makes the measurer a screen's output paginates with, for one theme.
public typealias MeasurerProvider = @Sendable (Screen, Theme) -> any PageMeasurer

/// A validated configuration with its exhibits: everything the schedule needs, and nothing that changes.
/// `presentation(for:at:)` is a pure function of time.
public struct Program: Sendable {
    public let configuration: Configuration
    public let exhibits: [ExhibitID: Exhibit]
    public let calendar: VenueCalendar
    let measurer: MeasurerProvider
    let book = PageBook()

    public init(configuration: Configuration, exhibits: [ExhibitID: Exhibit], measurer: @escaping MeasurerProvider) {
        self.configuration = configuration
        self.exhibits = exhibits
        self.calendar = VenueCalendar(identifier: configuration.timeZone)
            ?? VenueCalendar(identifier: "UTC")!
        self.measurer = measurer
    }

    /// The pages of an exhibit as laid out for a screen and theme; computed once, then cached.
    public func pages(of id: ExhibitID, on screen: Screen, theme: String) -> [Page] {
        guard let exhibit = exhibits[id] else { return [] }
        let key = PageBook.Key(screen: screen.name, theme: theme, exhibit: id)
        if let cached = book.pages(for: key) { return cached }
        let themeValue = configuration.themes[theme] ?? Theme(name: theme)
        let pages = Paginator().paginate(exhibit, measurer: measurer(screen, themeValue))
        book.store(pages, for: key)
        return pages
    }

    /// The page a presentation shows, if it shows an exhibit.
    public func page(for presentation: Presentation) -> Page? {
        guard case let .exhibit(id, index, _) = presentation.content,
              let screen = configuration.screen(named: presentation.screen)
        else { return nil }
        let pages = pages(of: id, on: screen, theme: presentation.theme)
        return pages.indices.contains(index) ? pages[index] : nil
    }
}

/// Pages per (screen, theme, exhibit). Shared by copies of one program; a new program starts a new book.
final class PageBook: Sendable {
    struct Key: Hashable {
        var screen: String
        var theme: String
        var exhibit: ExhibitID
    }
    private let table = Mutex<[Key: [Page]]>([:])

    func pages(for key: Key) -> [Page]? { table.withLock { $0[key] } }
    func store(_ pages: [Page], for key: Key) { table.withLock { $0[key] = pages } }
}
