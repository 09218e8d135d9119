import CPangoCairo

/// The font files behind a theme's font names, as fontconfig (and so Pango) picks them: served to kiosk browsers
/// so a smart TV sets the page in the same fonts as the framebuffer, without any font installed on it.
public enum FontFiles {
    /// The file fontconfig chooses for a family and style, or nil when it has none at all.
    public static func path(family: String, bold: Bool, italic: Bool) -> String? {
        Pango.lock.withLock { _ -> String? in
            guard let pattern = FcPatternCreate() else { return nil }
            defer { FcPatternDestroy(pattern) }
            _ = family.withCString { name in
                name.withMemoryRebound(to: FcChar8.self, capacity: family.utf8.count + 1) {
                    FcPatternAddString(pattern, FC_FAMILY, $0)
                }
            }
            FcPatternAddInteger(pattern, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR)
            FcPatternAddInteger(pattern, FC_SLANT, italic ? FC_SLANT_ITALIC : FC_SLANT_ROMAN)
            FcConfigSubstitute(nil, pattern, FcMatchPattern)
            FcDefaultSubstitute(pattern)
            var result = FcResultNoMatch
            guard let match = FcFontMatch(nil, pattern, &result) else { return nil }
            defer { FcPatternDestroy(match) }
            var file: UnsafeMutablePointer<FcChar8>?
            guard FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch, let file else { return nil }
            return String(cString: file)
        }
    }
}
