import Foundation
import VitrineModel

/// An exhibit's translations: `exhibit.ru.md`, `exhibit.zh-Hans.md` beside the original `exhibit.md`, each a whole
/// exhibit file in its language, read and checked as any exhibit is. What a translation leaves out that the
/// original has (a summary, a testimony, a transcript, an image's description) is a warning in that file: visitors
/// reading that language would miss it.
enum Translations {
    /// The language of `name` when it is a translation of the original `original` (`exhibit.md` → `exhibit.ru.md`).
    static func language(of name: String, original: String) -> String? {
        let stem = original.hasSuffix(".md") ? String(original.dropLast(3)) : original
        guard name.hasPrefix(stem + "."), name.hasSuffix(".md"), name.count > stem.count + 4 else { return nil }
        let tag = String(name.dropFirst(stem.count + 1).dropLast(3))
        return LanguageTag.isWellFormed(tag) ? tag : nil
    }

    /// Whether `name` is a translation of another Markdown file among `names`.
    static func isTranslation(_ name: String, among names: [String]) -> Bool {
        names.contains { $0 != name && language(of: name, original: $0) != nil }
    }

    /// Reads the translations of `original` (read from `file` in `folder`) and adds them to it.
    static func read(into original: inout Exhibit, file: String, folder: String, loader: ExhibitLoader,
                     log: DiagnosticLog) {
        let originalName = (file as NSString).lastPathComponent
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        let found = names.compactMap { name in language(of: name, original: originalName).map { (name, $0) } }
        guard !found.isEmpty else { return }
        if original.language == nil {
            log.warning("translated (\(found.map(\.0).joined(separator: ", "))) but the original does not say its "
                + "language: add 'language:' to its front matter (e.g. language: en) so screens can choose it",
                line: 1, column: 1)
        }
        for (name, language) in found {
            let path = (folder as NSString).appendingPathComponent(name)
            let translationLog = DiagnosticLog(file: path)
            defer { log.append(contentsOf: translationLog.items) }
            if let own = original.language, Exhibit.sameLanguage(own, language) {
                translationLog.error("a translation into \(language), the original's own language: left out (merge "
                    + "it into \(originalName), or correct the file name)", line: 1, column: 1)
                continue
            }
            guard let translation = loader.readFile(path, id: original.id, folder: folder, log: translationLog)
            else { continue }
            original.translations[language] = completed(translation, language: language, original: original,
                                                        originalName: originalName, log: translationLog)
        }
    }

    /// The translation with what belongs to the exhibit rather than its text taken from the original (loan dates,
    /// page timing; pictures and recordings when it names none), and a warning for each part it lacks.
    static func completed(_ read: Exhibit, language: String, original: Exhibit, originalName: String,
                          log: DiagnosticLog) -> Exhibit {
        var translation = read
        if let declared = read.language, !Exhibit.sameLanguage(declared, language) {
            log.warning("'language: \(declared)' but the file name says \(language); \(language) is used", line: 1,
                        column: 1)
        }
        translation.language = language
        if read.validFrom != original.validFrom || read.validUntil != original.validUntil,
           read.validFrom != nil || read.validUntil != nil {
            log.warning("a translation's loan dates are ignored: the original's (\(originalName)) hold for every "
                + "language", line: 1, column: 1)
        }
        translation.validFrom = original.validFrom
        translation.validUntil = original.validUntil
        translation.pageDuration = read.pageDuration ?? original.pageDuration

        func missing(_ what: String) {
            log.warning("\(what) (\(originalName) has it): visitors reading \(language) will miss it", line: 1,
                        column: 1)
        }
        if original.summary != nil, read.summary == nil { missing("no summary") }
        let testimonies = { (e: Exhibit) in e.blocks.filter { if case .testimony = $0 { true } else { false } }.count }
        if testimonies(read) < testimonies(original) {
            missing("\(testimonies(read)) of the original's \(testimonies(original)) testimonies")
        }
        let images = { (e: Exhibit) in e.blocks.compactMap { if case let .image(i) = $0 { i } else { nil } } }
        let media = { (e: Exhibit) in e.blocks.compactMap { if case let .media(m) = $0 { m } else { nil } } }
        var inherited: [Block] = []
        if images(read).isEmpty, !images(original).isEmpty {
            inherited += images(original).map(Block.image)
            missing("no pictures named; the original's are shown with their own descriptions and captions")
        } else {
            for image in images(original) where image.alt != nil {
                let own = images(read).first { $0.file == image.file }
                if own == nil { missing("picture \(image.file) not shown") }
                else if own?.alt == nil { missing("no description ('alt') of \(image.file)") }
            }
        }
        if media(read).isEmpty, !media(original).isEmpty {
            inherited += media(original).map(Block.media)
            missing("no recordings named; the original's are played with their own transcripts")
        } else {
            for recording in media(original) {
                guard let own = media(read).first(where: { $0.file == recording.file }) else {
                    missing("recording \(recording.file) not named")
                    continue
                }
                if !recording.transcript.isEmpty, own.transcript.isEmpty {
                    missing("no transcript of \(recording.file)")
                }
                if recording.captions != nil, own.captions == nil { missing("no captions for \(recording.file)") }
            }
        }
        if !inherited.isEmpty {
            // Before the credit line, which ends an exhibit.
            let creditAt = (read.credit != nil || read.accession != nil) ? max(0, translation.blocks.count - 1)
                : translation.blocks.count
            translation.blocks.insert(contentsOf: inherited, at: creditAt)
        }
        return translation
    }
}
