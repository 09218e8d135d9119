import CFramebuffer
import Glibc

/// A Linux framebuffer (or a regular file standing in for one): geometry from the fbdev ioctls, memory mapped,
/// with the screen info, VT mode and blanking put back as they were found.
final class FramebufferDevice: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var call: String
        var path: String
        var errno: Int32
        var hint = ""
        var description: String { "\(call) \(path): \(String(cString: strerror(errno)))\(hint)" }
    }

    struct Geometry: Hashable {
        var width: Int
        var height: Int
        var stride: Int
        var format: PixelFormat
        /// Rows of memory: twice `height` when the driver allows panning between two buffers.
        var virtualHeight: Int
    }

    let path: String
    let fd: Int32
    let geometry: Geometry
    /// True for a real fbdev device; a regular file answers the ioctls with ENOTTY.
    let isDevice: Bool
    let memory: UnsafeMutableRawPointer
    let mappedLength: Int
    private var savedScreen: fb_var_screeninfo?
    private var currentScreen: fb_var_screeninfo?
    private var ttyFD: Int32 = -1
    private var savedTTYMode: Int32 = -1
    private var blanked = false
    private(set) var frontBuffer = 0
    private var closed = false

    /// Opens and maps the device. `fallback` is the geometry for a regular file (from the options).
    init(path: String, fallback: Geometry?, tty: String?) throws {
        self.path = path
        var flags = O_RDWR | O_CLOEXEC
        if fallback != nil { flags |= O_CREAT }
        fd = Glibc.open(path, flags, 0o644)
        guard fd >= 0 else {
            throw Failure(call: "open", path: path, errno: errno,
                          hint: errno == EACCES ? " (the service user needs the video group)" : "")
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
            mappedLength = Int(fixed.smem_len)
        } else if let fallback {
            // A regular file: the same code path, with the geometry the configuration gives.
            isDevice = false
            geometry = fallback
            mappedLength = fallback.stride * fallback.virtualHeight
            var status = stat()
            if fstat(fd, &status) == 0, Int(status.st_size) < mappedLength {
                guard ftruncate(fd, off_t(mappedLength)) == 0 else {
                    let error = errno
                    Glibc.close(fd)
                    throw Failure(call: "ftruncate", path: path, errno: error)
                }
            }
        } else {
            let error = errno
            Glibc.close(fd)
            throw Failure(call: "FBIOGET_VSCREENINFO", path: path, errno: error,
                          hint: " (not a framebuffer: give width, height and format to use a file)")
        }
        guard geometry.format.isSupported else {
            Glibc.close(fd)
            throw Failure(call: "pixel format", path: path, errno: EINVAL,
                          hint: " (\(geometry.format) is not supported; XRGB8888, BGR, RGB888 and RGB565 are)")
        }
        guard let mapped = mmap(nil, mappedLength, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
              mapped != MAP_FAILED
        else {
            let error = errno
            Glibc.close(fd)
            throw Failure(call: "mmap", path: path, errno: error)
        }
        memory = mapped
        // On a real panel the active console would draw over the picture: without `tty:`, take the active VT.
        if let tty { takeConsole(tty) } else if isDevice { takeConsole("/dev/tty0") }
    }

    /// Whether two buffers fit and the driver pans between them.
    var canPan: Bool { isDevice && geometry.virtualHeight >= 2 * geometry.height }

    /// The buffer to draw the next frame into: the one not on screen when panning, else the visible one.
    var backBuffer: UnsafeMutableRawPointer {
        memory + (canPan ? (1 - frontBuffer) * geometry.height * geometry.stride : 0)
    }

    /// Shows the back buffer (when panning), waiting for the panel's refresh where the driver supports it.
    func present() {
        guard canPan, var screen = currentScreen else { return }
        let next = 1 - frontBuffer
        screen.yoffset = UInt32(next * geometry.height)
        if ioctl(fd, UInt(FBIOPAN_DISPLAY), &screen) == 0 {
            frontBuffer = next
            currentScreen = screen
        }
    }

    /// Powers the panel down or up; false where the driver cannot (the caller draws black instead).
    @discardableResult
    func blank(_ on: Bool) -> Bool {
        guard isDevice, on != blanked else { return isDevice }
        let level = on ? Int32(FB_BLANK_POWERDOWN) : Int32(FB_BLANK_UNBLANK)
        guard ioctl(fd, UInt(FBIOBLANK), level) == 0 else { return false }
        blanked = on
        return true
    }

    /// Has the device or file gone away (driver unbound, file removed)?
    var isGone: Bool {
        var status = stat()
        if fstat(fd, &status) != 0 || status.st_nlink == 0 { return true }
        var current = stat()
        return stat(path, &current) != 0 || current.st_ino != status.st_ino || current.st_dev != status.st_dev
    }

    /// Stops the text console drawing over the picture.
    private func takeConsole(_ tty: String) {
        ttyFD = Glibc.open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard ttyFD >= 0 else { return }
        var mode: Int32 = 0
        if ioctl(ttyFD, UInt(KDGETMODE), &mode) == 0, ioctl(ttyFD, UInt(KDSETMODE), Int32(KD_GRAPHICS)) == 0 {
            savedTTYMode = mode
            console = tty
        }
    }

    private(set) var console: String?

    /// Puts everything back: unblank, the original screen info (panning offset), the console's text mode.
    func restore() {
        guard !closed else { return }
        closed = true
        if blanked { _ = blank(false) }
        if var screen = savedScreen { _ = ioctl(fd, UInt(FBIOPUT_VSCREENINFO), &screen) }
        munmap(memory, mappedLength)
        Glibc.close(fd)
        if ttyFD >= 0 {
            if savedTTYMode >= 0 { _ = ioctl(ttyFD, UInt(KDSETMODE), savedTTYMode) }
            Glibc.close(ttyFD)
        }
    }

    deinit { restore() }
}
