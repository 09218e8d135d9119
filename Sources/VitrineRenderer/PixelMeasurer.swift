import VitrinePluginAPI

/// Measures pages in pixels with Pango, for a screen of a given size and a theme.
public struct PixelMeasurer: PageMeasurer {
    public let layout: PixelLayout

    public init(width: Int, height: Int, theme: Theme) {
        layout = PixelLayout(width: width, height: height, theme: theme)
    }

    public var firstPageHeight: Double { layout.flowBottom - layout.flowTop }
    public var pageHeight: Double { firstPageHeight - layout.headerHeight }

    public func lines(of text: String, role: TextRole) -> [PageLine] { lines(of: text, role: role, language: nil) }

    public func lines(of text: String, role: TextRole, language: String?) -> [PageLine] {
        Pango.lines(of: text, font: layout.font(for: role), width: layout.measure(for: role),
                    justify: layout.theme.alignment == .justified, language: language)
    }

    public func spaceBefore(_ role: TextRole) -> Double { layout.spaceBefore(role) }

    /// The image scaled to the measure, keeping its aspect ratio, at most half the page tall.
    public func imageHeight(_ image: ImageBlock) -> Double? {
        guard let w = image.pixelWidth, let h = image.pixelHeight, w > 0, h > 0 else { return nil }
        let fitted = layout.textWidth * Double(h) / Double(w)
        return min(fitted, pageHeight * 0.5).rounded()
    }

    /// The surface for pagination: pages laid out for one size and theme are never reused for another.
    public static func surface(width: Int, height: Int) -> Surface {
        Surface(key: "pixels \(width)x\(height)", grid: .pixels(width: width, height: height)) { theme in
            PixelMeasurer(width: width, height: height, theme: theme)
        }
    }
}
