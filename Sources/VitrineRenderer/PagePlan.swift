import VitrinePluginAPI

/// Where everything on a page goes, in pixels: the one description both the painter (framebuffer, `vitrine
/// render`) and the kiosk page in a browser follow, so a page looks the same on both and fits the same way.
public struct PagePlan: Hashable, Sendable {
    public enum Align: String, Hashable, Sendable { case left, right, center }

    public struct Text: Hashable, Sendable {
        public var text: String
        public var role: TextRole?
        public var font: PixelLayout.Font
        public var colour: Colour
        /// Top-left corner; for right-aligned text `x` is the right edge.
        public var x: Double
        public var y: Double
        /// Messages wrap to this width; justified lines stretch to it.
        public var width: Double?
        public var justify = false
        public var align: Align = .left
        /// Part of the page's flowing text (checked to stay inside the text area).
        public var inFlow = false
    }

    public struct Picture: Hashable, Sendable {
        public var image: ImageBlock
        /// The exhibit's folder; the image's file is relative to it.
        public var folder: String?
        public var x: Double
        public var y: Double
        public var width: Double
        public var height: Double
    }

    public let layout: PixelLayout
    public var background: Colour
    public var texts: [Text] = []
    public var pictures: [Picture] = []
    /// From the right margin leftwards at the foot: the page indicator, then the clock, `footGap` apart.
    public var footRight: [Text] = []
    public var footGap: Double = 0

    public init(_ frame: Frame, width: Int, height: Int) {
        layout = PixelLayout(width: width, height: height, theme: frame.theme)
        background = frame.content == .blank ? Colour(red: 0, green: 0, blue: 0) : frame.theme.background
        switch frame.content {
        case .blank:
            break
        case let .message(message):
            var font = layout.font(for: .title)
            font.size *= 0.8
            texts.append(Text(text: message, font: font, colour: layout.theme.text, x: layout.margin,
                              y: Double(layout.height) * 0.38, width: layout.contentWidth, align: .center))
        case let .page(page):
            place(page, clock: frame.clock)
        }
    }

    private mutating func place(_ page: Page, clock: String?) {
        var y = layout.flowTop
        let caption = layout.font(for: .caption)
        if page.index > 0 {
            texts.append(Text(text: (page.series.map { "\($0) :: " } ?? "") + page.title, role: .caption,
                              font: caption, colour: layout.theme.muted, x: layout.margin, y: y, inFlow: true))
            y += layout.headerHeight
        }
        for (index, item) in page.items.enumerated() {
            switch item {
            case let .text(role, lines, space):
                if index > 0 { y += space }
                let font = layout.font(for: role)
                for line in lines {
                    texts.append(Text(text: line.text, role: role, font: font, colour: layout.colour(for: role),
                                      x: layout.margin + layout.indent(for: role), y: y,
                                      width: line.justified ? layout.measure(for: role) : nil,
                                      justify: line.justified, inFlow: true))
                    y += line.height
                }
            case let .image(image, height, space):
                if index > 0 { y += space }
                pictures.append(Picture(image: image, folder: page.mediaFolder, x: layout.margin, y: y,
                                        width: layout.contentWidth, height: height))
                y += height
            }
        }
        // Foot: footer text at the left, page indicator and clock at the right.
        let footY = Double(layout.height) - layout.margin - layout.footerHeight * 0.75
        if let footer = layout.theme.footer {
            texts.append(Text(text: footer, font: caption, colour: layout.theme.muted, x: layout.margin, y: footY))
        }
        let right = Double(layout.width) - layout.margin
        footGap = caption.size
        for text in [page.count > 1 ? page.indicator : nil, layout.theme.showClock ? clock : nil].compactMap({ $0 }) {
            footRight.append(Text(text: text, font: caption, colour: layout.theme.muted, x: right, y: footY,
                                  align: .right))
        }
    }
}
