/// The sound of a page's recordings on a screen that draws no film (a terminal, a film's sound without its
/// picture): each recording played at the position the schedule's clock gives, one after the other.
///
/// Driven by its screen's loop: `follow` brings playback to what the clock says and returns when to call it again.
public final class SoundTrack: @unchecked Sendable {
    public struct Recording: Hashable, Sendable {
        public var path: String
        /// When it starts playing and how long it lasts (ms since 1970, ms).
        public var start: Int64
        public var milliseconds: Int64
        public init(path: String, start: Int64, milliseconds: Int64) {
            self.path = path
            self.start = start
            self.milliseconds = milliseconds
        }
        var end: Int64 { start + milliseconds }
    }

    let audio: Player.Audio
    private var playing: (recording: Recording, player: Player)?
    /// Recordings that failed to play, not tried again for this play.
    private var failed: Set<Recording> = []
    public private(set) var problem: String?

    public init(audio: Player.Audio) { self.audio = audio }

    deinit { stop() }

    /// Plays the recording the clock is in, if any; returns the next instant (ms since 1970) at which what plays
    /// changes (a recording's start or end), nil when nothing more will.
    public func follow(_ recordings: [Recording], now: Int64) -> Int64? {
        let current = recordings.first { $0.start <= now && now < $0.end }
        if playing?.recording != current {
            playing?.player.close()
            playing = nil
            if let current, !failed.contains(current) {
                let player = Player(audio: audio, pictures: false)
                do {
                    try player.open()
                    try player.load(current.path, at: Double(now - current.start) / 1000, playing: true)
                    playing = (current, player)
                    problem = nil
                } catch {
                    player.close()
                    failed.insert(current)
                    problem = "\(error)"
                }
            }
        }
        return recordings.flatMap { [$0.start, $0.end] }.filter { $0 > now }.min()
    }

    public func stop() {
        playing?.player.close()
        playing = nil
        failed = []
    }
}
