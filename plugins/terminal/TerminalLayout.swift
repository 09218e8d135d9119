import VitrinePluginAPI

/// Where each piece of text of a frame goes on a grid of character cells. Shared by the terminal output and the
/// `vitrine pages` preview, so the preview is what the screen shows.
public struct TerminalLayout: Sendable {
    public enum Style: Hashable, Sendable {
        case role(TextRole)
        case header
        case indicator
        case message
    }

    public struct Span: Hashable, Sendable {
        public var column: Int
        public var text: String
        public var style: Style
    }

    public let columns: Int
    public let rows: Int
    /// One entry per row, top to bottom.
    public private(set) var lines: [[Span]]

    /// `measure`: the theme's longest line, in cells.
    public init(frame: Frame.Content, columns: Int, rows: Int, measure: Int = .max, clock: String? = nil) {
        let measurer = CellMeasurer(columns: columns, rows: rows, measure: measure)
        self.columns = measurer.columns
        self.rows = measurer.rows
        lines = Array(repeating: [], count: measurer.rows)
        switch frame {
        case .blank:
            break
        case let .message(text):
            let wrapped = CellMeasurer.wrap(text, width: measurer.width(for: .body))
            let top = max(0, (self.rows - wrapped.count) / 2)
            for (i, line) in wrapped.enumerated() where top + i < self.rows {
                let left = max(0, (self.columns - CellMeasurer.displayWidth(line)) / 2)
                lines[top + i].append(Span(column: left, text: line, style: .message))
            }
        case let .page(page):
            layOut(page, measurer: measurer, clock: clock)
        }
    }

    private mutating func layOut(_ page: Page, measurer: CellMeasurer, clock: String?) {
        var row = 0
        let margin = measurer.left
        if page.index > 0 {
            let header = (page.series.map { "\($0) :: " } ?? "") + page.title
            let clipped = CellMeasurer.wrap(header, width: measurer.width(for: .body)).first ?? ""
            put(row, margin, clipped, .header)
            row += CellMeasurer.headerRows
        }
        for item in page.items {
            switch item {
            case let .text(role, pageLines, space):
                row += Int(space)
                let indent: Int
                switch role {
                case .quote, .attribution, .context: indent = measurer.quoteIndent
                default: indent = 0
                }
                for line in pageLines {
                    put(row, margin + indent, line.text, .role(role))
                    row += max(1, Int(line.height))
                }
            case let .image(image, height, space):
                row += Int(space)
                put(row, margin, "[\(image.alt ?? image.file)]", .role(.imageText))
                row += Int(height)
            }
        }
        // Bottom right: the clock, then the page indicator.
        let foot = [clock, page.count > 1 ? page.indicator : nil].compactMap { $0 }.joined(separator: "  ")
        if !foot.isEmpty {
            put(rows - 1, max(0, columns - measurer.margin - CellMeasurer.displayWidth(foot)), foot, .indicator)
        }
    }

    private mutating func put(_ row: Int, _ column: Int, _ text: String, _ style: Style) {
        guard row >= 0, row < rows, !text.isEmpty else { return }
        lines[row].append(Span(column: column, text: text, style: style))
    }

    /// The rows as plain text, padded to the full width (for previews and tests).
    public var plainRows: [String] {
        lines.map { spans in
            var text = ""
            var width = 0
            for span in spans.sorted(by: { $0.column < $1.column }) where span.column >= width {
                text += String(repeating: " ", count: span.column - width) + span.text
                width = span.column + CellMeasurer.displayWidth(span.text)
            }
            return text + String(repeating: " ", count: max(0, columns - width))
        }
    }
}
