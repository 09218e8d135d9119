import CSodium
import Foundation

/// An Ed25519 key that signs content bundles (secret) or that a machine trusts them by (public). Keys are one-line
/// text files, `vitrine-secret-key ID BASE64` and `vitrine-public-key ID BASE64`; a file of trusted keys may hold
/// several public lines (a new key added beside the old while machines move over) and `#` comments.
public struct BundleKey: Sendable, Equatable {
    public enum Kind: String, Sendable { case secret = "vitrine-secret-key", `public` = "vitrine-public-key" }

    public let kind: Kind
    /// 32 bytes (public) or 64 (secret: the seed and the public key, as libsodium keeps it).
    let bytes: [UInt8]

    /// The first 8 bytes of the public key's BLAKE2b hash, in hex: what a bundle names its signer by, and errors show.
    public var id: String { Self.id(of: publicBytes) }

    var publicBytes: [UInt8] { kind == .public ? bytes : Array(bytes[32..<64]) }

    /// The key that checks what this one signs.
    public var publicKey: BundleKey { BundleKey(kind: .public, bytes: publicBytes) }

    init(kind: Kind, bytes: [UInt8]) {
        self.kind = kind
        self.bytes = bytes
    }

    /// A new key pair from the system's randomness.
    public static func generate() throws -> BundleKey {
        try Sodium.ready()
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        var secret = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        guard crypto_sign_keypair(&publicKey, &secret) == 0 else { throw BundleError.sodium("crypto_sign_keypair") }
        return BundleKey(kind: .secret, bytes: secret)
    }

    /// The key's line, as written in its file.
    public var line: String { "\(kind.rawValue) \(id) \(Data(bytes).base64EncodedString())" }

    static func id(of publicBytes: [UInt8]) -> String {
        var hash = [UInt8](repeating: 0, count: 16)
        _ = crypto_generichash(&hash, hash.count, publicBytes, UInt64(publicBytes.count), nil, 0)
        return hash.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The keys in a key file: a secret key file holds one, a trusted keys file one or more public keys.
    public static func read(_ path: String, kind: Kind) throws -> [BundleKey] {
        guard access(path, F_OK) == 0 else {
            throw BundleError.keyFile(path, kind == .public
                ? "does not exist: copy the fleet's public key there (`vitrine bundle key` makes a pair), or give --trusted-keys"
                : "does not exist: make a key pair with `vitrine bundle key`")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let why = access(path, R_OK) == 0 ? "not UTF-8 text" : String(cString: strerror(errno))
            throw BundleError.keyFile(path, "cannot be read (\(why))")
        }
        var keys: [BundleKey] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: " ")
            guard fields.count == 3, let found = Kind(rawValue: String(fields[0])) else {
                throw BundleError.keyFile(path, "line \(number + 1) is not a key (expected `\(kind.rawValue) ID BASE64`)")
            }
            guard found == kind else {
                throw BundleError.keyFile(path, kind == .public
                    ? "holds a secret key: give the public key (`vitrine bundle key` wrote it beside the secret one)"
                    : "holds a public key: signing needs the secret key")
            }
            let length = kind == .public ? 32 : 64
            guard let data = Data(base64Encoded: String(fields[2])), data.count == length else {
                throw BundleError.keyFile(path, "line \(number + 1): the key is not \(length) bytes of base64")
            }
            let key = BundleKey(kind: kind, bytes: Array(data))
            guard key.id == fields[1] else {
                throw BundleError.keyFile(path, "line \(number + 1): the key's id \(fields[1]) does not match the key")
            }
            keys.append(key)
        }
        guard !keys.isEmpty else { throw BundleError.keyFile(path, "holds no key") }
        if kind == .secret, keys.count > 1 { throw BundleError.keyFile(path, "holds more than one secret key") }
        return keys
    }

    /// Writes the key to a new file (a secret one readable by its owner only); an existing file is kept.
    public func write(to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kind == .secret ? 0o600 : 0o644)
        guard fd >= 0 else {
            throw BundleError.keyFile(path, errno == EEXIST ? "exists already; not overwritten"
                                                            : "cannot be created (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        let comment = kind == .secret
            ? "# Signs Vitrine content bundles. Keep it secret, on the machine that makes bundles.\n"
            : "# Machines that trust this key install the Vitrine content bundles it signed.\n"
        let text = Array((comment + line + "\n").utf8)
        guard Glibc.write(fd, text, text.count) == text.count else {
            throw BundleError.keyFile(path, "cannot be written (\(String(cString: strerror(errno))))")
        }
    }

    static func reason(_ error: any Error) -> String {
        if let cocoa = error as? CocoaError, let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return "\(error.localizedDescription)"
    }
}

/// libsodium is ready for use once `sodium_init` has run (it may run more than once).
enum Sodium {
    static func ready() throws {
        guard sodium_init() >= 0 else { throw BundleError.sodium("sodium_init") }
    }
}

/// Why a bundle or a key could not be made, read or installed: each says what to do.
public enum BundleError: Error, CustomStringConvertible, Equatable {
    case keyFile(String, String)
    /// Not a bundle at all (its first line), or a version this build does not read.
    case notABundle(String, String)
    /// Shorter than its header says: still being copied, or cut off.
    case incomplete(String, have: Int64, expected: Int64)
    case unknownKey(String, signer: String, trusted: [String])
    case badSignature(String)
    case unsafeEntry(String, String)
    case content(String)
    case invalidConfiguration(String, [String])
    case io(String, String)
    case sodium(String)
    case archive(String, String)
    case nothingToRollBackTo(String)

    public var description: String {
        switch self {
        case let .keyFile(path, what): return "\(path): \(what)"
        case let .notABundle(path, what): return "\(path): not a Vitrine content bundle (\(what))"
        case let .incomplete(path, have, expected):
            return "\(path): incomplete, \(have) of \(expected) bytes (still being copied, or cut off); nothing installed"
        case let .unknownKey(path, signer, trusted):
            return "\(path): signed with key \(signer), which is not trusted here (trusted: \(trusted.joined(separator: ", "))); "
                + "nothing installed"
        case let .badSignature(path):
            return "\(path): the signature does not match the contents (the file was damaged or changed after it was "
                + "signed); nothing installed"
        case let .unsafeEntry(path, entry):
            return "\(path): holds \(entry), which a bundle may not (only files and folders inside it); nothing installed"
        case let .content(what): return what
        case let .invalidConfiguration(path, errors):
            return "\(path): its configuration is not valid here; nothing installed:\n" + errors.map { "  \($0)" }.joined(separator: "\n")
        case let .io(path, what): return "\(path): \(what)"
        case let .sodium(call): return "libsodium: \(call) failed"
        case let .archive(path, what): return "\(path): \(what)"
        case let .nothingToRollBackTo(folder): return "\(folder): no previous bundle to roll back to"
        }
    }
}
