import Foundation
import Testing
import VitrineCore
@testable import VitrineModel
import VitrinePluginAPI
@testable import VitrineRenderer
import VitrineTestKit

/// Exhibits in several languages: translations beside the original, screens taking turns between languages, and
/// each language laid out and painted in its own script and direction.
@Suite struct LanguageTests {
    // MARK: Translations

    @Test func translationsAreReadAndWhatTheyLackIsAWarningInTheirOwnFile() throws {
        let venue = try TemporaryVenue()
        try venue.writeFirstAndSecond(screens: "  hall: { output: terminal, playlist: main, languages: [ru, en] }")
        let original = try venue.addExhibit("letters", """
            ---
            title: Письма домой
            language: ru
            summary: Письма с зимовки читались на почте вслух.
            images:
              - file: net.png
                alt: Сети на берегу.
            ---
            Почтмейстер читал каждое письмо вслух.
            """, files: ["net.png": samplePNG(width: 40, height: 30)])
        let folder = (original as NSString).deletingLastPathComponent
        // English: no summary, and the picture without its description.
        try Data("""
            ---
            title: Letters Home
            images:
              - file: net.png
            ---
            The postmaster read every letter aloud.
            """.utf8).write(to: URL(fileURLWithPath: folder + "/exhibit.en.md"))
        // French: front matter broken.
        try Data("---\ntitle: [Lettres\n---\nLe receveur lisait.\n".utf8)
            .write(to: URL(fileURLWithPath: folder + "/exhibit.fr.md"))
        // Not a translation (no language tag): never read as one, nor as a second exhibit.
        try Data("notes".utf8).write(to: URL(fileURLWithPath: folder + "/exhibit.draft.md"))

        let result = ExhibitLoader().loadFolder(venue.contentPath)
        let letters = try #require(result.exhibits["letters"])
        #expect(letters.language == "ru")
        #expect(letters.languages == ["ru", "en"], "the broken French translation is left out")
        let english = letters.version(in: "en")
        #expect(english.title == "Letters Home" && english.language == "en")
        #expect(letters.version(in: "fr").title == "Письма домой", "no French: the original")

        let englishFile = folder + "/exhibit.en.md"
        let warnings = result.diagnostics.filter { $0.file == englishFile && $0.severity == .warning }
        #expect(warnings.contains { $0.line == 1 && $0.message.contains("no summary") }, "\(result.diagnostics)")
        #expect(warnings.contains { $0.message.contains("no description ('alt') of net.png") })
        let frenchErrors = result.diagnostics.filter { $0.file == folder + "/exhibit.fr.md" && $0.severity == .error }
        #expect(frenchErrors.count == 1 && frenchErrors.first?.line == 2, "\(result.diagnostics)")
        #expect(!result.diagnostics.contains { $0.file.hasSuffix("exhibit.draft.md") })
    }

    @Test func aTranslationNamingNoPicturesShowsTheOriginalsAndKeepsItsLoanDates() throws {
        let venue = try TemporaryVenue()
        let original = try venue.addExhibit("lantern", """
            ---
            title: The Keeper's Lantern
            language: en
            valid-until: 2027-02-28
            images:
              - file: lantern.png
                alt: A brass lantern.
            ---
            Carried by three generations.
            """, files: ["lantern.png": samplePNG(width: 40, height: 30)])
        let folder = (original as NSString).deletingLastPathComponent
        try Data("---\ntitle: 守塔人的风灯\nvalid-until: 2030-01-01\n---\n由三代灯塔守护人相继使用。\n".utf8)
            .write(to: URL(fileURLWithPath: folder + "/exhibit.zh-Hans.md"))
        let result = ExhibitLoader().loadFolder(venue.contentPath)
        let chinese = try #require(result.exhibits["lantern"]?.translations["zh-Hans"])
        #expect(chinese.validUntil == LocalDate(year: 2027, month: 2, day: 28), "the original's loan holds")
        #expect(chinese.blocks.contains { if case let .image(i) = $0 { i.file == "lantern.png" } else { false } })
        let messages = result.diagnostics.map(\.message)
        #expect(messages.contains { $0.contains("loan dates are ignored") })
        #expect(messages.contains { $0.contains("no pictures named") })
    }

    // MARK: Turns

    func bilingualProgram(turns: Screen.LanguageTurns, languages: [String]) -> Program {
        let builder = ProgramBuilder(timeZone: "UTC").exhibit("letters", pages: 2, seconds: 10)
            .exhibit("plain", pages: 1, seconds: 10)
        var letters = builder.exhibits["letters"]!
        letters.language = "ru"
        var english = letters
        english.language = "en"
        english.title = "Letters Home"
        english.blocks += [.paragraph(RichText("a third page in English"))]
        letters.translations = ["en": english]
        builder.exhibits["letters"] = letters
        builder.exhibits["plain"]!.language = "en"
        builder.configuration.screens = [Screen(name: "hall", output: "terminal", playlist: "main",
                                                languages: languages, languageTurns: turns)]
        return builder.build()
    }

    func turns(_ program: Program) -> [String] {
        program.timeline(for: "hall", from: 0, until: 60_000).map { p in
            guard case let .exhibit(id, page, count) = p.content else { return "?" }
            return "\(id) \(p.language ?? "-") \(page + 1)/\(count)"
        }
    }

    @Test func aScreenShowsEachExhibitInItsLanguagesInTurn() {
        #expect(turns(bilingualProgram(turns: .exhibit, languages: ["ru", "en"])) == [
            "letters ru 1/2", "letters ru 2/2", "letters en 1/3", "letters en 2/3", "letters en 3/3", "plain en 1/1",
        ])
        #expect(turns(bilingualProgram(turns: .page, languages: ["ru", "en"])) == [
            "letters ru 1/2", "letters en 1/3", "letters ru 2/2", "letters en 2/3", "letters en 3/3", "plain en 1/1",
        ])
        // One language: that one where written, the original elsewhere (an exhibit in no language of the screen).
        #expect(turns(bilingualProgram(turns: .exhibit, languages: ["en"])) == [
            "letters en 1/3", "letters en 2/3", "letters en 3/3", "plain en 1/1", "letters en 1/3", "letters en 2/3",
        ])
        #expect(turns(bilingualProgram(turns: .exhibit, languages: ["fr"])).prefix(3) == [
            "letters ru 1/2", "letters ru 2/2", "plain en 1/1",
        ])
    }

    @Test func sideBySideSetsTheLanguagesInColumnsOnlyOnALandscapePixelScreen() {
        let program = bilingualProgram(turns: .sideBySide, languages: ["ru", "en"])
        func columns(_ width: Int, _ height: Int) -> [String] {
            let surface = Surface(key: "pixels \(width)x\(height)", grid: .pixels(width: width, height: height)) { _ in
                PagePerParagraphMeasurer()
            }
            return program.timeline(for: "hall", from: 0, until: 40_000, surface: surface).map { p in
                guard case let .exhibit(id, page, count) = p.content else { return "?" }
                return "\(id) \(([p.language ?? "-"] + p.alongside).joined(separator: "|")) \(page + 1)/\(count)"
            }
        }
        // Page N of each language together, as long as the longer of the two needs.
        #expect(columns(1920, 1080) == ["letters ru|en 1/3", "letters ru|en 2/3", "letters ru|en 3/3", "plain en 1/1"])
        // Portrait, or a terminal (no pixels): page by page instead.
        #expect(columns(1080, 1920).prefix(3) == ["letters ru 1/2", "letters en 1/3", "letters ru 2/2"])
        #expect(turns(program).prefix(3) == ["letters ru 1/2", "letters en 1/3", "letters ru 2/2"])
    }

    @Test(arguments: [(1280, 720), (1920, 1080), (3840, 2160)])
    func sideBySideTextNeverCrossesTheGutter(width: Int, height: Int) throws {
        let venue = try TemporaryVenue()
        try venue.copyDemo()
        let program = try #require(venue.load().program)
        let kiosk = try #require(program.configuration.screen(named: "kiosk"))
        let surface = PixelMeasurer.surface(width: width, height: height)
        for id: ExhibitID in ["letters-home", "lantern-loan"] {
            let languages = kiosk.languages(of: try #require(program.exhibits[id]))
            #expect(program.columns(for: languages, on: kiosk, surface: surface) == 2, "\(id): \(languages)")
            let count = languages.map {
                program.pages(of: id, in: $0, on: kiosk, theme: "night", surface: surface, columns: 2).count
            }.max() ?? 0
            for index in 0..<count {
                var presentation = Presentation(screen: "kiosk", content: .exhibit(id, page: index, pageCount: count),
                                                theme: "night", language: languages[0], reason: .playlist,
                                                validFrom: 0, validUntil: 1)
                presentation.alongside = languages.dropFirst().compactMap { $0 }
                let plan = PagePlan(program.frame(for: presentation, surface: surface), width: width, height: height)
                let canvas = PagePainter().paint(plan)
                let layout = plan.layout
                let gutterStart = layout.margin + layout.contentWidth, gutterEnd = gutterStart + layout.gutter
                let place = "\(id) \(index + 1)/\(count) at \(width)x\(height)"
                var seen: Set<String> = []
                for text in plan.texts where text.inFlow {
                    let box = try #require(canvas.boxes.first { $0.what == text.text && abs($0.y - text.y) < 2 })
                    seen.insert(text.language ?? "-")
                    // Set inside its column; a glyph's ink may overhang a pixel or two, as the margins allow.
                    #expect(box.overhangLeft <= layout.margin * 0.15 && box.overhangRight <= layout.margin * 0.15)
                    if text.language == languages[0] {
                        #expect(box.maxX <= gutterStart + 0.5, "\(place): '\(text.text)' crosses the gutter")
                    } else {
                        #expect(box.x >= gutterEnd - 0.5, "\(place): '\(text.text)' crosses the gutter")
                        #expect(box.maxX <= Double(width) - layout.margin + 0.5, "\(place): '\(text.text)' past the margin")
                    }
                }
                #expect(seen.count == 2, "\(place): both languages on the page (\(seen))")
                for picture in plan.pictures {
                    #expect(picture.x + picture.width <= gutterStart || picture.x >= gutterEnd, "\(place): picture")
                }
            }
        }
    }

    @Test func theTurnAtAnInstantDoesNotDependOnWhenTheDaemonStarted() {
        // Two programs built apart (a restart, another machine) answer every instant alike.
        let one = bilingualProgram(turns: .page, languages: ["ru", "en"])
        let other = bilingualProgram(turns: .page, languages: ["ru", "en"])
        for t in stride(from: Int64(0), to: 3_600_000, by: 7_919) {
            let a = one.presentation(for: "hall", at: t), b = other.presentation(for: "hall", at: t)
            #expect(a == b)
        }
    }

    @Test func aTranslationTooLongToReadInItsTimeIsWarnedInItsOwnFile() throws {
        let venue = try TemporaryVenue()
        try venue.writeConfig("""
            timezone: UTC
            pages: { max: 10s, words-per-minute: 120 }
            themes:
              paper: { background: "#F6F1E7", text: "#1D1B18" }
            playlists:
              main: [letters]
            screens:
              hall: { output: terminal, playlist: main, languages: [ru, en] }
            """)
        let original = try venue.addExhibit("letters", "---\ntitle: Письма\nlanguage: ru\n---\nКоротко.\n")
        let folder = (original as NSString).deletingLastPathComponent
        let long = String(repeating: "The postmaster read every letter aloud to the whole room. ", count: 4)
        try Data("---\ntitle: Letters\n---\n\(long)\n".utf8).write(to: URL(fileURLWithPath: folder + "/exhibit.en.md"))
        let program = try #require(venue.load().program)
        let warnings = program.readingTimeWarnings()
        #expect(warnings.count == 1 && warnings.first?.file == folder + "/exhibit.en.md", "\(warnings)")
    }

    @Test func aScreenNamingALanguageTwiceOrABadTagIsAnError() throws {
        let venue = try TemporaryVenue()
        try venue.writeFirstAndSecond(screens: """
              hall: { output: terminal, playlist: main, languages: [ru, RU] }
              wall: { output: terminal, playlist: main, languages: [english] }
            """)
        let messages = venue.load().diagnostics.errors.map(\.description)
        #expect(messages.contains { $0.contains("screens.hall.languages: 'RU' is listed twice") }, "\(messages)")
        #expect(messages.contains { $0.contains("'english' is not a language tag") }, "\(messages)")
    }

    // MARK: Scripts

    func page(_ text: String, language: String, width: Int, height: Int, title: String = "عنوان",
              then more: [String] = []) -> (Page, PixelLayout) {
        let exhibit = Exhibit(id: "sample", title: title, language: language,
                              blocks: ([text] + more).map { .paragraph(RichText($0)) })
        let measurer = PixelMeasurer(width: width, height: height, theme: Theme(name: "paper"))
        return (Paginator().paginate(exhibit, measurer: measurer)[0], measurer.layout)
    }

    func paint(_ page: Page, width: Int, height: Int) -> (Canvas, PagePlan) {
        let presentation = Presentation(screen: "s", content: .exhibit(page.exhibit, page: 0, pageCount: 1),
                                        theme: "paper", reason: .playlist, validFrom: 0, validUntil: 1)
        let plan = PagePlan(Frame(content: .page(page), presentation: presentation, theme: Theme(name: "paper")),
                            width: width, height: height)
        return (PagePainter().paint(plan), plan)
    }

    static let arabic = "طوال تسعين عامًا أصلحت الورشة على الرصيف الشمالي القوارب التي كانت ترشد السفن إلى الميناء. "
        + "وكان عمّالها، ونادرًا ما زاد عددهم على ستة، يستبدلون لوحًا أو يجدلون حبلًا في ليلة واحدة."

    @Test(arguments: [(1280, 720), (1920, 1080), (1080, 1920), (3840, 2160)])
    func arabicHangsFromTheRightEdgeOfTheColumn(width: Int, height: Int) throws {
        let (page, layout) = page(Self.arabic, language: "ar", width: width, height: height, then: ["انتهى."])
        let (canvas, plan) = paint(page, width: width, height: height)
        let body = plan.texts.filter { $0.role == .body }
        #expect(body.count >= 2, "the paragraph is broken into lines")
        let right = layout.textLeft + layout.textWidth
        for text in plan.texts where text.inFlow {
            let box = try #require(canvas.boxes.first { $0.what == text.text && abs($0.y - text.y) < 2 })
            #expect(abs(box.maxX - right) <= 1.5, "'\(text.text)' ends at \(box.maxX), the column at \(right)")
            #expect(box.x >= layout.textLeft - 0.5, "'\(text.text)' starts left of the column")
        }
        // A short paragraph sits at the right, leaving the left of the column empty.
        let last = try #require(canvas.boxes.first { $0.what == body.last?.text })
        #expect(body.last?.text == "انتهى." && last.x > layout.textLeft + layout.textWidth * 0.5, "\(last)")
    }

    @Test func arabicReadsFromRightToLeft() throws {
        // A long first word and a short last word: painted right to left, the long one is on the right.
        let (page, _) = page("بببببببببببببببببببببببببببب ب", language: "ar", width: 1920, height: 1080)
        let (canvas, plan) = paint(page, width: 1920, height: 1080)
        let line = try #require(plan.texts.first { $0.role == .body })
        let box = try #require(canvas.boxes.first { $0.what == line.text })
        // Columns of the line's band with ink in them (dark text on the light paper).
        let top = Int(box.y + box.height * 0.2), bottom = Int(box.y + box.height * 0.8)
        let inked = (Int(box.x)..<Int(box.maxX)).filter { x in
            (top..<bottom).contains { y in canvas.pixel(x: x, y: y) & 0xFF < 128 }
        }
        // The gap between the two words splits the inked columns in two runs.
        var runs: [[Int]] = []
        for x in inked {
            if let last = runs.last?.last, x - last <= 3 { runs[runs.count - 1].append(x) } else { runs.append([x]) }
        }
        #expect(runs.count == 2, "\(runs.map { ($0.first!, $0.last!) })")
        if runs.count == 2 {
            #expect(runs[1].count > runs[0].count * 3, "the long first word is on the right")
        }
    }

    @Test(arguments: [(1280, 720), (1080, 1920), (3840, 2160)])
    func chineseBreaksBetweenCharactersAndKeepsToTheColumn(width: Int, height: Int) throws {
        let text = String(repeating: "每当风暴中主灯需要照料，守塔人便提着这盏灯走上塔顶的回廊。", count: 4)
        let (page, layout) = page(text, language: "zh-Hans", width: width, height: height, title: "守塔人的风灯")
        let (canvas, plan) = paint(page, width: width, height: height)
        let body = plan.texts.filter { $0.role == .body }
        #expect(body.count >= 3, "a paragraph without spaces is broken between characters")
        #expect(body.map(\.text).joined() == text, "no character lost or added at the breaks")
        #expect(!body.dropFirst().contains { $0.text.hasPrefix("。") || $0.text.hasPrefix("，") },
                "no line begins with a full stop or comma")
        for text in body {
            let box = try #require(canvas.boxes.first { $0.what == text.text && abs($0.y - text.y) < 2 })
            #expect(box.x >= layout.textLeft - 0.5 && box.maxX <= layout.textLeft + layout.textWidth + 0.5)
        }
        #expect(FontCoverage.uncovered(in: text).count == 0, "a CJK font is installed (fonts-noto-cjk)")
    }

    @Test func hyphenationFollowsThePagesLanguage() {
        let names = ["hyph_en_US.dic", "hyph_ru_RU.dic", "hyph_fr.dic", "hyph_de_AT.dic", "hyph_de_DE.dic"]
        #expect(Hyphenator.patternFile(for: "en", in: names) == "hyph_en_US.dic")
        #expect(Hyphenator.patternFile(for: "de-DE", in: names) == "hyph_de_DE.dic")
        #expect(Hyphenator.patternFile(for: "fr-CA", in: names) == "hyph_fr.dic")
        #expect(Hyphenator.patternFile(for: "ar", in: names) == nil)
        // A Latin name quoted in a Russian text is broken by English patterns, Russian words by Russian ones.
        #expect(Hyphenator.patternLanguage(of: "заключённые", in: "ru") == "ru")
        #expect(Hyphenator.patternLanguage(of: "interrogation", in: "ru") == "en")
        #expect(Hyphenator.patternLanguage(of: "الميناء", in: "ar") == nil)
        #expect(Hyphenator.shared.softHyphenated("interrogation", language: "ru").contains("\u{00AD}"))
        #expect(Hyphenator.shared.softHyphenated("الميناءالميناء", language: "ar") == "الميناءالميناء")
    }

    /// ASCII text is counted on its bytes: the same count as the general one, blanks of every kind, punctuation on its
    /// own, numbers, nothing at all.
    @Test func asciiTextIsCountedAsTheGeneralCountDoes() {
        let samples = ["", "   ", "one", " two  words ", "tab\tand\nnewline\r\nand\u{0B}vertical\u{0C}feed",
                       "- -- . , 1890 a-b c.d", "The bread was shared out in the evening; nobody asked who had earned it.",
                       "!!!", "1 2 3", "x\n\n\ny"]
        for sample in samples {
            #expect(WordCount.asciiWords(sample.utf8) == WordCount.unicodeWords(sample), "\(sample.debugDescription)")
            #expect(WordCount.of(sample) == WordCount.unicodeWords(sample))
        }
        #expect(WordCount.asciiWords("café".utf8) == nil)
    }

    @Test func chineseIsTimedByItsCharactersNotItsSpaces() {
        #expect(WordCount.of("The keeper’s lantern, about 1890.") == 5)
        #expect(WordCount.of("守塔人的风灯") == 3)
        #expect(WordCount.of("提手在1931年更换") == 4, "characters, and the number as a word")
        #expect(WordCount.of("Письма домой") == 2)
        // A page of Chinese stays up about as long as its English: not the minimum for "one word".
        let chinese = String(repeating: "每当风暴中主灯需要照料，守塔人便提着这盏灯走上塔顶的回廊。", count: 6)
        let (page, _) = page(chinese, language: "zh-Hans", width: 1920, height: 1080, title: "守塔人的风灯")
        #expect(page.words > 80, "\(page.words) words")
    }

    @Test func aCharacterNoFontDrawsIsFound() {
        let found = FontCoverage.uncovered(in: "Вход свободный \u{E000}\u{F0000} مرحبا 你好")
        #expect(found.characters == ["\u{E000}", "\u{F0000}"], "\(found.characters.map { $0.unicodeScalars.map(\.value) })")
        #expect(found.count == 2)
        #expect(FontCoverage.uncovered(in: "«за́мок» и «замо́к» — שלום").count == 0)
    }
}
