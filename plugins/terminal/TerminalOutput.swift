import Dispatch
import Foundation
import Glibc
import VitrineMedia
import VitrinePluginAPI

/// Draws pages full-screen on a text terminal: a console (`tty: /dev/tty2`) or the daemon's own terminal.
public struct TerminalOutput: OutputPlugin {
    public static let type = "terminal"
    public static let summary = "Full-screen pages on a text console or the daemon's own terminal"
    static let tty = Key("tty", .path(example: "/dev/tty2"), otherwise: "the daemon's own terminal",
                            "Terminal device to draw on, such as `/dev/tty2`.")
    static let colours = Key("colours", .oneOf(["auto"] + ColourMode.allCases.map(\.rawValue)),
                                otherwise: "`auto`",
                                "`auto` (from `COLORTERM` and `TERM`; a console is `linux`, 16 colours), `truecolor`, "
                                + "`256`, `16` or `none`.")
    static let term = Key("term", .text, otherwise: "`linux` for a tty, else `$TERM`",
                             "Terminal type, for colour detection.")
    static let columns = Key("columns", .number(20...1000), otherwise: "the terminal's",
                                "Width when the device does not report one (a file, a serial line).")
    static let rows = Key("rows", .number(6...1000), otherwise: "the terminal's",
                             "Height when the device does not report one.")
    static let audio = Key("audio", .text(kind: "audio device"), otherwise: "none: recordings are read, not heard",
        "Where the sound of a page's recordings goes: a device as libmpv names it (`auto`, `pulse`, `pipewire`, "
        + "`alsa/plughw:CARD=PCH,DEV=0`), or `file:PATH` for a WAV file. The transcript follows the recording "
        + "either way: the caption being spoken is highlighted.")
    public static let options = [tty.spec, colours.spec, term.spec, columns.spec, rows.spec, audio.spec]

    public let screen: String
    public let tty: String?
    public let colours: ColourMode?
    public let term: String?
    public let columns: Int?
    public let rows: Int?
    /// Where recordings' sound goes; nil: not played.
    let sound: Player.Audio?

    public init?(screen: String, options reader: OptionsReader) {
        self.screen = screen
        tty = reader[Self.tty]
        colours = reader[Self.colours].flatMap(ColourMode.init)
        term = reader[Self.term]
        columns = reader[Self.columns]
        rows = reader[Self.rows]
        sound = reader[Self.audio].map(Player.Audio.init(option:))
        if !reader.errors.isEmpty { return nil }
    }

    public var claims: [String] { [tty ?? "/dev/stdout"] }

    public var initialSurface: Surface {
        if tty == nil, let size = TerminalDevice.size(of: STDOUT_FILENO) {
            return .cells(columns: size.columns, rows: size.rows)
        }
        return .cells(columns: columns ?? 80, rows: rows ?? 24)
    }

    var colourMode: ColourMode {
        if let colours { return colours }
        let environment = ProcessInfo.processInfo.environment
        if tty != nil { return ColourMode.detect(term: term ?? "linux", colorterm: nil) }
        return ColourMode.detect(term: term ?? environment["TERM"], colorterm: environment["COLORTERM"])
    }

    static let enter = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[?7l"
    static let leave = "\u{1B}[0m\u{1B}[?7h\u{1B}[?25h\u{1B}[?1049l"

    public func run(frames: AsyncStream<Frame>, context: OutputContext) async throws {
        let device = try TerminalDevice(path: tty)
        defer { device.restore(with: Self.leave) }
        if tty == nil, !device.isTerminal {
            throw Self.noTerminal
        }
        try device.write(Self.enter)
        var size = device.size() ?? (columns ?? 80, rows ?? 24)
        context.surfaceChanged(.cells(columns: size.columns, rows: size.rows))
        let mode = colourMode
        context.logger.info("Terminal ready.", metadata: [
            "vitrine.device": "\(device.path)", "vitrine.size": "\(size.columns)x\(size.rows)",
            "vitrine.colours": "\(mode.rawValue)",
        ])

        // Frames and resizes arrive on one stream, so drawing happens in one place.
        let (events, sink) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(8))
        let resizeSource = tty == nil ? Self.watchResizes { sink.yield(.resized) } : nil
        defer { resizeSource?.cancel() }
        let forward = Task {
            for await frame in frames { sink.yield(.frame(frame)) }
            sink.finish()
        }
        defer { forward.cancel() }

        var last: Frame?
        // The page's recordings: their sound (when the screen has a device) and the caption being spoken, which the
        // transcript highlights (read-along). Woken at each caption's start and end.
        let track = sound.map(SoundTrack.init)
        defer { track?.stop() }
        var spoken: String?
        /// The caption being spoken now; then (after the page is drawn: opening a recording takes a moment) the
        /// sound brought to where the clock is, and a wake-up set for the next change of either.
        var nextCaption: Int64?
        func listen(_ frame: Frame) { (spoken, nextCaption) = Self.cue(of: frame, at: context.now()) }
        func follow(_ frame: Frame) {
            let now = context.now()
            var next = nextCaption
            if let track {
                if let change = track.follow(Self.sounds(of: frame), now: now) { next = min(next ?? change, change) }
                context.trouble(track.problem.map { "cannot play the recording: \($0)" })
            }
            if let next {
                let wait = max(1, next - context.now())
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(wait))) { sink.yield(.tick) }
            }
        }
        for await event in events {
            switch event {
            case let .frame(frame):
                // A console's size can change without a signal (fbset, a new mode): look each time.
                if let now = device.size(), now != size {
                    size = now
                    context.surfaceChanged(.cells(columns: size.columns, rows: size.rows))
                }
                listen(frame)
                try device.write(render(frame, columns: size.columns, rows: size.rows, mode: mode, spoken: spoken))
                last = frame
                context.shown(frame)
                follow(frame)
            case .tick:
                guard let last else { continue }
                let before = spoken
                listen(last)
                if spoken != before {
                    try device.write(render(last, columns: size.columns, rows: size.rows, mode: mode, spoken: spoken))
                }
                follow(last)
            case .resized:
                guard let now = device.size(), now != size else { continue }
                size = now
                // Redraw what is up, clipped to the new size, until the core sends the page laid out again.
                if let last {
                    try device.write(render(last, columns: size.columns, rows: size.rows, mode: mode, spoken: spoken))
                }
                context.surfaceChanged(.cells(columns: size.columns, rows: size.rows))
            }
        }
    }

    /// The page's recordings as files with the instants they play.
    static func sounds(of frame: Frame) -> [SoundTrack.Recording] {
        frame.recordingFiles.map { SoundTrack.Recording(path: $0.path, start: $0.start, milliseconds: $0.milliseconds) }
    }

    /// The caption being spoken at `now`, and the next instant a caption starts or ends.
    static func cue(of frame: Frame, at now: Int64) -> (text: String?, next: Int64?) {
        var spoken: String?
        var next: Int64?
        for (media, start) in frame.recordings {
            guard let start else { continue }
            for cue in media.cues {
                let (from, to) = (start + cue.start, start + cue.end)
                if from <= now, now < to { spoken = cue.text }
                for edge in [from, to] where edge > now { next = min(next ?? edge, edge) }
            }
        }
        return (spoken, next)
    }

    /// Standard output is not a terminal: nothing to draw on until the configuration names one.
    static let noTerminal = OutputError("standard output is not a terminal (vitrine runs without one, as under systemd)",
                                        recovery: .needsFixing("set tty: /dev/ttyN"))

    enum Event {
        case frame(Frame)
        case resized
        /// A caption or a recording starts or ends.
        case tick
    }

    static func watchResizes(_ handler: @escaping @Sendable () -> Void) -> DispatchSourceSignal {
        // SIGWINCH's default action is to ignore it; a dispatch source still needs the signal not to be handled
        // elsewhere.
        signal(SIGWINCH, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }

    /// The whole screen as escape sequences: every row written in full, so no earlier page shows through.
    func render(_ frame: Frame, columns: Int, rows: Int, mode: ColourMode, spoken: String? = nil) -> String {
        let layout = TerminalLayout(frame: frame.content, columns: columns, rows: rows, measure: frame.theme.measure,
                                    clock: frame.clock)
        let lit = spoken.map { Self.spans(of: $0, in: layout) } ?? [:]
        let theme = frame.theme
        let blank = frame.content == .blank
        let background = blank ? Colour(red: 0, green: 0, blue: 0) : theme.background
        var out = "\u{1B}[0m"
        let bg = mode.sgr(background, background: true)
        for (index, spans) in layout.lines.enumerated() {
            out += "\u{1B}[\(index + 1);1H\u{1B}[0" + (bg.isEmpty ? "" : ";\(bg)") + "m"
            var width = 0
            for span in spans.sorted(by: { $0.column < $1.column }) where span.column >= width && span.column < columns {
                out += String(repeating: " ", count: span.column - width)
                let text = clip(span.text, to: columns - span.column)
                let plain = "\u{1B}[0" + (bg.isEmpty ? "" : ";\(bg)") + style(span.style, theme: theme, mode: mode) + "m"
                if let range = lit[Lit(line: index, column: span.column)], range.lowerBound < text.count {
                    // The caption being spoken, in reverse video: the reader follows the voice.
                    let characters = Array(text)
                    let upper = min(range.upperBound, characters.count)
                    out += plain + String(characters[..<range.lowerBound])
                    out += "\u{1B}[0" + (bg.isEmpty ? "" : ";\(bg)") + style(span.style, theme: theme, mode: mode) + ";7m"
                    out += String(characters[range.lowerBound..<upper])
                    out += plain + String(characters[upper...])
                } else {
                    out += plain + text
                }
                out += "\u{1B}[0" + (bg.isEmpty ? "" : ";\(bg)") + "m"
                width = span.column + CellMeasurer.displayWidth(text)
            }
            out += String(repeating: " ", count: max(0, columns - width))
        }
        return out + "\u{1B}[0m"
    }

    /// Where a span starts on the screen, and which of its characters are lit.
    struct Lit: Hashable {
        var line: Int
        var column: Int
    }

    /// The transcript words that say `caption`, by span and character offsets in the span's text, matched word for
    /// word: letters and digits only, so line breaks, punctuation and the transcript's typographic quotes and
    /// dashes do not count.
    static func spans(of caption: String, in layout: TerminalLayout) -> [Lit: Range<Int>] {
        func key(_ word: Substring) -> String { word.lowercased().filter { $0.isLetter || $0.isNumber } }
        let wanted = caption.split(whereSeparator: \.isWhitespace).map(key).filter { !$0.isEmpty }
        guard !wanted.isEmpty else { return [:] }
        // Every word of the page's transcript: its span and where it is in the span's text (in characters).
        var flow: [(word: String, span: Lit, range: Range<Int>)] = []
        for (index, spans) in layout.lines.enumerated() {
            for span in spans where span.style == .role(.transcript) {
                let text = span.text
                for word in text.split(whereSeparator: \.isWhitespace) {
                    let start = text.distance(from: text.startIndex, to: word.startIndex)
                    let k = key(word)
                    if !k.isEmpty { flow.append((k, Lit(line: index, column: span.column), start..<(start + word.count))) }
                }
            }
        }
        guard flow.count >= wanted.count else { return [:] }
        for first in 0...(flow.count - wanted.count)
            where zip(flow[first..<first + wanted.count], wanted).allSatisfy({ $0.0.word == $0.1 })
        {
            var lit: [Lit: Range<Int>] = [:]
            for word in flow[first..<first + wanted.count] {
                let range = lit[word.span].map { min($0.lowerBound, word.range.lowerBound)..<max($0.upperBound, word.range.upperBound) }
                lit[word.span] = range ?? word.range
            }
            return lit
        }
        return [:]
    }

    func clip(_ text: String, to width: Int) -> String {
        guard CellMeasurer.displayWidth(text) > width else { return text }
        var result = ""
        var used = 0
        for c in text {
            let w = CellMeasurer.displayWidth(c)
            if used + w > width { break }
            result.append(c)
            used += w
        }
        return result
    }

    func style(_ style: TerminalLayout.Style, theme: Theme, mode: ColourMode) -> String {
        func fg(_ c: Colour) -> String {
            let code = mode.sgr(c, background: false)
            return code.isEmpty ? "" : ";\(code)"
        }
        switch style {
        case .header, .indicator: return fg(theme.muted)
        case .message: return ";1" + fg(theme.text)
        case let .role(role):
            switch role {
            case .series: return fg(theme.accent)
            case .title: return ";1" + fg(theme.text)
            case .heading: return ";1" + fg(theme.accent)
            case .summary: return ";1" + fg(theme.text)
            case .body, .transcript: return fg(theme.text)
            case .quote: return ";3" + fg(theme.text)
            case .attribution, .mediaLabel: return fg(theme.accent)
            case .context, .imageText: return ";3" + fg(theme.muted)
            case .caption, .credit: return fg(theme.muted)
            }
        }
    }
}

extension TerminalOutput: ShowsText {
    public static func rows(of frame: Frame, columns: Int, rows: Int) -> [String] {
        TerminalLayout(frame: frame.content, columns: columns, rows: rows, measure: frame.theme.measure,
                       clock: frame.clock).plainRows
    }
}
