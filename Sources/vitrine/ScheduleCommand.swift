import ArgumentParser
import Foundation
import VitrineCore
import VitrineModel

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Show what each screen shows at a moment, or every change between two moments.",
        discussion: "Times are venue time (the configuration's timezone) unless they carry Z or an offset."
    )

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "The moment, as 2026-12-24T17:45 (default: now).")
    var at: String?

    @Option(name: .long, help: "List every change from --at until this moment.")
    var until: String?

    @Option(name: .customLong("for"), help: "List every change from --at for this long, as 10m or 2h.")
    var span: String?

    @Option(name: .long, help: "Only this screen.", completion: NameCompletion.screens)
    var screen: String?

    func run() throws {
        let program = try options.loadProgram()
        let calendar = program.calendar
        let from = try instantOption(at, option: "at", in: program)
        var screens = program.configuration.screens.map(\.name)
        if let screen {
            guard screens.contains(screen) else {
                throw ValidationError("--screen: no screen named '\(screen)' (screens: \(screens.joined(separator: ", ")))")
            }
            screens = [screen]
        }
        let zone = program.configuration.timeZone
        var end: Int64?
        if let until { end = try instantOption(until, option: "until", in: program) }
        if let span {
            guard end == nil else { throw ValidationError("give either --until or --for, not both") }
            guard let ms = VitrineModel.parseDuration(span), ms > 0 else {
                throw ValidationError("--for: expected a duration such as 10m or 2h, found '\(span)'")
            }
            end = from + ms
        }
        if let end {
            guard end > from else { throw ValidationError("--until must be after --at") }
            print("from \(calendar.format(from, seconds: true)) until \(calendar.format(end, seconds: true)) (\(zone))")
            for name in screens {
                print("\(name):")
                for p in program.timeline(for: name, from: from, until: end) {
                    print("  \(calendar.format(max(p.validFrom, from), seconds: true))  \(describe(p, program))")
                }
            }
        } else {
            print("at \(calendar.format(from, seconds: true)) (\(zone))")
            let width = screens.map(\.count).max() ?? 0
            for name in screens {
                guard let p = program.presentation(for: name, at: from) else { continue }
                let pad = String(repeating: " ", count: width - name.count)
                let until = p.validUntil == Int64.max ? "indefinitely" : "until \(calendar.format(p.validUntil, seconds: true))"
                print("\(name)\(pad)  \(describe(p, program)) · \(until)")
            }
        }
    }

    func describe(_ p: Presentation, _ program: Program) -> String {
        var text: String
        switch p.content {
        case let .exhibit(id, page, count):
            let title = program.exhibits[id]?.version(in: p.language).displayTitle ?? id.rawValue
            text = "\(title) [\(id)] page \(page + 1)/\(count)"
            // Said where it is a choice: the exhibit has translations.
            if let language = p.language, program.exhibits[id]?.translations.isEmpty == false {
                text += " · in " + ([language] + p.alongside).joined(separator: " | ")
            }
        case let .message(message):
            text = "message “\(message.count > 60 ? message.prefix(57) + "…" : message)”"
        case .blank:
            text = "blank"
        }
        text += " · theme \(p.theme) · \(p.reason.rawValue)"
        if let source = p.source { text += " \(source)" }
        // A page that plays recordings lasts them: say which, and how long each is.
        if let page = program.page(for: p), !page.media.isEmpty {
            text += " · plays " + page.media.map { media in
                "\(media.kind.rawValue) \(media.file)" + (media.milliseconds.map { " (\(Self.clock($0)))" } ?? "")
            }.joined(separator: ", ")
        }
        return text
    }

    /// 1:30, 1:02:05: a recording's length as a player shows it.
    static func clock(_ ms: Int64) -> String {
        let seconds = Int((Double(ms) / 1000).rounded())
        let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }
}
