import Foundation

/// A folder bundles arrive in (a USB stick's mount point, an rsync target): each `*.bundle` file that has stood
/// still for `settle` is installed on the shelf, the newest first made when several arrive together.
///
/// The folder is looked at every `interval` rather than watched with inotify: a stick mounted on the folder
/// raises no event in it, and looking at one folder's entries every two seconds costs nothing.
public struct BundleInbox: Sendable {
    public let folder: String
    public let shelf: BundleShelf
    public let keys: [BundleKey]
    public var interval: Duration = .seconds(2)
    public var settle: Duration = .seconds(3)

    public init(folder: String, shelf: BundleShelf, keys: [BundleKey]) {
        self.folder = folder
        self.shelf = shelf
        self.keys = keys
    }

    public enum Event: Sendable {
        case installed(file: String, BundleShelf.Release, previous: String?)
        /// On this machine already (current or previous): a stick left in is not installed again, nor a bundle
        /// rolled back from.
        case alreadyHere(file: String, id: String)
        case refused(file: String, reason: String)
    }

    /// A file as last seen: a copy still running changes it.
    struct Stamp: Equatable {
        var inode: UInt64
        var size: Int64
        var modified: Int64

        init?(_ path: String) {
            var status = stat()
            guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
            inode = UInt64(status.st_ino)
            size = Int64(status.st_size)
            modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        }
    }

    /// Runs until cancelled; `report` hears what became of each bundle.
    public func run(check: @Sendable (String) -> [String], report: @Sendable (Event) -> Void) async {
        var seen: [String: (stamp: Stamp, since: ContinuousClock.Instant)] = [:]
        var handled: [String: Stamp] = [:]
        while !Task.isCancelled {
            let now = ContinuousClock.now
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            var ready: [String] = []
            for name in names where name.hasSuffix(".bundle") && !name.hasPrefix(".") {
                let path = folder + "/" + name
                guard let stamp = Stamp(path), handled[path] != stamp else { continue }
                if let earlier = seen[path], earlier.stamp == stamp {
                    if now - earlier.since >= settle { ready.append(path) }
                } else {
                    seen[path] = (stamp, now)
                }
            }
            seen = seen.filter { names.contains(URL(fileURLWithPath: $0.key).lastPathComponent) }
            if !ready.isEmpty {
                for path in ready { handled[path] = seen[path]?.stamp }
                step(ready, check: check, report: report)
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Installs the newest made of `files`; the others are reported as passed over.
    func step(_ files: [String], check: (String) -> [String], report: (Event) -> Void) {
        var candidates: [(path: String, header: ContentBundle.Header)] = []
        for path in files {
            do {
                candidates.append((path, try ContentBundle.header(of: path, trusting: keys)))
            } catch {
                report(.refused(file: path, reason: "\(error)"))
            }
        }
        candidates.sort { $0.header.created > $1.header.created }
        let here = shelf.installed()
        var installed = false
        for candidate in candidates {
            let id = candidate.header.id
            if id == here.current || id == here.previous {
                report(.alreadyHere(file: candidate.path, id: id))
            } else if installed {
                report(.refused(file: candidate.path, reason: "\(candidate.path): passed over for a newer bundle that arrived with it"))
            } else {
                // The newest that installs: one refused (damaged, say) lets the next newest be tried.
                do {
                    switch try shelf.install(candidate.path, trusting: keys, check: check) {
                    case let .installed(release, previous): report(.installed(file: candidate.path, release, previous: previous))
                    case let .alreadyCurrent(release): report(.alreadyHere(file: candidate.path, id: release.id))
                    }
                    installed = true
                } catch {
                    report(.refused(file: candidate.path, reason: "\(error)"))
                }
            }
        }
    }
}
