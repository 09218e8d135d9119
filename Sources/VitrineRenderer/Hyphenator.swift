import CHyphen
import Foundation
import Synchronization

/// Marks where words may break with soft hyphens (U+00AD), from Debian's hyphenation patterns (libhyphen), so
/// justified text needs no wide gaps. Pango breaks at a soft hyphen and shows a hyphen there.
public final class Hyphenator: Sendable {
    public static let shared = Hyphenator()

    /// Pattern files by language, from the hyphen-en-us and hyphen-ru packages.
    static let patterns = ["en": "/usr/share/hyphen/hyph_en_US.dic", "ru": "/usr/share/hyphen/hyph_ru_RU.dic"]

    private struct Dictionary: @unchecked Sendable {
        let handle: UnsafeMutablePointer<HyphenDict>
        let charset: String
    }
    private let dictionaries = Mutex<[String: Dictionary?]>([:])

    /// Words shorter than this are never broken.
    static let shortestWord = 6

    /// `text` with soft hyphens at every allowed break of its longer words; unchanged where no patterns exist.
    public func softHyphenated(_ text: String) -> String {
        var result = ""
        var word = ""
        func flush() {
            result += word.count >= Self.shortestWord ? hyphenate(word) : word
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

    private func language(of word: String) -> String {
        word.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) } ? "ru" : "en"
    }

    private func dictionary(for language: String) -> Dictionary? {
        dictionaries.withLock { table in
            if let loaded = table[language] { return loaded }
            var loaded: Dictionary?
            if let path = Self.patterns[language], let file = FileHandle(forReadingAtPath: path),
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

    private func hyphenate(_ word: String) -> String {
        let characters = Array(word)
        guard let dictionary = dictionary(for: language(of: word)),
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
