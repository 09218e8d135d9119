import VitrinePluginAPI

/// The geometry of a page on a pixel screen, from its size and the theme: margins, bands, text sizes and fonts.
/// Sizes in the theme are pixels at 1080 lines; they scale with the shorter side, so a 4K panel and a portrait
/// 1080x1920 panel look like the same panel.
public struct PixelLayout: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public let theme: Theme

    public init(width: Int, height: Int, theme: Theme) {
        self.width = max(width, 64)
        self.height = max(height, 64)
        self.theme = theme
    }

    public var scale: Double { Double(min(width, height)) / 1080 }
    public var margin: Double { (theme.margin * Double(min(width, height))).rounded() }
    /// Columns the page is set in (languages side by side), a margin apart; the content is one column.
    public var columns: Int { max(1, theme.columns) }
    public var gutter: Double { margin }
    public var contentWidth: Double {
        ((Double(width) - 2 * margin - gutter * Double(columns - 1)) / Double(columns)).rounded(.down)
    }
    /// How far right column `index` is from the first.
    public func columnOffset(_ index: Int) -> Double { Double(index) * (contentWidth + gutter) }
    /// The text column: as wide as the content, up to the theme's `measure` characters of body text.
    public var textWidth: Double {
        let longest = (Double(theme.measure) * Pango.characterWidth(family: theme.bodyFont) * theme.bodySize * scale)
            .rounded()
        return min(contentWidth, longest)
    }
    /// The text column's left edge: centred between the margins when the screen is wider than the measure.
    public var textLeft: Double { margin + ((contentWidth - textWidth) / 2).rounded() }
    /// The page indicator (and clock) band at the foot.
    public var footerHeight: Double { (theme.captionSize * scale * 2).rounded() }
    /// The running title on pages after the first.
    public var headerHeight: Double { (theme.captionSize * scale * 2.4).rounded() }
    public var flowTop: Double { margin }
    /// Where flowing text ends: above the foot, and above the visitor code when the code cannot sit beside the text.
    public var flowBottom: Double {
        let foot = Double(height) - margin - footerHeight
        guard theme.visitorCode, !visitorCodeBesideText else { return foot }
        return foot - visitorCodeSide - spaceBefore(.body)
    }

    /// The visitor code's side in pixels: a fifth of the shorter side (216 px at 1080 lines), which a phone reads
    /// from a couple of metres.
    public var visitorCodeSide: Double { (Double(min(width, height)) * 0.2).rounded() }
    /// Whether the visitor code fits in the margin right of the text column (a wide screen), or takes a band below
    /// the text (a narrow or portrait one).
    public var visitorCodeBesideText: Bool {
        Double(width) - margin - (columnOffset(columns - 1) + textLeft + textWidth) >= visitorCodeSide + margin / 2
    }
    /// Where the visitor code goes: the bottom-right corner, above the page indicator.
    public var visitorCodeOrigin: (x: Double, y: Double) {
        (Double(width) - margin - visitorCodeSide, Double(height) - margin - footerHeight - visitorCodeSide)
    }

    public struct Font: Hashable, Sendable {
        public var family: String
        public var size: Double
        public var bold = false
        public var italic = false

        /// A Pango font description without the size (set separately, in device pixels).
        public var description: String {
            [family, bold ? "Bold" : nil, italic ? "Italic" : nil].compactMap { $0 }.joined(separator: " ")
        }
    }

    public func font(for role: TextRole) -> Font {
        let body = theme.bodySize * scale, heading = theme.headingSize * scale
        let caption = theme.captionSize * scale, title = theme.titleSize * scale
        switch role {
        case .series: return Font(family: theme.headingFont, size: heading * 0.62)
        case .title: return Font(family: theme.headingFont, size: title, bold: true)
        case .heading: return Font(family: theme.headingFont, size: heading, bold: true)
        case .summary: return Font(family: theme.headingFont, size: theme.summarySize * scale)
        case .body, .transcript: return Font(family: theme.bodyFont, size: body)
        case .quote: return Font(family: theme.bodyFont, size: body * 1.15, italic: true)
        case .attribution: return Font(family: theme.headingFont, size: body * 0.8, bold: true)
        case .context: return Font(family: theme.bodyFont, size: caption, italic: true)
        case .caption, .credit, .imageText: return Font(family: theme.headingFont, size: caption)
        case .mediaLabel: return Font(family: theme.headingFont, size: caption * 1.1, bold: true)
        }
    }

    /// Captions over a film, or of a recording on a kiosk page: the body font at one and a half times the body
    /// size, to be read from a few metres.
    public var captionFont: Font { Font(family: theme.bodyFont, size: theme.bodySize * scale * 1.5) }

    /// Quotes, their attribution and context sit indented.
    public func indent(for role: TextRole) -> Double {
        switch role {
        case .quote, .attribution, .context: (textWidth * 0.06).rounded()
        default: 0
        }
    }

    public func measure(for role: TextRole) -> Double { textWidth - 2 * indent(for: role) }

    public func spaceBefore(_ role: TextRole) -> Double {
        let body = theme.bodySize * scale
        switch role {
        case .heading: return (body * 1.2).rounded()
        case .title, .series: return 0
        case .attribution, .context, .caption, .credit: return (body * 0.25).rounded()
        default: return (body * 0.7).rounded()
        }
    }

    public func colour(for role: TextRole) -> Colour {
        switch role {
        case .series, .heading, .attribution, .mediaLabel: theme.accent
        case .context, .caption, .credit, .imageText: theme.muted
        default: theme.text
        }
    }
}
