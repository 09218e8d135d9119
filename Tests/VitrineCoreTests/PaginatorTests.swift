import Foundation
import Testing
import VitrineCore
import VitrineModel
import VitrinePluginAPI
import VitrineTestKit

@Suite struct PaginatorTests {
    let demo = ExhibitLoader().loadFolder(TemporaryVenue.packageRoot.appendingPathComponent("config/exhibits").path)

    func height(of page: Page) -> Double { page.items.reduce(0) { $0 + $1.height } }

    @Test(arguments: [(80, 24), (40, 12), (120, 40), (24, 8), (200, 60)])
    func pagesNeverOverflowAndLinesNeverExceedTheMeasure(columns: Int, rows: Int) {
        let measurer = CellMeasurer(columns: columns, rows: rows)
        for exhibit in demo.exhibits.values {
            let pages = Paginator().paginate(exhibit, measurer: measurer)
            #expect(!pages.isEmpty)
            for page in pages {
                let limit = page.index == 0 ? measurer.firstPageHeight : measurer.pageHeight
                #expect(height(of: page) <= limit, "\(exhibit.id) page \(page.indicator) at \(columns)x\(rows)")
                #expect(page.count == pages.count)
                for case let .text(role, lines, _) in page.items {
                    for line in lines {
                        #expect(CellMeasurer.displayWidth(line.text) <= measurer.width(for: role),
                                "\(exhibit.id): '\(line.text)' wider than \(measurer.width(for: role))")
                    }
                }
            }
        }
    }

    @Test func nothingIsLostBetweenPages() throws {
        let exhibit = try #require(demo.exhibits["long-winter"])
        let pages = Paginator().paginate(exhibit, measurer: CellMeasurer(columns: 60, rows: 20))
        #expect(pages.count >= 4, "the long exhibit needs several pages")
        let shown = pages.flatMap { page in
            page.items.flatMap { item -> [String] in
                guard case let .text(_, lines, _) = item else { return [] }
                return lines.map(\.text)
            }
        }.joined(separator: " ").split(separator: " ")
        var source: [String] = (exhibit.series.map { [$0] } ?? []) + [exhibit.title]
        for block in exhibit.blocks {
            switch block {
            case let .heading(_, t), let .paragraph(t), let .summary(t): source.append(t.plain)
            default: Issue.record("unexpected block")
            }
        }
        #expect(shown == source.joined(separator: " ").split(separator: " "), "every word, in order, once")
    }

    @Test func aHeadingIsNeverTheLastLineOfAPage() throws {
        for rows in 8...30 {
            let measurer = CellMeasurer(columns: 50, rows: rows)
            for exhibit in demo.exhibits.values {
                for page in Paginator().paginate(exhibit, measurer: measurer) where page.index < page.count - 1 {
                    if case let .text(role, _, _)? = page.items.last {
                        #expect(role != .heading && role != .title && role != .series,
                                "\(exhibit.id) \(page.indicator) at 50x\(rows) ends with a \(role)")
                    }
                }
            }
        }
    }

    @Test func testimonyKeepsItsAttribution() throws {
        // From 12 rows up a quote's last lines, attribution and context fit one page together.
        for rows in 12...30 {
            let measurer = CellMeasurer(columns: 44, rows: rows)
            for exhibit in demo.exhibits.values {
                let pages = Paginator().paginate(exhibit, measurer: measurer)
                for page in pages {
                    // An attribution never opens a page: the end of its quote is always with it.
                    if case let .text(role, _, _)? = page.items.first, page.index > 0 {
                        #expect(role != .attribution && role != .context,
                                "\(exhibit.id) \(page.indicator) at 44x\(rows) starts with the \(role)")
                    }
                }
            }
        }
    }

    @Test func breaksPreferParagraphEnds() throws {
        // Three paragraphs of five lines each at width 40 on a first page with room for 16 lines (title, two
        // paragraphs with their spacing, and two more lines): the break comes after the second paragraph, not two
        // lines into the third.
        let sentence = "Word word word word word word word."
        let paragraph = Array(repeating: sentence, count: 5).joined(separator: " ")
        let exhibit = Exhibit(id: "p", title: "T", blocks: Array(repeating: .paragraph(RichText(paragraph)), count: 3))
        let measurer = CellMeasurer(columns: 42, rows: 19)  // 40 cells of text: five lines a paragraph
        let pages = Paginator().paginate(exhibit, measurer: measurer)
        #expect(pages.count == 2)
        let firstPageParagraphs = pages[0].items.filter {
            if case .text(.body, _, _) = $0 { true } else { false }
        }
        #expect(firstPageParagraphs.count == 2)
    }

    @Test func wideAndCombiningCharactersAreMeasuredByCells() {
        #expect(CellMeasurer.displayWidth("abc") == 3)
        #expect(CellMeasurer.displayWidth("日本語") == 6)
        #expect(CellMeasurer.displayWidth("за́мок") == 5, "a combining acute takes no cell")
        #expect(CellMeasurer.displayWidth("é") == 1)
        let lines = CellMeasurer.wrap("日本語の文章をここに書きます。とても長い文です。", width: 10)
        #expect(lines.allSatisfy { CellMeasurer.displayWidth($0) <= 10 })
        #expect(lines.joined() == "日本語の文章をここに書きます。とても長い文です。")
    }

    @Test func readingTimeGivesLongerPagesMoreTime() {
        let pace = ReadingPace(wordsPerMinute: 180, minimum: 8_000, maximum: 40_000)
        #expect(pace.duration(forWords: 3) == 8_000)
        #expect(pace.duration(forWords: 90) == 30_000)
        #expect(pace.duration(forWords: 1000) == 40_000)
    }
}
