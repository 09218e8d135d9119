import VitrineModel
import VitrinePluginAPI

extension Program {
    /// Pages whose reading time `pages.max` cuts short: at the configured words per minute their words need longer
    /// than the page is up, so visitors would have to read faster. One warning per exhibit and screen, for its
    /// worst page, with the pace it would need. Exhibits with too few words in all to fill a page's longest time are
    /// not laid out for this (`vitrine check` stays quick on a large collection).
    public func readingTimeWarnings() -> [Diagnostic] {
        let pace = configuration.reading
        let wordsInLongestPage = Int(pace.maximum * Int64(pace.wordsPerMinute) / 60_000)
        var warnings: [Diagnostic] = []
        for screen in configuration.screens {
            guard let playlist = configuration.playlists[screen.playlist] else { continue }
            let theme = screen.theme ?? configuration.defaultTheme
            var seen: Set<ExhibitID> = []
            for item in playlist.items where seen.insert(item.exhibit).inserted {
                guard let original = exhibits[item.exhibit],
                      (item.pageDuration ?? original.pageDuration ?? configuration.defaultPageDuration) == .readingTime
                else { continue }
                // Each language the screen shows it in, laid out as the screen lays it out.
                let languages = screen.languages(of: original)
                let columns = columns(for: languages, on: screen, surface: nil)
                for language in languages {
                    let exhibit = original.version(in: language)
                    guard exhibit.wordEstimate > wordsInLongestPage else { continue }
                    let pages = timings(of: item.exhibit, in: language, on: screen, theme: theme, columns: columns)
                    guard let worst = slowestPage(pages, on: screen, longest: wordsInLongestPage) else { continue }
                    let seconds = Int64(worst.words) * 60 / Int64(max(pace.wordsPerMinute, 1))
                    let needed = Int((Double(worst.words) * 60_000 / Double(pace.maximum)).rounded(.up))
                    warnings.append(Diagnostic(.warning, file: exhibit.sourcePath,
                        "page \(worst.index + 1) of \(pages.count) on screen '\(screen.name)' has \(worst.words) words: "
                        + "at \(pace.wordsPerMinute) words per minute they need \(seconds) s, but pages.max keeps it up "
                        + "\(pace.maximum / 1000) s — visitors would have to read \(needed) words per minute (raise "
                        + "pages.max, or give the exhibit less text per page)"))
                }
            }
        }
        return warnings
    }

    /// The page with the most words beyond what `pages.max` lets visitors read, unless a recording keeps it up
    /// long enough.
    func slowestPage(_ pages: [PageTiming], on screen: Screen, longest: Int) -> (index: Int, words: Int)? {
        let pace = configuration.reading
        var worst: (index: Int, words: Int)?
        for (index, page) in pages.enumerated() where page.words > longest {
            // A page that plays recordings stays up for them: the words may be read meanwhile.
            let playing = screen.recordings == .play ? page.recordings : []
            let needed = Int64(page.words) * 60_000 / Int64(max(pace.wordsPerMinute, 1))
            if !playing.isEmpty, pace.duration(ofRecordings: playing) >= needed { continue }
            if page.words > (worst?.words ?? 0) { worst = (index, page.words) }
        }
        return worst
    }
}

extension Exhibit {
    /// Words in its text, counted quickly: at least what its pages will count (the title, a testimony's
    /// attribution and context, a recording's title and credit are counted too).
    var wordEstimate: Int {
        func count(_ text: String?) -> Int { text.map(WordCount.of) ?? 0 }
        func count(_ texts: [RichText]) -> Int { texts.reduce(0) { $0 + count($1.plain) } }
        return count(self.series) + count(self.title) + self.blocks.reduce(0) { total, block in
            switch block {
            case let .heading(_, text), let .paragraph(text), let .summary(text): total + count(text.plain)
            case let .testimony(t): total + count(t.quote) + count(t.speaker) + count(t.role) + count(t.context) + 1
            case let .image(image): total + count(image.caption) + count(image.credit) + count(image.alt)
            case let .media(media): total + count(media.transcript) + count(media.title) + count(media.credit) + 2
            }
        }
    }
}
