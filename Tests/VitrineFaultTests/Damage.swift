import Foundation
import PropertyBased
import Testing

/// How long the fault suite runs: `make faults` sets `VITRINE_FAULTS=full` (the issue's figures); `make test` and
/// CI run the short mode, the same cases with fewer repeats.
enum FaultSuite {
    static let full = ProcessInfo.processInfo.environment["VITRINE_FAULTS"] == "full"

    static func count(full: Int, short: Int) -> Int { Self.full ? full : short }
}

/// One way a file goes wrong in a gallery: saved half-way, typed into by hand, written by another tool, or
/// written to do harm. Applied to a good file's bytes at a place the generator picks.
struct Damage: Sendable, CustomStringConvertible {
    enum Kind: CaseIterable, Sendable {
        case truncated, wrongType, invalidUTF8, deepNesting, hugeScalar, aliasBomb, controlCharacter, lineDropped,
             lineRepeated, indentationBroken, punctuation
    }

    var kind: Kind
    /// Where: a fraction (in ten-thousandths) of the file's lines or bytes.
    var place: Int
    /// Which variant of the damage (a value, a size, a byte).
    var variant: Int

    var description: String { "\(kind) at \(place)/10000, variant \(variant)" }

    static let generator = zip(Gen<Kind>.case, Gen.int(in: 0..<10_000), Gen.int(in: 0..<1_000_000))
        .map { Damage(kind: $0, place: $1, variant: $2) }

    static let wrongValues = ["[1, 2]", "{a: 1}", "-7", "true", "~", "\"\"", "3.5e400", "2026-13-45", "[[[]]]",
                              "!!binary aGVsbG8=", "&x", "*nope", "|", ">-", "'unclosed", "\"unclosed", "- a",
                              "99999999999999999999999999", "0x1F", "24:61", "-1s", "NaN", "@x", "`x`", "%TAG"]
    static let badUTF8: [[UInt8]] = [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF],
                                     [0xE2, 0x82]]
    static let punctuation = Array(":-\"'{}[]#&*!|>%@`,?".utf8)

    func apply(to original: [UInt8]) -> [UInt8] {
        var bytes = original
        var lines = Self.lines(of: bytes)
        let lineIndex = min(lines.count - 1, place * lines.count / 10_000)
        let byteIndex = min(bytes.count, place * bytes.count / 10_000)
        /// The line with its value (after `key: ` or `- `) replaced.
        func replacingValue(with value: [UInt8]) -> [UInt8] {
            var line = lines[lineIndex]
            if let colon = Self.firstRange(of: Array(": ".utf8), in: line) {
                line = Array(line[..<(colon + 2)]) + value
            } else if let dash = Self.firstRange(of: Array("- ".utf8), in: line) {
                line = Array(line[..<(dash + 2)]) + value
            } else {
                line += Array(": ".utf8) + value
            }
            lines[lineIndex] = line
            return Self.joined(lines)
        }
        switch kind {
        case .truncated:
            return Array(bytes[..<byteIndex])
        case .wrongType:
            return replacingValue(with: Array(Self.wrongValues[variant % Self.wrongValues.count].utf8))
        case .invalidUTF8:
            bytes.insert(contentsOf: Self.badUTF8[variant % Self.badUTF8.count], at: byteIndex)
            return bytes
        case .deepNesting:
            let depth = 20 + variant % 5_000
            if variant % 2 == 0 {
                return replacingValue(with: Array(String(repeating: "[", count: depth).utf8)
                    + Array(String(repeating: "]", count: depth).utf8))
            }
            // Block style: each level one more indentation.
            var block: [UInt8] = []
            for level in 0..<min(depth, 600) { block += Array((String(repeating: " ", count: level) + "- \n").utf8) }
            lines.insert(block, at: lineIndex)
            return Self.joined(lines)
        case .hugeScalar:
            // Mostly under the 4 MiB file limit (so the parser and checks see it); now and then over it.
            let sizes = [1_000, 70_000, 300_000, 1_500_000, 5_000_000]
            return replacingValue(with: [UInt8](repeating: UInt8(ascii: "x"), count: sizes[variant % sizes.count]))
        case .aliasBomb:
            // Nine levels of nine references: 387 million nodes if expanded.
            var bomb = "[&l0 [x, x, x, x, x, x, x, x, x]"
            for level in 1...9 {
                let refs = Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ")
                bomb += ", &l\(level) [\(refs)]"
            }
            return replacingValue(with: Array((bomb + "]").utf8))
        case .controlCharacter:
            let controls = (0..<32).filter { $0 != 9 && $0 != 10 }.map(UInt8.init) + [0x7F]
            bytes.insert(controls[variant % controls.count], at: byteIndex)
            return bytes
        case .lineDropped:
            lines.remove(at: lineIndex)
            return Self.joined(lines)
        case .lineRepeated:
            lines.insert(lines[lineIndex], at: lineIndex)
            return Self.joined(lines)
        case .indentationBroken:
            switch variant % 3 {
            case 0: lines[lineIndex] = [UInt8(ascii: "\t")] + lines[lineIndex]
            case 1: lines[lineIndex] = Array(lines[lineIndex].drop { $0 == UInt8(ascii: " ") })
            default: lines[lineIndex] = [UInt8](repeating: UInt8(ascii: " "), count: 1 + variant % 7) + lines[lineIndex]
            }
            return Self.joined(lines)
        case .punctuation:
            guard !bytes.isEmpty else { return bytes }
            bytes[min(byteIndex, bytes.count - 1)] = Self.punctuation[variant % Self.punctuation.count]
            return bytes
        }
    }

    static func lines(of bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
    }

    static func joined(_ lines: [[UInt8]]) -> [UInt8] { Array(lines.joined(separator: [UInt8(ascii: "\n")])) }

    static func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }
}

/// An expectation whose failure is also printed: inside `propertyCheck` only the failing input is reported, not
/// which expectation failed or why.
func expectFault(_ condition: Bool, _ message: @autoclosure () -> String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard !condition else { return }
    let text = message()
    print("fault: \(sourceLocation.fileName):\(sourceLocation.line): \(text)")
    Issue.record(Comment(rawValue: text), sourceLocation: sourceLocation)
}

/// Waits for the daemon's own tasks like `eventually`, but without a 10 ms poll: thousands of cases run in a row.
func soon(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    var spins = 0
    while ContinuousClock.now < deadline {
        if condition() { return true }
        spins += 1
        if spins < 200 { await Task.yield() } else { try? await Task.sleep(for: .milliseconds(1)) }
    }
    return condition()
}

/// Asks again every 200 ms until `condition` holds (for conditions that ask the daemon over HTTP).
func poll(timeout: Duration, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(200))
    }
    return await condition()
}
