import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Synchronization
import VitrineCore
import VitrineModel
import VitrinePlayLog
import VitrinePluginAPI
import VitrineRenderer

/// The operators' side: dashboard, status, schedule, health, metrics, and the control calls.
struct APIRoutes: Sendable {
    let daemon: Daemon
    let feed: StatusFeed
    let metrics: VitrineMetrics
    let logger: Logger
    let playLog: PlayLog?
    /// The event-stream writer the kiosk screens use, for the dashboard's stream.
    let streams: KioskRoutes
    let pictures = PictureCache()
    /// Heavy answers are worked out here, never on the threads the screens run on.
    let reads: ReadWorker

    func add(to router: Router<ListenerContext>) {
        router.get("/") { _, _ in Response.text(Dashboard.html, type: "text/html; charset=utf-8") }
        router.get("/assets/dashboard.js") { _, _ in
            Response.text(Dashboard.script, type: "text/javascript; charset=utf-8")
        }
        router.get("/healthz") { _, _ in
            let status = daemon.status()
            let failed = status.screens.filter { $0.health == "failed" }.map(\.name)
            let text = (status.ready ? "ok" : "starting") + (failed.isEmpty ? "" : "; failed: \(failed.joined(separator: ", "))")
            return Response.text(text + "\n", status: status.ready ? .ok : .serviceUnavailable)
        }
        router.get("/api/status") { _, _ in
            Response.json(StatusJSON.make(daemon.status(), program: daemon.program, registry: daemon.registry,
                                          channels: daemon.browsers))
        }
        router.get("/api/status/events") { request, _ in
            try streams.stream(request, channels: feed.dashboards, channel: "status", event: "status")
        }
        router.get("/api/schedule") { request, context in
            try await reads.run(for: context.clientAddress) { try schedule(request) }
        }
        router.get("/metrics") { _, _ in
            Response.text(metrics.render(channels: daemon.browsers, status: daemon.status(), program: daemon.program),
                          type: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/screens/{name}/picture.png") { _, context in
            let name = try context.parameters.require("name")
            return try await reads.run(for: context.clientAddress) { try picture(name) }
        }
        router.get("/screens/{name}/text") { _, context in try text(try context.parameters.require("name")) }
        router.get("/api/announcements") { _, _ in Response.json(announcementsJSON()) }
        router.get("/api/plays") { request, context in try plays(request, from: context.clientAddress) }
        router.post("/api/announcements") { request, _ in
            try ControlToken.check(request, tokenFile: daemon.program.configuration.http?.tokenFile)
            return try await announce(request)
        }
        router.delete("/api/announcements/{id}") { request, context in
            try ControlToken.check(request, tokenFile: daemon.program.configuration.http?.tokenFile)
            let id = try context.parameters.require("id")
            guard daemon.withdraw(announcement: id) else {
                throw PlainError(.notFound, message: "no live announcement \(id) (configured ones are withdrawn in the configuration)\n")
            }
            return Response.json(StatusJSON.encode(["withdrawn": id]))
        }
        router.post("/api/reload") { request, _ in
            // The token file as the running program names it: a reload can change it.
            try ControlToken.check(request, tokenFile: daemon.program.configuration.http?.tokenFile)
            logger.info("Reload asked over HTTP.")
            let failure = await daemon.reload()
            // A reload that leaves exhibits at an older version (or out) went only in part, and says which.
            struct Answer: Encodable {
                var ok: Bool
                var partial: Bool
                var error: String?
                var exhibitsWithErrors: [StatusJSON.ExhibitWithErrors]
            }
            let problems = daemon.exhibitProblems.map(StatusJSON.ExhibitWithErrors.init)
            return Response.json(StatusJSON.encode(Answer(ok: failure == nil, partial: failure == nil && !problems.isEmpty,
                                                          error: failure, exhibitsWithErrors: problems)),
                                 status: failure == nil ? .ok : .unprocessableContent)
        }
    }

    // MARK: Announcements

    struct AnnouncementRequest: Decodable {
        var id: String?
        var text: String?
        var exhibit: String?
        var screens: [String]?
        var from: String?
        var until: String?
        var `for`: String?
        var priority: Int?
    }

    struct AnnouncementJSON: Encodable {
        var id: String
        var text: String?
        var exhibit: String?
        var screens: [String]?
        var from: String
        var until: String
        var priority: Int
        var live: Bool
    }

    func announcementsJSON() -> String {
        let program = daemon.program
        let live = Set(daemon.liveAnnouncements.map(\.id))
        let now = daemon.now()
        let list = program.configuration.announcements.filter { $0.end > now }.map { a -> AnnouncementJSON in
            var text: String?, exhibit: String?
            switch a.content {
            case let .text(t): text = t
            case let .exhibit(id): exhibit = id.rawValue
            }
            return AnnouncementJSON(id: a.id, text: text, exhibit: exhibit, screens: a.screens,
                                    from: program.calendar.format(a.start, seconds: true),
                                    until: program.calendar.format(a.end, seconds: true), priority: a.priority,
                                    live: live.contains(a.id))
        }
        return StatusJSON.encode(list)
    }

    /// `POST /api/announcements` with `{"text": …}` or `{"exhibit": …}`, and `until` or `for` (default one
    /// hour), optionally `from`, `screens`, `priority`, `id`.
    func announce(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 16 * 1024)
        guard let ask = try? JSONDecoder().decode(AnnouncementRequest.self, from: Data(buffer: body)) else {
            throw PlainError(.badRequest, message: "expected a JSON object with text or exhibit, and until or for\n")
        }
        let program = daemon.program
        let content: Announcement.Content
        switch (ask.text?.trimmingCharacters(in: .whitespacesAndNewlines), ask.exhibit) {
        case let (text?, nil) where !text.isEmpty && text.count <= 500: content = .text(text)
        case let (nil, exhibit?):
            guard program.exhibits[ExhibitID(exhibit)] != nil else {
                throw PlainError(.unprocessableContent, message: "no exhibit named \(exhibit)\n")
            }
            content = .exhibit(ExhibitID(exhibit))
        default:
            throw PlainError(.unprocessableContent, message: "give either text (1 to 500 characters) or exhibit\n")
        }
        let names = program.configuration.screens.map(\.name)
        if let unknown = ask.screens?.first(where: { !names.contains($0) }) {
            throw PlainError(.unprocessableContent, message: "no screen named \(unknown) (screens: \(names.joined(separator: ", ")))\n")
        }
        let now = daemon.now()
        var start = now
        if let from = ask.from {
            guard let ms = program.calendar.parseDateTime(from) else {
                throw PlainError(.unprocessableContent, message: "from: expected a date and time such as 2026-12-24T16:45\n")
            }
            start = ms
        }
        var end = start + 3_600_000
        if let until = ask.until {
            guard let ms = program.calendar.parseDateTime(until) else {
                throw PlainError(.unprocessableContent, message: "until: expected a date and time such as 2026-12-24T17:00\n")
            }
            end = ms
        } else if let span = ask.for {
            guard let ms = parseDuration(span), ms > 0 else {
                throw PlainError(.unprocessableContent, message: "for: expected a duration such as 30m\n")
            }
            end = start + ms
        }
        guard end > start, end > now else {
            throw PlainError(.unprocessableContent, message: "the announcement must end after it starts, in the future\n")
        }
        guard end - start <= 31 * 86_400_000 else {
            throw PlainError(.unprocessableContent, message: "at most 31 days; write longer ones in the configuration\n")
        }
        let id = ask.id ?? "live-\(UUID().uuidString.prefix(8).lowercased())"
        guard id.count <= 64, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }),
              !program.configuration.announcements.contains(where: { $0.id == id && !daemon.liveAnnouncements.contains { $0.id == id } })
        else {
            throw PlainError(.unprocessableContent, message: "id: letters, digits, - and _ (not a configured announcement's id)\n")
        }
        daemon.announce(Announcement(id: id, content: content, start: start, end: end, screens: ask.screens,
                                     priority: max(-1000, min(1000, ask.priority ?? 0))))
        struct Answer: Encodable { var id: String; var from: String; var until: String }
        return Response.json(StatusJSON.encode(Answer(id: id, from: program.calendar.format(start, seconds: true),
                                                      until: program.calendar.format(end, seconds: true))),
                             status: .created)
    }

    // MARK: Play log

    /// `?screen=NAME&from=2026-12-01&to=2026-12-02&format=csv`: the pages shown, oldest first.
    func plays(_ request: Request, from address: String) throws -> Response {
        guard let playLog else {
            throw PlainError(.notFound, message: "the play log is off (vitrine run --no-play-log)\n")
        }
        let query = request.uri.queryParameters
        let calendar = daemon.program.calendar
        func instant(_ key: String) throws -> Int64? {
            guard let text = query.get(key) else { return nil }
            guard let ms = calendar.parseDateTime(text) else {
                throw PlainError(.badRequest, message: "\(key): expected a date or date and time, found '\(text)'\n")
            }
            return ms
        }
        let (screen, from, to) = (query.get("screen"), try instant("from") ?? 0, try instant("until") ?? instant("to") ?? .max)
        let csv = query.get("format") == "csv"
        var headers = HTTPFields()
        headers[.contentType] = csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        // Written a page of plays at a time as they are read: never held whole, never cut. One place in the
        // read queue for the whole export, taken before the answer starts.
        let ticket = try reads.admit(for: address)
        let body = ResponseBody { writer in
            var place: PlayLog.Place?
            var first = true
            try await writer.write(ByteBuffer(string: csv ? PlayLog.csvHeader : "["))
            repeat {
                let after = place
                let (plays, next) = try await ticket.run {
                    try playLog.page(screen: screen, from: from, to: to, after: after)
                }
                var text = ""
                if csv {
                    text = PlayLog.csvRows(plays)
                } else {
                    for play in plays {
                        text += (first ? "" : ",") + StatusJSON.encode(play)
                        first = false
                    }
                }
                if !text.isEmpty { try await writer.write(ByteBuffer(string: text)) }
                place = next
            } while place != nil
            if !csv { try await writer.write(ByteBuffer(string: "]")) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: Schedule

    /// `?screen=NAME&at=2026-12-05T10:00&until=…` (or `for=2h`): what the screen shows, change by change.
    func schedule(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        let program = daemon.program
        let status = daemon.status()
        let names = program.configuration.screens.map(\.name)
        var screens = names
        if let screen = query.get("screen") {
            guard names.contains(screen) else {
                throw PlainError(.notFound, message: "no screen named \(screen) (screens: \(names.joined(separator: ", ")))\n")
            }
            screens = [screen]
        }
        let now = daemon.now()
        var from = now
        if let at = query.get("at") {
            guard let parsed = program.calendar.parseDateTime(at) else {
                throw PlainError(.badRequest, message: "at: expected YYYY-MM-DDTHH:MM, found '\(at)'\n")
            }
            from = parsed
        }
        var until = from + 3_600_000
        if let text = query.get("until") {
            guard let parsed = program.calendar.parseDateTime(text), parsed > from else {
                throw PlainError(.badRequest, message: "until: expected a date and time after at, found '\(text)'\n")
            }
            until = parsed
        } else if let text = query.get("for") {
            guard let ms = parseDuration(text), ms > 0 else {
                throw PlainError(.badRequest, message: "for: expected a duration such as 2h, found '\(text)'\n")
            }
            until = from + ms
        }
        guard until - from <= 7 * 86_400_000 else {
            throw PlainError(.badRequest, message: "at most 7 days at a time\n")
        }
        struct Change: Encodable {
            var screen: String
            var from: String
            var until: String
            var shows: String
            var exhibit: String?
            var page: Int?
            var pages: Int?
            var language: String?
            var theme: String
            var reason: String
            var source: String?
        }
        var changes: [Change] = []
        for screen in screens {
            let surface = status.screens.first { $0.name == screen }?.surface
            for p in program.timeline(for: screen, from: from, until: until, surface: surface, limit: 5000) {
                var change = Change(screen: screen, from: program.calendar.format(p.validFrom, seconds: true),
                                    until: program.calendar.format(p.validUntil, seconds: true), shows: "",
                                    theme: p.theme, reason: p.reason.rawValue, source: p.source)
                switch p.content {
                case let .exhibit(id, page, count):
                    change.exhibit = id.rawValue
                    change.page = page + 1
                    change.pages = count
                    change.language = p.language
                    change.shows = "\(program.exhibits[id]?.version(in: p.language).title ?? id.rawValue) \(page + 1)/\(count)"
                case let .message(text): change.shows = "message “\(text)”"
                case .blank: change.shows = p.reason == .afterHours ? "closed" : "blank"
                }
                changes.append(change)
            }
        }
        return Response.json(StatusJSON.encode(changes))
    }

    // MARK: Pictures

    /// What a text screen (a terminal) shows now, row by row, as it shows it.
    func text(_ screen: String) throws -> Response {
        guard let status = daemon.status().screens.first(where: { $0.name == screen }), let frame = status.frame,
              let output = daemon.registry.plugin(status.output) as? any ShowsText.Type,
              case let .cells(columns, rows)? = status.surface.grid
        else { throw PlainError(.notFound, message: "no text of \(screen)\n") }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        let text = output.rows(of: frame, columns: columns, rows: rows).joined(separator: "\n")
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// What a pixel screen shows now, painted as the framebuffer paints it, 640 pixels wide.
    func picture(_ screen: String) throws -> Response {
        guard let status = daemon.status().screens.first(where: { $0.name == screen }), let frame = status.frame,
              case let .pixels(width, height)? = status.surface.grid
        else { throw PlainError(.notFound, message: "no picture of \(screen)\n") }
        let png = pictures.png(for: frame, screen: screen) {
            PagePainter().paint(frame, width: width, height: height).pngData(maxWidth: 640)
        }
        var headers = HTTPFields()
        headers[.contentType] = "image/png"
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: png)))
    }
}

/// The last picture of each screen: dashboards ask again and again for the same page.
final class PictureCache: Sendable {
    private let pictures = Mutex<[String: (frame: Frame, png: [UInt8])]>([:])

    func png(for frame: Frame, screen: String, paint: () -> [UInt8]) -> [UInt8] {
        if let kept = pictures.withLock({ $0[screen] }), kept.frame.showsSame(as: frame) { return kept.png }
        let png = paint()
        pictures.withLock { $0[screen] = (frame, png) }
        return png
    }
}
