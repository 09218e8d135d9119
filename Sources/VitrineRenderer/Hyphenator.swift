import CHyphen
import Foundation
import Synchronization

/// Marks where words may break with soft hyphens (U+00AD), from Debian's hyphenation patterns (libhyphen), so
/// justified text needs no wide gaps. Pango breaks at a soft hyphen and shows a hyphen there.
public final class Hyphenator: Sendable {
    public static let shared = Hyphenator()

    /// Where Debian's hyphen-* packages put their patterns (`hyph_en_US.dic`, `hyph_ru_RU.dic`, `hyph_fr.dic`).
    static let folder = "/usr/share/hyphen"

    /// Languages written in Cyrillic, whose patterns apply to Cyrillic words; other languages' to Latin words.
    static let cyrillicLanguages: Set<String> = ["ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "mn", "tg"]

    private struct Dictionary: @unchecked Sendable {
        let handle: UnsafeMutablePointer<HyphenDict>
        let charset: String
    }
    private let dictionaries = Mutex<[String: Dictionary?]>([:])

    /// Words shorter than this are never broken.
    static let shortestWord = 6

    /// `text` with soft hyphens at every allowed break of its longer words, by the patterns of `language` (the
    /// page's; nil: English, Russian for Cyrillic words); unchanged where no patterns are installed.
    public func softHyphenated(_ text: String, language: String? = nil) -> String {
        var result = ""
        var word = ""
        func flush() {
            result += word.count >= Self.shortestWord ? hyphenate(word, language: language) : word
            word = ""
        }
        for character in text {
            if character.isLetter {
                word.append(character)
            } else {
                flush()
                result.append(character)
            }
        }
        flush()
        return result
    }

    public var isAvailable: Bool { dictionary(for: "en") != nil }

    /// Whose patterns break `word`: the page's language when the word is in its script, else English for Latin and
    /// Russian for Cyrillic words (a name quoted in another alphabet); nil for other scripts, which have none.
    static func patternLanguage(of word: String, in language: String?) -> String? {
        let cyrillic = word.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) }
        let latin = !cyrillic && word.unicodeScalars.allSatisfy { $0.value < 0x0250 }
        guard cyrillic || latin else { return nil }
        if let language, let primary = language.lowercased().split(separator: "-").first,
           cyrillicLanguages.contains(String(primary)) == cyrillic { return language }
        return cyrillic ? "ru" : "en"
    }

    /// The pattern file for a language tag: `hyph_pt_BR.dic` for `pt-BR`, else `hyph_pt.dic`, else the first
    /// `hyph_pt_*.dic` (`hyph_en_US.dic` for `en`).
    static func patternFile(for language: String, in names: [String]) -> String? {
        let parts = language.split(separator: "-").map(String.init)
        guard let primary = parts.first?.lowercased() else { return nil }
        let region = parts.dropFirst().first { $0.count == 2 }?.uppercased()
        let preferred = (region.map { ["hyph_\(primary)_\($0).dic"] } ?? []) + ["hyph_\(primary).dic"]
        for name in preferred where names.contains(name) { return name }
        return names.sorted().first { $0.hasPrefix("hyph_\(primary)_") && $0.hasSuffix(".dic") }
    }

    private func dictionary(for language: String) -> Dictionary? {
        dictionaries.withLock { table in
            if let loaded = table[language] { return loaded }
            var loaded: Dictionary?
            let names = (try? FileManager.default.contentsOfDirectory(atPath: Self.folder)) ?? []
            if let name = Self.patternFile(for: language, in: names),
               case let path = (Self.folder as NSString).appendingPathComponent(name),
               let file = FileHandle(forReadingAtPath: path),
               let head = try? file.read(upToCount: 64), let firstLine = String(data: head, encoding: .isoLatin1)?
                   .split(whereSeparator: \.isNewline).first,
               let handle = hnj_hyphen_load(path)
            {
                try? file.close()
                loaded = Dictionary(handle: handle, charset: firstLine.trimmingCharacters(in: .whitespaces))
            }
            table[language] = .some(loaded)
            return loaded
        }
    }

    private func hyphenate(_ word: String, language: String?) -> String {
        let characters = Array(word)
        guard let patterns = Self.patternLanguage(of: word, in: language), let dictionary = dictionary(for: patterns),
              let encoded = Self.encode(word.lowercased(), charset: dictionary.charset),
              encoded.units.count == characters.count || dictionary.charset == "UTF-8"
        else { return word }
        var hyphens = [CChar](repeating: 0, count: encoded.bytes.count + 5)
        var rep: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        var pos: UnsafeMutablePointer<Int32>?
        var cut: UnsafeMutablePointer<Int32>?
        let status = encoded.bytes.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                hnj_hyphen_hyphenate3(dictionary.handle, $0.baseAddress,
                                      Int32($0.count), &hyphens, nil, &rep, &pos, &cut, 2, 3, 2, 2)
            }
        }
        if let rep {
            for i in 0..<encoded.bytes.count { free(rep[i]) }
            free(rep)
        }
        free(pos)
        free(cut)
        guard status == 0 else { return word }
        // Map byte positions (odd value: a break after that byte) to characters.
        var result = ""
        for (index, character) in characters.enumerated() {
            result.append(character)
            let lastByte = encoded.units[index]
            if index < characters.count - 1, Int(hyphens[lastByte]) & 1 == 1 { result.append("\u{00AD}") }
        }
        return result
    }

    /// The word in the dictionary's character set, and for each character the index of its last byte.
    static func encode(_ word: String, charset: String) -> (bytes: [UInt8], units: [Int])? {
        var bytes: [UInt8] = []
        var units: [Int] = []
        for character in word {
            switch charset.uppercased() {
            case "UTF-8":
                bytes += Array(String(character).utf8)
            case "KOI8-R":
                guard character.unicodeScalars.count == 1, let byte = koi8r[character.unicodeScalars.first!.value]
                else { return nil }
                bytes.append(byte)
            case "ISO8859-1":
                guard character.unicodeScalars.count == 1, let v = character.unicodeScalars.first?.value, v < 256
                else { return nil }
                bytes.append(UInt8(v))
            default:
                return nil
            }
            units.append(bytes.count - 1)
        }
        return (bytes, units)
    }

    /// Lower-case Russian letters in KOI8-R.
    static let koi8r: [UInt32: UInt8] = {
        let letters = Array("юабцдефгхийклмнопярстужвьызшэщчъ")
        var table: [UInt32: UInt8] = [0x0451: 0xA3]  // ё
        for (offset, letter) in letters.enumerated() { table[letter.unicodeScalars.first!.value] = UInt8(0xC0 + offset) }
        return table
    }()
}
