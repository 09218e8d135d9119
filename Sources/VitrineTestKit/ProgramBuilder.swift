import VitrineCore
import VitrineModel
import VitrinePluginAPI

/// A measurer that gives each paragraph a page of its own (the first page also holds the title), so schedule
/// tests can say "an exhibit of three pages" without depending on text layout.
public struct PagePerParagraphMeasurer: PageMeasurer {
    public init() {}
    public var firstPageHeight: Double { 2 }
    public var pageHeight: Double { 1 }
    public func lines(of text: String, role: TextRole) -> [PageLine] { [PageLine(text: text, height: 1)] }
}

/// Builds programs from values, for schedule tests pinned to explicit dates.
public final class ProgramBuilder {
    public var configuration: Configuration
    public var exhibits: [ExhibitID: Exhibit] = [:]

    /// One theme, one playlist `main`, one screen `hall`, always open, in the given time zone.
    public init(timeZone: String) {
        configuration = Configuration(
            timeZone: timeZone, contentFolder: "/nonexistent",
            themes: ["paper": Theme(name: "paper")], defaultTheme: "paper",
            playlists: ["main": Playlist(name: "main", items: [])],
            screens: [Screen(name: "hall", output: "terminal", playlist: "main")]
        )
    }

    /// Adds an exhibit of `pages` pages, each shown for `seconds`, to the end of playlist `main` (or another).
    @discardableResult
    public func exhibit(
        _ id: String, pages: Int = 1, seconds: Int = 600, weight: Int = 1, playlist: String = "main",
        from: LocalDate? = nil, until: LocalDate? = nil, validUntil: LocalDate? = nil
    ) -> Self {
        let blocks = (0..<pages).map { Block.paragraph(RichText("\(id) page \($0 + 1)")) }
        exhibits[ExhibitID(id)] = Exhibit(id: ExhibitID(id), title: id, validUntil: validUntil,
                                          pageDuration: .fixed(milliseconds: Int64(seconds) * 1000), blocks: blocks)
        var list = configuration.playlists[playlist] ?? Playlist(name: playlist, items: [])
        list.items.append(PlaylistItem(exhibit: ExhibitID(id), weight: weight, from: from, until: until))
        configuration.playlists[playlist] = list
        return self
    }

    public func build() -> Program {
        Program(configuration: configuration, exhibits: exhibits) { _ in
            Surface(key: "page per paragraph") { _ in PagePerParagraphMeasurer() }
        }
    }
}
