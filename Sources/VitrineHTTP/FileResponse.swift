import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import VitrineModel

/// A file as an HTTP response, streamed in pieces, with single byte ranges (browsers seek in films that way).
enum FileResponse {
    static let chunk = 64 * 1024

    static func serve(_ path: String, request: Request, type: String, cache: String) throws -> Response {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw PlainError(.notFound, message: "cannot read \((path as NSString).lastPathComponent)\n") }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw PlainError(.notFound, message: "not a file\n")
        }
        let size = Int(info.st_size)
        var start = 0, end = size - 1
        var status = HTTPResponse.Status.ok
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = cache
        headers[.acceptRanges] = "bytes"
        // A file is data, never a page: opened on its own it runs nothing and is never taken for another type.
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] = "default-src 'none'; sandbox"
        if let range = request.headers[.range] {
            guard let (a, b) = parseRange(range, size: size) else {
                close(fd)
                throw PlainError(.rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)"],
                                message: "range not satisfiable\n")
            }
            (start, end) = (a, b)
            status = .partialContent
            headers[.contentRange] = "bytes \(a)-\(b)/\(size)"
        }
        let length = max(0, end - start + 1)
        let (first, last) = (start, end)
        let body = ResponseBody(contentLength: length) { writer in
            defer { close(fd) }
            var offset = first
            var buffer = [UInt8](repeating: 0, count: chunk)
            while offset <= last {
                let want = min(chunk, last - offset + 1)
                let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(offset)) }
                guard got > 0 else { break }
                try await writer.write(ByteBuffer(bytes: buffer[0..<got]))
                offset += got
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// `bytes=A-B`, `bytes=A-` or `bytes=-N` within a file of `size` bytes.
    static func parseRange(_ header: String, size: Int) -> (Int, Int)? {
        guard header.hasPrefix("bytes="), size > 0 else { return nil }
        let spec = header.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let n = Int(last), n > 0 else { return nil }
            return (max(0, size - n), size - 1)
        }
        guard let a = Int(first), a < size else { return nil }
        guard !last.isEmpty else { return (a, size - 1) }
        guard let b = Int(last), b >= a else { return nil }
        return (a, min(b, size - 1))
    }

    /// The type a file an exhibit names is served as: the one it was accepted as (`ExhibitFiles`).
    static func mediaType(of file: String) -> String {
        ExhibitFiles.kind(of: file)?.mediaType ?? "application/octet-stream"
    }
}
