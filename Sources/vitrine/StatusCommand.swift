import ArgumentParser
import Foundation
import VitrineCore
import VitrineHTTP

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Ask a running daemon what every screen shows (over its HTTP listener).",
        discussion: "Exits 0 when every screen shows its page, 1 when one has failed or is hidden (another console "
            + "on its panel), the daemon is still starting or cannot be reached."
    )

    @Option(name: .long, help: "The daemon's address (default: the http.listen of --config, else http://127.0.0.1:8080).")
    var url: String?

    @Option(name: .long, help: "The configuration file, to find the listener's address.")
    var config: String = "/etc/vitrine/vitrine.yaml"

    func run() async throws {
        var standardError = StandardError()
        let address = url ?? defaultURL()
        guard let parts = URLComponents(string: address), parts.scheme == "http", let host = parts.host else {
            throw ValidationError("--url: expected http://HOST:PORT, found '\(address)'")
        }
        let client = HTTPTestClient(host: host, port: parts.port ?? 80)
        let reply: HTTPTestClient.Reply
        do {
            reply = try await client.request("GET", "/api/status", timeout: 5)
        } catch {
            print("vitrine status: no daemon answers at \(address) (is it running, and is http.listen set?)",
                  to: &standardError)
            throw ExitCode(1)
        }
        guard reply.status == 200,
              let json = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]
        else {
            print("vitrine status: \(address) answered \(reply.status), not a Vitrine status", to: &standardError)
            throw ExitCode(1)
        }
        print(json["status"] as? String ?? "")
        if let failure = json["lastReload"] as? String { print("last reload: \(failure)") }
        for problem in json["exhibitsWithErrors"] as? [[String: Any]] ?? [] {
            print("exhibit '\(problem["exhibit"] as? String ?? "?")': \(problem["shown"] as? String ?? "?") "
                  + "(\(problem["error"] as? String ?? "?"))")
        }
        let screens = json["screens"] as? [[String: Any]] ?? []
        let width = screens.map { ($0["name"] as? String ?? "").count }.max() ?? 0
        var healthy = json["ready"] as? Bool ?? false
        for screen in screens {
            let name = (screen["name"] as? String ?? "").padding(toLength: width, withPad: " ", startingAt: 0)
            let health = screen["health"] as? String ?? "?"
            if health != "showing" { healthy = false }
            var line = "\(name)  \(screen["output"] as? String ?? "")  \(health)  \(screen["summary"] as? String ?? "")"
            if let theme = screen["theme"] as? String { line += "  theme \(theme)" }
            if let next = screen["nextChange"] as? String { line += "  next change \(next)" }
            if let clients = screen["clients"] as? Int { line += "  \(clients) browser\(clients == 1 ? "" : "s")" }
            if let failure = screen["failure"] as? String { line += "  (\(failure))" }
            if let hidden = screen["hidden"] as? String { line += "  (not visible: \(hidden))" }
            if let trouble = screen["trouble"] as? String { line += "  (\(trouble))" }
            print(line)
        }
        if !healthy { throw ExitCode(1) }
    }

    func defaultURL() -> String {
        if FileManager.default.fileExists(atPath: config), let program = Outputs.loader().load(path: config).program,
           let listener = program.configuration.http
        {
            let host = listener.host == "0.0.0.0" ? "127.0.0.1" : listener.host == "::" ? "[::1]" : listener.host
            return "http://\(host):\(listener.port)"
        }
        return "http://127.0.0.1:8080"
    }
}
