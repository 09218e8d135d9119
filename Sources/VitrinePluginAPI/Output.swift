import Foundation
import Logging
import VitrineModel

/// What an output is asked to show: the core's answer for this screen now, laid out for this output's surface.
public struct Frame: Hashable, Sendable {
    public enum Content: Hashable, Sendable {
        case page(Page)
        case message(String)
        case blank
    }
    public var content: Content
    public var presentation: Presentation
    public var theme: Theme
    /// "Days and Lives :: Solidarity", or nil for messages and blank frames.
    public var title: String?
    /// The venue's time to show on the page ("14:05") when the theme has a clock; the frame is sent again each
    /// minute.
    public var clock: String?
    /// When the page's recordings start playing (ms since 1970): the page's scheduled start plus the lead-in. A
    /// player joins at `now - recordingStart`, so a restarted daemon, a browser that connects late and another
    /// machine with the same files all play the same second. Nil when the page plays nothing.
    public var recordingStart: Int64?
    /// The companion page of the exhibit on screen, in its language, for the visitor code (screens with
    /// `visitor-code: true`); the theme then has `visitorCode` set, so the page left room for it.
    public var visitorLink: String?
    /// The languages the exhibit on screen is written in, when more than one: what a touch screen offers.
    public var languages: [String] = []
    /// How far the page is moved right and down, in pixels, for burn-in care (the theme's `burn-in.shift`): from
    /// the clock, the same on every screen at the same instant.
    public var shift = PixelShift()
    /// The page has been up longer than the theme's `burn-in.dim-after`: its running head, page number and footer
    /// are drawn at half strength.
    public var dimmed = false
    /// The surface the frame was laid out for (`Surface.key`), nil when for none: a panel that has just measured
    /// itself paints no frame laid out for the size it was guessed to have.
    public var surfaceKey: String?

    /// What the screen shows, in a few words: "Solidarity 2/5", "message “Closing at 16:00”", "closed".
    public var summary: String {
        switch content {
        case let .page(page): "\(page.title) \(page.indicator)"
        case let .message(text): "message “\(text.count > 40 ? text.prefix(39) + "…" : text)”"
        case .blank: presentation.reason == .afterHours
            ? (presentation.displayOn ? "closed" : "closed, display off") : "blank"
        }
    }

    /// The page's recordings with the instant each starts playing (ms since 1970): one after the other from
    /// `recordingStart`. A recording whose length is unknown has no start, nor do those after it.
    public var recordings: [(media: MediaBlock, start: Int64?)] {
        guard case let .page(page) = content else { return [] }
        var start = recordingStart
        return page.media.map { media in
            defer { start = start.flatMap { begin in media.milliseconds.map { begin + $0 } } }
            return (media, start)
        }
    }

    /// The recordings whose start and length are known, with their files' paths (in the exhibit's folder).
    public var recordingFiles: [(media: MediaBlock, path: String, start: Int64, milliseconds: Int64)] {
        guard case let .page(page) = content, let folder = page.mediaFolder else { return [] }
        return recordings.compactMap { media, start in
            guard let start, let length = media.milliseconds else { return nil }
            return (media, folder + "/" + media.file, start, length)
        }
    }

    /// Same content, theme and clock, and the same play of its recordings: nothing on the screen would change (the
    /// same page coming round again plays its recording again).
    public func showsSame(as other: Frame) -> Bool {
        content == other.content && theme == other.theme && clock == other.clock
            && recordingStart == other.recordingStart && presentation.displayOn == other.presentation.displayOn
            && shift == other.shift && dimmed == other.dimmed && surfaceKey == other.surfaceKey
    }

    public init(content: Content, presentation: Presentation, theme: Theme, title: String? = nil, clock: String? = nil,
                recordingStart: Int64? = nil, visitorLink: String? = nil) {
        self.recordingStart = recordingStart
        self.visitorLink = visitorLink
        self.content = content
        self.presentation = presentation
        self.theme = theme
        self.title = title
        self.clock = clock
    }
}

/// A page moved by a few pixels (burn-in care).
public struct PixelShift: Hashable, Sendable {
    public var x: Int
    public var y: Int
    public init(x: Int = 0, y: Int = 0) {
        self.x = x
        self.y = y
    }
}

/// How big a surface is, for pagination. `key` names it, so pages laid out for one size are never reused for
/// another (a terminal that was resized).
public struct Surface: Sendable {
    /// A grid of character cells or of pixels.
    public enum Grid: Sendable, Equatable {
        case cells(columns: Int, rows: Int)
        case pixels(width: Int, height: Int)
    }

    public var key: String
    /// Its size, when it is a grid of cells or pixels (what a picture or a text of the screen is made at).
    public var grid: Grid?
    public var measurer: @Sendable (Theme) -> any PageMeasurer
    public init(key: String, grid: Grid? = nil, measurer: @escaping @Sendable (Theme) -> any PageMeasurer) {
        self.key = key
        self.grid = grid
        self.measurer = measurer
    }

    /// A text surface of `columns` x `rows` cells.
    public static func cells(columns: Int, rows: Int) -> Surface {
        let measurer = CellMeasurer(columns: columns, rows: rows)
        return Surface(key: "cells \(measurer.columns)x\(measurer.rows)",
                       grid: .cells(columns: measurer.columns, rows: measurer.rows)) { theme in
            CellMeasurer(columns: columns, rows: rows, measure: theme.measure)
        }
    }
}

/// What the core gives a running output.
public struct OutputContext: Sendable {
    public var screen: String
    public var logger: Logger
    /// Tells the core the surface changed (a terminal was resized): it lays the pages out again and sends a frame.
    public var surfaceChanged: @Sendable (Surface) -> Void
    /// Tells the core a frame is on the screen (the first one makes the daemon ready).
    public var shown: @Sendable (Frame) -> Void
    /// Reports trouble that leaves the screen running ("push: connection refused" when a remote display does not
    /// answer) for STATUS and the dashboard; nil once it is over.
    public var trouble: @Sendable (String?) -> Void
    /// Reports that the page, though running, is not what the panel shows, and why ("tty7 is not the active
    /// console (tty2 is)"); nil once it is visible again. The screen's status is then not `showing`.
    public var hidden: @Sendable (String?) -> Void
    /// The channels browsers listen on, for outputs that serve them (`ServesBrowsers`): publish the screen's pages
    /// on the channel named as the screen.
    public var browsers: BrowserChannels
    /// The schedule's clock (ms since 1970): where a recording that started at `Frame.recordingStart` is now.
    public var now: @Sendable () -> Int64
    /// Tells the core a frame went onto the panel (a page flip on vblank, a framebuffer pan): counted in /metrics.
    public var flipped: @Sendable () -> Void = {}

    public init(screen: String, logger: Logger, surfaceChanged: @escaping @Sendable (Surface) -> Void,
                shown: @escaping @Sendable (Frame) -> Void, trouble: @escaping @Sendable (String?) -> Void = { _ in },
                hidden: @escaping @Sendable (String?) -> Void = { _ in },
                browsers: BrowserChannels = BrowserChannels(),
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
                flipped: @escaping @Sendable () -> Void = {}) {
        self.now = now
        self.flipped = flipped
        self.screen = screen
        self.logger = logger
        self.surfaceChanged = surfaceChanged
        self.shown = shown
        self.trouble = trouble
        self.hidden = hidden
        self.browsers = browsers
    }
}

/// An output plugin: one per screen. `init` validates its options and touches no device, so `vitrine check` and a
/// reload can build one without disturbing the screen; `run` owns the device until the frames end or the task is
/// cancelled, and restores it however it ends.
public protocol OutputPlugin: Sendable {
    /// The name screens use in `output:`.
    static var type: String { get }
    /// One line for `vitrine plugins`.
    static var summary: String { get }
    static var options: [OptionSpec] { get }

    /// Reads options from `reader` (reporting problems to it) and returns nil when they are not usable.
    init?(screen: String, options reader: OptionsReader)

    /// Devices, ttys or ports this output holds while running; a reload never lets two outputs hold one.
    var claims: [String] { get }

    /// The surface to paginate for before `run` has measured the device.
    var initialSurface: Surface { get }

    /// Shows each frame as it arrives (only the newest matters: a slow output skips stale ones).
    func run(frames: AsyncStream<Frame>, context: OutputContext) async throws
}

extension OutputPlugin {
    public var claims: [String] { [] }
    public var initialSurface: Surface { .cells(columns: 80, rows: 24) }
}

/// The output types the daemon knows, built as a value in `main` from a list of plugin types.
public struct OutputRegistry: Sendable {
    public let plugins: [any OutputPlugin.Type]

    public init(_ plugins: [any OutputPlugin.Type]) { self.plugins = plugins }

    public var types: [String] { plugins.map { $0.type } }

    public func plugin(_ type: String) -> (any OutputPlugin.Type)? { plugins.first { $0.type == type } }

    /// Builds a screen's output from its options, or returns the problems.
    public func make(type: String, screen: String, options: [OptionEntry]) -> Result<any OutputPlugin, OptionErrors> {
        guard let plugin = plugin(type) else {
            return .failure(OptionErrors(problems: [OptionProblem(key: "output", message: "no output plugin '\(type)'",
                                                                  line: nil, column: nil)]))
        }
        let reader = OptionsReader(screen: screen, entries: options)
        reader.rejectUnknown(plugin.options)
        let output = plugin.init(screen: screen, options: reader)
        if let output, reader.errors.isEmpty { return .success(output) }
        return .failure(OptionErrors(problems: reader.errors.isEmpty
            ? [OptionProblem(key: "output", message: "screens.\(screen): the \(type) output cannot be built",
                             line: nil, column: nil)]
            : reader.errors))
    }
}

public struct OptionErrors: Error, Sendable {
    public var problems: [OptionProblem]
}

/// An output whose screen shows text in character cells (a terminal): the dashboard shows a screen of it as the
/// screen shows it, row by row, instead of a placeholder.
public protocol ShowsText: OutputPlugin {
    /// The rows `frame` puts on a screen of `columns` × `rows` cells, each padded to `columns`.
    static func rows(of frame: Frame, columns: Int, rows: Int) -> [String]
}
