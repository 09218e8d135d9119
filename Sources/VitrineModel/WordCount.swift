/// Words in a text as reading time counts them. Chinese and Japanese are written without spaces between words: there
/// each two characters count as a word (readers of those scripts take in about twice as many characters a minute as
/// readers of English take in words), so a Chinese page is up about as long as its English translation.
public enum WordCount {
    public static func of<S: StringProtocol>(_ text: S) -> Int {
        // Most panels are written in ASCII, where every run of characters between blanks is one word: counted on
        // the bytes, since the Unicode properties `unicodeWords` looks up cost a seventh of laying out 1,000 exhibits.
        asciiWords(text.utf8) ?? unicodeWords(text)
    }

    static func unicodeWords<S: StringProtocol>(_ text: S) -> Int {
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

    /// The words of an ASCII text (what the general count gives it: no letter there is written without spaces), nil
    /// when the text is not ASCII.
    static func asciiWords(_ bytes: some Sequence<UInt8>) -> Int? {
        var words = 0, inWord = false
        for byte in bytes {
            guard byte < 0x80 else { return nil }
            // Blanks as Swift's `isWhitespace` has them in ASCII: space, tab, line feed, vertical tab, form feed,
            // carriage return.
            let blank = byte == 0x20 || (0x09...0x0D).contains(byte)
            if !blank, !inWord { words += 1 }
            inWord = !blank
        }
        return words
    }

    /// Han ideographs, and Japanese kana.
    static func isWrittenWithoutSpaces(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isIdeographic || (0x3040...0x30FF).contains(scalar.value)
    }
}
