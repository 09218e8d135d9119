import CPangoCairo
import VitrinePluginAPI

/// Which characters of a text no installed font can draw: Pango falls back through every font fontconfig knows, so
/// a character it still shows as a box (an "unknown glyph") needs a font for its script installed (Debian's
/// fonts-noto-core, fonts-noto-cjk, …). `vitrine check` warns with the first few.
public enum FontCoverage {
    /// The characters of `text` no font draws, in order of first use (at most `limit`), and how many there are.
    public static func uncovered(in text: String, limit: Int = 5) -> (characters: [Character], count: Int) {
        var seen = Set<Character>()
        var distinct: [Character] = []
        for character in text where !seen.contains(character) {
            seen.insert(character)
            // Spaces, controls and invisible formatting (soft hyphen, joiners) draw no glyph of their own.
            guard let first = character.unicodeScalars.first, first.value > 0x7E,
                  !character.isWhitespace, first.properties.generalCategory != .format,
                  first.properties.generalCategory != .control else { continue }
            distinct.append(character)
        }
        guard !distinct.isEmpty else { return ([], 0) }
        return Pango.lock.withLock { _ in
            let layout = Pango.sharedLayout()
            let description = Pango.fontDescription(PixelLayout.Font(family: "sans", size: 20))
            defer { pango_font_description_free(description) }
            pango_layout_set_font_description(layout, description)
            pango_layout_set_width(layout, -1)
            func unknown(_ text: String) -> Int {
                pango_layout_set_text(layout, text, Int32(text.utf8.count))
                return Int(pango_layout_get_unknown_glyphs_count(layout))
            }
            // One layout answers for the whole text when every character is covered, the usual case.
            guard unknown(String(distinct)) > 0 else { return ([], 0) }
            let missing = distinct.filter { unknown(String($0)) > 0 }
            return (Array(missing.prefix(limit)), missing.count)
        }
    }
}
