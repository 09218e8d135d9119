import FramebufferOutput
import Foundation
import VitrineCore
import VitrinePluginAPI
import VitrineRenderer

// Rendering figures for a 1080p framebuffer, each next to the physical baseline measured in the same run: one
// memcpy of a 1080p frame. Prints `name: value unit` lines, then ratios. Run with `make bench-render`.

func median(_ samples: [Double]) -> Double { samples.sorted()[samples.count / 2] }

func measure(_ repeats: Int, _ body: () -> Void) -> Double {
    body()  // warm caches, fonts and the page cache of the image files
    var samples: [Double] = []
    for _ in 0..<repeats {
        let start = ContinuousClock.now
        body()
        let elapsed = ContinuousClock.now - start
        samples.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    }
    return median(samples)
}

let root = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "config/exhibits").path
let exhibits = ExhibitLoader().loadFolder(root).exhibits
guard let exhibit = exhibits["solidarity"] else {
    print("no demo exhibit 'solidarity' under \(root)")
    exit(1)
}
let (width, height) = (1920, 1080)
let theme = Theme(name: "paper")
let measurer = PixelMeasurer(width: width, height: height, theme: theme)
let painter = PagePainter()

func frame(_ page: Page) -> Frame {
    Frame(content: .page(page), presentation: Presentation(
        screen: "bench", content: .exhibit(page.exhibit, page: page.index, pageCount: page.count), theme: "paper",
        reason: .playlist, validFrom: 0, validUntil: 1), theme: theme)
}

// Lay out the whole exhibit and paint its first page, as a screen does when a new page comes up.
let layoutAndPaint = measure(30) {
    let pages = Paginator().paginate(exhibit, measurer: measurer)
    _ = painter.paint(frame(pages[0]), width: width, height: height)
}
let pages = Paginator().paginate(exhibit, measurer: measurer)
let paintOnly = measure(30) { _ = painter.paint(frame(pages[0]), width: width, height: height) }

let a = painter.paint(frame(pages[0]), width: width, height: height)
let b = painter.paint(frame(pages[min(1, pages.count - 1)]), width: width, height: height)
let count = width * height
let scratch = UnsafeMutablePointer<UInt32>.allocate(capacity: count)
let device = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
// One crossfade frame into an XRGB8888 framebuffer, as the output draws it.
let crossfadeFrame = measure(60) {
    a.withPixels { p in
        b.withPixels { q in
            crossfadeFrameInto(device, stride: width * 4, format: .xrgb8888, from: p.baseAddress!, to: q.baseAddress!,
                               sourceStride: a.stride, width: width, height: height, amount: 0.5, scratch: scratch)
        }
    }
}
let source = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
source.initializeMemory(as: UInt8.self, repeating: 0x5A, count: count * 4)
let memcpyFrame = measure(60) { device.copyMemory(from: source, byteCount: count * 4) }

print(String(format: "page_layout_and_paint_1080p: %.2f ms", layoutAndPaint))
print(String(format: "page_paint_1080p: %.2f ms", paintOnly))
print(String(format: "crossfade_frame_1080p: %.2f ms", crossfadeFrame))
print(String(format: "memcpy_frame_1080p: %.2f ms", memcpyFrame))
print(String(format: "ratio_layout_and_paint_to_memcpy: %.1fx (target under 5x)", layoutAndPaint / memcpyFrame))
print(String(format: "ratio_paint_to_memcpy: %.1fx", paintOnly / memcpyFrame))
print(String(format: "ratio_crossfade_to_memcpy: %.1fx (target under 4x)", crossfadeFrame / memcpyFrame))
