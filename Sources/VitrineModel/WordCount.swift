/// Words in a text as reading time counts them. Chinese and Japanese are written without spaces between words: there
/// each two characters count as a word (readers of those scripts take in about twice as many characters a minute as
/// readers of English take in words), so a Chinese page is up about as long as its English translation.
public enum WordCount {
    public static func of<S: StringProtocol>(_ text: S) -> Int {
        var words = 0
        for token in text.split(whereSeparator: \.isWhitespace) {
            var characters = 0, spelled = false
            for scalar in token.unicodeScalars {
                if isWrittenWithoutSpaces(scalar) {
                    characters += 1
                } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                    spelled = true
                }
            }
            words += (characters + 1) / 2 + (spelled || characters == 0 ? 1 : 0)
        }
        return words
    }

    /// Han ideographs, and Japanese kana.
    static func isWrittenWithoutSpaces(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isIdeographic || (0x3040...0x30FF).contains(scalar.value)
    }
}
