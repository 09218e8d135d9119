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
        /// The text's language, when the page says: shaped, broken and directed as that language is written.
        public var language: String?
        /// The same on every page (running head, page number, clock, footer): dimmed on a long-lived page.
        public var sameOnEveryPage = false
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

    /// A rectangle of the page, in pixels.
    public struct Area: Hashable, Sendable {
        public var x: Double
        public var y: Double
        public var width: Double
        public var height: Double
        public init(x: Double, y: Double, width: Double, height: Double) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
        }
    }

    public let layout: PixelLayout
    public var background: Colour
    /// Where the page's film plays (the theme's `film:`), while it plays: the framebuffer draws the film and its
    /// captions there, the kiosk page puts its player there. Nil on a page with no film.
    public var filmArea: Area?
    /// Where the current caption of a page's recording is drawn: the film's area, or for a sound recording the
    /// page's text area (browsers draw no captions for sound). Nil on a page with no recording.
    public var captionArea: Area?
    public var texts: [Text] = []
    public var pictures: [Picture] = []
    /// The QR code that opens the exhibit's companion page on a phone, and the square it is drawn in (quiet zone
    /// included): the bottom-right corner, where the layout left room for it.
    public var visitorCode: PlacedCode?
    public struct PlacedCode: Hashable, Sendable {
        public var code: VisitorCode
        public var area: Area
    }
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
            texts.append(Text(text: message, font: font, colour: layout.theme.text, x: layout.textLeft,
                              y: Double(layout.height) * 0.38, width: layout.textWidth, align: .center))
        case let .page(page):
            place(page, clock: frame.clock)
            if let link = frame.visitorLink, layout.theme.visitorCode, let code = VisitorCode(link: link) {
                let origin = layout.visitorCodeOrigin
                visitorCode = PlacedCode(code: code, area: Area(x: origin.x, y: origin.y, width: layout.visitorCodeSide,
                                          height: layout.visitorCodeSide))
            }
            if frame.dimmed { dimSameOnEveryPage() }
            move(by: frame.shift)
        }
    }

    /// How far a page may move for burn-in care: a quarter of its margin, so text never comes near the edge.
    public var largestShift: Int { Int(layout.margin / 4) }

    /// Moves everything on the page by the burn-in shift (kept within `largestShift`).
    private mutating func move(by shift: PixelShift) {
        let limit = largestShift
        let dx = Double(max(-limit, min(limit, shift.x))), dy = Double(max(-limit, min(limit, shift.y)))
        guard dx != 0 || dy != 0 else { return }
        func moved(_ area: Area) -> Area { Area(x: area.x + dx, y: area.y + dy, width: area.width, height: area.height) }
        for index in texts.indices {
            texts[index].x += dx
            texts[index].y += dy
        }
        for index in footRight.indices {
            footRight[index].x += dx
            footRight[index].y += dy
        }
        for index in pictures.indices {
            pictures[index].x += dx
            pictures[index].y += dy
        }
        filmArea = filmArea.map(moved)
        captionArea = captionArea.map(moved)
        if let code = visitorCode { visitorCode = PlacedCode(code: code.code, area: moved(code.area)) }
    }

    /// The running head, page number, clock and footer at half strength (halfway to the background).
    private mutating func dimSameOnEveryPage() {
        let background = background
        func half(_ c: Colour) -> Colour {
            Colour(red: UInt8((Int(c.red) + Int(background.red)) / 2), green: UInt8((Int(c.green) + Int(background.green)) / 2),
                   blue: UInt8((Int(c.blue) + Int(background.blue)) / 2))
        }
        for index in texts.indices where texts[index].sameOnEveryPage { texts[index].colour = half(texts[index].colour) }
        for index in footRight.indices { footRight[index].colour = half(footRight[index].colour) }
    }

    private mutating func place(_ page: Page, clock: String?) {
        let caption = layout.font(for: .caption)
        // Languages side by side: the same page in each, one column each, the first carrying films and the foot.
        let (textArea, belowFilmLine) = placeColumn(page, offset: 0)
        for (index, other) in page.alongside.enumerated() where index + 1 < layout.columns {
            _ = placeColumn(other, offset: layout.columnOffset(index + 1))
        }
        placeFilm(page, textArea: textArea, belowFilmLine: belowFilmLine)
        footer(page, clock: clock, caption: caption)
    }

    /// Places one column's page (`offset` pixels right of the first column): its running head, lines and pictures.
    /// Returns the column's text area and where its film's line ends.
    private mutating func placeColumn(_ page: Page, offset: Double) -> (textArea: Area, belowFilmLine: Double?) {
        var y = layout.flowTop
        let caption = layout.font(for: .caption)
        let textLeft = layout.textLeft + offset
        // A right-to-left page's lines hang from the right edge of the text column.
        let rightToLeft = page.language.map(LanguageTag.isRightToLeft) ?? false
        let textRight = textLeft + layout.textWidth
        if page.index > 0 {
            texts.append(Text(text: (page.series.map { "\($0) :: " } ?? "") + page.title, role: .caption,
                              font: caption, colour: layout.theme.muted, x: rightToLeft ? textRight : textLeft,
                              y: y, align: rightToLeft ? .right : .left, inFlow: true, language: page.language,
                              sameOnEveryPage: true))
            y += layout.headerHeight
        }
        // Films and captions take the whole width between the margins, wider than the text column.
        let textArea = Area(x: layout.margin + offset, y: y, width: layout.contentWidth, height: layout.flowBottom - y)
        let hasFilm = page.media.contains { $0.kind == .film }
        // Where the film's line ends: the film goes below it.
        var belowFilmLine: Double?
        for (index, item) in page.items.enumerated() {
            switch item {
            case let .text(role, lines, space):
                if index > 0 { y += space }
                let font = layout.font(for: role)
                let filmLine = hasFilm && belowFilmLine == nil && role == .mediaLabel
                    && lines.first?.text.hasPrefix(Page.filmLabel) == true
                let left = textLeft + layout.indent(for: role)
                for line in lines {
                    let hangsRight = rightToLeft && !line.justified
                    texts.append(Text(text: line.text, role: role, font: font, colour: layout.colour(for: role),
                                      x: hangsRight ? left + layout.measure(for: role) : left, y: y,
                                      width: line.justified ? layout.measure(for: role) : nil,
                                      justify: line.justified, align: hangsRight ? .right : .left, inFlow: true,
                                      language: page.language))
                    y += line.height
                }
                if filmLine { belowFilmLine = y + layout.spaceBefore(.body) }
            case let .image(image, height, space):
                if index > 0 { y += space }
                pictures.append(Picture(image: image, folder: page.mediaFolder, x: textLeft, y: y,
                                        width: layout.textWidth, height: height))
                y += height
            }
        }
        return (textArea, belowFilmLine)
    }

    private mutating func placeFilm(_ page: Page, textArea: Area, belowFilmLine: Double?) {
        let hasFilm = page.media.contains { $0.kind == .film }
        if hasFilm {
            switch layout.theme.film {
            case .panel:
                filmArea = Area(x: 0, y: 0, width: Double(layout.width), height: Double(layout.height))
            case .page:
                // Below the film's line when at least half the text area is left there; else the whole text area.
                if let top = belowFilmLine, textArea.y + textArea.height - top >= textArea.height / 2 {
                    filmArea = Area(x: textArea.x, y: top, width: textArea.width, height: textArea.y + textArea.height - top)
                } else {
                    filmArea = textArea
                }
            }
        }
        captionArea = filmArea ?? (page.media.isEmpty ? nil : textArea)
    }

    private mutating func footer(_ page: Page, clock: String?, caption: PixelLayout.Font) {
        // Foot: footer text at the left, page indicator and clock at the right.
        let footY = Double(layout.height) - layout.margin - layout.footerHeight * 0.75
        if let footer = layout.theme.footer {
            texts.append(Text(text: footer, font: caption, colour: layout.theme.muted, x: layout.margin, y: footY,
                              sameOnEveryPage: true))
        }
        let right = Double(layout.width) - layout.margin
        footGap = caption.size
        for text in [page.count > 1 ? page.indicator : nil, layout.theme.showClock ? clock : nil].compactMap({ $0 }) {
            footRight.append(Text(text: text, font: caption, colour: layout.theme.muted, x: right, y: footY,
                                  align: .right))
        }
    }
}
