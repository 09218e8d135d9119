import Foundation
import Testing
import VitrineCore
import VitrinePluginAPI
import VitrineRenderer
import VitrineTestKit

/// Pages laid out with Pango for pixel screens, painted with Cairo, checked on what was actually drawn.
@Suite struct RendererTests {
    let demoFolder = TemporaryVenue.packageRoot.appendingPathComponent("config/exhibits").path
    var demo: ExhibitLoader.Result { ExhibitLoader().loadFolder(demoFolder) }
    let theme = Theme(name: "paper")

    func frame(_ page: Page) -> Frame {
        let presentation = Presentation(screen: "s", content: .exhibit(page.exhibit, page: page.index,
                                                                         pageCount: page.count),
                                        theme: theme.name, reason: .playlist, validFrom: 0, validUntil: 1)
        return Frame(content: .page(page), presentation: presentation, theme: theme)
    }

    @Test(arguments: [(1280, 720), (1920, 1080), (1080, 1920), (3840, 2160)])
    func everyPageStaysInsideItsArea(width: Int, height: Int) throws {
        let measurer = PixelMeasurer(width: width, height: height, theme: theme)
        let layout = measurer.layout
        let painter = PagePainter()
        // Every language the demo is written in: Russian, Arabic (right to left) and Chinese as well as English.
        for exhibit in demo.exhibits.values.flatMap({ [$0] + $0.translations.values }) {
            let pages = Paginator().paginate(exhibit, measurer: measurer)
            for page in pages {
                let canvas = painter.paint(frame(page), width: width, height: height)
                #expect(!canvas.boxes.isEmpty)
                // Glyphs may overhang their box a little (a J's hook, an italic f) as in print; never by more than a
                // small part of the margin.
                let overhang = layout.margin * 0.15
                for box in canvas.boxes {
                    let place = "\(exhibit.id) \(page.indicator) at \(width)x\(height): '\(box.what)'"
                    #expect(box.x >= layout.margin - 0.5, "\(place) starts left of the margin")
                    #expect(box.maxX <= Double(width) - layout.margin + 0.5, "\(place) runs past the right margin")
                    #expect(box.overhangLeft <= overhang && box.overhangRight <= overhang, "\(place) overhangs")
                    #expect(box.y >= layout.margin - 1, "\(place) above the top margin")
                    #expect(box.maxY <= layout.flowBottom + 1, "\(place) runs into the foot of the page")
                }
                if page.index < page.count - 1, case let .text(role, _, _)? = page.items.last {
                    #expect(role != .heading && role != .title, "\(exhibit.id) \(page.indicator) ends with a heading")
                }
            }
        }
    }

    /// Body lines keep to the theme's measure (70 characters) on every panel: a wide screen gets wider margins, the
    /// column centred, not longer lines (they ran to ~110 characters at 1080p). Checked on what was painted.
    @Test(arguments: [(1280, 720), (1920, 1080), (1080, 1920), (3840, 2160)])
    func bodyLinesKeepToTheMeasure(width: Int, height: Int) throws {
        let measurer = PixelMeasurer(width: width, height: height, theme: theme)
        let layout = measurer.layout
        var longest = 0, lines = 0
        for exhibit in demo.exhibits.values {
            for page in Paginator().paginate(exhibit, measurer: measurer) {
                let plan = PagePlan(frame(page), width: width, height: height)
                let canvas = PagePainter().paint(plan)
                for text in plan.texts where text.role == .body || text.role == .transcript {
                    guard let box = canvas.boxes.first(where: { $0.what == text.text && abs($0.y - text.y) < 2 }) else {
                        Issue.record("'\(text.text)' was not painted")
                        continue
                    }
                    let place = "\(exhibit.id) \(page.indicator) at \(width)x\(height): '\(box.what)'"
                    #expect(box.x >= layout.textLeft - 0.5 && box.maxX <= layout.textLeft + layout.textWidth + 0.5,
                            "\(place) leaves the text column")
                    longest = max(longest, box.what.count)
                    lines += 1
                }
            }
        }
        #expect(lines > 20)
        // 70 characters on average; a line of narrow letters holds a few more.
        #expect(longest <= 82, "\(longest) characters in a line at \(width)x\(height)")
        if width > height {
            #expect(layout.textWidth < layout.contentWidth, "a landscape panel is wider than the measure")
            #expect(abs(layout.textLeft - layout.margin - (layout.contentWidth - layout.textWidth) / 2) <= 1, "centred")
        }
    }

    /// The summary reads as the label's introduction: the heading face at its own size (42 px at 1080 lines, a
    /// theme's `sizes.summary`), not body text a little larger (38 px against 34, same face, as it was).
    @Test func theSummaryIsSetApartFromTheBody() throws {
        let layout = PixelLayout(width: 1920, height: 1080, theme: theme)
        let summary = layout.font(for: .summary), body = layout.font(for: .body)
        #expect(summary.family == theme.headingFont && summary.family != body.family)
        #expect(summary.size >= body.size * 1.2, "\(summary.size) against \(body.size)")
        var large = theme
        large.summarySize = 50
        #expect(PixelLayout(width: 3840, height: 2160, theme: large).font(for: .summary).size == 100)
        let exhibit = try #require(demo.exhibits["long-winter"])
        let page = try #require(Paginator().paginate(exhibit, measurer: PixelMeasurer(width: 1920, height: 1080,
                                                                                       theme: theme)).first)
        let plan = PagePlan(frame(page), width: 1920, height: 1080)
        let first = try #require(plan.texts.first { $0.role == .summary })
        #expect(first.font == summary)
    }

    @Test func theLongExhibitNeedsMorePagesOnSmallerScreens() throws {
        let exhibit = try #require(demo.exhibits["long-winter"])
        let big = Paginator().paginate(exhibit, measurer: PixelMeasurer(width: 1920, height: 1080, theme: theme))
        let portrait = Paginator().paginate(exhibit, measurer: PixelMeasurer(width: 1080, height: 1920, theme: theme))
        #expect(big.count >= 3)
        #expect(portrait.count < big.count, "a portrait panel holds more lines a page")
    }

    @Test func paintsTheThemeAndTheImage() throws {
        let exhibit = try #require(demo.exhibits["harbour-workshop"])
        let measurer = PixelMeasurer(width: 1920, height: 1080, theme: theme)
        let pages = Paginator().paginate(exhibit, measurer: measurer)
        let withImage = try #require(pages.first { $0.items.contains { if case .image = $0 { true } else { false } } })
        let canvas = PagePainter().paint(frame(withImage), width: 1920, height: 1080)
        #expect(canvas.width == 1920 && canvas.height == 1080)
        #expect(canvas.pixel(x: 2, y: 2) == 0xF6F1E7, "the paper background")
        let image = try #require(canvas.boxes.first { $0.what == "harbour.png" })
        // The harbour picture's sky (#C8D7E6) fills its top band, scaled into the box.
        let sky = canvas.pixel(x: Int(image.x + image.width / 2), y: Int(image.y + 4))
        #expect(abs(Int(sky >> 16) - 0xC8) < 8 && abs(Int(sky >> 8 & 0xFF) - 0xD7) < 8, "\(String(sky, radix: 16))")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-render-\(UUID()).png").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try canvas.writePNG(to: file)
        let header = try #require(FileHandle(forReadingAtPath: file)?.readData(ofLength: 24))
        #expect([UInt8](header.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
    }

    /// A phone's portrait photograph is a JPEG stored on its side with EXIF orientation 6: `vitrine render` shows it
    /// standing (its stored left half, red, on top), laid out as tall as it is shown. A picture over the size limit
    /// is an error with its file's name and place. (JPEG used to be a grey frame with the alt text.)
    @Test func aPhonesPhotographIsShownUprightAndAHugeOneIsRefused() throws {
        let venue = try TemporaryVenue()
        try venue.writeConfig("""
            timezone: UTC
            playlists:
              main: [phone]
            screens:
              wall: { output: framebuffer, playlist: main, device: \(venue.root.path)/fb, width: 1280, height: 720 }

            """)
        try venue.addExhibit("phone", """
            ---
            title: A photograph
            images:
              - file: portrait.jpg
                alt: A test picture, red above blue.
            ---
            Text.

            """)
        let folder = venue.contentPath + "/phone"
        let made = Process()
        made.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        made.arguments = ["-c", """
            import sys
            from PIL import Image
            image = Image.new("RGB", (400, 200), (220, 20, 20))
            image.paste((20, 20, 220), (200, 0, 400, 200))
            exif = Image.Exif()
            exif[0x0112] = 6
            image.save(sys.argv[1], quality=95, exif=exif)
            """, folder + "/portrait.jpg"]
        try made.run()
        made.waitUntilExit()
        let exhibit = try #require(ExhibitLoader().loadFolder(venue.contentPath).exhibits["phone"])
        let image = try #require(exhibit.blocks.compactMap { if case let .image(i) = $0 { i } else { nil } }.first)
        #expect(image.pixelWidth == 200 && image.pixelHeight == 400, "laid out standing")

        let png = venue.root.path + "/page.png"
        let rendered = try Vitrine.run(["render", "--config", venue.configPath, "--screen", "wall", "--exhibit", "phone",
                                        "--page", "1", "--size", "1280x720", "--output", png])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let canvas = try #require(Canvas.load(png: png))
        func extent(_ matches: (UInt32) -> Bool) -> (minX: Int, maxX: Int, minY: Int, maxY: Int)? {
            var found: (Int, Int, Int, Int)?
            for y in stride(from: 0, to: canvas.height, by: 2) {
                for x in stride(from: 0, to: canvas.width, by: 2) where matches(canvas.pixel(x: x, y: y)) {
                    let f = found ?? (x, x, y, y)
                    found = (min(f.0, x), max(f.1, x), min(f.2, y), max(f.3, y))
                }
            }
            return found
        }
        let red = try #require(extent { ($0 >> 16 & 0xFF) > 170 && ($0 >> 8 & 0xFF) < 90 && ($0 & 0xFF) < 90 }, "no picture drawn")
        let blue = try #require(extent { ($0 >> 16 & 0xFF) < 90 && ($0 >> 8 & 0xFF) < 90 && ($0 & 0xFF) > 170 })
        #expect(red.maxY < blue.minY, "red above blue: \(red) \(blue)")
        #expect(abs(red.minX - blue.minX) <= 4 && abs(red.maxX - blue.maxX) <= 4, "one above the other: \(red) \(blue)")
        let (width, height) = (red.maxX - red.minX, blue.maxY - red.minY)
        #expect(height > width * 3 / 2, "standing: \(width) × \(height)")

        // 10,000 × 6,000 pixels, as far as its header says: refused before anything is decoded.
        var huge: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
                             0, 0, 0x27, 0x10, 0, 0, 0x17, 0x70, 8, 2, 0, 0, 0]
        huge += [UInt8](repeating: 0, count: 64)
        try Data(huge).write(to: URL(fileURLWithPath: folder + "/huge.png"))
        try venue.addExhibit("phone", """
            ---
            title: A photograph
            images:
              - file: huge.png
                alt: A scan.
            ---
            Text.

            """)
        let check = try Vitrine.run(["check", "--config", venue.configPath])
        #expect(check.status == 1)
        #expect((check.stdout + check.stderr).contains("\(folder)/exhibit.md:4:5: error: image 'huge.png' is 10000 × 6000 pixels "
            + "(60.0 megapixels), more than the 50 a picture may have"), "\(check.stdout)\(check.stderr)")
    }

    /// An image written inside a paragraph is checked like any other (a missing one is an error at its line and
    /// column) and painted where it is written: the paragraph's words before it above, the rest below. It used to
    /// pass `check` unseen and leave its alt text in the line.
    @Test func anImageInsideAParagraphIsCheckedAndPaintedWhereItIsWritten() throws {
        let venue = try TemporaryVenue()
        try venue.addExhibit("lind", """
            ---
            title: Ada Lind
            ---
            She drew the harbour from memory. ![Portrait of Ada Lind, 1990](lind.png) The drawings were published later.

            A second paragraph with a lost picture: ![Lost](lost.png).

            """)
        let folder = venue.contentPath + "/lind"
        let made = Process()
        made.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        made.arguments = ["-c", "import sys\nfrom PIL import Image\nImage.new('RGB', (300, 200), (20, 120, 40)).save(sys.argv[1])",
                          folder + "/lind.png"]
        try made.run()
        made.waitUntilExit()
        let loaded = ExhibitLoader().loadFolder(venue.contentPath)
        let messages = loaded.diagnostics.map(\.description)
        #expect(messages.contains("\(folder)/exhibit.md:6:41: error: image 'lost.png' is missing in \(folder)"), "\(messages)")
        let exhibit = try #require(loaded.exhibits["lind"])
        let kinds = exhibit.blocks.map { block -> String in
            switch block {
            case let .paragraph(text): "p:" + text.plain
            case let .image(image): "img:" + image.file + ":" + (image.alt ?? "")
            default: "other"
            }
        }
        #expect(kinds == ["p:She drew the harbour from memory.", "img:lind.png:Portrait of Ada Lind, 1990",
                          "p:The drawings were published later.", "p:A second paragraph with a lost picture:"],
                "\(kinds)")

        let pages = Paginator().paginate(exhibit, measurer: PixelMeasurer(width: 1920, height: 1080, theme: theme))
        let canvas = PagePainter().paint(frame(try #require(pages.first)), width: 1920, height: 1080)
        let picture = try #require(canvas.boxes.first { $0.what == "lind.png" }, "\(canvas.boxes.map(\.what))")
        let before = try #require(canvas.boxes.first { $0.what.contains("from memory") })
        let after = try #require(canvas.boxes.first { $0.what.contains("published later") })
        #expect(before.y + before.height <= picture.y && picture.y + picture.height <= after.y,
                "before \(before.y), picture \(picture.y)–\(picture.y + picture.height), after \(after.y)")
        let green = canvas.pixel(x: Int(picture.x + picture.width / 2), y: Int(picture.y + picture.height / 2))
        #expect(green >> 8 & 0xFF > 100 && green >> 16 & 0xFF < 60, "the picture is painted: \(String(green, radix: 16))")
    }

    /// A page painted once comes back from the cache exactly as painted, in a fraction of the memory; a replaced
    /// picture is painted afresh; the least recently shown page goes first when the budget is reached.
    @Test func paintedPagesAreKeptCompressedAndRefreshedWhenAPictureChanges() throws {
        let venue = try TemporaryVenue()
        let folder = venue.contentPath + "/harbour-workshop"
        try FileManager.default.copyItem(atPath: demoFolder + "/harbour-workshop", toPath: folder)
        let exhibit = try #require(ExhibitLoader().loadFolder(venue.contentPath).exhibits["harbour-workshop"])
        let pages = Paginator().paginate(exhibit, measurer: PixelMeasurer(width: 1920, height: 1080, theme: theme))
        let withImage = try #require(pages.first { $0.items.contains { if case .image = $0 { true } else { false } } })
        let painter = PagePainter()
        let cache = PaintedPageCache(budget: 64 << 20)
        let key = PaintedPageCache.Key(frame(withImage), width: 1920, height: 1080)
        #expect(cache.canvas(for: key) == nil)
        let painted = painter.paint(frame(withImage), width: 1920, height: 1080)
        cache.store(painted, for: key)
        let kept = try #require(cache.canvas(for: key))
        #expect(kept.difference(from: painted)?.mean == 0, "restored pixel for pixel")
        #expect(cache.usage.bytes < 1920 * 1080 * 4 / 4, "compressed: \(cache.usage.bytes) bytes")

        // The curator replaces the photograph under the same name: a new key, so a fresh paint.
        let picture = folder + "/harbour.png"
        let blank = Frame(content: .blank, presentation: frame(withImage).presentation, theme: theme)
        try painter.paint(blank, width: 300, height: 200).writePNG(to: picture)
        #expect(cache.canvas(for: PaintedPageCache.Key(frame(withImage), width: 1920, height: 1080)) == nil)

        // Three pages in a budget that holds two: the one not shown for longest is dropped.
        let each = painted.compressed().byteCount
        let small = PaintedPageCache(budget: each * 2 + each / 2)
        let keys = (0..<3).map { PaintedPageCache.Key(frame(pages[$0 % pages.count]), width: 1920, height: 1080 + $0) }
        small.store(painted, for: keys[0])
        small.store(painted, for: keys[1])
        _ = small.canvas(for: keys[0])
        small.store(painted, for: keys[2])
        #expect(small.canvas(for: keys[0]) != nil && small.canvas(for: keys[2]) != nil)
        #expect(small.canvas(for: keys[1]) == nil)
        #expect(small.usage.pages == 2)
    }

    @Test func aThemeWithAClockShowsTheVenueTimeInTheFoot() throws {
        let exhibit = try #require(demo.exhibits["solidarity"])
        var clocked = theme
        clocked.showClock = true
        let page = Paginator().paginate(exhibit, measurer: PixelMeasurer(width: 1280, height: 720, theme: clocked))[0]
        var shown = frame(page)
        shown.theme = clocked
        shown.clock = "14:05"
        let withClock = PagePainter().paint(shown, width: 1280, height: 720)
        shown.clock = nil
        let without = PagePainter().paint(shown, width: 1280, height: 720)
        // The pictures differ only where the clock is: in the foot, right of the middle.
        var changed: [(x: Int, y: Int)] = []
        for y in stride(from: 0, to: 720, by: 2) {
            for x in stride(from: 0, to: 1280, by: 2) where withClock.pixel(x: x, y: y) != without.pixel(x: x, y: y) {
                changed.append((x, y))
            }
        }
        #expect(changed.count > 20, "the clock is painted")
        #expect(changed.allSatisfy { $0.y > 720 * 8 / 10 && $0.x > 1280 / 2 }, "only in the foot, at the right")
    }

    @Test func justifiedTextIsHyphenatedAndFillsTheMeasure() throws {
        var justified = Theme(name: "paper")
        justified.alignment = .justified
        let exhibit = try #require(demo.exhibits["long-winter"])
        let measurer = PixelMeasurer(width: 1080, height: 1920, theme: justified)
        let pages = Paginator().paginate(exhibit, measurer: measurer)
        let lines = pages.flatMap { page in
            page.items.flatMap { item -> [PageLine] in
                if case let .text(.body, lines, _) = item { return lines }
                return []
            }
        }
        #expect(lines.contains { $0.text.hasSuffix("\u{2010}") }, "some line breaks inside a word, with a hyphen")
        #expect(lines.contains { $0.justified } && lines.contains { !$0.justified })
        // Painted, every stretched line reaches the right margin; paragraph ends stay short.
        let presentation = Presentation(screen: "s", content: .exhibit(pages[1].exhibit, page: 1, pageCount: pages.count),
                                        theme: "paper", reason: .playlist, validFrom: 0, validUntil: 1)
        let canvas = PagePainter().paint(Frame(content: .page(pages[1]), presentation: presentation, theme: justified),
                                         width: 1080, height: 1920)
        let layout = measurer.layout
        let stretched = pages[1].items.flatMap { item -> [PageLine] in
            if case let .text(.body, lines, _) = item { return lines.filter(\.justified) }
            return []
        }
        #expect(!stretched.isEmpty)
        for line in stretched {
            let box = try #require(canvas.boxes.first { $0.what == line.text })
            #expect(abs(box.maxX - (layout.margin + layout.contentWidth)) <= 2, "'\(line.text)' ends at \(box.maxX)")
        }
        #expect(Hyphenator.shared.softHyphenated("interrogation").filter { $0 == "\u{00AD}" }.count >= 2)
        #expect(Hyphenator.shared.softHyphenated("заключённые").contains("\u{00AD}"), "Russian patterns, KOI8-R")
    }

    @Test func cyrillicAndCombiningMarksAreLaidOut() {
        let lines = PixelMeasurer(width: 1920, height: 1080, theme: theme)
            .lines(of: "Некоторые письма хранят следы ударений: «за́мок» и «замо́к».", role: .body)
        #expect(lines.map(\.text).joined(separator: " ") == "Некоторые письма хранят следы ударений: «за́мок» и «замо́к».")
        #expect(lines.allSatisfy { $0.height > 30 && $0.height < 80 })
    }

    /// The panels in docs/ are the reference: a fresh paint must look the same, within what font hinting changes.
    /// (After a deliberate change to the demo or the layout, write them again with the `vitrine render` commands
    /// in docs/benchmarks.md.)
    @Test(arguments: [("2026-12-05T10:00", 1920, 1080, "render-solidarity-1080p.png"),
                      ("2026-12-05T10:05:30", 1080, 1920, "render-letters-portrait.png")])
    func paintsLikeTheReferencePanels(at: String, width: Int, height: Int, file: String) throws {
        let venue = try TemporaryVenue()
        try venue.copyDemo()
        let program = try #require(venue.load().program)
        let surface = PixelMeasurer.surface(width: width, height: height)
        let moment = try #require(program.calendar.parseDateTime(at))
        let presentation = try #require(program.presentation(for: "hall-a", at: moment, surface: surface))
        let canvas = PagePainter().paint(program.frame(for: presentation, surface: surface), width: width, height: height)
        let reference = try #require(Canvas.load(png: TemporaryVenue.packageRoot.appendingPathComponent("docs/\(file)").path))
        let difference = try #require(canvas.difference(from: reference))
        #expect(difference.mean < 0.01 && difference.changed < 0.005, "\(file): \(difference)")
    }
}
