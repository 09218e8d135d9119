import Synchronization
import VitrineModel

/// Each day's playlist on each screen as far as the schedule has worked it out: its turns (a page each, with how
/// long it stays up) and where each ends in the cycle. A program keeps them for its life, so finding the page up at
/// an instant is a binary search instead of a walk through every exhibit of the playlist, and a cycle is extended
/// only when an instant past what is known is asked for. A new program (a reload) starts with none. Beside them,
/// what every turn would otherwise work out again: each day's items of a playlist (loans), and each theme as laid
/// out with its fingerprint.
final class Cycles: Sendable {
    struct Key: Hashable {
        var screen: String
        var playlist: String
        var day: LocalDate
        var theme: String
        var surface: String
    }

    struct Cycle: Sendable {
        /// The playlist's items in cycle order (repeated by weight).
        var sequence: [PlaylistItem]
        var turns: [Program.Turn] = []
        /// Where each turn ends, in milliseconds from the cycle's start.
        var ends: [Int64] = []
        /// The first item of `sequence` whose turns are not worked out yet.
        var next = 0
        /// Where each worked-out item's turns begin in `turns` (one per item of `sequence` before `next`).
        var firstTurns: [Int] = []

        /// The cycle as far as it held before the item at `index` of `sequence`.
        func cut(at index: Int) -> Cycle {
            guard index < next else { return self }
            let kept = firstTurns[index]
            return Cycle(sequence: sequence, turns: Array(turns[..<kept]), ends: Array(ends[..<kept]), next: index,
                         firstTurns: Array(firstTurns[..<index]))
        }
    }

    struct DayKey: Hashable {
        var playlist: String
        var day: LocalDate
    }

    struct ThemeKey: Hashable {
        var name: String
        var visitorCode: Bool
        var columns: Int
    }

    /// Days kept: today's cycles, yesterday's (a page up across midnight) and tomorrow's (a look ahead).
    private static let days = 3
    private let table = Mutex<[Key: Cycle]>([:])
    private let dayItems = Mutex<[DayKey: [PlaylistItem]]>([:])
    private let themes = Mutex<[ThemeKey: (theme: Theme, digest: ContentDigest)]>([:])

    init() {}

    /// What `earlier` (another program's) worked out that still holds when the configuration is the same and only
    /// the exhibits in `changed` differ (changed, added or gone): every theme; each day's items unless a changed
    /// exhibit's being on show that day differs (`sameDay`); each cycle of a kept day up to the first turn of a
    /// changed exhibit. A curator's save then costs the schedule that exhibit's pages, not a walk from the start of
    /// the day through every exhibit before it.
    init(continuing earlier: Cycles, changed: Set<ExhibitID>, sameDay: (DayKey) -> Bool) {
        themes.withLock { $0 = earlier.themes.withLock { $0 } }
        let days = earlier.dayItems.withLock { $0 }.filter { sameDay($0.key) }
        dayItems.withLock { $0 = days }
        var cycles: [Key: Cycle] = [:]
        // A save changes one exhibit or a few: their names compared with each turn's cost less than a hash of each.
        let few = changed.count <= 8 ? Array(changed) : nil
        for (key, cycle) in earlier.table.withLock({ $0 })
            where days[DayKey(playlist: key.playlist, day: key.day)] != nil
        {
            let firstChanged = cycle.sequence[..<cycle.next].firstIndex { item in
                few.map { $0.contains(item.exhibit) } ?? changed.contains(item.exhibit)
            } ?? cycle.next
            cycles[key] = cycle.cut(at: firstChanged)
        }
        table.withLock { $0 = cycles }
    }

    /// A playlist's items shown on a day, from `work` the first time.
    func items(_ key: DayKey, _ work: () -> [PlaylistItem]) -> [PlaylistItem] {
        if let items = dayItems.withLock({ $0[key] }) { return items }
        let items = work()
        dayItems.withLock { table in
            table[key] = items
            Self.forgetOldestDay(&table, day: \.day)
        }
        return items
    }

    /// A theme as a screen lays pages out in it, with its fingerprint, from `work` the first time.
    func theme(_ key: ThemeKey, _ work: () -> Theme) -> (theme: Theme, digest: ContentDigest) {
        if let known = themes.withLock({ $0[key] }) { return known }
        let theme = work()
        let made = (theme, ContentDigest(of: theme))
        themes.withLock { $0[key] = made }
        return made
    }

    func kept(_ key: Key) -> Cycle? { table.withLock { $0[key] } }

    /// Turns worked out and kept, over every cycle.
    var turnsKept: Int { table.withLock { $0.values.reduce(0) { $0 + $1.turns.count } } }

    /// Keeps `cycle` unless another caller already worked out more of it.
    func keep(_ cycle: Cycle, for key: Key) {
        table.withLock { table in
            if let known = table[key], known.next >= cycle.next { return }
            table[key] = cycle
            Self.forgetOldestDay(&table, day: \.day)
        }
    }

    /// Drops the oldest day's entries once more than `days` days are kept.
    private static func forgetOldestDay<Key: Hashable, Value>(_ table: inout [Key: Value], day: KeyPath<Key, LocalDate>) {
        let days = Set(table.keys.map { $0[keyPath: day] })
        if days.count > Self.days, let oldest = days.min() { table = table.filter { $0.key[keyPath: day] != oldest } }
    }
}
