import CFramebuffer
import Glibc
import Synchronization
import VitrinePanel
import VitrinePluginAPI
import VitrineRenderer

/// A Linux framebuffer (or a regular file standing in for one): geometry from the fbdev ioctls, frames written
/// band by band with pwrite(2), with the screen info, VT mode and blanking put back as they were found.
///
/// Frames are written rather than drawn into an mmap of the device: the daemon then holds no mapping of the whole
/// screen memory (8 MiB at 1080p, counted in its resident size when the driver backs it with system memory, as
/// DRM's fbdev emulation does), and a device that goes away fails a write with an error the output reports and
/// recovers from, instead of leaving a mapping of memory the driver has given up.
public final class FramebufferDevice: Panel, @unchecked Sendable {
    public typealias Geometry = PanelGeometry

    public let path: String
    let fd: Int32
    public let geometry: Geometry
    /// True for a real fbdev device; a regular file answers the ioctls with ENOTTY.
    public let isDevice: Bool
    /// Rows written at a time: small enough to stay in the processor's cache.
    static let bandRows = CompressedCanvas.bandRows
    /// One band of rows in the device's format, reused for every write.
    private let band: UnsafeMutableRawPointer
    /// One band of rows as 0x00RRGGBB words, for formats that need converting.
    public let bandPixels: UnsafeMutablePointer<UInt32>
    private var savedScreen: fb_var_screeninfo?
    private var currentScreen: fb_var_screeninfo?
    private var blanked = false
    private(set) var frontBuffer = 0
    private var closed = false
    /// Told each time a frame goes onto the panel (a pan between the two buffers).
    var flipped: (@Sendable () -> Void)?

    public typealias ConsoleChoice = VitrinePanel.ConsoleChoice

    /// A console of the screen's own, away from the login prompts (getty) on tty1 to tty6: Ctrl-Alt-F7.
    public static let defaultConsole = ConsoleChoice.defaultConsole

    /// Opens the device and takes its console. `fallback` is the geometry for a regular file (from the options).
    public init(path: String, fallback: Geometry?, console choice: ConsoleChoice) throws {
        self.path = path
        var flags = O_RDWR | O_CLOEXEC
        if fallback != nil { flags |= O_CREAT }
        fd = Glibc.open(path, flags, 0o644)
        guard fd >= 0 else {
            throw OutputError.system("open", path, errno: errno,
                                     fix: "the service user needs the video group (the packaged unit gives it)")
        }
        var variable = fb_var_screeninfo()
        var fixed = fb_fix_screeninfo()
        if ioctl(fd, UInt(FBIOGET_VSCREENINFO), &variable) == 0, ioctl(fd, UInt(FBIOGET_FSCREENINFO), &fixed) == 0 {
            isDevice = true
            savedScreen = variable
            currentScreen = variable
            let format = PixelFormat(
                bitsPerPixel: Int(variable.bits_per_pixel), redOffset: Int(variable.red.offset),
                greenOffset: Int(variable.green.offset), blueOffset: Int(variable.blue.offset),
                redLength: Int(variable.red.length), greenLength: Int(variable.green.length),
                blueLength: Int(variable.blue.length))
            geometry = Geometry(width: Int(variable.xres), height: Int(variable.yres), stride: Int(fixed.line_length),
                                format: format, virtualHeight: Int(variable.yres_virtual))
        } else if let fallback {
            // A regular file: the same code path, with the geometry the configuration gives.
            isDevice = false
            geometry = fallback
            let length = fallback.stride * fallback.virtualHeight
            var status = stat()
            if fstat(fd, &status) == 0, Int(status.st_size) < length {
                guard ftruncate(fd, off_t(length)) == 0 else {
                    let error = errno
                    Glibc.close(fd)
                    throw OutputError.system("ftruncate", path, errno: error)
                }
            }
        } else {
            let error = errno
            Glibc.close(fd)
            throw OutputError.system("FBIOGET_VSCREENINFO", path, errno: error,
                                     fix: "\(path) is not a framebuffer: give width, height and format to use a file")
        }
        guard geometry.format.isSupported else {
            Glibc.close(fd)
            throw OutputError.system("pixel format", path, errno: EINVAL,
                                     fix: "set the panel to XRGB8888, BGR, RGB888 or RGB565 (\(geometry.format) is not supported)")
        }
        band = .allocate(byteCount: Self.bandRows * geometry.stride, alignment: 64)
        band.initializeMemory(as: UInt8.self, repeating: 0, count: Self.bandRows * geometry.stride)
        bandPixels = .allocate(capacity: Self.bandRows * geometry.width)
        // On a real panel a text console would draw over the picture: hold one, by default one of the screen's own.
        let (console, problem) = choice.open(onDevice: isDevice)
        consoleProblems += problem.map { [$0] } ?? []
        self.console = console
    }

    /// Whether two buffers fit and the driver pans between them.
    var canPan: Bool { isDevice && geometry.virtualHeight >= 2 * geometry.height }

    /// Writes a frame into the buffer not on screen (when panning), else the visible one, one band of rows at a
    /// time: `fill(firstRow, rows, band)` puts `rows` rows in the device's format into `band` (`stride` bytes a
    /// row). Call `present()` afterwards.
    public func draw(_ fill: (_ firstRow: Int, _ rows: Int, _ band: UnsafeMutableRawPointer) -> Void) throws {
        let g = geometry
        let base = (canPan ? (1 - frontBuffer) * g.height : 0) * g.stride
        let rowBytes = g.width * g.format.bytesPerPixel
        for first in stride(from: 0, to: g.height, by: Self.bandRows) {
            let rows = min(Self.bandRows, g.height - first)
            fill(first, rows, band)
            if rowBytes == g.stride {
                try write(band, count: rows * g.stride, at: base + first * g.stride)
            } else {
                // Padded rows: the padding may belong to the driver, so only the pixels are written.
                for row in 0..<rows {
                    try write(band + row * g.stride, count: rowBytes, at: base + (first + row) * g.stride)
                }
            }
        }
    }

    private func write(_ bytes: UnsafeRawPointer, count: Int, at offset: Int) throws {
        var done = 0
        while done < count {
            let written = pwrite(fd, bytes + done, count - done, off_t(offset + done))
            if written < 0, errno == EINTR { continue }
            guard written > 0 else {
                throw OutputError.system("write", path, errno: written < 0 ? errno : ENOSPC)
            }
            done += written
        }
    }

    /// Shows the back buffer (when panning), waiting for the panel's refresh where the driver supports it.
    public func present() {
        guard canPan, var screen = currentScreen else { return }
        let next = 1 - frontBuffer
        screen.yoffset = UInt32(next * geometry.height)
        if ioctl(fd, UInt(FBIOPAN_DISPLAY), &screen) == 0 {
            frontBuffer = next
            currentScreen = screen
            flipped?()
        }
    }

    /// Powers the panel down or up; false where the driver cannot (the caller draws black instead).
    @discardableResult
    public func blank(_ on: Bool) -> Bool {
        guard isDevice, on != blanked else { return isDevice }
        let level = on ? Int32(FB_BLANK_POWERDOWN) : Int32(FB_BLANK_UNBLANK)
        guard ioctl(fd, UInt(FBIOBLANK), level) == 0 else { return false }
        blanked = on
        return true
    }

    public var lost: String? {
        isGone ? "\(path) went away (unplugged, driver reloaded or file removed)" : nil
    }

    /// Has the device or file gone away (driver unbound, file removed)?
    var isGone: Bool {
        var status = stat()
        if fstat(fd, &status) != 0 || status.st_nlink == 0 { return true }
        var current = stat()
        return stat(path, &current) != 0 || current.st_ino != status.st_ino || current.st_dev != status.st_dev
    }

    /// The console the screen is shown on, when one is held.
    public let console: VirtualTerminal?
    /// Why the console could not be held as it should, when it could not.
    private(set) var consoleProblems: [String] = []

    /// Makes the console the active one, in graphics mode, with its switching under this process's control.
    func takeConsole(remembering before: ConsoleBefore) async {
        guard let console else { return }
        await console.take(returnTo: before.number)
        before.number = console.returnTo
        consoleProblems += console.problems
    }

    /// Runs `draw` (writing a frame and presenting it) unless another console is on the panel; a switch away
    /// waits until it is done. False when nothing was drawn.
    @discardableResult
    public func whileShown(_ draw: () throws -> Void) throws -> Bool {
        guard let console else {
            try draw()
            return true
        }
        return try console.whileShown(draw)
    }

    /// After the console was shown again: another console used the framebuffer meanwhile, so the panning offset
    /// and blanking are read from the driver rather than remembered.
    public func resynchronise() {
        var screen = fb_var_screeninfo()
        guard isDevice, ioctl(fd, UInt(FBIOGET_VSCREENINFO), &screen) == 0 else { return }
        frontBuffer = canPan && Int(screen.yoffset) >= geometry.height ? 1 : 0
        currentScreen = screen
        blanked = false
    }

    /// Puts everything back: unblank, the original screen info (panning offset), the console's text mode.
    func restore() {
        guard !closed else { return }
        closed = true
        if blanked { _ = blank(false) }
        if var screen = savedScreen { _ = ioctl(fd, UInt(FBIOPUT_VSCREENINFO), &screen) }
        Glibc.close(fd)
        console?.restore()
    }

    deinit {
        restore()
        band.deallocate()
        bandPixels.deallocate()
    }
}
