import CArchive
import CSodium
import Foundation

/// A content bundle: a configuration and its content folder in one file, signed with an Ed25519 key, to be carried
/// to many machines (rsync, Ansible, a USB stick) and installed on each at once (`BundleShelf`).
///
/// The file is a short text header, then a tar archive (libarchive) of the configuration's folder as the bundle
/// carries it: the configuration as `vitrine.yaml` and the content folder at its place beside it.
///
/// ```
/// vitrine-bundle 1
/// key 1a2b3c4d5e6f7a8b
/// created 2026-12-07T03:00:00Z
/// name spring hang
/// payload 00000000000001234432
/// signature BASE64 (88 characters)
///
/// <tar archive, `payload` bytes>
/// ```
///
/// The signature (Ed25519ph, libsodium's multi-part signing: a film of gigabytes is signed and checked as it
/// streams) covers the header's first four lines and the archive. The payload's length is not signed: it only
/// says where the file should end, and a different length gives other bytes, which the signature refuses.
public enum ContentBundle {
    public struct Header: Sendable, Equatable {
        /// The signing key's id.
        public var key: String
        /// When the bundle was made, `2026-12-07T03:00:00Z`.
        public var created: String
        /// What its maker called it (`--name`), or "".
        public var name: String
        /// The archive's length in bytes.
        public var payload: Int64
        var signature: [UInt8]
        /// Where the archive starts in the file.
        var offset: Int64

        /// Names the bundle among others: when it was made, and its signature's first bytes.
        public var id: String {
            var hash = [UInt8](repeating: 0, count: 16)
            _ = crypto_generichash(&hash, hash.count, signature, UInt64(signature.count), nil, 0)
            let stamp = created.filter { $0 != "-" && $0 != ":" }
            return stamp + "-" + hash.prefix(4).map { String(format: "%02x", $0) }.joined()
        }

        /// The lines the signature covers, as written.
        var signedText: String {
            "vitrine-bundle 1\nkey \(key)\ncreated \(created)\nname \(name)\n"
        }
    }

    /// The configuration's name inside a bundle, whatever it was called where the bundle was made.
    public static let configurationName = "vitrine.yaml"
    static let payloadDigits = 20
    static let signatureLength = 88
    static let chunk = 1 << 20

    // MARK: Making

    /// Packs `configuration` and `contentFolder` (which must be inside the configuration's folder) into `output`,
    /// signed with `key`. Hidden files and folders (`.git`, `.DS_Store`) are left out, as the daemon ignores them.
    /// The file is written beside `output` and renamed to it when complete.
    @discardableResult
    public static func create(configuration: String, contentFolder: String, key: BundleKey, name: String = "",
                              output: String, now: Date = Date()) throws -> Header {
        guard key.kind == .secret else { throw BundleError.keyFile("(key)", "signing needs the secret key") }
        try Sodium.ready()
        let base = URL(fileURLWithPath: configuration).deletingLastPathComponent().standardizedFileURL.path
        let content = URL(fileURLWithPath: contentFolder).standardizedFileURL.path
        let inside: String
        if content == base {
            inside = ""
        } else if content.hasPrefix(base == "/" ? "/" : base + "/") {
            inside = String(content.dropFirst(base == "/" ? 1 : base.count + 1))
        } else {
            throw BundleError.content("content: \(content) is not inside the configuration's folder \(base): a bundle "
                + "carries the configuration with its content folder beside it (write `content: exhibits`, say)")
        }
        var files: [(path: String, source: String)] = []
        var folders: [String] = []
        var seen = Set<String>()
        try collect(content, as: inside, files: &files, folders: &folders, seen: &seen)
        // With `content: .` the configuration is among the content folder's files.
        let itself = realpathString(configuration)
        files.removeAll { $0.path == configurationName && realpathString($0.source) == itself }
        if files.contains(where: { $0.path == configurationName }) {
            throw BundleError.content("\(content)/\(configurationName): the content folder holds a file of the name the "
                + "bundle gives the configuration; rename it")
        }
        files.insert((configurationName, configuration), at: 0)
        return try write(files: files, folders: folders, key: key, name: name, output: output, now: now)
    }

    /// Packs `files` (each at its path inside the bundle) and `folders` into `output`, signed with `key`.
    static func write(files: [(path: String, source: String)], folders: [String], key: BundleKey, name: String,
                      output: String, now: Date) throws -> Header {
        var header = Header(key: key.id, created: timestamp(now),
                            name: String(name.filter { $0 != "\n" && $0 != "\r" }.prefix(200)),
                            payload: 0, signature: [], offset: 0)
        let partial = output + ".partial"
        let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BundleError.io(output, "cannot be created (\(String(cString: strerror(errno))))") }
        var done = false
        defer {
            close(fd)
            if !done { unlink(partial) }
        }
        // The header with room for the payload's length and the signature, filled in once they are known.
        let placeholder = header.signedText + "payload " + String(repeating: "0", count: payloadDigits) + "\n"
            + "signature " + String(repeating: "=", count: signatureLength) + "\n\n"
        try writeAll(fd, Array(placeholder.utf8), path: output)
        header.offset = Int64(placeholder.utf8.count)

        let sink = ArchiveSink(fd: fd, path: output)
        sink.update(Array(header.signedText.utf8))
        try sink.pack(files: files, folders: folders)
        header.payload = sink.written
        header.signature = try sink.sign(with: key)
        let filled = header.signedText + "payload " + String(format: "%020lld", header.payload) + "\n"
            + "signature " + Data(header.signature).base64EncodedString() + "\n\n"
        precondition(filled.utf8.count == placeholder.utf8.count)
        guard pwrite(fd, filled, filled.utf8.count, 0) == filled.utf8.count, fsync(fd) == 0 else {
            throw BundleError.io(output, "cannot be written (\(String(cString: strerror(errno))))")
        }
        guard rename(partial, output) == 0 else {
            throw BundleError.io(output, "cannot be put in place (\(String(cString: strerror(errno))))")
        }
        done = true
        return header
    }

    /// Every file and folder under `folder`, hidden ones aside; symbolic links are followed (the daemon refuses
    /// those that leave the content folder), each folder once.
    static func collect(_ folder: String, as inside: String, files: inout [(path: String, source: String)],
                        folders: inout [String], seen: inout Set<String>) throws {
        guard let real = realpathString(folder), seen.insert(real).inserted else { return }
        if !inside.isEmpty { folders.append(inside) }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        } catch {
            throw BundleError.io(folder, "cannot be read (\(BundleKey.reason(error)))")
        }
        for name in names where !name.hasPrefix(".") {
            let path = folder + "/" + name, entry = inside.isEmpty ? name : inside + "/" + name
            var status = stat()
            guard stat(path, &status) == 0 else {
                throw BundleError.io(path, "cannot be read (\(String(cString: strerror(errno))))")
            }
            switch status.st_mode & S_IFMT {
            case S_IFDIR: try collect(path, as: entry, files: &files, folders: &folders, seen: &seen)
            case S_IFREG: files.append((entry, path))
            default: continue  // sockets, pipes, devices: nothing an exhibit is made of
            }
        }
    }

    static func realpathString(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw BundleError.io(path, "cannot be written (\(String(cString: strerror(errno))))") }
            offset += n
        }
    }

    // MARK: Reading

    /// The header of the bundle at `path`, checked against the file's length and the trusted keys (the signature is
    /// checked by `verify` and `unpack`, which read the whole file).
    public static func header(of path: String, trusting keys: [BundleKey]) throws -> Header {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BundleError.io(path, "cannot be opened (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        return try header(fd: fd, path: path, trusting: keys)
    }

    static func header(fd: Int32, path: String, trusting keys: [BundleKey]) throws -> Header {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { throw BundleError.notABundle(path, n == 0 ? "the file is empty" : "it cannot be read") }
        let bytes = buffer[0..<n]
        guard bytes.starts(with: Array("vitrine-bundle ".utf8)) else {
            throw BundleError.notABundle(path, "it does not start with `vitrine-bundle`")
        }
        guard let end = (0..<(n - 1)).first(where: { bytes[$0] == 10 && bytes[$0 + 1] == 10 }) else {
            // A header is a few hundred bytes: one cut off is a file still arriving, one longer is no header.
            if n == buffer.count { throw BundleError.notABundle(path, "its header does not end") }
            throw BundleError.incomplete(path, have: Int64(n), expected: Int64(n) + 1)
        }
        let lines = String(decoding: bytes[0..<end], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == "vitrine-bundle 1" else {
            throw BundleError.notABundle(path, "it is \(lines.first ?? ""), and this vitrine reads version 1: update vitrine")
        }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let space = line.firstIndex(of: " ") else { continue }
            fields[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        guard let key = fields["key"], let created = fields["created"], let name = fields["name"],
              let payloadText = fields["payload"], let payload = Int64(payloadText),
              let signatureText = fields["signature"], let signature = Data(base64Encoded: signatureText),
              signature.count == Int(crypto_sign_BYTES)
        else { throw BundleError.notABundle(path, "its header lacks a field or has one that cannot be read") }
        let header = Header(key: key, created: created, name: name, payload: payload, signature: Array(signature),
                            offset: Int64(end + 2))
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw BundleError.io(path, "cannot be read") }
        let expected = header.offset + payload, have = Int64(status.st_size)
        if have < expected { throw BundleError.incomplete(path, have: have, expected: expected) }
        if have > expected { throw BundleError.notABundle(path, "\(have - expected) bytes follow its end") }
        guard keys.contains(where: { $0.id == key }) else {
            throw BundleError.unknownKey(path, signer: key, trusted: keys.map(\.id))
        }
        return header
    }

    /// Checks the bundle's signature, reading the whole file.
    @discardableResult
    public static func verify(_ path: String, trusting keys: [BundleKey]) throws -> Header {
        try Sodium.ready()
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BundleError.io(path, "cannot be opened (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        let header = try header(fd: fd, path: path, trusting: keys)
        let source = ArchiveSource(fd: fd, path: path, header: header)
        try source.drain()
        try source.checkSignature(trusting: keys)
        return header
    }

    /// Unpacks the bundle into `folder` (which must not exist), checking its signature over the very bytes unpacked
    /// (a file changed while it is read cannot slip anything in). On any error the folder is removed.
    @discardableResult
    public static func unpack(_ path: String, trusting keys: [BundleKey], into folder: String) throws -> Header {
        try Sodium.ready()
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BundleError.io(path, "cannot be opened (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        let header = try header(fd: fd, path: path, trusting: keys)
        guard mkdir(folder, 0o755) == 0, chmod(folder, 0o755) == 0 else {
            throw BundleError.io(folder, "cannot be created (\(String(cString: strerror(errno))))")
        }
        let source = ArchiveSource(fd: fd, path: path, header: header)
        do {
            var unpackError: (any Error)?
            do {
                try source.unpack(into: folder)
            } catch {
                unpackError = error
            }
            // The signature first: a damaged file is reported as such, not by what the damage did to the archive.
            try source.drain()
            try source.checkSignature(trusting: keys)
            if let unpackError { throw unpackError }
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        return header
    }
}

/// Writes a tar archive to a file descriptor through libarchive, signing every byte written.
final class ArchiveSink {
    let fd: Int32
    let path: String
    var state = crypto_sign_state()
    var written: Int64 = 0
    var failure: String?

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        crypto_sign_init(&state)
    }

    func update(_ bytes: [UInt8]) {
        crypto_sign_update(&state, bytes, UInt64(bytes.count))
    }

    func pack(files: [(path: String, source: String)], folders: [String]) throws {
        guard let archive = archive_write_new() else { throw BundleError.archive(path, "libarchive: out of memory") }
        defer { archive_write_free(archive) }
        archive_write_set_format_pax_restricted(archive)
        // One block per write, not libarchive's 10 KiB records padded with zeros.
        archive_write_set_bytes_per_block(archive, 0)
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard archive_write_open2(archive, context, nil, { _, context, buffer, length in
            let sink = Unmanaged<ArchiveSink>.fromOpaque(context!).takeUnretainedValue()
            return sink.take(buffer!, length)
        }, nil, nil) == ARCHIVE_OK else { throw archiveError(archive) }
        let now = time(nil)
        for folder in folders {
            let entry = archive_entry_new()
            defer { archive_entry_free(entry) }
            archive_entry_set_pathname(entry, folder)
            archive_entry_set_filetype(entry, UInt32(Glibc.S_IFDIR))
            archive_entry_set_perm(entry, 0o755)
            archive_entry_set_mtime(entry, now, 0)
            guard archive_write_header(archive, entry) == ARCHIVE_OK else { throw archiveError(archive) }
        }
        var buffer = [UInt8](repeating: 0, count: ContentBundle.chunk)
        for file in files {
            let input = open(file.source, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else {
                throw BundleError.io(file.source, "cannot be read (\(String(cString: strerror(errno))))")
            }
            defer { close(input) }
            var status = stat()
            fstat(input, &status)
            let entry = archive_entry_new()
            defer { archive_entry_free(entry) }
            archive_entry_set_pathname(entry, file.path)
            archive_entry_set_filetype(entry, UInt32(Glibc.S_IFREG))
            archive_entry_set_perm(entry, 0o644)
            archive_entry_set_size(entry, la_int64_t(status.st_size))
            archive_entry_set_mtime(entry, status.st_mtim.tv_sec, status.st_mtim.tv_nsec)
            guard archive_write_header(archive, entry) == ARCHIVE_OK else { throw archiveError(archive) }
            var left = Int64(status.st_size)
            while left > 0 {
                let n = read(input, &buffer, min(buffer.count, Int(left)))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else {
                    throw BundleError.io(file.source, "changed while it was packed (shorter than it was); try again")
                }
                guard archive_write_data(archive, buffer, n) == n else { throw archiveError(archive) }
                left -= Int64(n)
            }
        }
        guard archive_write_close(archive) == ARCHIVE_OK else { throw archiveError(archive) }
    }

    func take(_ buffer: UnsafeRawPointer, _ length: Int) -> la_ssize_t {
        crypto_sign_update(&state, buffer.assumingMemoryBound(to: UInt8.self), UInt64(length))
        var offset = 0
        while offset < length {
            let n = Glibc.write(fd, buffer + offset, length - offset)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                failure = String(cString: strerror(errno))
                return -1
            }
            offset += n
        }
        written += Int64(length)
        return length
    }

    func sign(with key: BundleKey) throws -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Int(crypto_sign_BYTES))
        guard crypto_sign_final_create(&state, &signature, nil, key.bytes) == 0 else {
            throw BundleError.sodium("crypto_sign_final_create")
        }
        return signature
    }

    func archiveError(_ archive: OpaquePointer) -> BundleError {
        if let failure { return .io(path, "cannot be written (\(failure))") }
        return .archive(path, (archive_error_string(archive).map { String(cString: $0) } ?? "libarchive failed"))
    }
}

/// Reads a bundle's archive through libarchive, hashing every byte read for the signature.
final class ArchiveSource {
    let fd: Int32
    let path: String
    let header: ContentBundle.Header
    var state = crypto_sign_state()
    var left: Int64
    var buffer: UnsafeMutableRawPointer
    var failure: String?

    init(fd: Int32, path: String, header: ContentBundle.Header) {
        self.fd = fd
        self.path = path
        self.header = header
        left = header.payload
        buffer = .allocate(byteCount: ContentBundle.chunk, alignment: 16)
        crypto_sign_init(&state)
        let signed = Array(header.signedText.utf8)
        crypto_sign_update(&state, signed, UInt64(signed.count))
        lseek(fd, off_t(header.offset), SEEK_SET)
    }

    deinit { buffer.deallocate() }

    /// The next bytes of the archive, hashed (0 at its end, -1 on a read error).
    func next() -> Int {
        guard left > 0 else { return 0 }
        while true {
            let n = read(fd, buffer, Int(min(Int64(ContentBundle.chunk), left)))
            if n < 0, errno == EINTR { continue }
            if n < 0 { failure = String(cString: strerror(errno)) }
            if n <= 0 {
                if n == 0 { failure = "it ended early (was it cut while being read?)" }
                return -1
            }
            crypto_sign_update(&state, buffer.assumingMemoryBound(to: UInt8.self), UInt64(n))
            left -= Int64(n)
            return n
        }
    }

    /// Reads (and hashes) whatever libarchive did not.
    func drain() throws {
        while left > 0 {
            guard next() > 0 else { throw BundleError.io(path, "cannot be read (\(failure ?? "read failed"))") }
        }
    }

    func checkSignature(trusting keys: [BundleKey]) throws {
        guard let key = keys.first(where: { $0.id == header.key }) else {
            throw BundleError.unknownKey(path, signer: header.key, trusted: keys.map(\.id))
        }
        var signature = header.signature
        guard crypto_sign_final_verify(&state, &signature, key.publicBytes) == 0 else {
            throw BundleError.badSignature(path)
        }
    }

    /// Only files and folders, at relative paths that stay inside: no links, devices, `..` or absolute paths.
    func unpack(into folder: String) throws {
        guard let archive = archive_read_new() else { throw BundleError.archive(path, "libarchive: out of memory") }
        defer { archive_read_free(archive) }
        archive_read_support_format_tar(archive)
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard archive_read_open(archive, context, nil, { _, context, buffer in
            let source = Unmanaged<ArchiveSource>.fromOpaque(context!).takeUnretainedValue()
            let n = source.next()
            buffer?.pointee = UnsafeRawPointer(source.buffer)
            return la_ssize_t(n)
        }, nil) == ARCHIVE_OK else { throw damaged(archive) }
        var entry: OpaquePointer?
        var data = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK, let entry else { throw damaged(archive) }
            let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            let parts = name.split(separator: "/", omittingEmptySubsequences: true)
            guard !name.hasPrefix("/"), !parts.isEmpty, !parts.contains(".."), !parts.contains(".") else {
                throw BundleError.unsafeEntry(path, "the path \"\(name)\"")
            }
            let target = folder + "/" + parts.joined(separator: "/")
            switch archive_entry_filetype(entry) {
            case UInt32(Glibc.S_IFDIR):
                guard mkdir(target, 0o755) == 0 || errno == EEXIST else {
                    throw BundleError.io(target, "cannot be created (\(String(cString: strerror(errno))))")
                }
                // Readable by the daemon's user whatever the installer's umask (root's may be 077).
                chmod(target, 0o755)
            case UInt32(Glibc.S_IFREG):
                guard archive_entry_hardlink(entry) == nil else { throw BundleError.unsafeEntry(path, "a hard link, \(name)") }
                // O_EXCL: an entry twice, or one through a folder made of a file, is refused, not overwritten.
                let out = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
                guard out >= 0 else {
                    throw BundleError.io(target, "cannot be created (\(String(cString: strerror(errno))))")
                }
                defer { close(out) }
                fchmod(out, 0o644)
                while true {
                    let n = archive_read_data(archive, &data, data.count)
                    if n == 0 { break }
                    guard n > 0 else { throw damaged(archive) }
                    try ContentBundle.writeAll(out, Array(data[0..<n]), path: target)
                }
                if archive_entry_mtime_is_set(entry) != 0 {
                    var times = [timespec(tv_sec: archive_entry_mtime(entry), tv_nsec: archive_entry_mtime_nsec(entry)),
                                 timespec(tv_sec: archive_entry_mtime(entry), tv_nsec: archive_entry_mtime_nsec(entry))]
                    futimens(out, &times)
                }
            case UInt32(Glibc.S_IFLNK): throw BundleError.unsafeEntry(path, "a symbolic link, \(name)")
            default: throw BundleError.unsafeEntry(path, "\(name), which is neither a file nor a folder")
            }
        }
    }

    func damaged(_ archive: OpaquePointer) -> BundleError {
        if let failure { return .io(path, "cannot be read (\(failure))") }
        return .archive(path, "the archive inside is damaged (" + (archive_error_string(archive).map { String(cString: $0) } ?? "libarchive failed") + ")")
    }
}
