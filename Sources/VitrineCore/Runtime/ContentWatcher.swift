import Dispatch
import Foundation
import Glibc
import Logging
import Synchronization

/// Told which folders are watched and which changed, as the watcher learns it (before any reload it starts).
public protocol ContentObserver: Sendable {
    /// Changes in `folder` are reported from now on.
    func watching(_ folder: String)
    /// Something in these folders changed.
    func changed(_ folders: Set<String>)
    /// Anything may have changed (events were lost).
    func changedEverything()
    /// Nothing is reported any more.
    func stoppedWatching()
}

/// Watches folders (the configuration's and the content folder, with every exhibit folder) with inotify: `changes`
/// yields whenever something in them changed (the reload coordinator waits for quiet before it reloads, so saving
/// twenty files costs one reload), and `observer` hears which folders, at once.
final class ContentWatcher: @unchecked Sendable {  // the dispatch source is only touched in init and stop
    private let fd: Int32
    private let source: DispatchSourceRead
    private let watches = Mutex<[Int32: String]>([:])
    /// The folders holding the watched folders, each with the name of the one it holds: a folder renamed over
    /// a watched one, or a symbolic link to it swapped (how `vitrine bundle install`, rsync into a fresh folder
    /// and deployment tools put new content in at once), leaves the watches on the folder that was replaced.
    private let holders: [Int32: Set<String>]
    private let observer: (any ContentObserver)?
    let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation
    private let replacedFlag = Atomic<Bool>(false)

    /// A watched folder was replaced as a whole: these watches no longer see it, and a new watcher is needed.
    var replaced: Bool { replacedFlag.load(ordering: .acquiring) }

    init?(folders: [String], observer: (any ContentObserver)? = nil, logger: Logger) {
        self.observer = observer
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            logger.warning("Cannot watch the content folder (inotify); reload with SIGHUP.",
                           metadata: ["vitrine.errno": "\(errno)"])
            return nil
        }
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: .global())
        (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let changed = changed
        var holders: [Int32: Set<String>] = [:]
        for folder in Set(folders) {
            let url = URL(fileURLWithPath: folder)
            let parent = url.deletingLastPathComponent().path
            // IN_MASK_ADD: the parent may be watched itself (the content folder inside the configuration's).
            let wd = inotify_add_watch(fd, parent, Self.replacing | UInt32(IN_MASK_ADD))
            if wd >= 0 { holders[wd, default: []].insert(url.lastPathComponent) }
        }
        self.holders = holders
        for folder in folders { add(folder, recursive: true) }
        let fd = self.fd
        source.setEventHandler { [weak self] in
            guard let self else { return }
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            var created: [String] = []
            var folders: Set<String> = []
            var lost = false
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                var offset = 0
                while offset < n {
                    let (wd, mask, name, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, String, Int) in
                        let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                        let nameStart = offset + MemoryLayout<inotify_event>.size
                        let bytes = raw[nameStart..<(nameStart + Int(event.len))].prefix { $0 != 0 }
                        return (event.wd, event.mask, String(decoding: bytes, as: UTF8.self), Int(event.len))
                    }
                    offset += MemoryLayout<inotify_event>.size + length
                    if mask & UInt32(IN_Q_OVERFLOW) != 0 { lost = true }
                    if mask & Self.replacing != 0, self.holders[wd]?.contains(name) == true {
                        self.replacedFlag.store(true, ordering: .releasing)
                        lost = true
                    }
                    guard let parent = self.watches.withLock({ $0[wd] }) else { continue }
                    folders.insert(parent)
                    let path = (parent as NSString).appendingPathComponent(name)
                    if !name.isEmpty { folders.insert(path) }
                    if mask & UInt32(IN_ISDIR) != 0, mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                        created.append(path)
                    }
                }
            }
            for folder in created { self.add(folder, recursive: true) }
            // Events in a folder watched only for its watched entries (the configuration's parent) are not changes.
            if lost { self.observer?.changedEverything() } else if !folders.isEmpty { self.observer?.changed(folders) }
            if lost || !folders.isEmpty { changed.yield() }
        }
        source.resume()
    }

    /// What replaces a folder: an entry of its name created, renamed there, or gone.
    private static let replacing = UInt32(IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM)

    private func add(_ folder: String, recursive: Bool) {
        // Not IN_MODIFY: a log file kept in the configuration's folder would then reload the daemon at every line
        // it writes. A file written in place is seen when it is closed.
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB)
        // IN_MASK_ADD: the folder may be watched already as the parent of another (see `holders`).
        let wd = inotify_add_watch(fd, folder, mask | UInt32(IN_MASK_ADD))
        if wd >= 0 {
            watches.withLock { $0[wd] = folder }
            observer?.watching(folder)
        }
        guard recursive, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where !name.hasPrefix(".") {
            let path = (folder as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                add(path, recursive: false)
            }
        }
    }

    private let stopped = Atomic<Bool>(false)

    /// Stops watching; once (the coordinator may stop a watcher its loop is about to stop too).
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        observer?.stoppedWatching()
        let fd = fd
        // Closed once the handler cannot run any more.
        source.setCancelHandler { close(fd) }
        source.cancel()
        changed.finish()
    }
}
