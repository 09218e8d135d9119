import Foundation

/// `600ms`, `30s`, `2m`, `1h30m`, `1d`; a bare number is seconds. Milliseconds, or nil when not a duration.
public func parseDuration(_ text: String) -> Int64? {
    let s = text.trimmingCharacters(in: .whitespaces).lowercased()
    if let seconds = Double(s), seconds.isFinite, seconds >= 0, seconds < 1e9 { return Int64(seconds * 1000) }
    var total: Double = 0
    var number = ""
    var unit = ""
    var sawAny = false
    func flush() -> Bool {
        guard let value = Double(number), value.isFinite else { return false }
        let factor: Double
        switch unit {
        case "ms": factor = 1
        case "s", "sec": factor = 1000
        case "m", "min": factor = 60_000
        case "h": factor = 3_600_000
        case "d": factor = 86_400_000
        default: return false
        }
        total += value * factor
        number = ""
        unit = ""
        sawAny = true
        return true
    }
    for c in s where c != " " {
        if c.isNumber || c == "." {
            if !unit.isEmpty { guard flush() else { return nil } }
            number.append(c)
        } else if c.isLetter {
            guard !number.isEmpty else { return nil }
            unit.append(c)
        } else {
            return nil
        }
    }
    guard !number.isEmpty, flush(), sawAny, total < 1e12 else { return nil }
    return Int64(total)
}
