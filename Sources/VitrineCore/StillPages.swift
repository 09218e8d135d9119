import VitrineModel
import VitrinePluginAPI

extension Program {
    /// How long one page may stay up before `vitrine check` warns about burn-in.
    public static let stillPageWarning: Int64 = 3_600_000

    /// Screens whose playlist leaves one page up for an hour or more while their theme has no `burn-in.shift`: a
    /// still image burns into OLED and plasma panels. From the playlist's turns as the schedule takes them (pages
    /// laid out as for `check`'s reading times): a page timed an hour or more, or a playlist of one page only,
    /// which stays up all day.
    public func stillPageWarnings() -> [Diagnostic] {
        configuration.screens.compactMap { screen -> Diagnostic? in
            guard let playlist = configuration.playlists[screen.playlist] else { return nil }
            let themeName = screen.theme ?? configuration.defaultTheme
            guard theme(named: themeName, on: screen).burnIn.shift == 0 else { return nil }
            let cycle = playlist.items.flatMap { self.turns(of: $0, screen: screen, theme: themeName, surface: nil) }
            guard let longest = cycle.max(by: { $0.duration < $1.duration }) else { return nil }
            let onePage = Set(cycle.map { "\($0.item.exhibit.rawValue)|\($0.language ?? "")|\($0.page)" }).count == 1
            guard onePage || longest.duration >= Self.stillPageWarning else { return nil }
            let title = exhibits[longest.item.exhibit]?.version(in: longest.language).displayTitle
                ?? longest.item.exhibit.rawValue
            let stays = onePage ? "is the only page of playlist '\(screen.playlist)' and stays up all day"
                : "stays up \(showDuration(longest.duration)) at a time"
            return Diagnostic(.warning, file: configuration.sourcePath,
                "screens.\(screen.name): '\(title)' page \(longest.page + 1)/\(longest.pageCount) \(stays): a still "
                + "image burns into OLED and plasma panels; set burn-in.shift in theme '\(themeName)' (see "
                + "docs/configuration.md), or give the playlist more to show")
        }
    }
}
