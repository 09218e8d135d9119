import VitrineModel


/// Measures in character cells, for terminals: wide (CJK) characters take two cells, combining marks none.
public struct CellMeasurer: PageMeasurer, Hashable {
    public var columns: Int
    public var rows: Int
    /// The longest line of text, in cells (the theme's `measure`): a wide terminal gets wider margins.
    public var measure: Int

    public init(columns: Int, rows: Int, measure: Int = .max) {
        self.columns = max(columns, 8)
        self.rows = max(rows, 4)
        self.measure = max(measure, 8)
    }

    /// Left and right margin in cells.
    public var margin: Int { columns >= 60 ? 4 : 1 }
    /// The text column: the width between the margins, at most `measure`.
    public var textColumns: Int { min(columns - 2 * margin, measure) }
    /// Where the text column starts: centred between the margins.
    public var left: Int { margin + (columns - 2 * margin - textColumns) / 2 }
    /// Extra indent for quotes, their attribution and context.
    public var quoteIndent: Int { columns >= 60 ? 4 : 2 }
    /// Rows at the foot for the page indicator, and at the head of later pages for the running title.
    public static let footerRows = 2
    public static let headerRows = 2

    public var firstPageHeight: Double { Double(rows - 1 - Self.footerRows) }
    public var pageHeight: Double { Double(rows - 1 - Self.footerRows - Self.headerRows) }

    public func width(for role: TextRole) -> Int {
        let base = textColumns
        switch role {
        case .quote, .attribution, .context: return max(base - 2 * quoteIndent, 4)
        default: return max(base, 4)
        }
    }

    public func spaceBefore(_ role: TextRole) -> Double {
        switch role {
        case .series, .attribution, .context, .caption, .credit: 0
        default: 1
        }
    }

    public func lines(of text: String, role: TextRole) -> [PageLine] {
        Self.wrap(text, width: width(for: role)).map { PageLine(text: $0, height: 1) }
    }

    /// Greedy word wrap by display width; a word wider than the line is split between characters.
    public static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var lineWidth = 0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                var word = Substring(word)
                var w = displayWidth(word)
                if lineWidth > 0, lineWidth + 1 + w <= width {
                    line += " " + word
                    lineWidth += 1 + w
                    continue
                }
                if lineWidth > 0 {
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                }
                while w > width {
                    var piece = ""
                    var pieceWidth = 0
                    var rest = word
                    while let c = rest.first, pieceWidth + displayWidth(c) <= width || piece.isEmpty {
                        piece.append(c)
                        pieceWidth += displayWidth(c)
                        rest = rest.dropFirst()
                    }
                    lines.append(piece)
                    word = rest
                    // Not measured again: a pasted megabyte without spaces made this quadratic (minutes per page).
                    w -= pieceWidth
                }
                line = String(word)
                lineWidth = w
            }
            if lineWidth > 0 || lines.isEmpty || !paragraph.isEmpty { lines.append(line) }
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    public static func displayWidth(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + displayWidth($1) }
    }

    /// Cells a grapheme takes: 0 for a lone combining mark, 2 for East Asian wide and emoji, else 1.
    public static func displayWidth(_ c: Character) -> Int {
        guard let first = c.unicodeScalars.first else { return 0 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: break
        }
        return isWide(first.value) || (c.unicodeScalars.count > 1 && first.properties.isEmojiPresentation) ? 2 : 1
    }

    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
             0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
