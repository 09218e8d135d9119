import VitrineModel
import VitrinePluginAPI

/// What the daemon reports of itself: every screen's health and page, for the API, the dashboard and `vitrine
/// status`.
extension Daemon {
    public struct Status: Sendable {
        public struct Screen: Sendable {
            public var name: String
            public var output: String
            /// "starting", "showing", "hidden" (running, but another console is on the panel) or "failed".
            public var health: String
            public var failure: String?
            /// Why the page is not visible, when health is "hidden".
            public var hidden: String?
            /// Trouble that leaves the screen running (a remote display not answering).
            public var trouble: String?
            /// "Solidarity 2/5".
            public var summary: String
            public var frame: Frame?
            /// The size the output measured: pages are laid out for it.
            public var surface: Surface
            /// Frames put on the panel since the daemon started (page flips; 0 for outputs that have no panel).
            public var flips = 0
            /// What the screen's television was last told over HDMI-CEC ("standby", "on", "failed: …"), with
            /// `power.cec`.
            public var cec: String?
        }
        public var screens: [Screen]
        public var ready: Bool
        /// When the running program was loaded (ms since 1970).
        public var loadedAt: Int64
        /// The last reload's failure, while the old program runs.
        public var lastReload: String?
        /// Exhibits with errors in the files last read, and what is shown of each.
        public var exhibitProblems: [ExhibitProblem]
        /// The STATUS line systemd shows.
        public var line: String
        public var configPath: String
        /// The schedule's clock when this was taken (ms since 1970).
        public var now: Int64
        /// Counts the programs swapped in since the daemon started (reloads, announcements).
        public var generation: Int
        /// This program's version and commit.
        public var build: BuildInfo
    }

    public func status() -> Status {
        let slots = self.slots(), (loadedAt, lastReload) = loaded(), generation = currentProgram().1
        let ready = reporter.isReady
        let screens = slots.map { slot -> Status.Screen in
            var health = "starting", failure: String?
            switch slot.health {
            case .starting: break
            case .showing: health = slot.hidden == nil ? "showing" : "hidden"
            case let .failed(reason):
                health = "failed"
                failure = reason
            }
            return Status.Screen(name: slot.name, output: slot.type, health: health, failure: failure,
                                 hidden: health == "hidden" ? slot.hidden : nil, trouble: slot.trouble,
                                 summary: slot.summary, frame: slot.frame, surface: slot.surface,
                                 flips: slot.flips.load(ordering: .relaxed), cec: slot.cec)
        }
        return Status(screens: screens, ready: ready, loadedAt: loadedAt, lastReload: lastReload,
                      exhibitProblems: exhibitProblems, line: statusLine(),
                      configPath: settings.configPath, now: clock.now(), generation: generation,
                      build: settings.build)
    }
}
