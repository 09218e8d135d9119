import VitrineModel

/// Reads the cues of a WebVTT captions file (https://www.w3.org/TR/webvtt1/): timings and text, the way browsers
/// read them; cue settings, styles, regions and notes are skipped, tags inside a cue's text removed.
public enum WebVTT {
    public struct Problem: Error, Hashable {
        public var line: Int
        public var message: String
        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }
    }

    public static func cues(_ text: String) -> Result<[CaptionCue], Problem> {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        guard let first = lines.first, first.hasPrefix("WEBVTT"),
              first.count == 6 || first.dropFirst(6).first == " " || first.dropFirst(6).first == "\t"
        else { return .failure(Problem(line: 1, message: "not a WebVTT file (it must start with WEBVTT)")) }
        var cues: [CaptionCue] = []
        var index = 1
        while index < lines.count {
            // Blocks are separated by blank lines; a block with "-->" on its first or second line is a cue.
            while index < lines.count, lines[index].trimmingCharacters(in: .whitespaces).isEmpty { index += 1 }
            guard index < lines.count else { break }
            var block: [(Int, String)] = []
            while index < lines.count, !lines[index].trimmingCharacters(in: .whitespaces).isEmpty {
                block.append((index + 1, lines[index]))
                index += 1
            }
            guard let timing = block.prefix(2).firstIndex(where: { $0.1.contains("-->") }) else { continue }
            let (line, timingLine) = block[timing]
            let parts = timingLine.components(separatedBy: "-->")
            let endPart = parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            guard let start = time(parts[0].trimmingCharacters(in: .whitespaces)),
                  let end = time(String(endPart.prefix { !$0.isWhitespace }))
            else {
                return .failure(Problem(line: line, message: "expected a cue timing such as "
                    + "00:00:01.000 --> 00:00:04.000, found '\(timingLine)'"))
            }
            guard end > start else {
                return .failure(Problem(line: line, message: "the cue ends before it starts"))
            }
            let words = block[(timing + 1)...].map { stripTags($0.1) }.joined(separator: "\n")
            cues.append(CaptionCue(start: start, end: end, text: words))
        }
        return .success(cues.sorted { $0.start < $1.start })
    }

    /// `hh:mm:ss.ttt` or `mm:ss.ttt`, in milliseconds.
    static func time(_ text: String) -> Int64? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, let last = parts.last else { return nil }
        let secondParts = last.split(separator: ".", omittingEmptySubsequences: false)
        guard secondParts.count == 2, secondParts[1].count == 3, secondParts[0].count == 2,
              let seconds = Int64(secondParts[0]), let millis = Int64(secondParts[1]), seconds < 60
        else { return nil }
        var total = seconds * 1000 + millis
        let minutes = parts[parts.count - 2]
        guard minutes.count == 2, let m = Int64(minutes), m < 60 else { return nil }
        total += m * 60_000
        if parts.count == 3 {
            guard parts[0].count >= 2, let h = Int64(parts[0]) else { return nil }
            total += h * 3_600_000
        }
        return total
    }

    /// A cue's text without its tags (`<v Jacques>`, `<i>`), entities decoded.
    static func stripTags(_ text: String) -> String {
        var result = ""
        var inTag = false
        for character in text {
            if character == "<" { inTag = true } else if character == ">" { inTag = false } else if !inTag {
                result.append(character)
            }
        }
        return result.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&nbsp;", with: "\u{00A0}").replacingOccurrences(of: "&amp;", with: "&")
    }
}
