import Foundation
import Testing
import VitrineCore
import VitrineModel
import VitrinePluginAPI
import VitrineRenderer
import VitrineTestKit

/// The QR code a screen shows so visitors open the exhibit on their phones: read back from the painted page by a
/// real decoder (zbarimg, Debian's zbar-tools), and never over the text.
@Suite struct VisitorCodeTests {
    /// What zbarimg reads in a PNG file.
    func decode(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zbarimg")
        process.arguments = ["--quiet", "--raw", path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: [(1280, 720), (1920, 1080), (1080, 1920), (3840, 2160)])
    func theDemoWallsCodeOpensTheExhibitOnScreenAndStaysOffTheText(width: Int, height: Int) throws {
        let venue = try TemporaryVenue()
        try venue.copyDemo()
        let program = try #require(venue.load().program)
        let surface = PixelMeasurer.surface(width: width, height: height)
        // Over a few minutes of the wall: English and Arabic pages of the harbour workshop, and Solidarity.
        let start = try #require(program.calendar.parseDateTime("2026-12-02T10:00"))
        var decoded: Set<String> = []
        for presentation in program.timeline(for: "wall", from: start, until: start + 180_000, surface: surface) {
            let frame = program.frame(for: presentation, surface: surface)
            let plan = PagePlan(frame, width: width, height: height)
            let placed = try #require(plan.visitorCode, "\(frame.summary): no code")
            let canvas = PagePainter().paint(plan)
            let code = try #require(canvas.boxes.first { $0.what == "visitor code" })
            for box in canvas.boxes where box.what != "visitor code" {
                let apart = box.maxX <= code.x || box.x >= code.maxX || box.maxY <= code.y || box.y >= code.maxY
                #expect(apart, "\(frame.summary) at \(width)x\(height): '\(box.what)' runs under the code")
            }
            // Decoding is slow: every page at 720p, the first at the other sizes.
            guard width == 1280 || decoded.isEmpty else { continue }
            let png = venue.root.appendingPathComponent("wall-\(presentation.validFrom).png").path
            try canvas.writePNG(to: png)
            let link = try decode(png)
            #expect(link == placed.code.link, "\(frame.summary): zbarimg read '\(link)'")
            decoded.insert(link)
        }
        #expect(decoded.contains("http://127.0.0.1:8080/visit/harbour-workshop?shown=en"), "\(decoded)")
        if width == 1280 {
            #expect(decoded.contains("http://127.0.0.1:8080/visit/harbour-workshop?shown=ar"), "\(decoded)")
            #expect(decoded.contains("http://127.0.0.1:8080/visit/solidarity?shown=en"), "\(decoded)")
        }
    }

    @Test func aScreensCodeNeedsTheAddressPhonesUse() throws {
        let venue = try TemporaryVenue()
        try venue.writeFirstAndSecond(screens: """
              hall:
                output: terminal
                playlist: main
                visitor-code: true
            """)
        let errors = venue.load().diagnostics.errors
        let error = try #require(errors.first { $0.message.contains("visitor-code") }, "\(errors)")
        #expect(error.line == 10 && error.column == 19, "\(error)")
        #expect(error.message.contains("set http.visitor-url"), "\(error)")

        try venue.writeFirstAndSecond(screens: """
              hall: { output: terminal, playlist: main, visitor-code: true }
            http:
              visitor-url: "phone.local:8080"
            """)
        #expect(venue.load().diagnostics.errors.contains { $0.message.contains("http.visitor-url: expected the address") })
    }

    @Test func aScreenWithoutACodeLaysItsPagesOutAsBefore() throws {
        let venue = try TemporaryVenue()
        try venue.copyDemo()
        let program = try #require(venue.load().program)
        let wall = try #require(program.configuration.screen(named: "wall"))
        var plain = wall
        plain.visitorCode = false
        let surface = PixelMeasurer.surface(width: 1080, height: 1920)
        // Portrait: the code takes a band below the text, so the text has less room; without it, the whole page.
        let with = program.pages(of: "long-winter", on: wall, theme: "paper", surface: surface)
        let without = program.pages(of: "long-winter", on: plain, theme: "paper", surface: surface)
        #expect(with.count >= without.count)
        let measurer = PixelMeasurer(width: 1080, height: 1920, theme: Theme(name: "paper"))
        #expect(without == Paginator().paginate(program.exhibits["long-winter"]!, measurer: measurer))
    }
}
