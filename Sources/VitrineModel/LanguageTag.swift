/// What Vitrine needs to know about a language from its BCP 47 tag (`ar`, `he`, `zh-Hans`, `pt-BR`): the script's
/// direction, and whether a file name's part is a tag at all.
public enum LanguageTag {
    /// Languages written right to left (by primary subtag), and the scripts that are (by script subtag).
    static let rightToLeftLanguages: Set<String> = ["ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku-arab", "ps",
                                                    "sd", "syr", "ug", "ur", "yi"]
    static let rightToLeftScripts: Set<String> = ["arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg"]

    public static func isRightToLeft(_ tag: String) -> Bool {
        let parts = tag.lowercased().split(separator: "-").map(String.init)
        guard let primary = parts.first else { return false }
        if let script = parts.dropFirst().first(where: { $0.count == 4 }) { return rightToLeftScripts.contains(script) }
        return rightToLeftLanguages.contains(primary)
    }

    /// A well-formed tag as Vitrine accepts one: a 2–3 letter language, then subtags of 2–8 letters or digits
    /// (`zh-Hans`, `pt-BR`, `sr-Latn`). Enough to tell `exhibit.ru.md` from `exhibit.draft.md`.
    public static func isWellFormed(_ tag: String) -> Bool {
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        guard let primary = parts.first, (2...3).contains(primary.count),
              primary.allSatisfy({ $0.isASCII && $0.isLetter }) else { return false }
        return parts.dropFirst().allSatisfy { part in
            (2...8).contains(part.count) && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
    }

    /// Each language by its own name, as a visitor looking for theirs reads it.
    static let names: [String: String] = [
        "en": "English", "ru": "Русский", "fr": "Français", "de": "Deutsch", "es": "Español", "it": "Italiano",
        "ar": "العربية", "he": "עברית", "zh": "中文", "zh-hans": "简体中文", "zh-hant": "繁體中文", "ja": "日本語",
        "ko": "한국어", "uk": "Українська", "pl": "Polski", "pt": "Português", "nl": "Nederlands", "tr": "Türkçe",
        "fa": "فارسی", "el": "Ελληνικά", "cs": "Čeština", "sv": "Svenska", "fi": "Suomi", "hu": "Magyar",
    ]

    /// A language's own name (`Русский` for `ru`), else its tag.
    public static func nativeName(_ tag: String) -> String {
        names[tag.lowercased()] ?? names[String(tag.lowercased().split(separator: "-").first ?? "")] ?? tag
    }

}
