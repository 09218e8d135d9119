import Foundation
import HTTPTypes
import Hummingbird

/// Answers only requests for this machine's names. A page on the internet can point its own name at the venue's
/// machine (DNS rebinding) and read the API from a visitor's or a technician's browser; its requests carry that
/// name in `Host`, so they are refused (421). Allowed: IP addresses, `localhost`, the machine's own name (and
/// NAME.local), and the names in `http.hosts`.
struct HostCheck<Context: RequestContext>: RouterMiddleware {
    let names: @Sendable () -> [String]
    let machine: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = buffer.withUnsafeMutableBufferPointer { gethostname($0.baseAddress!, $0.count - 1) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).lowercased()
    }()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if let host = request.head.authority, !Self.allowed(host, machine: machine, names: names()) {
            throw PlainError(.misdirectedRequest, message: "This listener does not answer for \(host); add the name "
                + "to http.hosts in the configuration if browsers reach the machine by it.\n")
        }
        return try await next(request, context)
    }

    /// Whether `authority` (a Host header: name or address, perhaps with a port) names this machine.
    static func allowed(_ authority: String, machine: String, names: [String]) -> Bool {
        var name = authority.lowercased()
        if name.hasPrefix("[") { return true }  // an IPv6 address
        if let colon = name.lastIndex(of: ":") { name = String(name[..<colon]) }
        if name.hasSuffix(".") { name.removeLast() }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) { return true }  // an IPv4 address
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        if !machine.isEmpty, name == machine || name == machine + ".local" { return true }
        return names.contains { $0.lowercased() == name }
    }
}
