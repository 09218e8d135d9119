import CArchive
import Foundation

/// Where a machine keeps the bundles it installed, and which one its daemon shows:
///
/// ```
/// FOLDER/current  -> releases/20261207T030000Z-1a2b3c4d    (the daemon runs --config FOLDER/current/vitrine.yaml)
/// FOLDER/previous -> releases/20261130T181500Z-5e6f7a8b    (what `rollback` returns to)
/// FOLDER/releases/ID/            the bundle's files;  ID.header: who signed it, when, its name
/// ```
///
/// A bundle is unpacked and checked beside the others, then `current` is swapped to it in one rename: the daemon
/// watching the folder sees one change and reloads once, never a half-copied folder. Two bundles are kept.
public struct BundleShelf: Sendable {
    public let folder: String

    public init(folder: String) { self.folder = folder }

    public var current: String { folder + "/current" }
    /// The configuration a daemon fed by bundles runs.
    public var configuration: String { current + "/" + ContentBundle.configurationName }
    var releases: String { folder + "/releases" }

    public struct Release: Sendable, Equatable {
        public var id: String
        /// `key`, `created` and `name`, as the bundle's header gave them.
        public var header: [String: String]
    }

    public enum Outcome: Sendable, Equatable {
        /// Now current; `previous` is what it replaced.
        case installed(Release, previous: String?)
        /// The bundle is the current one already: nothing changed (a USB stick left in, a playbook run twice).
        case alreadyCurrent(Release)
    }

    /// Verifies `bundle` against `keys`, unpacks it, has `check` look at its configuration (the errors it returns
    /// refuse the bundle), and makes it current. Whatever is refused leaves the current bundle as it was.
    public func install(_ bundle: String, trusting keys: [BundleKey],
                        check: (_ configuration: String) -> [String]) throws -> Outcome {
        try prepare()
        let lock = try Lock(folder + "/lock")
        defer { withExtendedLifetime(lock) {} }
        let header = try ContentBundle.header(of: bundle, trusting: keys)
        let release = Release(id: header.id, header: ["key": header.key, "created": header.created, "name": header.name])
        let current = installed().current
        if current == header.id {
            // Still checked: an `already installed` must not vouch for a damaged file.
            try ContentBundle.verify(bundle, trusting: keys)
            return .alreadyCurrent(release)
        }
        let target = releases + "/" + header.id
        if FileManager.default.fileExists(atPath: target) {
            // The one rolled back from, say: its files are here and were checked when it came.
            try ContentBundle.verify(bundle, trusting: keys)
        } else {
            let incoming = releases + "/.incoming-" + header.id
            try? FileManager.default.removeItem(atPath: incoming)
            try ContentBundle.unpack(bundle, trusting: keys, into: incoming)
            let errors = check(incoming + "/" + ContentBundle.configurationName)
            guard errors.isEmpty else {
                try? FileManager.default.removeItem(atPath: incoming)
                throw BundleError.invalidConfiguration(bundle, errors)
            }
            let text = "key \(header.key)\ncreated \(header.created)\nname \(header.name)\n"
            try write(text, to: target + ".header")
            try flush()
            guard rename(incoming, target) == 0 else { throw failure(target, "cannot be put in place") }
        }
        try point("current", to: header.id, keeping: current)
        prune(keeping: [header.id, current ?? header.id])
        return .installed(release, previous: current)
    }

    /// Makes the previous bundle current again (and the current one previous, so a second rollback undoes the first).
    public func rollback() throws -> (from: String, to: String) {
        guard FileManager.default.fileExists(atPath: releases) else { throw BundleError.nothingToRollBackTo(folder) }
        let lock = try Lock(folder + "/lock")
        defer { withExtendedLifetime(lock) {} }
        let (current, previous) = installed()
        guard let current, let previous, FileManager.default.fileExists(atPath: releases + "/" + previous) else {
            throw BundleError.nothingToRollBackTo(folder)
        }
        try point("current", to: previous, keeping: current)
        return (current, previous)
    }

    /// The ids of the current and previous bundles.
    public func installed() -> (current: String?, previous: String?) {
        func target(_ name: String) -> String? {
            guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + name) else {
                return nil
            }
            return URL(fileURLWithPath: link).lastPathComponent
        }
        return (target("current"), target("previous"))
    }

    /// A release's header, as kept beside its files.
    public func release(_ id: String) -> Release? {
        guard let text = try? String(contentsOfFile: releases + "/" + id + ".header", encoding: .utf8) else { return nil }
        var header: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            header[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return Release(id: id, header: header)
    }

    // MARK: Parts

    func prepare() throws {
        do {
            try FileManager.default.createDirectory(atPath: releases, withIntermediateDirectories: true)
        } catch {
            throw BundleError.io(releases, "cannot be created (\(BundleKey.reason(error)))")
        }
        // The daemon's user reads what root installs, whatever root's umask.
        chmod(folder, 0o755)
        chmod(releases, 0o755)
    }

    /// `previous` to what was current, then `current` to `id`, each a symbolic link made aside and renamed over
    /// the old one (rename is atomic: a reader sees the old link or the new, never none).
    func point(_ name: String, to id: String, keeping old: String?) throws {
        if let old { try swapLink("previous", to: old) }
        try swapLink(name, to: id)
        try flush()
    }

    func swapLink(_ name: String, to id: String) throws {
        let aside = folder + "/." + name + ".new"
        unlink(aside)
        guard symlink("releases/" + id, aside) == 0 else { throw failure(aside, "cannot be created") }
        guard rename(aside, folder + "/" + name) == 0 else { throw failure(folder + "/" + name, "cannot be replaced") }
    }

    /// Everything written so far on its way to the disk: a screen switched off at the wall right after an install
    /// comes back with one bundle or the other, whole.
    func flush() throws {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(folder, "cannot be opened") }
        defer { close(fd) }
        guard syncfs(fd) == 0 else { throw failure(folder, "cannot be written to the disk") }
    }

    /// Removes the releases neither current nor previous, and unpacking left over from an install that was cut.
    func prune(keeping: Set<String>) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: releases) else { return }
        for name in names {
            let id = name.hasSuffix(".header") ? String(name.dropLast(".header".count)) : name
            if !keeping.contains(id) { try? FileManager.default.removeItem(atPath: releases + "/" + name) }
        }
    }

    func write(_ text: String, to path: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o644)
        } catch {
            throw BundleError.io(path, "cannot be written (\(BundleKey.reason(error)))")
        }
    }

    func failure(_ path: String, _ what: String) -> BundleError {
        .io(path, "\(what) (\(String(cString: strerror(errno))))")
    }

    /// One install or rollback at a time on a shelf (the inbox and a technician at the same moment).
    final class Lock {
        let fd: Int32
        init(_ path: String) throws {
            fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw BundleError.io(path, "cannot be opened (\(String(cString: strerror(errno))))") }
            flock(fd, LOCK_EX)
        }
        deinit { close(fd) }
    }
}
