import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import Synchronization
import VitrineCore
import VitrineModel
import VitrinePluginAPI
import VitrineRenderer

/// Screens that browsers load (those of outputs that serve browsers, `ServesBrowsers`): the page, the files it
/// loads, its event stream; the fonts pages are set in, and the exhibits' pictures and media. No output is named
/// here: what a screen serves is its output's.
struct KioskRoutes: Sendable {
    let daemon: Daemon
    let channels: BrowserChannels
    let limits: HTTPServer.Limits
    let logger: Logger

    let framed: FramedEvents
    let open: OpenStreams

    func add(to router: Router<ListenerContext>) {
        router.get("/screens/{name}") { _, context in
            let name = try context.parameters.require("name")
            guard let web = web(for: name) else {
                return Response.text(Self.unknownScreen(name), status: .notFound, type: "text/html; charset=utf-8")
            }
            return Response.text(web.page.body, type: web.page.type)
        }
        router.get("/screens/{name}/files/{file}") { _, context in
            let name = try context.parameters.require("name"), file = try context.parameters.require("file")
            guard let found = web(for: name)?.files[file] else {
                throw PlainError(.notFound, message: "no file \(file) for screen \(name)\n")
            }
            return Response.text(found.body, type: found.type)
        }
        router.get("/screens/{name}/events") { request, context in
            try events(request, screen: context.parameters.require("name"))
        }
        router.get("/screens/{name}/choice") { request, context in
            try choice(request, screen: context.parameters.require("name"))
        }
        router.post("/screens/{name}/report/{what}") { _, context in
            // A kiosk page saying whether the browser lets it play sound: shown to operators, nothing else.
            let name = try context.parameters.require("name"), what = try context.parameters.require("what")
            guard servesBrowsers(name), let report = BrowserReport(rawValue: what) else {
                throw PlainError(.notFound, message: "no such report\n")
            }
            channels.report(name, report)
            return Response(status: .noContent)
        }
        router.get("/assets/font") { request, _ in try font(request) }
        router.get("/visit/{exhibit}") { request, context in
            // The companion page a visitor's phone opens from a screen's code.
            let id = try context.parameters.require("exhibit")
            guard let exhibit = daemon.program.exhibits[ExhibitID(id)] else {
                throw PlainError(.notFound, message: "no exhibit \(id)\n")
            }
            let query = request.uri.queryParameters
            let asked = VisitorPage.Request(language: query.get("lang"), shown: query.get("shown"),
                                            acceptLanguage: request.headers[.acceptLanguage],
                                            large: query.get("size") == "large")
            return Response.text(VisitorPage.html(exhibit: exhibit, request: asked), type: "text/html; charset=utf-8",
                                 headers: [.contentSecurityPolicy: VisitorPage.policy, .init("Referrer-Policy")!: "no-referrer"])
        }
        router.get("/media/{exhibit}/**") { request, context in
            // The path arrives percent-encoded, as `KioskMessage.mediaPath` wrote it ("photo%201.png",
            // "%D1%84%D0%BE%D1%82%D0%BE.png"): each part decoded before it is compared with the exhibit's names.
            func decoded(_ part: Substring) throws -> String {
                guard let text = String(part).removingPercentEncoding else {
                    throw PlainError(.badRequest, message: "a badly encoded path\n")
                }
                return text
            }
            return try media(request, exhibit: decoded(Substring(context.parameters.require("exhibit"))),
                      file: context.parameters.getCatchAll().map(decoded).joined(separator: "/"))
        }
    }

    /// What browsers load for the screen, when the running program has it and its output serves browsers.
    func web(for name: String) -> WebScreen? {
        guard let screen = daemon.program.configuration.screen(named: name) else { return nil }
        return daemon.registry.web(type: screen.output, screen: name)
    }

    /// Whether browsers may listen to the screen: its output serves browsers (asked without building its page).
    func servesBrowsers(_ name: String) -> Bool {
        guard let screen = daemon.program.configuration.screen(named: name) else { return false }
        return daemon.registry.plugin(screen.output) is any ServesBrowsers.Type
    }

    /// A page a visitor chose on a touch screen (`?exhibit=ID&lang=ru&page=2`): the exhibit in a language it is
    /// written in, one of its pages (from 1), laid out for the screen as its pages are and sent in their form. Its
    /// recordings start now. The screen's own schedule goes on meanwhile; the browser goes back to it when the
    /// visitor stops touching.
    func choice(_ request: Request, screen name: String) throws -> Response {
        let program = daemon.program
        let status = daemon.status()
        guard let screen = program.configuration.screen(named: name),
              let plugin = daemon.registry.plugin(screen.output) as? any ServesBrowsers.Type,
              let slot = status.screens.first(where: { $0.name == name })
        else { throw PlainError(.notFound, message: "no kiosk screen named \(name)\n") }
        let query = request.uri.queryParameters
        guard let id = query.get("exhibit").map({ ExhibitID(String($0)) }), let exhibit = program.exhibits[id] else {
            throw PlainError(.notFound, message: "no such exhibit\n")
        }
        let language = query.get("lang").map { String($0) } ?? exhibit.language
        if let language, !exhibit.isWritten(in: language) {
            throw PlainError(.notFound, message: "\(id) is not written in \(language)\n")
        }
        let theme = slot.frame?.presentation.theme ?? program.configuration.defaultTheme
        let pages = program.pages(of: id, in: language, on: screen, theme: theme, surface: slot.surface)
        guard let number = Int(query.get("page").map { String($0) } ?? "1"), pages.indices.contains(number - 1) else {
            throw PlainError(.notFound, message: "\(id) has \(pages.count) pages\n")
        }
        let presentation = Presentation(screen: name, content: .exhibit(id, page: number - 1, pageCount: pages.count),
                                        theme: theme, language: language, reason: .playlist, validFrom: status.now,
                                        validUntil: status.now)
        let frame = program.frame(for: presentation, surface: slot.surface, at: status.now)
        guard let body = plugin.chosen(frame, screen: name, surface: slot.surface) else {
            throw PlainError(.notFound, message: "screen \(name) offers no choice\n")
        }
        return Response.json(body)
    }

    // MARK: Server-Sent Events

    func events(_ request: Request, screen: String) throws -> Response {
        guard servesBrowsers(screen) else {
            return Response.text("no kiosk screen named \(screen)\n", status: .notFound)
        }
        return try stream(request, channels: channels, channel: screen)
    }

    /// An event stream of a channel: the current event unless the browser already has it (`Last-Event-ID`), then
    /// each new one, with heartbeat comments in between.
    func stream(_ request: Request, channels: BrowserChannels, channel: String, event: String = "page") throws
        -> Response
    {
        guard let subscription = channels.subscribe(channel) else {
            throw PlainError(.serviceUnavailable, headers: [.retryAfter: "10"],
                            message: "Too many open streams; try again shortly.\n")
        }
        let lastID = request.headers[HTTPField.Name("Last-Event-ID")!]
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        headers[.xContentTypeOptions] = "nosniff"
        let token = open.add(subscription)
        let body = ResponseBody { [open] writer in
            defer {
                subscription.end()
                open.remove(token)
            }
            var sent = lastID
            try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
            // Every stream held open costs memory for as long as the browser stays: nothing per page is kept in
            // it (the event bytes are the shared ones), and shutdown ends it through `open` rather than through a
            // graceful-shutdown wrapper, which would cost each stream two more tasks.
            if let current = channels.current(channel), current.id != lastID {
                try await writer.write(framed.buffer(for: current, event: event))
                sent = current.id
            }
            for await wake in subscription.wakes {
                // Whatever woke us, the newest page goes out if this browser does not have it yet. It is framed
                // once for all browsers and the bytes are shared, not copied per browser.
                if let current = channels.current(channel), current.id != sent {
                    try await writer.write(framed.buffer(for: current, event: event))
                    sent = current.id
                } else if wake == .heartbeat {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// For a screen the configuration does not have (yet): a quiet page that tries again, never a browser error.
    static func unknownScreen(_ screen: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10">
        <title>No screen \(escapeHTML(screen))</title>
        <style>html,body{margin:0;height:100%;background:#000;color:#888;font:20px sans-serif;display:flex;
        align-items:center;justify-content:center}</style></head>
        <body><p>No screen named “\(escapeHTML(screen))” is configured. Trying again in 10 seconds.</p></body></html>
        """
    }

    static func escapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }

    // MARK: Fonts

    /// The font file fontconfig picks for a family and style: the same face the framebuffer paints with.
    func font(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        guard let family = query.get("family"), !family.isEmpty, family.count <= 100 else {
            throw PlainError(.badRequest, message: "family= is required\n")
        }
        guard let path = FontFiles.path(family: family, bold: query.get("bold") == "1",
                                        italic: query.get("italic") == "1")
        else { throw PlainError(.notFound, message: "no font for \(family)\n") }
        let type = path.lowercased().hasSuffix(".otf") ? "font/otf" : "font/ttf"
        return try FileResponse.serve(path, request: request, type: type, cache: "public, max-age=86400")
    }

    // MARK: Media

    /// A picture, sound, film or caption file an exhibit names. Only files the exhibit itself names are served,
    /// from inside the content folder: a path that climbs out, or a link that points out, is refused.
    func media(_ request: Request, exhibit id: String, file: String) throws -> Response {
        let program = daemon.program
        guard let exhibit = program.exhibits[ExhibitID(id)] else {
            throw PlainError(.notFound, message: "no exhibit \(id)\n")
        }
        // The files the exhibit names, each with the kinds it may be (`ExhibitFiles`): anything else is not served,
        // whatever the exhibit says (an `.svg` named as a recording would run its script in this origin).
        var named: [String: Set<ExhibitFiles.Kind>] = [:]
        for block in ([exhibit] + exhibit.translations.values).flatMap(\.blocks) {
            switch block {
            case let .image(image): named[image.file] = [.image]
            case let .media(media):
                named[media.file] = media.kind == .film ? [.film] : [.sound, .film]
                if let captions = media.captions { named[captions] = [.captions] }
            default: break
            }
        }
        guard let kinds = named[file], let kind = ExhibitFiles.kind(of: file)?.kind, kinds.contains(kind) else {
            throw PlainError(.notFound, message: "\(id) has no file \(file)\n")
        }
        let folder = URL(fileURLWithPath: exhibit.sourcePath).deletingLastPathComponent()
        let path = folder.appendingPathComponent(file).path
        guard let real = ContentFolder.realPath(path) else {
            throw PlainError(.notFound, message: "\(id) has no file \(file) now\n")
        }
        guard ContentFolder.holds(path, root: program.configuration.contentFolder) else {
            logger.warning("Refused a media file outside the content folder.", metadata: ["vitrine.path": "\(path)"])
            throw PlainError(.forbidden, message: "outside the content folder\n")
        }
        return try FileResponse.serve(real, request: request, type: FileResponse.mediaType(of: file),
                                      cache: "no-cache")
    }
}

/// Server-Sent Events framing: every line of the data gets its own `data:` field, so any text survives intact.
public enum ServerSentEventFraming {
    public static func encode(id: String, event: String, data: String) -> String {
        var out = "id: \(id)\nevent: \(event)\n"
        // CR, LF and CRLF all end a line in an event stream.
        let text = data.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) { out += "data: \(line)\n" }
        return out + "\n"
    }

    static func encode(_ event: BrowserChannels.Event, event name: String) -> String {
        encode(id: event.id, event: name, data: event.data)
    }
}

/// The last event of each stream framed as bytes, shared by every browser it goes to.
/// The event streams a listener has open, so that closing the listener, or shutting down, ends them: each writer's
/// loop over its wake-ups finishes and the connection closes cleanly.
final class OpenStreams: Sendable {
    private struct State {
        var next = 0
        var streams: [Int: BrowserChannels.Subscription] = [:]
        var shutDown = false
    }

    private let state = Mutex(State())

    func add(_ subscription: BrowserChannels.Subscription) -> Int {
        let token = state.withLock { state -> Int? in
            guard !state.shutDown else { return nil }
            state.next += 1
            state.streams[state.next] = subscription
            return state.next
        }
        guard let token else {
            subscription.end()
            return -1
        }
        return token
    }

    func remove(_ token: Int) { _ = state.withLock { $0.streams.removeValue(forKey: token) } }

    /// Ends every open stream; after a shutdown, new ones end at once.
    func endAll(shutDown: Bool = false) {
        let open = state.withLock { state in
            if shutDown { state.shutDown = true }
            defer { state.streams.removeAll() }
            return Array(state.streams.values)
        }
        for subscription in open { subscription.end() }
    }
}

final class FramedEvents: Sendable {
    private let last = Mutex<[String: ByteBuffer]>([:])

    func buffer(for event: BrowserChannels.Event, event name: String) -> ByteBuffer {
        let key = name + " " + event.id
        if let kept = last.withLock({ $0[key] }) { return kept }
        let buffer = ByteBuffer(string: ServerSentEventFraming.encode(event, event: name))
        last.withLock { table in
            if table.count > 64 { table.removeAll() }
            table[key] = buffer
        }
        return buffer
    }
}
