import Foundation
import Glibc
import Synchronization
import VitrineModel

/// Exhibits as last read, by folder, with the stamp of every file they were read from: a reload reads again only
/// the exhibits whose files changed (a SIGHUP over 1,000 exhibits otherwise spent most of its time parsing files
/// nobody had touched). Any change to a file in the folder, or to a file outside it that the exhibit names, counts.
///
/// While a content watcher reports changes (`watching`, `changed`), an exhibit whose folder it watches and has not
/// reported is served without looking at its files at all: a curator's save costs the same with 10,000 exhibits as
/// with 100. Only flat folders that name no file outside them are trusted so (the watcher sees one level); a
/// SIGHUP, or a watcher that lost events, makes every exhibit be looked at again (`changedEverything`).
public final class ExhibitCache: Sendable, ContentObserver {
    /// What identifies one version of a file: replaced (new inode), rewritten (mtime, ctime) or resized.
    struct Stamp: Hashable, Sendable {
        var path: String
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var changed: Int64
        var directory: Bool

        init?(_ path: String) {
            var status = stat()
            guard stat(path, &status) == 0 else { return nil }
            self.path = path
            inode = UInt64(status.st_ino)
            size = Int64(status.st_size)
            modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
            changed = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
            directory = status.st_mode & S_IFMT == S_IFDIR
        }

        /// The stamp when the file last changed more than a second ago, else nil. The kernel's file times move in
        /// clock ticks of a few milliseconds: a file rewritten in place, to the same size, within the tick it was
        /// stamped in would keep its stamp. One that has stood still for a second is past that (as Git treats its
        /// "racily clean" index entries).
        var settled: Stamp? {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let nanoseconds = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
            return nanoseconds - max(modified, changed) > 1_000_000_000 ? self : nil
        }
    }

    private struct Entry {
        var stamps: [Stamp]
        var exhibit: Exhibit?
        var diagnostics: [Diagnostic]
        /// What `Watch` said of the folder just before its files were stamped.
        var seen: Watch.Mark
        /// No subfolder and no file outside it: the watcher sees every change to it.
        var flat: Bool
    }

    /// What the content watcher has said: which folders it watches, and how many changes it reported in each.
    private struct Watch {
        struct Mark: Equatable {
            var everything: Int
            /// Changes reported in the folder; nil while it is not watched.
            var folder: Int?
        }
        /// Watched folders, each with the changes reported in it.
        var folders: [String: Int] = [:]
        /// Bumped when anything may have changed (a SIGHUP, events lost).
        var everything = 0

        func mark(_ folder: String) -> Mark { Mark(everything: everything, folder: folders[folder]) }
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var watch = Watch()
        var hits = 0
        var misses = 0
        var unlooked = 0
        /// The content folder as last read, and what the watcher had said when it was.
        var reading: (kept: Reading, since: Since)?
        var changes = ChangeLog()
        var versions = 0
    }

    /// A content folder as last read through this cache: its entries in name order, what each held, and the result
    /// made of them. While the watcher vouches that the folder's own entries did not change, the next read starts
    /// from it and reads only the exhibit folders reported since: a curator's save then costs one exhibit, not a
    /// walk over 10,000 names and a dictionary built again.
    struct Reading: Sendable {
        var folder: String
        var candidates: [(name: String, isDirectory: Bool)]
        var paths: [String]
        /// Index in `candidates` of each exhibit folder's path.
        var positions: [String: Int]
        var diagnostics: [[Diagnostic]]
        var result: ExhibitLoader.Result
        /// Exhibits looked at on every read all the same: not flat, or not watched when they were read.
        var alwaysLooked: [Int]
    }

    /// What the watcher had said when a reading began: it still holds while nothing made everything suspect, the
    /// folder itself is watched and reported no change, and the changes reported since are all still on record.
    struct Since: Sendable, Equatable {
        var everything: Int
        var folder: Int?
        var change: Int
    }

    /// The changes reported, numbered, kept as long as a reading may need them (a few hundred at most between two
    /// reloads; past `changesKept`, everything is looked at again).
    private struct ChangeLog {
        var next = 0
        var entries: [(number: Int, folders: Set<String>)] = []
    }
    private static let changesKept = 4096

    private let state = Mutex(State())

    /// The configuration as last read, kept beside the exhibits for the same reason.
    public let configuration = ConfigurationMemo()

    public init() {}

    /// Reads served from the cache, and reads that parsed files, since this cache was made.
    public var counts: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    /// Of the hits, how many were served without stamping the exhibit's files (the watcher reported no change).
    public var servedUnlooked: Int { state.withLock { $0.unlooked } }

    /// The exhibit in `folder`, from the cache while its files are unchanged, else from `read` (and kept).
    func exhibit(in folder: String, read: () -> (Exhibit?, [Diagnostic])) -> (Exhibit?, [Diagnostic]) {
        let (kept, mark, trusted) = state.withLock { state in
            let kept = state.entries[folder]
            let mark = state.watch.mark(folder)
            let trusted = kept.map { $0.seen == mark && $0.flat && mark.folder != nil }
            if trusted == true {
                state.hits += 1
                state.unlooked += 1
            }
            return (kept, mark, trusted ?? false)
        }
        if let kept, trusted { return (kept.exhibit, kept.diagnostics) }
        if let kept, kept.stamps == Self.stamps(folder: folder, naming: kept.exhibit) {
            state.withLock {
                $0.hits += 1
                $0.entries[folder]?.seen = mark
            }
            return (kept.exhibit, kept.diagnostics)
        }
        // Stamped before reading: a file saved while it is read is then seen as changed at the next reload.
        let before = Self.stamps(folder: folder, naming: nil)
        let (exhibit, diagnostics) = read()
        let named = Self.outsideFiles(of: exhibit, folder: folder).compactMap(Stamp.init)
        state.withLock {
            $0.entries[folder] = Entry(stamps: before + named, exhibit: exhibit, diagnostics: diagnostics, seen: mark,
                                       flat: named.isEmpty && !before.contains { $0.directory })
            $0.misses += 1
        }
        return (exhibit, diagnostics)
    }

    /// Hands `serve` each exhibit in `folders` that can be served without looking at its files (the watcher
    /// reported no change in it), by index in `folders`: one lock for all of them, so the folders left to read are
    /// what changed.
    func unchanged(_ folders: [String], serve: (Int, Exhibit?, [Diagnostic]) -> Void) {
        state.withLock { state in
            guard !state.watch.folders.isEmpty else { return }
            var served = 0
            for (index, folder) in folders.enumerated() {
                guard let kept = state.entries[folder], kept.flat, kept.seen.folder != nil,
                      kept.seen == state.watch.mark(folder) else { continue }
                serve(index, kept.exhibit, kept.diagnostics)
                served += 1
            }
            state.hits += served
            state.unlooked += served
        }
    }

    /// The number of the next read of a content folder (`ExhibitLoader.ContentVersion`).
    func nextVersion() -> Int {
        state.withLock { state in
            state.versions += 1
            return state.versions
        }
    }

    /// Where the watcher stands now, to be handed to `remember` with the reading that starts now.
    func since(_ folder: String) -> Since {
        state.withLock { state in
            Since(everything: state.watch.everything, folder: state.watch.folders[folder], change: state.changes.next)
        }
    }

    /// Keeps a reading of `folder` begun at `since` (only one folder's: a daemon has one content folder).
    func remember(_ reading: Reading, since: Since) {
        state.withLock { state in
            state.reading = (reading, since)
            state.changes.entries.removeAll { $0.number < since.change }
        }
    }

    /// The last reading of `folder` with the exhibit folders reported changed since (paths, from `positions`), and
    /// where the watcher stands now; nil when the reading cannot be trusted (the folder's own entries changed, a
    /// SIGHUP, events lost, nothing watched) and the folder must be read whole. The reading is handed over, not
    /// shared (its arrays are then patched in place, not copied): the caller remembers it again.
    func lastReading(of folder: String) -> (reading: Reading, changed: Set<String>, now: Since)? {
        state.withLock { state -> (Reading, Set<String>, Since)? in
            let log = state.changes.entries, next = state.changes.next
            guard let (kept, since) = state.reading, kept.folder == folder, since.folder != nil,
                  since.everything == state.watch.everything, since.folder == state.watch.folders[folder],
                  log.first.map({ $0.number <= since.change }) ?? (since.change == next)
            else { return nil }
            var changed: Set<String> = []
            let prefix = folder + "/"
            for entry in log where entry.number >= since.change {
                for path in entry.folders {
                    if path == folder { return nil }
                    guard path.hasPrefix(prefix) else { continue }
                    let name = path.dropFirst(prefix.count).prefix { $0 != "/" }
                    changed.insert(prefix + name)
                }
            }
            state.reading = nil
            let served = kept.candidates.count - changed.count - kept.alwaysLooked.count
            state.hits += max(0, served)
            state.unlooked += max(0, served)
            return (kept, changed, Since(everything: state.watch.everything, folder: state.watch.folders[folder],
                                         change: next))
        }
    }

    /// Of `paths`, the indexes of exhibits that must be looked at on every read: not read from a watched flat
    /// folder.
    func alwaysLooked(_ paths: [String]) -> [Int] {
        state.withLock { state in
            paths.indices.filter { index in
                guard let entry = state.entries[paths[index]] else { return false }
                return !(entry.flat && entry.seen.folder != nil)
            }
        }
    }

    /// Forgets folders that are gone, so a removed exhibit's pages do not stay in memory.
    func keep(only folders: Set<String>) {
        state.withLock { state in
            guard state.entries.count != folders.count || state.entries.keys.contains(where: { !folders.contains($0) })
            else { return }
            state.entries = state.entries.filter { folders.contains($0.key) }
        }
    }

    // MARK: ContentObserver

    public func watching(_ folder: String) {
        state.withLock { state in
            // What changed before the watch began was not reported: the mark moves on from whatever it was.
            state.watch.folders[folder, default: 0] += 1
        }
    }

    public func changed(_ folders: Set<String>) {
        state.withLock { state in
            for folder in folders where state.watch.folders[folder] != nil { state.watch.folders[folder]! += 1 }
            state.changes.entries.append((state.changes.next, folders))
            state.changes.next += 1
            if state.changes.entries.count > Self.changesKept {
                state.changes.entries.removeAll()
                state.watch.everything += 1
            }
        }
    }

    public func changedEverything() {
        state.withLock { $0.watch.everything += 1 }
    }

    public func stoppedWatching() {
        state.withLock { state in
            state.watch.folders = [:]
            state.watch.everything += 1
        }
    }

    /// Every file under the folder (sorted), then the files outside it that the exhibit names.
    static func stamps(folder: String, naming exhibit: Exhibit?) -> [Stamp] {
        var stamps: [Stamp] = []
        func walk(_ directory: String, depth: Int) {
            guard depth < 8, let entries = ExhibitLoader.entries(of: directory) else { return }
            for name in entries.map(\.name).sorted() {
                let path = directory + "/" + name
                guard let stamp = Stamp(path) else { continue }
                stamps.append(stamp)
                if stamp.directory { walk(path, depth: depth + 1) }
            }
        }
        walk(folder, depth: 0)
        return stamps + outsideFiles(of: exhibit, folder: folder).compactMap(Stamp.init)
    }

    /// Files the exhibit names by a path that leaves its folder (`../shared/logo.png`).
    static func outsideFiles(of exhibit: Exhibit?, folder: String) -> [String] {
        guard let exhibit else { return [] }
        var files: [String] = []
        for block in exhibit.blocks {
            switch block {
            case let .image(image): files.append(image.file)
            case let .media(media): files += [media.file] + (media.captions.map { [$0] } ?? [])
            default: break
            }
        }
        return files.filter { $0.hasPrefix("/") || $0.contains("..") }
            .map { $0.hasPrefix("/") ? $0 : folder + "/" + $0 }
    }
}
