import Foundation

/// One daemon per state directory. Two `vitrine run` on one directory (a second started by mistake) would both
/// drive the screens and fight over the play log ("database is locked": plays lost). The first holds an exclusive
/// lock on `STATE/lock` for as long as it lives (the kernel lets go when the process ends, even by `kill -9`); a
/// second refuses to start and says which process holds it.
final class StateLock {
    struct Held: Error, CustomStringConvertible {
        var directory: String
        var holder: String?
        var description: String {
            "another vitrine run\(holder.map { " (pid \($0))" } ?? "") is using the state directory \(directory); "
                + "stop it first, or give this one its own --state-dir"
        }
    }

    private let descriptor: Int32

    /// Takes the lock; throws `Held` when another process has it, or an error when the file cannot be opened.
    init(directory: String) throws {
        let path = directory + "/lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines) : nil
            throw Held(directory: directory, holder: holder?.isEmpty == false ? holder : nil)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.utf8.count, 0)
        descriptor = fd
    }

    deinit { close(descriptor) }
}
