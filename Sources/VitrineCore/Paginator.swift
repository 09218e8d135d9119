import VitrineModel
import VitrinePluginAPI

/// Splits an exhibit into pages that fit one surface, using that surface's own measurer.
/// Pages never overflow and lines are never cut; a break prefers a paragraph end, then a sentence end; a heading
/// is never the last line of a page; a testimony keeps its attribution with its last lines.
public struct Paginator: Sendable {
    public init() {}

    /// One line (or image) in the flow, with what the break rules need to know about it.
    struct Unit {
        enum Content {
            case line(PageLine)
            case image(ImageBlock, height: Double)
        }
        var content: Content
        var role: TextRole
        /// Index of the block this unit belongs to; a change starts a new page item.
        var block: Int
        var spaceBefore: Double
        var firstOfBlock: Bool
        var lastOfBlock: Bool
        var endsSentence: Bool
        /// No page break may come right after this unit.
        var keepWithNext: Bool
        var inTestimony: Bool

        var height: Double {
            switch content {
            case let .line(line): line.height
            case let .image(_, height): height
            }
        }
    }

    public func paginate(_ exhibit: Exhibit, measurer: some PageMeasurer) -> [Page] {
        let units = flow(exhibit, measurer: measurer)
        var pages: [[Unit]] = []
        var start = 0
        while start < units.count {
            let capacity = max(pages.isEmpty ? measurer.firstPageHeight : measurer.pageHeight, 1)
            let end = breakPoint(units, from: start, capacity: capacity)
            pages.append(Array(units[start..<end]))
            start = end
        }
        if pages.isEmpty { pages = [[]] }
        let media = exhibit.blocks.compactMap { if case let .media(m) = $0 { m } else { nil } }
        let folder = exhibit.sourcePath.isEmpty ? nil
            : String(exhibit.sourcePath[..<(exhibit.sourcePath.lastIndex(of: "/") ?? exhibit.sourcePath.endIndex)])
        var result = pages.enumerated().map { index, units in
            Page(exhibit: exhibit.id, series: exhibit.series, title: exhibit.title, index: index, count: pages.count,
                 items: items(units), words: units.reduce(0) { $0 + words(in: $1) }, mediaFolder: folder,
                 language: exhibit.language)
        }
        // Each recording goes with the page that carries its label and transcript, where a player belongs.
        for block in media {
            let label = Self.mediaLabel(block)
            let page = result.firstIndex { page in
                page.items.contains { item in
                    if case let .text(.mediaLabel, lines, _) = item { lines.first?.text.hasPrefix(label.prefix(12)) == true }
                    else { false }
                }
            } ?? 0
            result[page].media.append(block)
        }
        return result
    }

    static func mediaLabel(_ media: MediaBlock) -> String {
        (media.kind == .audio ? Page.soundLabel : Page.filmLabel) + (media.title.map { ": \($0)" } ?? "")
    }

    /// Where the page starting at `start` ends (exclusive).
    func breakPoint(_ units: [Unit], from start: Int, capacity: Double) -> Int {
        var used = 0.0
        var fit = start
        while fit < units.count {
            let unit = units[fit]
            let need = (fit == start ? 0 : unit.spaceBefore) + unit.height
            if used + need > capacity { break }
            used += need
            fit += 1
        }
        if fit == units.count { return fit }
        if fit == start { return start + 1 }  // a single unit taller than the page: alone on its page

        // Choose among the break positions on this page the one with the lowest penalty.
        var best = fit
        var bestPenalty = Double.infinity
        var height = 0.0
        var heights: [Double] = []
        for i in start..<fit {
            height += (i == start ? 0 : units[i].spaceBefore) + units[i].height
            heights.append(height)
        }
        for end in (start + 1)...fit {
            let last = units[end - 1]
            if last.keepWithNext { continue }
            var penalty: Double
            if last.lastOfBlock {
                penalty = 0
            } else if last.endsSentence {
                penalty = 12
            } else {
                penalty = 30
            }
            if last.inTestimony, !last.lastOfBlock || units[end].inTestimony { penalty += 20 }
            // A lone first line of a paragraph at the foot, or a lone last line at the head of the next page.
            if last.firstOfBlock, !last.lastOfBlock { penalty += 15 }
            if end < units.count, units[end].lastOfBlock, !units[end].firstOfBlock { penalty += 15 }
            // Prefer full pages: an empty half page costs as much as a mid-sentence break.
            penalty += (1 - heights[end - start - 1] / capacity) * 60
            if penalty < bestPenalty {
                bestPenalty = penalty
                best = end
            }
        }
        if bestPenalty == .infinity {
            // Everything on the page is tied to what follows (a testimony taller than a page): break at the last
            // unit that fits rather than overflow.
            return fit
        }
        return best
    }

    // MARK: Flow

    func flow(_ exhibit: Exhibit, measurer: some PageMeasurer) -> [Unit] {
        var units: [Unit] = []
        var block = 0
        func add(_ text: String, _ role: TextRole, keep: Bool = false, testimony: Bool = false,
                 keepLast: Int = 0, together: Bool = false, tight: Bool = false)
        {
            let lines = measurer.lines(of: text, role: role, language: exhibit.language)
            guard !lines.isEmpty else { return }
            let space = tight ? 0 : measurer.spaceBefore(role)
            for (i, line) in lines.enumerated() {
                let last = i == lines.count - 1
                units.append(Unit(
                    content: .line(line), role: role, block: block, spaceBefore: i == 0 ? space : 0,
                    firstOfBlock: i == 0, lastOfBlock: last, endsSentence: endsSentence(line.text),
                    keepWithNext: keep || i >= lines.count - keepLast || (together && !last),
                    inTestimony: testimony
                ))
            }
            block += 1
        }
        let imageLimit = max(measurer.pageHeight, 1) * 0.75

        if let series = exhibit.series { add(series, .series, keep: true) }
        add(exhibit.title, .title, keep: true, tight: exhibit.series != nil)
        for item in exhibit.blocks {
            switch item {
            case let .heading(_, text):
                add(text.plain, .heading, keep: true)
            case let .paragraph(text):
                add(text.plain, .body)
            case let .summary(text):
                add(text.plain, .summary)
            case let .testimony(testimony):
                let attribution = testimony.attribution
                let context = testimony.context
                for (i, paragraph) in testimony.quote.enumerated() {
                    let isLast = i == testimony.quote.count - 1
                    // The attribution travels with the last two lines of the quote.
                    add(paragraph.plain, .quote, testimony: true,
                        keepLast: isLast && (attribution != nil || context != nil) ? 2 : 0)
                }
                if let attribution {
                    add(attribution, .attribution, keep: context != nil, testimony: true, together: true, tight: true)
                }
                if let context { add(context, .context, testimony: true, together: true, tight: true) }
            case let .image(image):
                let caption = [image.caption, image.credit].compactMap { $0 }
                if let height = measurer.imageHeight(image) {
                    units.append(Unit(
                        content: .image(image, height: min(height, imageLimit)), role: .imageText, block: block,
                        spaceBefore: measurer.spaceBefore(.imageText), firstOfBlock: true, lastOfBlock: true,
                        endsSentence: true, keepWithNext: !caption.isEmpty, inTestimony: false
                    ))
                    block += 1
                } else {
                    add("[Image: \(image.alt ?? image.caption ?? image.file)]", .imageText, keep: !caption.isEmpty)
                }
                if let text = image.caption { add(text, .caption, keep: image.credit != nil, tight: true) }
                if let text = image.credit { add(text, .credit, tight: true) }
            case let .media(media):
                add(Self.mediaLabel(media), .mediaLabel, keep: !media.transcript.isEmpty)
                for paragraph in media.transcript { add(paragraph.plain, .transcript) }
                if let credit = media.credit { add(credit, .credit, tight: true) }
            }
        }
        return units
    }

    func endsSentence(_ line: String) -> Bool {
        var text = Substring(line)
        while let last = text.last, last == " " || "”’»\")".contains(last) { text = text.dropLast() }
        guard let last = text.last else { return false }
        return ".!?…".contains(last)
    }

    func words(in unit: Unit) -> Int {
        guard case let .line(line) = unit.content else { return 0 }
        return WordCount.of(line.text)
    }

    func items(_ units: [Unit]) -> [PageItem] {
        var items: [PageItem] = []
        var current: (role: TextRole, block: Int, lines: [PageLine], space: Double)?
        func flush() {
            if let c = current { items.append(.text(role: c.role, lines: c.lines, spaceBefore: c.space)) }
            current = nil
        }
        for (index, unit) in units.enumerated() {
            let space = index == 0 ? 0 : unit.spaceBefore
            switch unit.content {
            case let .image(image, height):
                flush()
                items.append(.image(image, height: height, spaceBefore: space))
            case let .line(line):
                if let c = current, c.block == unit.block {
                    current?.lines.append(line)
                } else {
                    flush()
                    current = (unit.role, unit.block, [line], space)
                }
            }
        }
        flush()
        return items
    }
}
