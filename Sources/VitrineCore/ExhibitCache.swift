import Foundation
import Glibc
import Synchronization
import VitrineModel

/// Exhibits as last read, by folder, with the stamp of every file they were read from: a reload reads again only
/// the exhibits whose files changed (a SIGHUP over 1,000 exhibits otherwise spent most of its time parsing files
/// nobody had touched). Any change to a file in the folder, or to a file outside it that the exhibit names, counts.
public final class ExhibitCache: Sendable {
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
    }

    private struct Entry {
        var stamps: [Stamp]
        var exhibit: Exhibit?
        var diagnostics: [Diagnostic]
    }

    private let state = Mutex<(entries: [String: Entry], hits: Int, misses: Int)>(([:], 0, 0))

    public init() {}

    /// Reads served from the cache, and reads that parsed files, since this cache was made.
    public var counts: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    /// The exhibit in `folder`, from the cache while its files are unchanged, else from `read` (and kept).
    func exhibit(in folder: String, read: () -> (Exhibit?, [Diagnostic])) -> (Exhibit?, [Diagnostic]) {
        let kept = state.withLock { $0.entries[folder] }
        if let kept, kept.stamps == Self.stamps(folder: folder, naming: kept.exhibit) {
            state.withLock { $0.hits += 1 }
            return (kept.exhibit, kept.diagnostics)
        }
        // Stamped before reading: a file saved while it is read is then seen as changed at the next reload.
        let before = Self.stamps(folder: folder, naming: nil)
        let (exhibit, diagnostics) = read()
        let named = Self.outsideFiles(of: exhibit, folder: folder).compactMap(Stamp.init)
        state.withLock {
            $0.entries[folder] = Entry(stamps: before + named, exhibit: exhibit, diagnostics: diagnostics)
            $0.misses += 1
        }
        return (exhibit, diagnostics)
    }

    /// Forgets folders that are gone, so a removed exhibit's pages do not stay in memory.
    func keep(only folders: Set<String>) {
        state.withLock { state in state.entries = state.entries.filter { folders.contains($0.key) } }
    }

    /// Every file under the folder (sorted), then the files outside it that the exhibit names.
    static func stamps(folder: String, naming exhibit: Exhibit?) -> [Stamp] {
        var stamps: [Stamp] = []
        func walk(_ directory: String, depth: Int) {
            guard depth < 8, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
            for name in names.sorted() {
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
