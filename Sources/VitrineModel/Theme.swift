import Foundation

/// An sRGB colour written as `#RRGGBB` in the configuration.
public struct Colour: Hashable, Sendable, CustomStringConvertible {
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
}

public enum Transition: Hashable, Sendable, CustomStringConvertible {
    case cut
    case crossfade(milliseconds: Int64)
    public var description: String {
        switch self {
        case .cut: "cut"
        case let .crossfade(ms): "crossfade \(ms)ms"
        }
    }
}

public enum TextAlignment: String, Hashable, Sendable, CaseIterable {
    /// Ragged right: the default, no wide gaps.
    case ragged
    /// Justified, with hyphenation so no wide gaps appear.
    case justified
}

/// Where a page's film is shown on pixel screens.
public enum FilmArea: String, Hashable, Sendable, CaseIterable {
    /// In the page, below its "▶ Film" line (the whole text area when too little is left there): the title,
    /// the running head and the foot stay in view around it.
    case page
    /// The whole panel, the page coming back when the film ends.
    case panel
}

/// Colours, fonts, sizes and layout for pages: data, so rotating themes is part of the schedule.
public struct Theme: Hashable, Sendable {
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
    /// Margin as a fraction of the shorter side of the screen.
    public var margin: Double
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
        margin: Double = 0.06, alignment: TextAlignment = .ragged, transition: Transition = .crossfade(milliseconds: 600),
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
        self.margin = margin
        self.alignment = alignment
        self.transition = transition
        self.showClock = showClock
        self.footer = footer
        self.film = film
    }
}
