import CCmark
import VitrineModel

/// CommonMark through Debian's libcmark (the reference implementation), reduced to what exhibits use.
/// Smart punctuation is on: straight quotes become curly ones, `--`/`---` en and em dashes.
enum Markdown {
    indirect enum Block {
        case heading(level: Int, text: RichText, line: Int)
        case paragraph(RichText, line: Int)
        /// An image: a paragraph of its own, or one written inside a paragraph (which is split around it, so the
        /// picture stands where it is written). Line and column of the `![`.
        case image(url: String, alt: String, title: String, line: Int, column: Int)
        case quote([Block], line: Int)
        case list(items: [[Block]], ordered: Bool, start: Int, line: Int)
        case code(String, line: Int)
        case html(line: Int, column: Int)
    }

    /// Blocks nested deeper than this (quotes in quotes in lists …) are not shown: no exhibit needs them, and a
    /// hostile file with a hundred thousand `>` must not exhaust the stack.
    static let maximumDepth = 32

    static func parse(_ text: String) -> [Block] {
        let options = CMARK_OPT_SMART | CMARK_OPT_VALIDATE_UTF8
        let utf8 = Array(text.utf8)
        guard let document = utf8.withUnsafeBufferPointer({ buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    cmark_parse_document($0, buffer.count, options)
                }
            } ?? cmark_parse_document("", 0, options)
        }) else { return [] }
        defer { cmark_node_free(document) }
        return children(of: document).flatMap { blocks($0, depth: 0) }
    }

    /// Paragraphs of plain Markdown text (a testimony's quote, a transcript), styled and with smart punctuation.
    static func paragraphs(_ text: String) -> [RichText] {
        parse(text).flatMap { block -> [RichText] in
            switch block {
            case let .paragraph(rich, _), let .heading(_, rich, _): [rich]
            case let .quote(inner, _): inner.compactMap { if case let .paragraph(r, _) = $0 { r } else { nil } }
            case let .code(code, _): [RichText([TextSpan(code, style: .code)])]
            case let .list(items, ordered, start, _):
                items.enumerated().flatMap { index, item in
                    item.compactMap { b -> RichText? in
                        guard case let .paragraph(r, _) = b else { return nil }
                        return RichText([TextSpan(ordered ? "\(start + index). " : "• ")] + r.spans)
                    }
                }
            case .image, .html: []
            }
        }
    }

    private static func children(of node: OpaquePointer) -> [OpaquePointer] {
        var result: [OpaquePointer] = []
        var child = cmark_node_first_child(node)
        while let c = child {
            result.append(c)
            child = cmark_node_next(c)
        }
        return result
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    private static func blocks(_ node: OpaquePointer, depth: Int) -> [Block] {
        guard depth < maximumDepth else { return [] }
        let line = Int(cmark_node_get_start_line(node))
        switch cmark_node_get_type(node) {
        case CMARK_NODE_HEADING:
            return [.heading(level: Int(cmark_node_get_heading_level(node)), text: inlines(node), line: line)]
        case CMARK_NODE_PARAGRAPH:
            return paragraph(node, line: line)
        case CMARK_NODE_BLOCK_QUOTE:
            return [.quote(children(of: node).flatMap { blocks($0, depth: depth + 1) }, line: line)]
        case CMARK_NODE_LIST:
            let items = children(of: node).map { children(of: $0).flatMap { blocks($0, depth: depth + 1) } }
            return [.list(items: items, ordered: cmark_node_get_list_type(node) == CMARK_ORDERED_LIST,
                          start: Int(cmark_node_get_list_start(node)), line: line)]
        case CMARK_NODE_CODE_BLOCK:
            var code = string(cmark_node_get_literal(node))
            while code.hasSuffix("\n") { code.removeLast() }
            return [.code(code, line: line)]
        case CMARK_NODE_HTML_BLOCK:
            return [.html(line: line, column: Int(cmark_node_get_start_column(node)))]
        default:
            return []
        }
    }

    /// A paragraph, split around the images written in it (`![alt](file)`, or one inside a link): the text before,
    /// the picture, the text after. A picture is a block on a label; a line of text does not hold one.
    private static func paragraph(_ node: OpaquePointer, line: Int) -> [Block] {
        func image(in kid: OpaquePointer) -> OpaquePointer? {
            switch cmark_node_get_type(kid) {
            case CMARK_NODE_IMAGE:
                return kid
            case CMARK_NODE_LINK:
                // A picture that is a link (`[![alt](file)](url)`): links mean nothing on a screen.
                let inside = children(of: kid)
                return inside.count == 1 ? image(in: inside[0]) : nil
            default:
                return nil
            }
        }
        var result: [Block] = []
        var text: [OpaquePointer] = []
        func flushText() {
            let rich = trimmed(inlines(of: text))
            // Punctuation left alone by the split (the full stop after a picture) would be a paragraph of its own.
            if rich.plain.contains(where: { $0.isLetter || $0.isNumber }) {
                result.append(.paragraph(rich, line: text.first.map { Int(cmark_node_get_start_line($0)) } ?? line))
            }
            text = []
        }
        for kid in children(of: node) {
            guard let picture = image(in: kid) else {
                text.append(kid)
                continue
            }
            flushText()
            result.append(.image(url: string(cmark_node_get_url(picture)), alt: inlines(picture).plain,
                                 title: string(cmark_node_get_title(picture)),
                                 line: Int(cmark_node_get_start_line(picture)),
                                 column: Int(cmark_node_get_start_column(picture))))
        }
        flushText()
        return result
    }

    /// Without the spaces and line breaks left at a split's edges.
    private static func trimmed(_ text: RichText) -> RichText {
        var spans = text.spans
        while let first = spans.first, first.text.allSatisfy(\.isWhitespace) { spans.removeFirst() }
        while let last = spans.last, last.text.allSatisfy(\.isWhitespace) { spans.removeLast() }
        if !spans.isEmpty {
            spans[0].text = String(spans[0].text.drop { $0.isWhitespace })
            let last = spans.count - 1
            while spans[last].text.last?.isWhitespace == true { spans[last].text.removeLast() }
        }
        return RichText(spans)
    }

    private static func inlines(_ node: OpaquePointer) -> RichText { inlines(of: children(of: node)) }

    private static func inlines(of nodes: [OpaquePointer]) -> RichText {
        var spans: [TextSpan] = []
        func walk(_ nodes: [OpaquePointer], _ style: TextSpan.Style, depth: Int = 0) {
            guard depth < maximumDepth else { return }
            for child in nodes {
                switch cmark_node_get_type(child) {
                case CMARK_NODE_TEXT:
                    spans.append(TextSpan(string(cmark_node_get_literal(child)), style: style))
                case CMARK_NODE_CODE:
                    spans.append(TextSpan(string(cmark_node_get_literal(child)), style: style.union(.code)))
                case CMARK_NODE_SOFTBREAK:
                    spans.append(TextSpan(" ", style: style))
                case CMARK_NODE_LINEBREAK:
                    spans.append(TextSpan("\n", style: style))
                case CMARK_NODE_EMPH:
                    walk(children(of: child), style.union(.emphasis), depth: depth + 1)
                case CMARK_NODE_STRONG:
                    walk(children(of: child), style.union(.strong), depth: depth + 1)
                case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
                    walk(children(of: child), style, depth: depth + 1)
                default:
                    break  // raw HTML is not shown on a gallery screen
                }
            }
        }
        walk(nodes, [])
        // Merge neighbours of one style so measurers see fewer runs.
        var merged: [TextSpan] = []
        for span in spans where !span.text.isEmpty {
            if let last = merged.last, last.style == span.style {
                merged[merged.count - 1].text += span.text
            } else {
                merged.append(span)
            }
        }
        return RichText(merged)
    }
}
