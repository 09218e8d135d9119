import ArgumentParser
import Foundation
import VitrineCore
import VitrineRenderer

/// Writes what a screen shows (or would show) at a moment as a PNG, painted as a pixel screen paints it.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write what a screen shows at a moment as a PNG image."
    )

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "The screen.")
    var screen: String

    @Option(name: .long, help: "The moment, as 2026-12-24T17:45 (default: now).")
    var at: String?

    @Option(name: .long, help: "Image size in pixels, WIDTHxHEIGHT.")
    var size: String = "1920x1080"

    @Option(name: .long, help: "The PNG file to write.")
    var output: String

    func run() throws {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (64...8192).contains(parts[0]), (64...8192).contains(parts[1]) else {
            throw ValidationError("--size: expected WIDTHxHEIGHT such as 1920x1080, found '\(size)'")
        }
        let outcome = Outputs.loader().load(path: options.config)
        var standardError = StandardError()
        guard let program = outcome.program else {
            for diagnostic in outcome.diagnostics.errors { print(diagnostic, to: &standardError) }
            throw ExitCode(1)
        }
        guard program.configuration.screen(named: screen) != nil else {
            let names = program.configuration.screens.map(\.name).joined(separator: ", ")
            throw ValidationError("--screen: no screen named '\(screen)' (screens: \(names))")
        }
        var moment = Int64(Date().timeIntervalSince1970 * 1000)
        if let at {
            guard let ms = program.calendar.parseDateTime(at) else {
                throw ValidationError("--at: expected a date and time such as 2026-12-24T17:45, found '\(at)'")
            }
            moment = ms
        }
        let surface = PixelMeasurer.surface(width: parts[0], height: parts[1])
        guard let presentation = program.presentation(for: screen, at: moment, surface: surface) else {
            throw ExitCode(1)
        }
        let frame = program.frame(for: presentation, surface: surface)
        let painter = PagePainter()
        let local = program.calendar.local(moment)
        let canvas = painter.paint(frame, width: parts[0], height: parts[1], clock: "\(local.time)")
        do {
            try canvas.writePNG(to: output)
        } catch {
            print("vitrine render: \(error)", to: &standardError)
            throw ExitCode(1)
        }
        print("\(output): \(screen) at \(program.calendar.format(moment, seconds: true)): "
            + "\(Daemon.summary(of: frame)) (\(parts[0])x\(parts[1]))")
    }
}
