import Foundation
import VitrineModel

/// The companion page a visitor's phone opens from a screen's code: the whole exhibit in one of its languages, its
/// pictures, its recordings with captions and transcripts, larger text on request. Plain HTML with no script, no
/// cookie and nothing from elsewhere (it works on a venue network with no internet), and made to be read by screen
/// readers: the page's language set, headings in order, every control named, text at 7:1 contrast or more.
enum VisitorPage {
    /// How a visitor asked for the page.
    struct Request {
        /// `?lang=`: chosen on the page.
        var language: String?
        /// `?shown=`: the language on screen when the code was scanned, if the phone's languages match none.
        var shown: String?
        /// The phone's Accept-Language header.
        var acceptLanguage: String?
        /// `?size=large`.
        var large = false
    }

    /// The language to show: the visitor's choice, else the phone's first language the exhibit is written in, else
    /// the one on screen, else the original.
    static func language(for request: Request, of exhibit: Exhibit) -> String? {
        if let chosen = request.language, exhibit.isWritten(in: chosen) { return chosen }
        for wanted in acceptedLanguages(request.acceptLanguage ?? "") {
            if let match = exhibit.languages.first(where: { Exhibit.sameLanguage($0, wanted) })
                ?? exhibit.languages.first(where: { primary($0) == primary(wanted) }) { return match }
        }
        if let shown = request.shown, exhibit.isWritten(in: shown) { return shown }
        return exhibit.language
    }

    /// Accept-Language's tags, most wanted first (`ru-RU,ru;q=0.9,en;q=0.8` → ru-RU, ru, en).
    static func acceptedLanguages(_ header: String) -> [String] {
        let weighted = header.split(separator: ",").prefix(20).enumerated().compactMap { index, part -> (String, Double, Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first, LanguageTag.isWellFormed(tag) else { return nil }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return q > 0 ? (tag, q, index) : nil
        }
        return weighted.sorted { ($0.1, -$0.2) > ($1.1, -$1.2) }.map(\.0)
    }

    static func primary(_ tag: String) -> String { String(tag.lowercased().split(separator: "-").first ?? "") }

    /// Words of the page itself, in the languages museums label in most; English elsewhere.
    struct Words {
        var languages = "Languages", larger = "Larger text", normal = "Normal text", transcript = "Transcript"
        var sound = "Sound", film = "Film", captions = "Captions"
    }

    static let words: [String: Words] = [
        "ru": Words(languages: "Языки", larger: "Крупный шрифт", normal: "Обычный шрифт", transcript: "Расшифровка",
                    sound: "Звук", film: "Фильм", captions: "Субтитры"),
        "fr": Words(languages: "Langues", larger: "Texte plus grand", normal: "Texte normal",
                    transcript: "Transcription", sound: "Son", film: "Film", captions: "Sous-titres"),
        "de": Words(languages: "Sprachen", larger: "Größere Schrift", normal: "Normale Schrift",
                    transcript: "Transkript", sound: "Ton", film: "Film", captions: "Untertitel"),
        "es": Words(languages: "Idiomas", larger: "Texto más grande", normal: "Texto normal",
                    transcript: "Transcripción", sound: "Sonido", film: "Película", captions: "Subtítulos"),
        "ar": Words(languages: "اللغات", larger: "نص أكبر", normal: "نص عادي", transcript: "النص الكامل",
                    sound: "صوت", film: "فيلم", captions: "ترجمة مكتوبة"),
        "zh": Words(languages: "语言", larger: "放大文字", normal: "正常文字", transcript: "文字稿", sound: "音频",
                    film: "影片", captions: "字幕"),
        "uk": Words(languages: "Мови", larger: "Великий шрифт", normal: "Звичайний шрифт", transcript: "Розшифровка",
                    sound: "Звук", film: "Фільм", captions: "Субтитри"),
    ]

    /// Only this listener's own pictures, recordings and captions; no script at all.
    static let policy = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static func html(exhibit original: Exhibit, request: Request) -> String {
        let language = language(for: request, of: original)
        let exhibit = original.version(in: language)
        let w = language.flatMap { words[primary($0)] } ?? Words()
        let id = original.id.rawValue.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? ""
        let rightToLeft = language.map(LanguageTag.isRightToLeft) ?? false
        func e(_ text: String) -> String { KioskRoutes.escapeHTML(text) }
        func link(_ tag: String?, large: Bool) -> String {
            var query: [String] = []
            if let tag { query.append("lang=" + tag) }
            if large { query.append("size=large") }
            return "/visit/\(id)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&amp;"))
        }
        func media(_ file: String) -> String {
            "/media/\(id)/" + (file.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? file)
        }

        var out = """
            <!doctype html>
            <html lang="\(e(language ?? "und"))" dir="\(rightToLeft ? "rtl" : "ltr")"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>\(e(exhibit.displayTitle))</title>
            <style>
            body{margin:0;background:#fdfcf9;color:#161616;font:\(request.large ? "1.5rem" : "1.1rem")/1.55 serif}
            header,main{max-width:40rem;margin:0 auto;padding:0 1rem}
            header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between;
              padding-top:.75rem;font-family:sans-serif;font-size:.95em}
            nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0}
            a{color:#0a3069}a[aria-current]{font-weight:bold;text-decoration:none;color:#161616}
            a:focus-visible{outline:3px solid #0a3069;outline-offset:2px}
            .series{font-family:sans-serif;color:#3b3b3b;margin:1.5rem 0 0}
            h1{font-family:sans-serif;font-size:1.9em;line-height:1.2;margin:.2rem 0 1rem}
            h2{font-family:sans-serif;font-size:1.3em;margin:2rem 0 .5rem}h3{font-family:sans-serif;font-size:1.1em}
            .summary{font-family:sans-serif;font-size:1.1em}
            blockquote{margin:1.5rem 0 .5rem;font-style:italic;font-size:1.05em}
            figure{margin:1.5rem 0}figcaption{color:#3b3b3b;font-size:.9em}
            img{max-width:100%;height:auto;display:block}
            video{width:100%;max-height:60vh;background:#161616}
            .credit{color:#3b3b3b;font-size:.9em;margin:2rem 0}
            </style></head><body>
            <header>
            <nav aria-label="\(e(w.languages))"><ul>
            """
        // The original first, then its translations; each named in its own language.
        let versions: [String?] = original.language == nil ? [nil] + original.languages : original.languages
        for tag in versions {
            let current = tag == language || (tag.map { l in language.map { Exhibit.sameLanguage(l, $0) } ?? false } ?? false)
            let label = tag.map(LanguageTag.nativeName) ?? original.title
            out += "<li><a href=\"\(link(tag, large: request.large))\""
                + (tag.map { " lang=\"\(e($0))\" hreflang=\"\(e($0))\"" } ?? "")
                + (current ? " aria-current=\"page\"" : "") + ">\(e(label))</a></li>\n"
        }
        out += "</ul></nav>\n<a href=\"\(link(language, large: !request.large))\">"
            + "\(e(request.large ? w.normal : w.larger))</a>\n</header>\n<main>\n"
        if let series = exhibit.series { out += "<p class=\"series\">\(e(series))</p>\n" }
        out += "<h1>\(e(exhibit.title))</h1>\n"
        var recording = 0
        for block in exhibit.blocks {
            switch block {
            case let .heading(level, text):
                // Headings follow the title in order: the body's first level is h2, deeper ones h3.
                let h = level <= 2 ? 2 : 3
                out += "<h\(h)>\(e(text.plain))</h\(h)>\n"
            case let .paragraph(text):
                out += "<p>\(e(text.plain))</p>\n"
            case let .summary(text):
                out += "<p class=\"summary\">\(e(text.plain))</p>\n"
            case let .testimony(t):
                out += "<figure>\n<blockquote>" + t.quote.map { "<p>\(e($0.plain))</p>" }.joined() + "</blockquote>\n"
                let attribution = [t.attribution, t.context.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
                if !attribution.isEmpty { out += "<figcaption>\(e(attribution))</figcaption>\n" }
                out += "</figure>\n"
            case let .image(image):
                out += "<figure><img src=\"\(media(image.file))\" alt=\"\(e(image.alt ?? ""))\""
                    + (image.pixelWidth.map { " width=\"\($0)\"" } ?? "")
                    + (image.pixelHeight.map { " height=\"\($0)\"" } ?? "") + ">"
                let caption = [image.caption, image.credit].compactMap { $0 }.joined(separator: " · ")
                if !caption.isEmpty { out += "<figcaption>\(e(caption))</figcaption>" }
                out += "</figure>\n"
            case let .media(m):
                recording += 1
                let kind = m.kind == .film ? w.film : w.sound
                let title = m.title.map { "\(kind): \($0)" } ?? kind
                // A video element for sound too: browsers show captions only over a video's picture.
                out += "<section aria-labelledby=\"recording-\(recording)\">\n"
                    + "<h2 id=\"recording-\(recording)\">\(e(title))</h2>\n"
                    + "<video controls preload=\"metadata\" playsinline aria-label=\"\(e(title))\""
                    + " src=\"\(media(m.file))\">"
                if let captions = m.captions {
                    out += "<track kind=\"captions\" default src=\"\(media(captions))\""
                        + (language.map { " srclang=\"\(e($0))\"" } ?? "") + " label=\"\(e(w.captions))\">"
                }
                out += "</video>\n"
                if let credit = m.credit { out += "<p class=\"credit\">\(e(credit))</p>\n" }
                if !m.transcript.isEmpty {
                    out += "<h3>\(e(w.transcript))</h3>\n" + m.transcript.map { "<p>\(e($0.plain))</p>\n" }.joined()
                }
                out += "</section>\n"
            }
        }
        return out + "</main>\n</body></html>\n"
    }
}
