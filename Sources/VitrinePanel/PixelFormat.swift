import CCrossfade
/// How a framebuffer stores a pixel, from `fb_var_screeninfo`'s depth and channel offsets.
public struct PixelFormat: Hashable, Sendable, CustomStringConvertible {
    public var bitsPerPixel: Int
    public var redOffset: Int
    public var greenOffset: Int
    public var blueOffset: Int
    public var redLength: Int
    public var greenLength: Int
    public var blueLength: Int

    public init(bitsPerPixel: Int, redOffset: Int, greenOffset: Int, blueOffset: Int, redLength: Int,
                greenLength: Int, blueLength: Int) {
        self.bitsPerPixel = bitsPerPixel
        self.redOffset = redOffset
        self.greenOffset = greenOffset
        self.blueOffset = blueOffset
        self.redLength = redLength
        self.greenLength = greenLength
        self.blueLength = blueLength
    }

    public static let xrgb8888 = PixelFormat(bitsPerPixel: 32, redOffset: 16, greenOffset: 8, blueOffset: 0,
                                              redLength: 8, greenLength: 8, blueLength: 8)
    public static let xbgr8888 = PixelFormat(bitsPerPixel: 32, redOffset: 0, greenOffset: 8, blueOffset: 16,
                                              redLength: 8, greenLength: 8, blueLength: 8)
    public static let rgb888 = PixelFormat(bitsPerPixel: 24, redOffset: 16, greenOffset: 8, blueOffset: 0,
                                            redLength: 8, greenLength: 8, blueLength: 8)
    public static let rgb565 = PixelFormat(bitsPerPixel: 16, redOffset: 11, greenOffset: 5, blueOffset: 0,
                                            redLength: 5, greenLength: 6, blueLength: 5)

    /// Names for the `format:` option of file-backed framebuffers.
    public static let named: [String: PixelFormat] = [
        "xrgb8888": .xrgb8888, "xbgr8888": .xbgr8888, "bgr": .xbgr8888, "rgb888": .rgb888, "rgb565": .rgb565,
    ]

    public var bytesPerPixel: Int { (bitsPerPixel + 7) / 8 }

    public var isSupported: Bool {
        switch bitsPerPixel {
        case 32, 24: redLength == 8 && greenLength == 8 && blueLength == 8
        case 16: redLength + greenLength + blueLength <= 16
        default: false
        }
    }

    public var description: String {
        if self == .xrgb8888 { return "XRGB8888" }
        if self == .xbgr8888 { return "XBGR8888" }
        if self == .rgb565 { return "RGB565" }
        if self == .rgb888 { return "RGB888" }
        return "\(bitsPerPixel)bpp r\(redOffset)/\(redLength) g\(greenOffset)/\(greenLength) b\(blueOffset)/\(blueLength)"
    }

    /// One 0x00RRGGBB pixel in this format, as the bytes the device stores (little-endian).
    @inline(__always)
    public func encode(_ p: UInt32) -> UInt32 {
        let r = (p >> 16) & 0xFF, g = (p >> 8) & 0xFF, b = p & 0xFF
        return (r >> UInt32(8 - redLength)) << UInt32(redOffset)
            | (g >> UInt32(8 - greenLength)) << UInt32(greenOffset)
            | (b >> UInt32(8 - blueLength)) << UInt32(blueOffset)
    }

    /// Copies `width` x `height` pixels (0x00RRGGBB words, `sourceStride` bytes a row) into device memory with
    /// `destinationStride` bytes a row, leaving any padding at the end of each row alone.
    public func convert(from source: UnsafeRawPointer, sourceStride: Int, to destination: UnsafeMutableRawPointer,
                        destinationStride: Int, width: Int, height: Int)
    {
        for y in 0..<height {
            let src = (source + y * sourceStride).assumingMemoryBound(to: UInt32.self)
            let dst = destination + y * destinationStride
            switch bitsPerPixel {
            case 32 where self == .xrgb8888:
                // The common case: the same layout as the painted frame.
                dst.copyMemory(from: src, byteCount: width * 4)
            case 32 where self == .xbgr8888:
                let out = dst.assumingMemoryBound(to: UInt32.self)
                for x in 0..<width {
                    let p = src[x]
                    out[x] = (p & 0xFF00FF00) | (p >> 16 & 0xFF) | (p & 0xFF) << 16
                }
            case 32:
                let out = dst.assumingMemoryBound(to: UInt32.self)
                for x in 0..<width { out[x] = encode(src[x]) }
            case 24:
                let out = dst.assumingMemoryBound(to: UInt8.self)
                for x in 0..<width {
                    let v = encode(src[x])
                    out[3 * x] = UInt8(v & 0xFF)
                    out[3 * x + 1] = UInt8(v >> 8 & 0xFF)
                    out[3 * x + 2] = UInt8(v >> 16 & 0xFF)
                }
            default:
                let out = dst.assumingMemoryBound(to: UInt16.self)
                for x in 0..<width { out[x] = UInt16(truncatingIfNeeded: encode(src[x])) }
            }
        }
    }
}

/// Crossfade of two frames of 0x00RRGGBB words: red and blue are blended in one multiply, green in another
/// (two channels per multiply), vectorised; a per-channel loop is five times slower. The loop is C's
/// (`CCrossfade`): compiled for AVX2 where the processor has it, which Swift cannot ask for one function.
public func crossfade(_ from: UnsafePointer<UInt32>, _ to: UnsafePointer<UInt32>, into out: UnsafeMutablePointer<UInt32>,
                      count: Int, amount: Double)
{
    vitrine_crossfade(from, to, out, count, UInt32(max(0, min(256, (amount * 256).rounded()))))
}

/// One crossfade frame straight into device memory: for XRGB8888 the blend writes the device rows directly (no
/// second pass); other formats blend into `scratch` and convert.
public func crossfadeFrameInto(_ destination: UnsafeMutableRawPointer, stride: Int, format: PixelFormat,
                               from: UnsafeRawPointer, to: UnsafeRawPointer, sourceStride: Int, width: Int,
                               height: Int, amount: Double, scratch: UnsafeMutablePointer<UInt32>)
{
    if format == .xrgb8888 {
        for y in 0..<height {
            crossfade((from + y * sourceStride).assumingMemoryBound(to: UInt32.self),
                      (to + y * sourceStride).assumingMemoryBound(to: UInt32.self),
                      into: (destination + y * stride).assumingMemoryBound(to: UInt32.self), count: width,
                      amount: amount)
        }
        return
    }
    for y in 0..<height {
        crossfade((from + y * sourceStride).assumingMemoryBound(to: UInt32.self),
                  (to + y * sourceStride).assumingMemoryBound(to: UInt32.self),
                  into: scratch + y * width, count: width, amount: amount)
    }
    format.convert(from: scratch, sourceStride: width * 4, to: destination, destinationStride: stride, width: width,
                   height: height)
}
