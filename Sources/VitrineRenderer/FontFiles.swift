import Foundation
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

    /// What page layouts depend on beyond the page, theme and surface: Pango's version, every font fontconfig offers
    /// (file, size, modification time) and the hyphenation dictionaries. Pages laid out under another fingerprint are
    /// not trusted (a font added, updated or removed changes where lines break).
    public static func layoutFingerprint() -> String {
        var parts = ["pango \(String(cString: pango_version_string()))"]
        var files: [String] = Pango.lock.withLock { _ in
            var files: [String] = []
            guard let set = FcConfigGetFonts(nil, FcSetSystem) else { return files }
            for index in 0..<Int(set.pointee.nfont) {
                var file: UnsafeMutablePointer<FcChar8>?
                if let font = set.pointee.fonts[index], FcPatternGetString(font, FC_FILE, 0, &file) == FcResultMatch,
                   let file
                {
                    files.append(String(cString: file))
                }
            }
            return files
        }
        let dictionaries = (try? FileManager.default.contentsOfDirectory(atPath: Hyphenator.folder)) ?? []
        files += dictionaries.map { Hyphenator.folder + "/" + $0 }
        for file in Set(files).sorted() {
            var status = stat()
            guard stat(file, &status) == 0 else { continue }
            parts.append("\(file) \(status.st_size) \(status.st_mtim.tv_sec)")
        }
        return parts.joined(separator: "\n")
    }
}
