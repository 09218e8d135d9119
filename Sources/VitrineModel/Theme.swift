import Foundation

/// An sRGB colour written as `#RRGGBB` in the configuration.
public struct Colour: Hashable, Codable, Sendable, CustomStringConvertible {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public init?(hex: String) {
        var s = Substring(hex)
        guard s.first == "#" else { return nil }
        s.removeFirst()
        if s.count == 3 { s = Substring(s.map { "\($0)\($0)" }.joined()) }
        guard s.count == 6, let v = UInt32(s, radix: 16) else { return nil }
        self.init(red: UInt8(v >> 16 & 0xFF), green: UInt8(v >> 8 & 0xFF), blue: UInt8(v & 0xFF))
    }

    public var description: String {
        let digits = Array("0123456789abcdef")
        return "#" + [red, green, blue].map { "\(digits[Int($0 >> 4)])\(digits[Int($0 & 15)])" }.joined()
    }

    /// WCAG 2.2 relative luminance.
    public var relativeLuminance: Double {
        func channel(_ c: UInt8) -> Double {
            let v = Double(c) / 255
            return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    }

    /// WCAG 2.2 contrast ratio, 1 to 21.
    public func contrast(with other: Colour) -> Double {
        let a = relativeLuminance, b = other.relativeLuminance
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)
    }

    /// The colour of the same hue and saturation, lightness changed as little as can be, that has at least `ratio`
    /// contrast with `background` (darker on a light background, lighter on a dark one; the other way when that
    /// way cannot reach it); nil when neither can.
    public func nearest(reaching ratio: Double, on background: Colour) -> Colour? {
        let (hue, saturation, lightness) = hsl
        let darkerFirst = background.relativeLuminance > relativeLuminance
            || (background.relativeLuminance == relativeLuminance && background.relativeLuminance > 0.18)
        for darker in [darkerFirst, !darkerFirst] {
            // Lightness in steps of 1/1000 (finer than 8-bit colour), away from the background.
            for step in 1...1000 {
                let l = lightness + (darker ? -1 : 1) * Double(step) / 1000
                guard (0...1).contains(l) else { break }
                let candidate = Colour(hue: hue, saturation: saturation, lightness: l)
                if candidate.contrast(with: background) >= ratio { return candidate }
            }
        }
        return nil
    }

    /// Hue (0–360), saturation and lightness (0–1).
    var hsl: (Double, Double, Double) {
        let r = Double(red) / 255, g = Double(green) / 255, b = Double(blue) / 255
        let high = max(r, g, b), low = min(r, g, b), lightness = (high + low) / 2
        guard high > low else { return (0, 0, lightness) }
        let d = high - low
        let saturation = lightness > 0.5 ? d / (2 - high - low) : d / (high + low)
        var hue: Double
        switch high {
        case r: hue = (g - b) / d + (g < b ? 6 : 0)
        case g: hue = (b - r) / d + 2
        default: hue = (r - g) / d + 4
        }
        hue *= 60
        return (hue, saturation, lightness)
    }

    init(hue: Double, saturation: Double, lightness: Double) {
        func channel(_ n: Double) -> UInt8 {
            let k = (n + hue / 30).truncatingRemainder(dividingBy: 12)
            let a = saturation * min(lightness, 1 - lightness)
            let value = lightness - a * max(-1, min(k - 3, 9 - k, 1))
            return UInt8((value * 255).rounded().clamped(0, 255))
        }
        self.init(red: channel(0), green: channel(8), blue: channel(4))
    }
}

private extension Double {
    func clamped(_ low: Double, _ high: Double) -> Double { Swift.min(Swift.max(self, low), high) }
}

public enum Transition: Hashable, Codable, Sendable, CustomStringConvertible {
    case cut
    case crossfade(milliseconds: Int64)
    public var description: String {
        switch self {
        case .cut: "cut"
        case let .crossfade(ms): "crossfade \(ms)ms"
        }
    }
}

public enum TextAlignment: String, Hashable, Codable, Sendable, CaseIterable {
    /// Ragged right: the default, no wide gaps.
    case ragged
    /// Justified, with hyphenation so no wide gaps appear.
    case justified
}

/// Where a page's film is shown on pixel screens.
public enum FilmArea: String, Hashable, Codable, Sendable, CaseIterable {
    /// In the page, below its "▶ Film" line (the whole text area when too little is left there): the title,
    /// the running head and the foot stay in view around it.
    case page
    /// The whole panel, the page coming back when the film ends.
    case panel
}

/// Care for panels that keep a still image (OLED, plasma): the whole page moved a few pixels now and then, and
/// what is the same on every page (running head, page number, footer) dimmed on a page that stays up long.
public struct BurnInCare: Hashable, Codable, Sendable {
    /// How far the page moves each way, in pixels (0: never). Kept within a quarter of the page's margin.
    public var shift: Int
    /// How long the page stays at one place (ms).
    public var every: Int64
    /// How long a page stays up before its running head, page number and footer are dimmed (ms); nil: never.
    public var dimAfter: Int64?

    public init(shift: Int = 0, every: Int64 = 300_000, dimAfter: Int64? = nil) {
        self.shift = shift
        self.every = every
        self.dimAfter = dimAfter
    }

    /// Where the page sits at `instant` (ms since 1970): a pure function of the clock, so screens with the same
    /// files and a synchronised clock move together. Every position of the (2·shift+1)² square is visited once per
    /// round, in an order that jumps across it (no slow drift a visitor would notice).
    public func offset(at instant: Int64) -> (x: Int, y: Int) {
        guard shift > 0, every > 0 else { return (0, 0) }
        let side = 2 * shift + 1, count = side * side
        let step = Int(((instant / every) % Int64(count) + Int64(count)) % Int64(count))
        // A stride coprime with the count walks every position once per round.
        var stride = count / 2 + 1
        while gcd(stride, count) != 1 { stride += 1 }
        let position = (step * stride) % count
        return (position % side - shift, position / side - shift)
    }

    /// When the page next moves after `instant`.
    public func nextMove(after instant: Int64) -> Int64? {
        guard shift > 0, every > 0 else { return nil }
        return (instant / every + 1) * every
    }

    private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}

/// Colours, fonts, sizes and layout for pages: data, so rotating themes is part of the schedule.
public struct Theme: Hashable, Codable, Sendable {
    /// Burn-in care for the panels the theme is shown on.
    public var burnIn = BurnInCare()
    /// Room left for a visitor code (a screen's `visitor-code: true`, not a key of the theme): a screen that shows one
    /// lays its pages out with this set, so text never runs under the code.
    public var visitorCode = false
    /// Columns the page is set in (a screen showing languages side by side, not a key of the theme): each
    /// language's page takes one.
    public var columns = 1
    public var name: String
    public var background: Colour
    public var text: Colour
    /// Series, headings, rules.
    public var accent: Colour
    /// Captions, credits, page indicator.
    public var muted: Colour
    public var bodyFont: String
    public var headingFont: String
    /// Text sizes in pixels at 1080 lines; outputs scale them to their resolution.
    public var bodySize: Double
    public var titleSize: Double
    public var headingSize: Double
    public var captionSize: Double
    /// The summary's size (pixels at 1080 lines): it is set in the heading face, larger than the body, so it reads
    /// as the label's introduction.
    public var summarySize: Double
    /// Margin as a fraction of the shorter side of the screen.
    public var margin: Double
    /// The longest line of body text, in characters of the body face: wider screens get wider margins, not
    /// longer lines (60 to 75 read best).
    public var measure: Int
    public var alignment: TextAlignment
    public var transition: Transition
    public var showClock: Bool
    public var footer: String?
    public var film: FilmArea

    public init(
        name: String,
        background: Colour = Colour(red: 0xF6, green: 0xF1, blue: 0xE7),
        text: Colour = Colour(red: 0x1D, green: 0x1B, blue: 0x18),
        accent: Colour = Colour(red: 0x7A, green: 0x1F, blue: 0x1F),
        muted: Colour = Colour(red: 0x4F, green: 0x4A, blue: 0x42),
        bodyFont: String = "Noto Serif", headingFont: String = "Noto Sans",
        bodySize: Double = 34, titleSize: Double = 72, headingSize: Double = 44, captionSize: Double = 26,
        summarySize: Double = 42, margin: Double = 0.06, measure: Int = 70, alignment: TextAlignment = .ragged, transition: Transition = .crossfade(milliseconds: 600),
        showClock: Bool = false, footer: String? = nil, film: FilmArea = .page
    ) {
        self.name = name
        self.background = background
        self.text = text
        self.accent = accent
        self.muted = muted
        self.bodyFont = bodyFont
        self.headingFont = headingFont
        self.bodySize = bodySize
        self.titleSize = titleSize
        self.headingSize = headingSize
        self.captionSize = captionSize
        self.summarySize = summarySize
        self.margin = margin
        self.measure = measure
        self.alignment = alignment
        self.transition = transition
        self.showClock = showClock
        self.footer = footer
        self.film = film
    }
}
