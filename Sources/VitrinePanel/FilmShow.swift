import Dispatch
import Foundation
import VitrineMedia
import VitrinePluginAPI
import VitrineRenderer

/// The film of the page on the panel. It starts at the page's recording start (after the lead-in), or, when the
/// screen comes to the page late (a restart, a reload), that far into the film: the clock says where, so every
/// screen plays the same second. Its pictures go in the page's film area (`PagePlan.filmArea`: below the film's
/// line, or the whole panel, as the theme says), letterboxed, with the caption spoken drawn over them; the screen's
/// one drawing loop asks for a picture each time libmpv has one ready; when the film ends the page comes back.
final class FilmShow {
    enum Step {
        /// Not yet (the lead-in): a wake-up is set for the start.
        case waiting
        /// A picture may be due: draw it.
        case playing
        /// It has just ended (or could not play): show the page again.
        case ended
        /// Ended before; nothing to do.
        case over
    }

    let path: String
    let start: Int64
    let length: Int64
    /// The film, with its captions (drawn over it in the theme's font and colours).
    let media: MediaBlock
    let theme: Theme
    /// Where on the page the film goes.
    private(set) var area: PagePlan.Area
    private let player: Player
    private let wake: @Sendable () -> Void
    private let logger: Logger
    private var state: State = .idle
    private enum State { case idle, playing, over }
    /// The picture on the panel: the page around the film's area, the film in it. Kept while the film plays.
    private(set) var picture: Canvas?
    /// Whether the film has been on the panel yet (it is faded in the first time).
    var hasBeenShown = false

    /// The film `frame`'s page plays, if any, with a player whose pictures wake the drawing loop.
    init?(for frame: Frame, width: Int, height: Int, audio: Player.Audio, wake: @escaping @Sendable () -> Void,
          logger: Logger) {
        guard case let .page(page) = frame.content,
              let (media, start) = frame.recordings.first(where: { $0.media.kind == .film }),
              let start, let length = media.milliseconds, let folder = page.mediaFolder,
              let area = PagePlan(frame, width: width, height: height).filmArea
        else { return nil }
        self.area = area
        path = folder + "/" + media.file
        self.start = start
        self.length = length
        self.media = media
        theme = frame.theme
        self.wake = wake
        self.logger = logger
        player = Player(audio: audio, onFrame: wake)
    }

    /// The same film on a page laid out or moved afresh: its pictures go where the page's film area now is.
    func follow(_ frame: Frame, width: Int, height: Int) {
        if let moved = PagePlan(frame, width: width, height: height).filmArea { area = moved }
    }

    /// Whether this is the film `frame` plays (the same page coming round again is another play).
    func belongs(to frame: Frame) -> Bool {
        guard let (media, start) = frame.recordings.first(where: { $0.media.kind == .film }), case let .page(page) = frame.content
        else { return false }
        return start == self.start && (page.mediaFolder ?? "") + "/" + media.file == path
    }

    func step(now: Int64) -> Step {
        switch state {
        case .over:
            return .over
        case .playing:
            if player.ended || now >= start + length + 500 {
                stop()
                return .ended
            }
            keepInStep(now: now)
            return .playing
        case .idle:
            if now >= start + length {
                state = .over
                return .over
            }
            if now < start {
                // The lead-in: woken at the start (a spurious wake-up is harmless).
                let wait = Int(start - now)
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(wait), execute: wake)
                return .waiting
            }
            do {
                try player.open()
                try player.load(path, at: Double(now - start) / 1000, playing: true)
                state = .playing
                return .playing
            } catch {
                logger.warning("The film cannot play; the page stays: \(error).", metadata: ["vitrine.file": "\(path)"])
                stop()
                return .ended
            }
        }
    }

    /// When the film was last brought back to the clock.
    private var lastCorrection: Int64 = 0

    /// libmpv plays by its own clock once the film is loaded; the schedule's clock is the one every screen shares. A
    /// film more than a quarter of a second off (a slow machine, a suspended VM, an audio device's clock) is moved
    /// back to where the clock says, at most once every two seconds.
    private func keepInStep(now: Int64) {
        guard now - lastCorrection >= 2_000, let position = player.position else { return }
        let wanted = Double(now - start) / 1000
        if abs(position - wanted) > 0.25 {
            player.seek(to: wanted)
            logger.debug("The film was \(String(format: "%.2f", position - wanted)) s off the clock; moved back.")
        }
        lastCorrection = now
    }

    /// The caption spoken at `now`, if any.
    func caption(at now: Int64) -> String? { media.caption(at: now - start)?.text }

    /// The film's current picture in its area of the page, with the caption spoken at `now`. `page`: the page as
    /// painted, the first time and whenever it is painted anew (a clock each minute); nil while it is the same.
    func picture(now: Int64, page: Canvas?) -> Canvas? {
        if let page {
            if picture?.width != page.width || picture?.height != page.height {
                picture = Canvas.blank(width: page.width, height: page.height)
            }
            // Around the film the page stays as it is: copied here once, not kept (a film over the whole panel
            // covers it all).
            let wholePanel = area.x <= 0 && area.y <= 0 && area.width >= Double(page.width)
                && area.height >= Double(page.height)
            if !wholePanel { picture?.copy(from: page) }
        }
        guard let picture else { return nil }
        picture.drawFilm(in: area, theme: theme, caption: caption(at: now)) { pixels, width, height, stride in
            player.render(into: pixels, width: width, height: height, stride: stride)
        }
        return picture
    }

    func stop() {
        state = .over
        player.close()
    }
}
