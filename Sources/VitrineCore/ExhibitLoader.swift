import Foundation
import Synchronization
import VitrineModel
import VitrinePluginAPI

/// Reads the content folder: one exhibit per subfolder, a Markdown file with YAML front matter and its media.
/// A broken exhibit is reported with file and line and left out; the others still load.
public struct ExhibitLoader: Sendable {
    public static let markdownSizeLimit = 1 << 20
    public static let transcriptSizeLimit = 1 << 20

    /// Exhibits read before, reused while their files are unchanged (the daemon keeps one across reloads).
    public var cache: ExhibitCache?

    public init(cache: ExhibitCache? = nil) { self.cache = cache }

    public struct Result: Sendable {
        public var exhibits: [ExhibitID: Exhibit]
        /// Exhibits found but left out because of errors.
        public var rejected: Set<ExhibitID>
        public var diagnostics: [Diagnostic]
        /// Each exhibit with errors (left out, or read in part), and its most actionable error.
        public var problems: [ExhibitID: Diagnostic] = [:]
        /// Which read of the content folder this is, and what it changed (set when read through a cache).
        public var version: ContentVersion?
    }

    /// A read of the content folder through a cache, numbered: one patched from the read before says which exhibits
    /// it read again, so that what depends on the rest need not compare 10,000 of them to find out.
    public struct ContentVersion: Sendable {
        public var number: Int
        /// The read this one was patched from; nil when the folder was read whole.
        public var patchedFrom: Int?
        /// The exhibits read again (only they can differ from read `patchedFrom`).
        public var reread: Set<ExhibitID> = []
        /// No exhibit came or went, none was left out or taken back since read `patchedFrom`.
        public var sameNames = false
    }

    public func loadFolder(_ folder: String) -> Result {
        if let cache, let last = cache.lastReading(of: folder) {
            return patched(last.reading, changed: last.changed, since: last.now, cache: cache)
        }
        // Before anything is listed or looked at: what changes from here on is reported to the next read.
        let since = cache?.since(folder)
        var result = Result(exhibits: [:], rejected: [], diagnostics: [])
        guard let listing = Self.entries(of: folder) else {
            result.diagnostics.append(Diagnostic(.error, file: folder, "cannot read the content folder"))
            return result
        }
        // Exhibits are independent: read them on every core, then merge in name order so messages come out the
        // same way each time.
        let candidates = listing.filter { !$0.name.hasPrefix(".") }.sorted { $0.name < $1.name }
        let paths = candidates.map { folder + "/" + $0.name }
        // What the content watcher saw no change in is served as it is; the rest is looked at, on every core.
        // (Arrays by index, not dictionaries: at 10,000 exhibits a reload is mostly this bookkeeping.)
        var exhibits = [Exhibit?](repeating: nil, count: candidates.count)
        var diagnostics = [[Diagnostic]](repeating: [], count: candidates.count)
        var done = [Bool](repeating: false, count: candidates.count)
        cache?.unchanged(paths) { index, exhibit, found in
            guard candidates[index].isDirectory else { return }
            exhibits[index] = exhibit
            diagnostics[index] = found
            done[index] = true
        }
        let left = candidates.indices.filter { !done[$0] }
        let outcomes = Mutex<[Int: (Exhibit?, [Diagnostic])]>([:])
        DispatchQueue.concurrentPerform(iterations: left.count) { position in
            let index = left[position]
            let name = candidates[index].name
            let path = paths[index]
            let outcome: (Exhibit?, [Diagnostic])
            if candidates[index].isDirectory {
                let id = ExhibitID(name)
                outcome = cache.map { $0.exhibit(in: path) { loadExhibit(id: id, folder: path) } }
                    ?? loadExhibit(id: id, folder: path)
            } else if name.hasSuffix(".md") {
                outcome = (nil, [Diagnostic(.warning, file: path,
                    "not shown: an exhibit is a folder (move this file to \(name.dropLast(3))/exhibit.md)")])
            } else {
                return
            }
            outcomes.withLock { $0[index] = outcome }
        }
        for (index, outcome) in outcomes.withLock({ $0 }) {
            (exhibits[index], diagnostics[index]) = outcome
        }
        cache?.keep(only: Set(paths))
        result = Self.result(candidates: candidates, exhibits: exhibits, diagnostics: diagnostics)
        if let cache, let since {
            result.version = ContentVersion(number: cache.nextVersion())
            var positions: [String: Int] = [:]
            positions.reserveCapacity(paths.count)
            for (index, path) in paths.enumerated() { positions[path] = index }
            cache.remember(ExhibitCache.Reading(folder: folder, candidates: candidates, paths: paths,
                                                positions: positions, diagnostics: diagnostics,
                                                result: result, alwaysLooked: cache.alwaysLooked(paths)),
                           since: since)
        }
        return result
    }

    /// The content folder as last read, with the exhibit folders reported changed since (and those looked at every
    /// time) read again: the rest of the result stands as it was.
    func patched(_ kept: consuming ExhibitCache.Reading, changed: Set<String>, since: ExhibitCache.Since,
                 cache: ExhibitCache) -> Result {
        var reading = kept
        let indexes: [Int] = Array(Set(changed.compactMap { reading.positions[$0] } + reading.alwaysLooked)).sorted()
        let candidates = reading.candidates, paths = reading.paths
        let outcomes = Mutex<[Int: (Exhibit?, [Diagnostic])]>([:])
        DispatchQueue.concurrentPerform(iterations: indexes.count) { position in
            let index = indexes[position]
            guard candidates[index].isDirectory else { return }
            let id = ExhibitID(candidates[index].name)
            let path = paths[index]
            let outcome = cache.exhibit(in: path) { loadExhibit(id: id, folder: path) }
            outcomes.withLock { $0[index] = outcome }
        }
        // Moved out, so that only the running program's table of exhibits is copied, once, and nothing else.
        var result = reading.result
        reading.result = Result(exhibits: [:], rejected: [], diagnostics: [])
        var diagnostics = reading.diagnostics
        reading.diagnostics = []
        var version = ContentVersion(number: cache.nextVersion(), patchedFrom: result.version?.number, sameNames: true)
        var messagesChanged = false
        for (index, outcome) in outcomes.withLock({ $0 }) {
            messagesChanged = messagesChanged || !diagnostics[index].isEmpty || !outcome.1.isEmpty
            diagnostics[index] = outcome.1
            let id = ExhibitID(candidates[index].name)
            version.reread.insert(id)
            let wasLeftOut = result.rejected.contains(id), wasShown = result.exhibits[id] != nil
            defer {
                if wasShown != (result.exhibits[id] != nil) || wasLeftOut != result.rejected.contains(id) {
                    version.sameNames = false
                }
            }
            result.exhibits[id] = outcome.0
            if outcome.0 == nil && !outcome.1.errors.isEmpty { result.rejected.insert(id) } else {
                result.rejected.remove(id)
            }
            result.problems[id] = outcome.1.errorsMostActionableFirst.first
        }
        if messagesChanged { result.diagnostics = diagnostics.flatMap { $0 } }
        reading.diagnostics = diagnostics
        result.version = version
        reading.result = result
        if !indexes.isEmpty {
            // Those looked at always are among `indexes`: which of them still must be.
            reading.alwaysLooked = cache.alwaysLooked(indexes.map { reading.paths[$0] }).map { indexes[$0] }
        }
        cache.remember(reading, since: since)
        return result
    }

    /// The result of a folder's entries in name order, with what was read from each.
    static func result(candidates: [(name: String, isDirectory: Bool)], exhibits: [Exhibit?],
                       diagnostics: [[Diagnostic]]) -> Result {
        var result = Result(exhibits: [:], rejected: [], diagnostics: [])
        result.exhibits.reserveCapacity(candidates.count)
        for index in candidates.indices {
            let id = ExhibitID(candidates[index].name)
            if !diagnostics[index].isEmpty {
                result.diagnostics += diagnostics[index]
                if let first = diagnostics[index].errorsMostActionableFirst.first { result.problems[id] = first }
            }
            if let exhibit = exhibits[index] {
                result.exhibits[id] = exhibit
            } else if !diagnostics[index].errors.isEmpty {
                result.rejected.insert(id)
            }
        }
        return result
    }

    /// The names in a folder and whether each is a folder (links followed), from the directory's own entries: a
    /// stat for each of 10,000 exhibits at every reload only where the file system does not say.
    static func entries(of folder: String) -> [(name: String, isDirectory: Bool)]? {
        guard let directory = opendir(folder) else { return nil }
        defer { closedir(directory) }
        var entries: [(name: String, isDirectory: Bool)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != ".", name != ".." else { continue }
            let type = entry.pointee.d_type
            var isDirectory = type == UInt8(DT_DIR)
            if type == UInt8(DT_UNKNOWN) || type == UInt8(DT_LNK) {
                var status = stat()
                isDirectory = stat(folder + "/" + name, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
            }
            entries.append((name, isDirectory))
        }
        return entries
    }

    /// The Markdown file of an exhibit folder: `exhibit.md`, or the only `.md` file there.
    func markdownFile(in folder: String) -> Swift.Result<String, Diagnostic> {
        let preferred = (folder as NSString).appendingPathComponent("exhibit.md")
        if FileManager.default.fileExists(atPath: preferred) { return .success(preferred) }
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") && $0.lowercased() != "readme.md" }.sorted()
        // `solidarity.ru.md` beside `solidarity.md` is its translation, not a second exhibit.
        let markdown = all.filter { !Translations.isTranslation($0, among: all) }
        if markdown.count == 1 { return .success((folder as NSString).appendingPathComponent(markdown[0])) }
        let reason = markdown.isEmpty ? "no exhibit.md in the exhibit folder"
            : "several Markdown files (\(markdown.joined(separator: ", "))); name the exhibit's exhibit.md"
        return .failure(Diagnostic(.error, file: folder, reason))
    }

    public func loadExhibit(id: ExhibitID, folder: String) -> (Exhibit?, [Diagnostic]) {
        let file: String
        switch markdownFile(in: folder) {
        case let .success(path): file = path
        case let .failure(diagnostic): return (nil, [diagnostic])
        }
        let log = DiagnosticLog(file: file)
        guard var exhibit = readFile(file, id: id, folder: folder, log: log) else { return (nil, log.items) }
        Translations.read(into: &exhibit, file: file, folder: folder, loader: self, log: log)
        return (exhibit, log.items)
    }

    /// One Markdown file of an exhibit (the original or a translation), read and parsed.
    func readFile(_ file: String, id: ExhibitID, folder: String, log: DiagnosticLog) -> Exhibit? {
        guard ContentFolder.holds(file, exhibitFolder: folder) else {
            log.error("a link leading out of the content folder: copy the exhibit itself into \(folder)")
            return nil
        }
        switch TextFile.read(file, limit: Self.markdownSizeLimit) {
        case let .failure(failure):
            let (message, line, column) = TextFile.describe(failure)
            log.error(message, line: line, column: column)
            return nil
        case let .success(text):
            return parse(text, id: id, folder: folder, file: file, log: log)
        }
    }

    // MARK: Front matter and body

    func parse(_ source: String, id: ExhibitID, folder: String, file: String, log: DiagnosticLog) -> Exhibit? {
        let split = FrontMatter.split(source)
        if split.unclosed {
            log.error("front matter opened with '---' on line 1 is never closed with '---'", line: 1, column: 1)
            return nil
        }
        if let bad = source.unicodeScalars.first(where: { $0.value < 0x20 && !["\n", "\r", "\t"].contains($0) }) {
            let prefix = source.unicodeScalars.prefix { $0 != bad }
            let line = prefix.filter { $0 == "\n" }.count + 1
            let lineStart = prefix.lastIndex(of: "\n").map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0
            let column = prefix.count - lineStart + 1
            log.error("control character U+\(String(bad.value, radix: 16, uppercase: true)) in text", line: line,
                      column: column)
            return nil
        }
        let frontMatter = split.frontMatter
        let bodyStart = split.bodyLine - 1

        let fmLog = DiagnosticLog(file: file, lineOffset: 1)
        // An empty front matter, or one that is only a blank value, holds no keys.
        var fields = OptionsReader(path: "", entries: [], line: 1, column: 1)
        var parsed = frontMatter.isEmpty
        if !frontMatter.isEmpty, let root = YAMLDocument.parse(frontMatter, log: fmLog) {
            parsed = true
            if root.text?.isEmpty ?? false {
                fields = OptionsReader(path: "", entries: [], line: 1, column: 1)
            } else if case let .map(entries) = root.value {
                fields = OptionsReader(path: "", entries: entries, line: root.line, column: root.column)
                fields.accept(ExhibitKeys.frontMatter, place: "front matter")
            } else {
                fields.error("front matter: expected a mapping of keys, found \(root.kind)", at: root)
                parsed = false
            }
        }
        let reader = fields
        defer {
            fmLog.append(reader.problems)
            log.append(contentsOf: fmLog.items)
        }
        if !parsed { return nil }

        let body = Markdown.parse(split.body)
        let bodyLineOffset = bodyStart

        var exhibit = Exhibit(id: id, title: "", blocks: [], sourcePath: file)
        exhibit.series = reader[ExhibitKeys.series].map(smartened)
        exhibit.summary = reader[ExhibitKeys.summary].map(smartened)
        exhibit.accession = reader[ExhibitKeys.accession]
        exhibit.credit = reader[ExhibitKeys.credit].map(smartened)
        exhibit.language = reader[ExhibitKeys.language]
        exhibit.validFrom = reader[ExhibitKeys.validFrom]
        exhibit.validUntil = reader[ExhibitKeys.validUntil]
        if let from = exhibit.validFrom, let until = exhibit.validUntil, until < from {
            reader.problem("valid-until", "\(until) is before valid-from \(from)")
        }
        if let duration = reader[ExhibitKeys.pageDuration] { exhibit.pageDuration = duration }

        var bodyBlocks = body
        if let title = reader[ExhibitKeys.title].map(smartened) {
            exhibit.title = title
        } else if case let .heading(1, heading, _)? = bodyBlocks.first {
            exhibit.title = heading.plain
            bodyBlocks.removeFirst()
        } else {
            log.error("no title: add 'title:' to the front matter or start the text with '# Title'", line: 1, column: 1)
            return nil
        }

        var blocks: [Block] = []
        if let n = reader[ExhibitKeys.testimony] {
            for (index, item) in reader.list(n, at: "testimony").enumerated() {
                if let testimony = readTestimony(item, "testimony[\(index)]", reader: reader) {
                    blocks.append(.testimony(testimony))
                }
            }
        }
        if let summary = exhibit.summary { blocks.append(.summary(RichText(summary))) }

        var images: [(ImageBlock, OptionNode)] = []
        if let n = reader[ExhibitKeys.images], let items = reader.sequence(n, at: "images") {
            for (index, item) in items.enumerated() {
                if let image = readImage(item, "images[\(index)]", reader: reader) { images.append((image, item)) }
            }
        }
        var placedImages: Set<String> = []
        let media = MediaChecker(folder: folder, log: log, reader: reader)

        func convert(_ block: Markdown.Block) -> [Block] {
            switch block {
            case let .heading(level, text, _): return [.heading(level: level, text: text)]
            case let .paragraph(text, _): return [.paragraph(text)]
            case let .code(code, _): return [.paragraph(RichText([TextSpan(code, style: .code)]))]
            case let .html(line, column):
                log.warning("raw HTML is not shown on screens", line: line + bodyLineOffset, column: column)
                return []
            case let .list(items, ordered, start, _):
                return items.enumerated().flatMap { index, item in
                    item.flatMap(convert).enumerated().map { position, b -> Block in
                        guard position == 0, case let .paragraph(text) = b else { return b }
                        return .paragraph(RichText([TextSpan(ordered ? "\(start + index). " : "• ")] + text.spans))
                    }
                }
            case let .quote(inner, _):
                return [.testimony(testimony(fromQuote: inner))]
            case let .image(url, alt, title, line, column):
                var image = images.first { $0.0.file == url }?.0 ?? ImageBlock(file: url)
                if image.alt == nil, !alt.isEmpty { image.alt = alt }
                if image.caption == nil, !title.isEmpty { image.caption = title }
                placedImages.insert(url)
                guard let checked = media.image(image, line: line + bodyLineOffset, column: column, node: nil)
                else { return [] }
                return [.image(checked)]
            }
        }
        blocks += bodyBlocks.flatMap(convert)
        for (image, node) in images where !placedImages.contains(image.file) {
            if let checked = media.image(image, line: nil, node: node) { blocks.append(.image(checked)) }
        }
        if let n = reader[ExhibitKeys.media], let items = reader.sequence(n, at: "media") {
            for (index, item) in items.enumerated() {
                if let block = media.media(item, "media[\(index)]") { blocks.append(.media(block)) }
            }
        }
        if exhibit.credit != nil || exhibit.accession != nil {
            // Shown as the exhibit's last line, like a label's credit line.
            let parts = [exhibit.credit, exhibit.accession.map { "Acc. \($0)" }].compactMap { $0 }
            blocks.append(.paragraph(RichText([TextSpan(parts.joined(separator: " · "), style: .emphasis)])))
        }
        if blocks.isEmpty {
            log.warning("the exhibit has a title but nothing else to show", line: 1, column: 1)
        }
        exhibit.blocks = blocks
        return exhibit
    }

    func readTestimony(_ node: OptionNode, _ path: String, reader: OptionsReader) -> Testimony? {
        guard let f = reader.mapping(node, at: path) else { return nil }
        f.accept(ExhibitKeys.testimonyKeys)
        guard let quote = f[ExhibitKeys.quote] else { return nil }
        let speaker = f[ExhibitKeys.speaker].map(smartened)
        if speaker == nil { f.warning("no speaker: the quote will be shown unattributed") }
        return Testimony(quote: Markdown.paragraphs(quote), speaker: speaker, role: f[ExhibitKeys.role].map(smartened),
                         context: f[ExhibitKeys.context].map(smartened))
    }

    func readImage(_ node: OptionNode, _ path: String, reader: OptionsReader) -> ImageBlock? {
        guard let f = reader.mapping(node, at: path) else { return nil }
        f.accept(ExhibitKeys.imageKeys)
        guard let file = f[ExhibitKeys.file] else { return nil }
        return ImageBlock(file: file, alt: f[ExhibitKeys.alt], caption: f[ExhibitKeys.caption].map(smartened),
                          credit: f[ExhibitKeys.imageCredit].map(smartened))
    }

    /// A blockquote in the body is a testimony; a last paragraph starting with a dash is its attribution:
    /// `— Anton Weiss, net-mender (recorded in 1971)`.
    func testimony(fromQuote blocks: [Markdown.Block]) -> Testimony {
        var paragraphs: [RichText] = blocks.compactMap {
            if case let .paragraph(text, _) = $0 { text } else { nil }
        }
        var testimony = Testimony(quote: paragraphs)
        if let last = paragraphs.last?.plain, let first = last.first, "—–―-".contains(first) {
            var attribution = last.drop { "—–―- ".contains($0) }.trimmingCharacters(in: .whitespaces)
            if attribution.hasSuffix(")"), let open = attribution.range(of: " (", options: .backwards) {
                testimony.context = String(attribution[open.upperBound...].dropLast())
                attribution = String(attribution[..<open.lowerBound])
            }
            if let comma = attribution.firstIndex(of: ",") {
                testimony.speaker = attribution[..<comma].trimmingCharacters(in: .whitespaces)
                testimony.role = attribution[attribution.index(after: comma)...].trimmingCharacters(in: .whitespaces)
            } else {
                testimony.speaker = attribution
            }
            paragraphs.removeLast()
            testimony.quote = paragraphs
        }
        return testimony
    }
}

/// Curly quotes and dashes for front-matter text, through the same CommonMark smart punctuation as the body.
func smartened(_ text: String) -> String {
    guard text.contains(where: { "'\"-.".contains($0) }) else { return text }
    let paragraphs = Markdown.paragraphs(text)
    guard paragraphs.count == 1 else { return text }
    return paragraphs[0].plain
}

/// Splits `---`-fenced YAML front matter from the Markdown body without copying the file line by line.
enum FrontMatter {
    struct Parts {
        var frontMatter: String
        var body: String
        /// 1-based line on which the body starts.
        var bodyLine: Int
        var unclosed: Bool
    }

    static func split(_ source: String) -> Parts {
        let bytes = Array(source.utf8)
        func lineIs(_ start: Int, _ marker: String) -> Int? {
            let m = Array(marker.utf8)
            guard start + m.count <= bytes.count, Array(bytes[start..<(start + m.count)]) == m else { return nil }
            var end = start + m.count
            if end < bytes.count, bytes[end] == 0x0D { end += 1 }
            if end == bytes.count { return end }
            return bytes[end] == 0x0A ? end + 1 : nil
        }
        guard let firstLineEnd = lineIs(0, "---") else {
            return Parts(frontMatter: "", body: source, bodyLine: 1, unclosed: false)
        }
        var line = 2
        var start = firstLineEnd
        while start <= bytes.count {
            if let after = lineIs(start, "---") ?? lineIs(start, "...") {
                let yaml = String(decoding: bytes[firstLineEnd..<start], as: UTF8.self)
                return Parts(frontMatter: yaml, body: String(decoding: bytes[after...], as: UTF8.self),
                             bodyLine: line + 1, unclosed: false)
            }
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else { break }
            start = newline + 1
            line += 1
        }
        return Parts(frontMatter: "", body: "", bodyLine: 1, unclosed: true)
    }
}
