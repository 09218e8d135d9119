import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import VitrineModel

/// Control calls (reload, announcements) need `Authorization: Bearer TOKEN` with the token in `http.token-file`.
/// Without a token file they are refused. The token is read on each call (so it can be changed without a restart),
/// compared in constant time, and never logged.
enum ControlToken {
    static func check(_ request: Request, tokenFile: String?) throws {
        guard let file = tokenFile else {
            throw PlainError(.forbidden, message: "Control calls are disabled: set http.token-file in the configuration.\n")
        }
        guard let data = FileManager.default.contents(atPath: file), data.count <= 4096,
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
              text.count >= 16
        else {
            throw PlainError(.forbidden, message: "Control calls are disabled: http.token-file cannot be read or holds "
                + "no token of at least 16 characters.\n")
        }
        // The scheme's name is case-insensitive (RFC 9110 11.1): "bearer", "BEARER" and "Bearer" are all the one.
        let given = (request.headers[.authorization] ?? "").trimmingCharacters(in: .whitespaces)
        let scheme = given.prefix { $0 != " " }
        let credentials = given.dropFirst(scheme.count).trimmingCharacters(in: .whitespaces)
        guard scheme.lowercased() == "bearer", equal(Array(credentials.utf8), Array(text.utf8)) else {
            throw PlainError(.unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"vitrine\""],
                            message: "A valid bearer token is required.\n")
        }
    }

    /// Compares without stopping at the first difference, so the time taken does not tell how much matched.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
