import CLZ4
import Foundation
import Synchronization
import VitrinePluginAPI

/// A painted frame kept compressed. Exhibit pages are mostly background, so LZ4 holds a 1080p text page in a few
/// hundred kilobytes instead of 8 MiB, and restores it at close to memory speed. Bands of rows are compressed on
/// their own, so a screen can be fed band by band through a small buffer that stays in the processor's cache,
/// without ever unpacking the whole frame.
public struct CompressedCanvas: Sendable {
    /// Rows per band: 32 rows of a 1080p frame are 240 KiB.
    public static let bandRows = 32
    public let width: Int
    public let height: Int
    /// Bytes per row of the unpacked pixels (0x00RRGGBB words).
    public let stride: Int
    let bytes: [UInt8]
    /// Where each band starts in `bytes`, and one past the last.
    let offsets: [Int]
    /// Memory the compressed page takes.
    public var byteCount: Int { bytes.count + offsets.count * MemoryLayout<Int>.size }

    /// Unpacks the rows from `firstRow` (a multiple of `bandRows`) through the end of that band into `destination`
    /// (`stride` bytes a row); returns how many rows it wrote, or nil when the data is damaged.
    public func unpackBand(startingAt firstRow: Int, into destination: UnsafeMutableRawPointer) -> Int? {
        let band = firstRow / Self.bandRows
        guard firstRow % Self.bandRows == 0, band < offsets.count - 1 else { return nil }
        let rows = min(Self.bandRows, height - firstRow)
        let read = bytes.withUnsafeBufferPointer { input in
            LZ4_decompress_safe(UnsafeRawPointer(input.baseAddress! + offsets[band]).assumingMemoryBound(to: CChar.self),
                                destination.assumingMemoryBound(to: CChar.self),
                                Int32(offsets[band + 1] - offsets[band]), Int32(rows * stride))
        }
        return Int(read) == rows * stride ? rows : nil
    }
}

extension Canvas {
    /// The pixels, compressed band by band.
    public func compressed() -> CompressedCanvas {
        withPixels { pixels in
            let bandBytes = CompressedCanvas.bandRows * stride
            let bound = Int(LZ4_compressBound(Int32(bandBytes)))
            var bytes: [UInt8] = []
            var offsets = [0]
            var scratch = [UInt8](repeating: 0, count: bound)
            for first in Swift.stride(from: 0, to: height, by: CompressedCanvas.bandRows) {
                let rows = min(CompressedCanvas.bandRows, height - first)
                let written = scratch.withUnsafeMutableBufferPointer { out in
                    LZ4_compress_default((pixels.baseAddress! + first * self.stride).assumingMemoryBound(to: CChar.self),
                                         UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: CChar.self),
                                         Int32(rows * self.stride), Int32(bound))
                }
                precondition(written > 0, "LZ4 cannot fail with an output of compressBound bytes")
                bytes.append(contentsOf: scratch[0..<Int(written)])
                offsets.append(bytes.count)
            }
            return CompressedCanvas(width: width, height: height, stride: self.stride, bytes: bytes, offsets: offsets)
        }
    }

    /// A canvas holding the pixels of a compressed one; nil when the data does not unpack to a whole frame.
    public static func restoring(_ compressed: CompressedCanvas) -> Canvas? {
        let canvas = Canvas(width: compressed.width, height: compressed.height)
        guard canvas.stride == compressed.stride else { return nil }
        let whole = canvas.withMutablePixels { pixels in
            Swift.stride(from: 0, to: canvas.height, by: CompressedCanvas.bandRows).allSatisfy { first in
                compressed.unpackBand(startingAt: first, into: pixels + first * canvas.stride) != nil
            }
        }
        return whole ? canvas : nil
    }
}

/// Pages painted once per (content, theme, size) and kept compressed, least recently shown dropped first when the
/// budget is reached. A playlist loops through the same pages all day: after the first round a page change costs
/// a decompression instead of laying out text and decoding pictures again. Safe to share between screens.
public final class PaintedPageCache: Sendable {
    /// What a painted page depends on. Pictures are named by file, so their size and modification time are part
    /// of the key: a curator who replaces a photograph under the same name sees the new one.
    public struct Key: Hashable, Sendable {
        var content: Frame.Content
        var theme: Theme
        var clock: String?
        var width: Int
        var height: Int
        var pictures: [PictureStamp]
        var shift: PixelShift
        var dimmed: Bool

        public init(_ frame: Frame, width: Int, height: Int) {
            content = frame.content
            theme = frame.theme
            clock = frame.clock
            shift = frame.shift
            dimmed = frame.dimmed
            self.width = width
            self.height = height
            pictures = []
            if case let .page(page) = frame.content {
                for case let .image(image, _, _) in page.items {
                    pictures.append(PictureStamp(path: image.path(in: page.mediaFolder)))
                }
            }
        }
    }

    struct PictureStamp: Hashable, Sendable {
        var size: Int64 = -1
        var modified: Int = 0
        var modifiedNanoseconds: Int = 0

        init(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return }
            size = Int64(info.st_size)
            modified = info.st_mtim.tv_sec
            modifiedNanoseconds = info.st_mtim.tv_nsec
        }
    }

    private struct State {
        var pages: [Key: CompressedCanvas] = [:]
        /// Least recently used first. Short (a screen's pages for a few exhibits), so a linear search is cheap.
        var order: [Key] = []
        var bytes = 0
    }

    /// Bytes of compressed pages kept at most.
    public let budget: Int
    private let state = Mutex(State())

    public init(budget: Int) {
        self.budget = budget
    }

    /// The painted page, compressed, when it is kept.
    public func page(for key: Key) -> CompressedCanvas? {
        state.withLock { state -> CompressedCanvas? in
            guard let page = state.pages[key] else { return nil }
            if let index = state.order.firstIndex(of: key) { state.order.remove(at: index) }
            state.order.append(key)
            return page
        }
    }

    /// The painted page unpacked, when it is kept.
    public func canvas(for key: Key) -> Canvas? { page(for: key).flatMap(Canvas.restoring) }

    /// Keeps a painted page, dropping the least recently used ones to stay within the budget.
    public func store(_ canvas: Canvas, for key: Key) {
        guard budget > 0 else { return }
        store(canvas.compressed(), for: key)
    }

    public func store(_ compressed: CompressedCanvas, for key: Key) {
        guard compressed.byteCount <= budget else { return }
        state.withLock { state in
            if let old = state.pages.updateValue(compressed, forKey: key) {
                state.bytes -= old.byteCount
                state.order.removeAll { $0 == key }
            }
            state.order.append(key)
            state.bytes += compressed.byteCount
            while state.bytes > budget, !state.order.isEmpty {
                let oldest = state.order.removeFirst()
                state.bytes -= state.pages.removeValue(forKey: oldest)?.byteCount ?? 0
            }
        }
    }

    /// How many pages are kept and the bytes they take.
    public var usage: (pages: Int, bytes: Int) { state.withLock { ($0.pages.count, $0.bytes) } }
}
