import CMpv

/// How the daemon uses the C allocator (glibc's): what it holds is given back to the system when it is done with it.
/// (Here because libmpv's C target brings `malloc.h`, which Swift's Glibc module does not declare.)
public enum Allocator {
    /// A daemon that plays films for weeks must give their memory back between them. glibc's allocator raises its
    /// mmap threshold each time a large block is freed, so a film's 3 MiB pictures soon come from the heap, and each
    /// of libmpv's threads gets an arena of its own that is never trimmed: measured here, RSS grew from 157 to 240
    /// MiB over seven plays of a 12-second 1080p film. With large blocks always mapped (and so unmapped when freed)
    /// and two arenas, it stays at 137 MiB while a film plays and goes back to 97 MiB between plays
    /// (docs/benchmarks.md). Called once, first thing, by `vitrine run`.
    public static func keepReturnable() {
        _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
        _ = mallopt(M_ARENA_MAX, 2)
    }

    /// Gives back the pages of freed memory the allocator still holds (after start-up's parsing, after a crowd of
    /// connections has gone).
    public static func giveBackFreedMemory() {
        _ = malloc_trim(0)
    }
}
