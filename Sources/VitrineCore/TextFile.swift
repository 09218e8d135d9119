import Foundation

/// Reads a text file defensively: size limit, UTF-8 check with the place of the first bad byte.
enum TextFile {
    enum Failure: Error {
        case unreadable(String)
        case tooLarge(bytes: Int, limit: Int)
        case invalidUTF8(line: Int, column: Int)
    }

    static func read(_ path: String, limit: Int) -> Result<String, Failure> {
        // A FIFO or a device in place of a file would block the read (or never end): only regular files are read.
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            return .failure(.unreadable(status.st_mode & S_IFMT == S_IFDIR ? "Is a directory" : "not a regular file"))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            return .failure(.unreadable(reason))
        }
        defer { try? handle.close() }
        let data: Data
        do {
            // Read one byte past the limit so a huge file is refused without loading it whole.
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            return .failure(.unreadable(describe(error)))
        }
        if data.count > limit {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? data.count
            return .failure(.tooLarge(bytes: size, limit: limit))
        }
        return decode(data)
    }

    /// "Is a directory" rather than Foundation's "Error Domain=NSCocoaErrorDomain Code=256".
    static func describe(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        return nsError.localizedDescription
    }

    static func decode(_ data: Data) -> Result<String, Failure> {
        if let text = String(validating: data, as: UTF8.self) {
            // A byte-order mark is legal UTF-8 but would end up in the first key.
            return .success(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        }
        let (line, column) = firstInvalidUTF8(in: data)
        return .failure(.invalidUTF8(line: line, column: column))
    }

    /// Line and column (1-based, in bytes) of the first byte that is not valid UTF-8.
    static func firstInvalidUTF8(in data: Data) -> (Int, Int) {
        var line = 1, lineStart = 0
        var i = 0
        let bytes = [UInt8](data)
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            switch b {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return (line, i - lineStart + 1)
            }
            if length > 1 {
                guard i + length <= bytes.count,
                      let s = String(validating: bytes[i..<(i + length)], as: UTF8.self), !s.isEmpty
                else { return (line, i - lineStart + 1) }
            }
            if b == 0x0A {
                line += 1
                lineStart = i + 1
            }
            i += length
        }
        return (line, max(1, i - lineStart))
    }

    static func describe(_ failure: Failure) -> (message: String, line: Int?, column: Int?) {
        switch failure {
        case let .unreadable(reason): ("cannot read file: \(reason)", nil, nil)
        case let .tooLarge(bytes, limit): ("file is \(bytes) bytes, over the \(limit)-byte limit", nil, nil)
        case let .invalidUTF8(line, column): ("invalid UTF-8 (save the file as UTF-8)", line, column)
        }
    }
}

/// Where an exhibit's files may come from: the content folder, links resolved. A symbolic link in an exhibit's
/// folder that leads elsewhere (to the control token, to /etc) would put that file on every screen and in every
/// kiosk's event stream; such files are refused, by the loader as by the `/media` route.
public enum ContentFolder {
    /// The real path of `path`, every link resolved; nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path`, links resolved, lies inside `root` (links resolved too).
    public static func holds(_ path: String, root: String) -> Bool {
        guard let real = realPath(path), let root = realPath(root) else { return false }
        return real.hasPrefix(root == "/" ? "/" : root + "/")
    }

    /// Whether a file of the exhibit whose folder is `exhibitFolder` lies inside the content folder that holds it.
    static func holds(_ path: String, exhibitFolder: String) -> Bool {
        holds(path, root: (exhibitFolder as NSString).deletingLastPathComponent)
    }
}
