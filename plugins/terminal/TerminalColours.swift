import VitrinePluginAPI


/// How many colours a terminal shows, and the escape sequences for a theme colour in each mode.
public enum ColourMode: String, CaseIterable, Sendable {
    case truecolor, palette256 = "256", palette16 = "16", none

    /// From the terminal's environment: COLORTERM=truecolor|24bit, TERM=*-256color, TERM=dumb.
    public static func detect(term: String?, colorterm: String?) -> ColourMode {
        if let colorterm, ["truecolor", "24bit"].contains(colorterm.lowercased()) { return .truecolor }
        guard let term, !term.isEmpty, term != "dumb" else { return .none }
        if term.contains("256color") || term.contains("truecolor") || term.hasPrefix("tmux") { return .palette256 }
        return .palette16
    }

    /// SGR parameters for a foreground (or background) colour.
    public func sgr(_ c: Colour, background: Bool) -> String {
        switch self {
        case .truecolor:
            return "\(background ? 48 : 38);2;\(c.red);\(c.green);\(c.blue)"
        case .palette256:
            return "\(background ? 48 : 38);5;\(Self.nearest256(c))"
        case .palette16:
            let index = Self.nearest16(c)
            let base = index < 8 ? (background ? 40 : 30) + index : (background ? 100 : 90) + index - 8
            return "\(base)"
        case .none:
            return ""
        }
    }

    /// xterm's 6x6x6 cube and grey ramp.
    static func nearest256(_ c: Colour) -> Int {
        let levels = [0, 95, 135, 175, 215, 255]
        func level(_ v: UInt8) -> Int { levels.indices.min { abs(levels[$0] - Int(v)) < abs(levels[$1] - Int(v)) }! }
        let (r, g, b) = (level(c.red), level(c.green), level(c.blue))
        let cube = 16 + 36 * r + 6 * g + b
        let cubeColour = (levels[r], levels[g], levels[b])
        let average = (Int(c.red) + Int(c.green) + Int(c.blue)) / 3
        let greyIndex = min(23, max(0, (average - 8 + 5) / 10))
        let grey = 8 + 10 * greyIndex
        func distance(_ x: (Int, Int, Int)) -> Int {
            let dr = x.0 - Int(c.red), dg = x.1 - Int(c.green), db = x.2 - Int(c.blue)
            return dr * dr + dg * dg + db * db
        }
        return distance((grey, grey, grey)) < distance(cubeColour) ? 232 + greyIndex : cube
    }

    /// The VGA/xterm default 16 colours.
    static let standard16: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255),
        (255, 255, 255),
    ]

    static func nearest16(_ c: Colour) -> Int {
        standard16.indices.min { a, b in
            func distance(_ p: (Int, Int, Int)) -> Int {
                let dr = p.0 - Int(c.red), dg = p.1 - Int(c.green), db = p.2 - Int(c.blue)
                return dr * dr + dg * dg + db * db
            }
            return distance(standard16[a]) < distance(standard16[b])
        }!
    }
}
