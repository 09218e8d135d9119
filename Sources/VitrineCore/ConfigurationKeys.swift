import Foundation
import VitrineModel
import VitrinePluginAPI

/// Every key the configuration file may hold, declared once with its type, its default and its meaning:
/// `ConfigurationLoader` reads them and the tables in docs/configuration.md are printed from them
/// (`vitrine reference`), so the docs cannot drift from the code.
public enum ConfigurationKeys {
    static let theDefault = Theme(name: "")

    // MARK: Top level

    static let timezone = Key("timezone", .text(kind: "IANA time zone"), otherwise: "the system's",
        "The venue's IANA time zone (`Europe/Paris`), from the system's tz database (Debian's `tzdata`; `TZDIR` points "
        + "elsewhere). All dates and times in the file are venue time.")
    static let content = DefaultedKey("content", .text(kind: "folder"), default: "exhibits",
        "The exhibits folder, relative to this file (or absolute). See [exhibits.md](exhibits.md).")
    static let hours = Key("hours", .mapping, otherwise: "always open", "Opening hours, see below.")
    static let closed = Key("closed", .list(of: closedDays),
        "Dates on which the venue does not open: a list of `YYYY-MM-DD` or ranges `YYYY-MM-DD..YYYY-MM-DD`.")
    static let afterHours = DefaultedKey("after-hours", .text(kind: "blank or a playlist"), default: "blank",
        "What screens do outside opening hours: `blank`, or the name of a playlist.")
    static let epoch = DefaultedKey("epoch", .text(kind: "opening, midnight or a date-time"), default: "opening",
        "Where rotation counts from, see \"The schedule\". `opening`, `midnight` or a date-time.")
    static let pages = Key("pages", section: pageKeys, otherwise: "reading time", "Page durations, see below.")
    static let themes = Key("themes", .mapping, otherwise: "one default theme",
        "Name → theme, see below. The first theme written is the default.")
    static let themeRotation = Key("theme-rotation", section: rotationKeys,
                                      "Which theme is up when, see below.")
    static let playlists = Key("playlists", .mapping, "Name → list of items, see below.")
    static let announcements = Key("announcements", .written("list of announcements"),
        "Messages or exhibits that pre-empt playlists for a while, see below.")
    static let screens = Key("screens", .mapping, required: true, "Name → screen, see below.")
    static let http = Key("http", section: httpKeys,
        otherwise: "`listen: 127.0.0.1:8080` when a screen serves browsers (`http`), else none",
        "The HTTP listener (kiosk screens, dashboard, API, metrics), see below and [http.md](http.md).")
    public static let topLevel = [timezone.spec, content.spec, hours.spec, closed.spec, afterHours.spec, epoch.spec,
                                  pages.spec, themes.spec, themeRotation.spec, playlists.spec, announcements.spec,
                                  screens.spec, http.spec]

    /// A date, or a range of dates `FIRST..LAST`.
    static let closedDays = OptionType<ClosedRange<LocalDate>>.text(
        kind: "date or range of dates", show: { "\($0.lowerBound)..\($0.upperBound)" }
    ) { text, node, path, reader in
        let parts = text.components(separatedBy: "..")
        let first = LocalDate(iso: parts[0].trimmingCharacters(in: .whitespaces))
        let last = parts.count == 2 ? LocalDate(iso: parts[1].trimmingCharacters(in: .whitespaces)) : first
        guard parts.count <= 2, let first, let last, first <= last else {
            // A day that does not exist (2027-02-29) is said so; anything else is not a date or a range.
            let wrongDay = parts.count <= 2 ? parts.map { $0.trimmingCharacters(in: .whitespaces) }
                .first { LocalDate(iso: $0) == nil && LocalDate.problem(with: $0).contains("does not exist") } : nil
            if let wrongDay {
                reader.error("\(path): \(LocalDate.problem(with: wrongDay))", at: node)
            } else {
                reader.error("\(path): expected a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD, found '\(text)'",
                             at: node)
            }
            return nil
        }
        return first...last
    }

    // MARK: pages

    /// `auto` (reading time) or a fixed duration per page, at least a second.
    static let pageDuration = OptionType<PageDuration>.text(kind: "auto or a duration", show: { duration in
        switch duration {
        case .readingTime: "auto"
        case let .fixed(ms): showDuration(ms)
        }
    }) { text, node, path, reader in
        if text == "auto" { return .readingTime }
        return OptionType<Int64>.duration(1_000...86_400_000).read(node, path, reader).map { .fixed(milliseconds: $0) }
    }

    static let duration = DefaultedKey("duration", pageDuration, default: .readingTime,
        "How long each page stays up: `auto` (its reading time) or a fixed duration such as `20s`. An exhibit's "
        + "`page-duration` overrides it; a playlist item's `duration` overrides both.")
    static let wordsPerMinute = DefaultedKey("words-per-minute", .number(20...2000),
        default: ReadingPace().wordsPerMinute, "Reading speed for `auto`.")
    static let minimum = DefaultedKey("min", .duration(1_000...3_600_000), default: ReadingPace().minimum,
                                         "The shortest page under `auto`.")
    static let maximum = DefaultedKey("max", .duration(1_000...3_600_000), default: ReadingPace().maximum,
                                         "The longest page under `auto`.")
    static let leadIn = DefaultedKey("lead-in", .duration(0...60_000), default: ReadingPace().leadIn,
        "On a page that plays a recording, the wait before it starts. Such a page lasts at least its recordings "
        + "with their lead-in and lead-out, whatever `duration` says.")
    static let leadOut = DefaultedKey("lead-out", .duration(0...60_000), default: ReadingPace().leadOut,
                                      "After the recordings end, before the next page.")
    public static let pageKeys = [duration.spec, wordsPerMinute.spec, minimum.spec, maximum.spec, leadIn.spec,
                                  leadOut.spec]

    // MARK: themes

    static let background = DefaultedKey("background", .colour, default: theDefault.background,
                                            "The page's background.")
    static let text = DefaultedKey("text", .colour, default: theDefault.text, "Body text.")
    static let accent = DefaultedKey("accent", .colour, default: theDefault.accent, "Series and headings.")
    static let muted = DefaultedKey("muted", .colour, default: theDefault.muted,
                                       "Captions, credits, the page indicator.")
    static let bodyFont = DefaultedKey("body", .text, default: theDefault.bodyFont, "Body text.")
    static let headingFont = DefaultedKey("heading", .text, default: theDefault.headingFont,
                                             "The title, the series and headings.")
    public static let fontKeys = [bodyFont.spec, headingFont.spec]
    static let fonts = Key("fonts", section: fontKeys, "Font families (fontconfig names): `body`, `heading`.")
    static let bodySize = DefaultedKey("body", .number(8...400), default: Int(theDefault.bodySize), "Body text.")
    static let titleSize = DefaultedKey("title", .number(8...400), default: Int(theDefault.titleSize), "The title.")
    static let headingSize = DefaultedKey("heading", .number(8...400), default: Int(theDefault.headingSize),
                                             "Headings and the series.")
    static let captionSize = DefaultedKey("caption", .number(8...400), default: Int(theDefault.captionSize),
                                             "Captions, credits, the footer.")
    static let summarySize = DefaultedKey("summary", .number(8...400), default: Int(theDefault.summarySize),
                                             "The summary, set in the heading face.")
    public static let sizeKeys = [bodySize.spec, titleSize.spec, headingSize.spec, captionSize.spec, summarySize.spec]
    static let sizes = Key("sizes", section: sizeKeys,
        "Sizes in pixels at 1080 lines, scaled to the screen: `body`, `title`, `heading`, `caption`, `summary`.")
    static let shift = DefaultedKey("shift", .number(0...16), default: 0,
        "How far the whole page moves each way, in pixels, now and then (`every`), so no pixel shows the same thing "
        + "all day; `0`: never. Kept within a quarter of the margin. The position follows the clock: screens with the "
        + "same files show the same.")
    static let shiftEvery = DefaultedKey("every", .duration(10_000...86_400_000), default: BurnInCare().every,
        "How long the page stays at one place.")
    static let dimAfter = Key("dim-after", .duration(60_000...86_400_000), otherwise: "never",
        "On a page up this long, the running head, page number, clock and footer are drawn at half strength.")
    public static let burnInKeys = [shift.spec, shiftEvery.spec, dimAfter.spec]
    static let burnIn = Key("burn-in", section: burnInKeys, otherwise: "none",
        "Care for OLED and plasma panels, see below: `shift`, `every`, `dim-after`.")
    static let margin = DefaultedKey("margin", OptionType<Double>.text(
        kind: "percentage from 0% to 25%", show: { "\(Int(($0 * 100).rounded()))%" }
    ) { text, node, path, reader in
        let number = Double(text.hasSuffix("%") ? String(text.dropLast()) : text)
        guard let number, number >= 0, number <= 25 else {
            reader.error("\(path): expected a percentage from 0% to 25%, found '\(text)'", at: node)
            return nil
        }
        return text.hasSuffix("%") || number >= 1 ? number / 100 : number
    }, default: theDefault.margin, "Of the shorter side of the screen.")
    static let measure = DefaultedKey("measure", .number(20...300), default: theDefault.measure,
        "The longest line of body text, in characters (60 to 75 read best): wider screens get wider margins, "
        + "the text column centred, not longer lines. Pixel screens, kiosks and terminals.")
    static let align = DefaultedKey("align", .choice(TextAlignment.self), default: theDefault.alignment,
        "`ragged`, or `justified`: hyphenated (English, Russian patterns) so no wide gaps; pixel screens.")
    static let transition = DefaultedKey("transition", OptionType<Transition>.text(
        kind: "cut or crossfade DURATION", show: { transition in
            switch transition {
            case .cut: "cut"
            case let .crossfade(ms): "crossfade \(showDuration(ms))"
            }
        }
    ) { text, node, path, reader in
        if text == "cut" { return .cut }
        let rest = text.hasPrefix("crossfade") ? String(text.dropFirst("crossfade".count)) : nil
        if let rest, let ms = parseDuration(rest.isEmpty ? "600ms" : rest), ms <= 10_000 {
            return .crossfade(milliseconds: ms)
        }
        reader.error("\(path): expected 'cut' or 'crossfade DURATION' (such as crossfade 600ms), found '\(text)'",
                     at: node)
        return nil
    }, default: theDefault.transition, "How one page gives way to the next on pixel screens.")
    static let clock = DefaultedKey("clock", .bool, default: theDefault.showClock, "A clock in the footer.")
    static let footer = Key("footer", .text, "A line at the foot of every page (\"Free entry on Sundays\").")
    static let film = DefaultedKey("film", .choice(FilmArea.self), default: theDefault.film,
        "Where a film plays on pixel screens and kiosks: `page`, in the page below its ▶ Film line (the title, "
        + "running head and foot stay in view), or `panel`, the whole screen, the page coming back when it ends.")
    public static let themeKeys = [background.spec, text.spec, accent.spec, muted.spec, fonts.spec, sizes.spec,
                                   margin.spec, measure.spec, align.spec, transition.spec, clock.spec, footer.spec, film.spec,
                                   burnIn.spec]

    // MARK: theme-rotation

    static let every = Key("every", .duration(60_000...7 * 86_400_000),
        "Rotate through `themes` this often, counted from midnight.")
    static let rotationThemes = Key("themes", .list(of: OptionType<String>.text(kind: "theme name")),
                                       otherwise: "every theme", "The themes to rotate through, in order.")
    static let rules = Key("rules", .written("list of rules"),
        "Time-of-day rules (`during`, `theme`), which win over the rotation.")
    public static let rotationKeys = [every.spec, rotationThemes.spec, rules.spec]
    static let during = Key("during", .timeRange, required: true, "When the rule holds, `HH:MM-HH:MM`.")
    static let ruleTheme = Key("theme", .text(kind: "theme name"), required: true, "The theme up meanwhile.")
    public static let ruleKeys = [during.spec, ruleTheme.spec]

    // MARK: playlists

    static let exhibit = Key("exhibit", .text(kind: "exhibit folder name"), required: true,
                                "The exhibit (its folder's name). An item may also be written as just that name.")
    static let itemDuration = Key("duration", pageDuration, otherwise: "the exhibit's",
                                     "How long each of its pages stays up: `auto` or a duration.")
    static let weight = DefaultedKey("weight", .number(1...100), default: 1,
                                        "How many times the item comes round per cycle, spread out.")
    static let from = Key("from", .date, "The first day the item is shown.")
    static let until = Key("until", .date, "The last day the item is shown.")
    public static let itemKeys = [exhibit.spec, itemDuration.spec, weight.spec, from.spec, until.spec]

    // MARK: announcements

    static let id = Key("id", .text, otherwise: "`announcement-N`", "A name for logs and the status API.")
    static let message = Key("text", .text, "The message shown (or `exhibit`).")
    static let announcedExhibit = Key("exhibit", .text(kind: "exhibit folder name"),
                                         "An exhibit shown instead of a message, its pages in turn.")
    static let start = Key("from", .text(kind: "date-time"), required: true,
                              "When it goes up: `2026-12-24T17:30` in venue time.")
    static let end = Key("until", .text(kind: "date-time"), required: true, "When it comes down.")
    static let targets = Key("screens", .list(of: OptionType<String>.text(kind: "screen name")),
                                otherwise: "every screen", "The screens it is shown on.")
    static let priority = DefaultedKey("priority", .number(-1000...1000), default: 0,
                                          "The highest active announcement wins.")
    public static let announcementKeys = [id.spec, message.spec, announcedExhibit.spec, start.spec, end.spec,
                                          targets.spec, priority.spec]

    // MARK: screens

    static let output = Key("output", .text(kind: "output type"), required: true,
                               "The output plugin (`vitrine plugins` lists them).")
    static let playlist = Key("playlist", .text(kind: "playlist name"), required: true, "The playlist shown.")
    static let screenTheme = Key("theme", .text(kind: "theme name"), otherwise: "the rotation",
                                    "Fixes the theme, ignoring the rotation.")
    static let recordings = DefaultedKey("media", .choice(Screen.Recordings.self), default: .play,
        "`play`: recordings play (their page lasts them); `transcript`: only their transcript is shown, pages are "
        + "timed by reading (a quiet room, a panel with no speaker).")
    /// A language tag as an exhibit's translations are named (`ru`, `zh-Hans`, `pt-BR`).
    static let languageTag = OptionType<String>.text(kind: "language tag", show: { $0 }) { text, node, path, reader in
        guard LanguageTag.isWellFormed(text) else {
            reader.error("\(path): '\(text)' is not a language tag such as en, ru, ar or zh-Hans", at: node)
            return nil
        }
        return text
    }
    static let languages = Key("languages", .list(of: languageTag), otherwise: "each exhibit in its original language",
        "The languages shown, in turn (`[ru, en]`): each exhibit in those of them it is written in (its original's "
        + "`language`, its translations `exhibit.LANG.md`); an exhibit in none of them is shown in its original.")
    static let languageTurns = DefaultedKey("language-turns", .choice(Screen.LanguageTurns.self), default: .exhibit,
        "How several languages share the screen: `exhibit` (every page in one language, then in the next), `page` "
        + "(page 1 in each language, then page 2, …) or `side-by-side` (two or three languages in columns on a "
        + "landscape pixel screen; page by page elsewhere). Timed from the schedule, so every machine agrees.")
    static let visitorCode = DefaultedKey("visitor-code", .bool, default: false,
        "Shows a QR code in the page's bottom-right corner (pixel screens and kiosk pages) that opens the exhibit on "
        + "screen on a visitor's phone: its whole text, recordings with captions and transcripts, in the phone's "
        + "language where the exhibit is written in it (else the one on screen). Needs `http.visitor-url`.")
    static let power = Key("power", section: powerKeys, otherwise: "off after hours, on 5 minutes before opening",
        "The display's power, see below.")
    public static let screenKeys = [output.spec, playlist.spec, screenTheme.spec, recordings.spec, languages.spec,
                                    languageTurns.spec, visitorCode.spec, power.spec]

    // MARK: screens.power

    static let powerAfterHours = DefaultedKey("after-hours", .choice(Screen.Power.AfterHours.self), default: .off,
        "Whether the display is switched off when the venue is closed and the screen has nothing to show "
        + "(`after-hours: blank`, closed days): `off` (DPMS on kms, FBIOBLANK on framebuffer, CEC standby with `cec`) "
        + "or `on` (kept on, black). An announcement for the screen switches it on.")
    static let wakeBefore = DefaultedKey("wake-before", .duration(0...43_200_000), default: Screen.Power().wakeBefore,
        "How long before opening the display is switched on (a television takes a while to wake; `0s`: at opening).")
    static let cec = Key("cec", .path(example: "/dev/cec0"), otherwise: "none",
        "An HDMI-CEC adapter to switch a television with (`/dev/cec0`): Standby when the display goes off, Image View "
        + "On and Active Source when it comes on. Through the kernel's CEC API; the service user needs the video "
        + "group.")
    public static let powerKeys = [powerAfterHours.spec, wakeBefore.spec, cec.spec]

    // MARK: http

    struct ListenAddress: Sendable {
        var host: String
        var port: Int
    }

    static let listen = DefaultedKey("listen", OptionType<ListenAddress>.text(
        kind: "HOST:PORT", show: { "\($0.host):\($0.port)" }
    ) { text, node, path, reader in
        // HOST:PORT, [IPv6]:PORT, or :PORT for every interface.
        var host = "0.0.0.0", portText = text
        if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = String(text[text.index(after: colon)...])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            if host.isEmpty || host == "*" { host = "0.0.0.0" }
        }
        // Port 0: any free port (the log names it).
        guard let port = Int(portText), (0...65535).contains(port), !host.contains(" ") else {
            reader.error("\(path): expected HOST:PORT such as 0.0.0.0:8080, found '\(text)'", at: node)
            return nil
        }
        return ListenAddress(host: host, port: port)
    }, default: ListenAddress(host: HTTPListener().host, port: HTTPListener().port),
        "Where the listener accepts connections: this machine only unless told otherwise (`0.0.0.0:8080` or `:8080` "
        + "for kiosks on the network); port 0 takes a free one and logs it.")
    static let tokenFile = Key("token-file", .text(kind: "path"),
        "A file holding the token control calls need (relative to this file).")
    static let maxStreams = DefaultedKey("max-streams", .number(1...100_000), default: HTTPListener().maxStreams,
                                            "The most kiosk event streams open at once.")
    static let hostNames = Key("hosts", .list(of: OptionType<String>.text(kind: "host name")),
        otherwise: "IP addresses, `localhost` and this machine's name",
        "Other names browsers reach the listener by (`vitrine.museum.local`); requests for any other name are refused "
        + "(DNS rebinding).")
    static let visitorURL = Key("visitor-url", OptionType<String>.text(kind: "http:// address", show: { $0 }) {
        text, node, path, reader in
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil else {
            reader.error("\(path): expected the address phones open this machine by, such as "
                + "http://192.168.1.20:8080, found '\(text)'", at: node)
            return nil
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }, "The address visitors' phones reach the listener by on the venue's network (`http://192.168.1.20:8080`, "
        + "`http://vitrine.museum.local:8080`): what screens with `visitor-code: true` put in their code. Its host "
        + "name is accepted as if listed in `hosts`.")
    public static let httpKeys = [listen.spec, tokenFile.spec, maxStreams.spec, hostNames.spec, visitorURL.spec]

    /// Every table of keys, by the name the docs mark it with (`<!-- keys: pages -->`), with a line saying what it
    /// describes (vitrine.yaml(5) prints it above the keys).
    public static let tables: [(name: String, keys: [OptionSpec], about: String)] = [
        ("configuration", topLevel, "The keys at the top of the file."),
        ("pages", pageKeys, "How long each page of an exhibit stays on a screen."),
        ("themes", themeKeys, "themes: NAME: the look of the pages. The first theme written is the default."),
        ("themes.fonts", fontKeys, "The fonts of a theme (themes: NAME: fonts:)."),
        ("themes.sizes", sizeKeys, "The sizes of a theme's text (themes: NAME: sizes:)."),
        ("themes.burn-in", burnInKeys, "A theme's care of panels that keep one picture for hours (themes: NAME: burn-in:)."),
        ("theme-rotation", rotationKeys, "Which theme a screen uses when."),
        ("theme-rotation.rules", ruleKeys, "Each rule of theme-rotation: rules:."),
        ("playlists", itemKeys, "playlists: NAME: a list of items, each an exhibit name or a mapping with these keys."),
        ("announcements", announcementKeys, "Messages that take over screens at set times."),
        ("screens", screenKeys, "screens: NAME: one output showing a playlist (and the keys of its output, below)."),
        ("screens.power", powerKeys, "Switching a screen's display off outside opening hours (screens: NAME: power:)."),
        ("http", httpKeys, "The HTTP listener: kiosk browsers, the dashboard, the API and the metrics."),
    ]
}
