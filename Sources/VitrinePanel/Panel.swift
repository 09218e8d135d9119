import VitrinePluginAPI
import VitrineRenderer

/// A pixel panel a screen paints its pages on: a Linux framebuffer (or a file standing in for one), or a display
/// connector driven through DRM/KMS. The pages, crossfades, films and console handling are the same for both
/// (`PanelPresenter`); only how a frame reaches the glass differs.
public protocol Panel: AnyObject, Sendable {
    /// Size and pixel format of the frames written.
    var geometry: PanelGeometry { get }
    /// True for a real device (false for a regular file standing in for one).
    var isDevice: Bool { get }
    /// One band of rows as 0x00RRGGBB words, scratch for formats that need converting and for crossfades.
    var bandPixels: UnsafeMutablePointer<UInt32> { get }
    /// The console the screen is shown on, when one is held.
    var console: VirtualTerminal? { get }
    /// Why the panel can no longer be drawn on (unplugged, driver gone, file removed); nil while it can.
    var lost: String? { get }
    /// Writes a frame into the buffer not on the panel, one band of rows at a time: `fill(firstRow, rows, band)`
    /// puts `rows` rows in the panel's format into `band` (`geometry.stride` bytes a row). Then `present()`.
    func draw(_ fill: (_ firstRow: Int, _ rows: Int, _ band: UnsafeMutableRawPointer) -> Void) throws
    /// Shows what `draw` wrote, on the panel's next refresh where the device can wait for one.
    func present()
    /// Switches the display off (true) or on; false where the device cannot (the caller paints black instead).
    @discardableResult func blank(_ on: Bool) -> Bool
    /// Runs `draw` unless another console is on the panel; false when nothing was drawn.
    @discardableResult func whileShown(_ draw: () throws -> Void) throws -> Bool
    /// After the console came back: another console used the device meanwhile; state is read again.
    func resynchronise()
}

extension Panel {
    /// One crossfade frame between two painted frames of the panel's size, written into the back buffer.
    public func drawFade(from: Canvas, to: Canvas, amount: Double) throws {
        let g = geometry
        let scratch = bandPixels
        try from.withPixels { a in
            try to.withPixels { b in
                try draw { first, rows, band in
                    crossfadeFrameInto(band, stride: g.stride, format: g.format,
                                       from: a.baseAddress! + first * from.stride, to: b.baseAddress! + first * to.stride,
                                       sourceStride: from.stride, width: g.width, height: rows, amount: amount,
                                       scratch: scratch)
                }
            }
        }
    }
}

/// The size and memory layout of the frames a panel takes.
public struct PanelGeometry: Hashable, Sendable {
    public var width: Int
    public var height: Int
    /// Bytes from one row to the next.
    public var stride: Int
    public var format: PixelFormat
    /// Rows of memory: twice `height` when a framebuffer driver allows panning between two buffers.
    public var virtualHeight: Int

    public init(width: Int, height: Int, stride: Int, format: PixelFormat, virtualHeight: Int) {
        self.width = width
        self.height = height
        self.stride = stride
        self.format = format
        self.virtualHeight = virtualHeight
    }
}

/// Which console a panel's screen holds while drawing.
public enum ConsoleChoice: Hashable, Sendable {
    /// Leave every console alone (a file, or a panel no text console is shown on).
    case none
    /// This virtual terminal (`/dev/tty0`: the one active when the screen starts).
    case terminal(String)
    /// `defaultConsole` on a real device, none on a regular file.
    case automatic

    /// A console of the screen's own, away from the login prompts (getty) on tty1 to tty6: Ctrl-Alt-F7.
    public static let defaultConsole = "/dev/tty7"

    /// Opens the console chosen for a panel (`onDevice`: a real device, which gets `defaultConsole` when automatic),
    /// or says why it could not be opened: the screen runs without one then, and the log says so.
    public func open(onDevice: Bool) -> (console: VirtualTerminal?, problem: String?) {
        let path: String? = switch self {
        case .none: nil
        case let .terminal(path): path
        case .automatic: onDevice ? Self.defaultConsole : nil
        }
        guard let path else { return (nil, nil) }
        do {
            return (try VirtualTerminal(path: path), nil)
        } catch {
            return (nil, "\(error)")
        }
    }
}
