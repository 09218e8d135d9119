import Dispatch
import Glibc
import Synchronization
import VitrineMedia

/// Hands the executable's start-up code back to the kernel once the screens are up.
///
/// Reading the configuration, the exhibits' YAML and Markdown, the command line and the font list runs once per
/// start or reload, but the kernel maps code 64 KiB around every page fault, and that code is spread over most of
/// the binary: ~20 MiB of it stays counted in the daemon's memory although only ~8 MiB runs while pages change.
/// `MADV_PAGEOUT` unmaps those clean, file-backed pages; what the running daemon needs faults straight back in
/// (from the page cache, usually), the rest is only reread at the next reload. Only the executable's read-only
/// mappings are touched: its writable data is anonymous by now and must stay.
enum StartupPages {
    /// When to hand the code back: at once when the daemon is first ready, and after reloads only once they have
    /// stopped for `quiet`. Paged out, the reload's code is read back from the disk at the next reload (the kernel
    /// drops clean pages nobody maps): a curator saving every few seconds made each watched reload pay for that
    /// (page faults were a quarter of its time at 10,000 exhibits).
    final class Release: Sendable {
        static let quiet: DispatchTimeInterval = .seconds(30)
        private let queue = DispatchQueue(label: "vitrine.startup-pages", qos: .utility)
        /// How many times the daemon was ready; the release waits for the last of them.
        private let readies = Mutex(0)

        func ready() {
            let count = readies.withLock { count in
                count += 1
                return count
            }
            if count == 1 {
                StartupPages.release()
                return
            }
            queue.asyncAfter(deadline: .now() + Self.quiet) { [self] in
                guard readies.withLock({ $0 == count }) else { return }
                StartupPages.release()
            }
        }
    }

    /// Linux 5.4 and later; older kernels answer EINVAL and nothing changes.
    private static let adviceToPageOut: Int32 = 21

    /// Returns how many bytes of mappings were advised (0 when the executable's mappings cannot be found).
    @discardableResult
    static func release() -> Int {
        var pathBuffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &pathBuffer, pathBuffer.count - 1)
        guard length > 0 else { return 0 }
        let executable = String(decoding: pathBuffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let maps = fopen("/proc/self/maps", "r") else { return 0 }
        defer { fclose(maps) }
        var advised = 0
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, maps) > 0, let line {
            // "start-end perms offset dev inode   path"
            let text = String(cString: line)
            let fields = text.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6 else { continue }
            let path = fields[5].drop(while: { $0 == " " }).prefix(while: { $0 != "\n" })
            guard path == executable[...] else { continue }
            let permissions = fields[1]
            guard permissions.hasPrefix("r"), !permissions.contains("w") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                  end > start, let address = UnsafeMutableRawPointer(bitPattern: start) else { continue }
            if madvise(address, Int(end - start), adviceToPageOut) == 0 { advised += Int(end - start) }
        }
        // Start-up's parsing freed most of what it allocated; give those pages back too.
        Allocator.giveBackFreedMemory()
        return advised
    }
}
