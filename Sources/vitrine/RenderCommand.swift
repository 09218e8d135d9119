import ArgumentParser
import Foundation
import VitrineCore
import VitrineMedia
import VitrineModel
import VitrinePluginAPI
import VitrineRenderer

/// Writes what a screen shows (or would show) at a moment as a PNG, painted as a pixel screen paints it.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write what a screen shows at a moment as a PNG image."
    )

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "The screen.", completion: NameCompletion.screens)
    var screen: String

    @Option(name: .long, help: "The moment, as 2026-12-24T17:45 (default: now).")
    var at: String?

    @Option(name: .long, help: "Image size in pixels, WIDTHxHEIGHT.")
    var size: String = "1920x1080"

    @Option(name: .long, help: "The PNG file to write.")
    var output: String

    @Flag(name: .long, help: "One image with every page the screen shows on the day of --at, labelled with times.")
    var contactSheet = false

    @Option(name: .long, help: "This exhibit instead of what the schedule shows (with --page; the theme of --at).",
            completion: NameCompletion.exhibits)
    var exhibit: String?

    @Option(name: .long, help: "The page of --exhibit, from 1 (default 1).")
    var page: Int?

    @Option(name: .long, help: "The language of --exhibit: its original's or a translation's (default: original).")
    var language: String?

    func run() throws {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (64...8192).contains(parts[0]), (64...8192).contains(parts[1]) else {
            throw ValidationError("--size: expected WIDTHxHEIGHT such as 1920x1080, found '\(size)'")
        }
        let (program, problems) = try options.loadProgramAndProblems()
        var standardError = StandardError()
        guard program.configuration.screen(named: screen) != nil else {
            let names = program.configuration.screens.map(\.name).joined(separator: ", ")
            throw ValidationError("--screen: no screen named '\(screen)' (screens: \(names))")
        }
        let moment = try instantOption(at, option: "at", in: program)
        let surface = PixelMeasurer.surface(width: parts[0], height: parts[1])
        let painter = PagePainter()
        if contactSheet {
            try writeContactSheet(program, day: program.calendar.localDate(moment), surface: surface,
                                  width: parts[0], height: parts[1], painter: painter)
            return
        }
        guard var presentation = program.presentation(for: screen, at: moment, surface: surface) else {
            throw ExitCode(1)
        }
        if page != nil, exhibit == nil { throw ValidationError("--page: give the exhibit with --exhibit") }
        if language != nil, exhibit == nil { throw ValidationError("--language: give the exhibit with --exhibit") }
        if let exhibit {
            // A chosen page, laid out and themed as the screen shows it at --at.
            let id = ExhibitID(exhibit)
            guard let configured = program.configuration.screen(named: screen), let value = program.exhibits[id] else {
                throw noSuchExhibit(exhibit, option: "exhibit", in: program, problems: problems)
            }
            try requireLanguage(language, of: value)
            // As the screen shows it: in the language asked for, else in its languages (side by side if it sets
            // them so).
            let languages = language.map { [$0] } ?? configured.languages(of: value)
            let columns = program.columns(for: languages, on: configured, surface: surface)
            let chosen = columns > 1 ? languages[0] : language ?? value.language
            let count = (columns > 1 ? languages : [chosen]).map {
                program.pages(of: id, in: $0, on: configured, theme: presentation.theme, surface: surface,
                              columns: columns).count
            }.max() ?? 0
            let number = page ?? 1
            guard (1...max(1, count)).contains(number) else {
                throw ValidationError("--page: '\(exhibit)' has \(count) page\(count == 1 ? "" : "s") on \(screen), not \(number)")
            }
            presentation = Presentation(screen: screen, content: .exhibit(id, page: number - 1, pageCount: count),
                                        theme: presentation.theme, language: chosen, reason: .playlist,
                                        validFrom: presentation.validFrom, validUntil: presentation.validUntil)
            if columns > 1 { presentation.alongside = languages.dropFirst().compactMap { $0 } }
        }
        let frame = program.frame(for: presentation, surface: surface, at: moment)
        var canvas = painter.paint(frame, width: parts[0], height: parts[1])
        if let film = try filmPicture(frame, at: moment, on: canvas) { canvas = film }
        do {
            try canvas.writePNG(to: output)
        } catch {
            print("vitrine render: \(error)", to: &standardError)
            throw ExitCode(1)
        }
        print("\(output): \(screen) at \(program.calendar.format(moment, seconds: true)): "
            + "\(frame.summary) (\(parts[0])x\(parts[1]))")
    }

    /// What the screen shows while the page's film plays: the picture at that instant in the film's area of the
    /// page, with its caption, as a framebuffer draws it. Nil when no film plays at `moment`.
    func filmPicture(_ frame: Frame, at moment: Int64, on page: Canvas) throws -> Canvas? {
        guard let film = frame.recordingFiles.first(where: { $0.media.kind == .film }),
              moment >= film.start, moment < film.start + film.milliseconds,
              let area = PagePlan(frame, width: page.width, height: page.height).filmArea
        else { return nil }
        let player = Player()
        defer { player.close() }
        do {
            try player.open()
            try player.load(film.path, at: Double(moment - film.start) / 1000, playing: false)
        } catch {
            var standardError = StandardError()
            print("vitrine render: \(film.path): \(error)", to: &standardError)
            throw ExitCode(1)
        }
        _ = player.waitForFrame(timeout: .seconds(5))
        let picture = Canvas.blank(width: page.width, height: page.height)
        picture.copy(from: page)
        let caption = film.media.caption(at: moment - film.start)?.text
        picture.drawFilm(in: area, theme: frame.theme, caption: caption) { pixels, width, height, stride in
            player.render(into: pixels, width: width, height: height, stride: stride)
        }
        return picture
    }

    /// Every distinct page of the day, in the order it first comes up.
    func writeContactSheet(_ program: Program, day: LocalDate, surface: Surface, width: Int, height: Int,
                           painter: PagePainter) throws
    {
        let calendar = program.calendar
        let start = calendar.startOfDay(day), end = calendar.startOfDay(calendar.adding(days: 1, to: day))
        // The same page in another theme is a different picture.
        var seen: [String: Int] = [:]
        var pages: [(canvas: Canvas, label: String)] = []
        for presentation in program.timeline(for: screen, from: start, until: end, surface: surface) {
            let frame = program.frame(for: presentation, surface: surface, at: max(presentation.validFrom, start))
            let key = "\(frame.content)|\(frame.theme.name)"
            if let index = seen[key] {
                if !pages[index].label.contains("also") { pages[index].label += " (also later)" }
                continue
            }
            guard pages.count < 200 else { break }
            seen[key] = pages.count
            let time = calendar.local(max(presentation.validFrom, start))
            let label = "\(time.time) · \(frame.summary) · \(presentation.theme)"
            pages.append((painter.paint(frame, width: width, height: height), label))
        }
        let sheet = ContactSheet.compose(pages)
        do {
            try sheet.writePNG(to: output)
        } catch {
            var standardError = StandardError()
            print("vitrine render: \(error)", to: &standardError)
            throw ExitCode(1)
        }
        print("\(output): \(screen) on \(day): \(pages.count) distinct pages (\(sheet.width)x\(sheet.height))")
    }
}
