import Foundation
import Logging
import VitrineModel

/// Keeps live announcements (made over the API) in a file in the state directory, so a restart of the daemon — a
/// crash, an upgrade, the watchdog — does not take "Closed today because of the storm" off the screens.
///
/// The file is rewritten whole (to a temporary file, then renamed) at every change, so it is never half written.
/// A file that cannot be read is set aside as `NAME.unreadable`, never overwritten.
public final class AnnouncementStore: Sendable {
    public let path: String
    let logger: Logger

    public init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    struct Stored: Codable {
        var id: String
        var text: String?
        var exhibit: String?
        var start: Int64
        var end: Int64
        var screens: [String]?
        var priority: Int

        init(_ a: Announcement) {
            id = a.id
            switch a.content {
            case let .text(t): text = t
            case let .exhibit(e): exhibit = e.rawValue
            }
            start = a.start
            end = a.end
            screens = a.screens
            priority = a.priority
        }

        var announcement: Announcement? {
            let content: Announcement.Content
            if let text { content = .text(text) } else if let exhibit { content = .exhibit(ExhibitID(exhibit)) } else {
                return nil
            }
            return Announcement(id: id, content: content, start: start, end: end, screens: screens, priority: priority)
        }
    }

    /// The announcements kept in the file that have not ended by `now`.
    public func load(now: Int64) -> [Announcement] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let stored = try JSONDecoder().decode([Stored].self, from: data)
            return stored.compactMap(\.announcement).filter { $0.end > now }
        } catch {
            let aside = path + ".unreadable"
            try? FileManager.default.removeItem(atPath: aside)
            try? FileManager.default.moveItem(atPath: path, toPath: aside)
            logger.error("Cannot read the live announcements; set the file aside and started without them: \(error)",
                         metadata: ["vitrine.path": "\(aside)"])
            return []
        }
    }

    public func save(_ announcements: [Announcement]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(announcements.map(Stored.init))
        let temporary = path + ".new"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Puts the kept announcements back on the daemon's screens, then keeps the file in step with every change.
    public func attach(to daemon: Daemon) {
        for announcement in load(now: daemon.now()) { daemon.announce(announcement) }
        daemon.observe { [self] event in
            guard case let .announcementsChanged(live) = event else { return }
            do {
                try save(live)
            } catch {
                logger.error("Cannot keep the live announcements: \(error)", metadata: ["vitrine.path": "\(path)"])
            }
        }
    }
}
