import CXXHash

/// A 128-bit fingerprint of a value that is the same in every process and on every run (Swift's own hashing is
/// seeded per process): what pages laid out are kept under, in memory and on disk across restarts.
public struct ContentDigest: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// XXH3's 128-bit hash of `bytes`.
    init(bytes: [UInt8]) {
        let hash = bytes.withUnsafeBytes { XXH3_128bits($0.baseAddress, $0.count) }
        self.init(high: hash.high64, low: hash.low64)
    }

    /// The digest of `value` as its `Encodable` conformance writes it. Every stored property of a synthesized
    /// conformance takes part (a property added later is covered without a list to keep); the fields of a keyed
    /// container are taken in the order of their keys, so a dictionary's iteration order, random per process, does
    /// not change the digest.
    public init<Value: Encodable>(of value: Value) {
        let node = DigestNode()
        // The writer throws nothing; a conformance that throws still gets a digest of what it wrote.
        try? value.encode(to: DigestWriter(node: node))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        node.write(to: &bytes)
        self.init(bytes: bytes)
    }

    /// The digest of this one with another and a name: a layout's key from the exhibit's digest, the theme's and
    /// the surface.
    public func with(_ other: ContentDigest, _ name: String) -> ContentDigest {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(48 + name.utf8.count)
        for word in [high, low, other.high, other.low] { withUnsafeBytes(of: word.littleEndian) { bytes += $0 } }
        DigestNode.append(string: name, to: &bytes)
        return ContentDigest(bytes: bytes)
    }

    public var description: String {
        String(high, radix: 16).leftPadded(16) + String(low, radix: 16).leftPadded(16)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// One encoded value: its bytes (a single value), its fields by key, or its elements in order.
private final class DigestNode {
    var bytes: [UInt8] = []
    var fields: [(key: String, node: DigestNode)] = []
    var elements: [DigestNode] = []
    var keyed = false
    var unkeyed = false

    /// Self-delimiting: every value starts with a tag and every variable-length part with its length, so two
    /// different values never write the same bytes.
    func write(to out: inout [UInt8]) {
        out += bytes
        if keyed {
            out.append(0x7B)  // {
            Self.append(count: fields.count, to: &out)
            for field in fields.sorted(by: { $0.key < $1.key }) {
                Self.append(string: field.key, to: &out)
                field.node.write(to: &out)
            }
        }
        if unkeyed {
            out.append(0x5B)  // [
            Self.append(count: elements.count, to: &out)
            for element in elements { element.write(to: &out) }
        }
    }

    static func append(count: Int, to out: inout [UInt8]) {
        withUnsafeBytes(of: UInt64(count).littleEndian) { out += $0 }
    }

    static func append(string: String, to out: inout [UInt8]) {
        out.append(0x22)  // "
        append(count: string.utf8.count, to: &out)
        out += string.utf8
    }

    func add(_ tag: UInt8, _ value: UInt64) {
        bytes.append(tag)
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}

/// The `Encoder` that fills a `DigestNode` tree.
private struct DigestWriter: Encoder {
    let node: DigestNode
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.keyed = true
        return KeyedEncodingContainer(Fields<Key>(node: node))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.unkeyed = true
        return Elements(node: node)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node) }

    struct Fields<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: DigestNode
        var codingPath: [any CodingKey] = []

        private func child(_ key: Key) -> DigestNode {
            let child = DigestNode()
            node.fields.append((key.stringValue, child))
            return child
        }

        mutating func encodeNil(forKey key: Key) throws { Single(node: child(key)).encodeNil() }
        mutating func encode(_ value: Bool, forKey key: Key) throws { Single(node: child(key)).encode(value) }
        mutating func encode(_ value: String, forKey key: Key) throws { Single(node: child(key)).encode(value) }
        mutating func encode(_ value: Double, forKey key: Key) throws { Single(node: child(key)).encode(value) }
        mutating func encode(_ value: Float, forKey key: Key) throws { Single(node: child(key)).encode(Double(value)) }
        mutating func encode(_ value: Int, forKey key: Key) throws { Single(node: child(key)).encode(Int64(value)) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { Single(node: child(key)).encode(Int64(value)) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { Single(node: child(key)).encode(Int64(value)) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { Single(node: child(key)).encode(Int64(value)) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { Single(node: child(key)).encode(value) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { Single(node: child(key)).encode(UInt64(value)) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { Single(node: child(key)).encode(UInt64(value)) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { Single(node: child(key)).encode(UInt64(value)) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { Single(node: child(key)).encode(UInt64(value)) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { Single(node: child(key)).encode(value) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try value.encode(to: DigestWriter(node: child(key)))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            DigestWriter(node: child(key)).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            DigestWriter(node: child(key)).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { DigestWriter(node: node) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { DigestWriter(node: child(key)) }
    }

    struct Elements: UnkeyedEncodingContainer {
        let node: DigestNode
        var codingPath: [any CodingKey] = []
        var count: Int { node.elements.count }

        private func child() -> DigestNode {
            let child = DigestNode()
            node.elements.append(child)
            return child
        }

        mutating func encodeNil() throws { Single(node: child()).encodeNil() }
        mutating func encode(_ value: Bool) throws { Single(node: child()).encode(value) }
        mutating func encode(_ value: String) throws { Single(node: child()).encode(value) }
        mutating func encode(_ value: Double) throws { Single(node: child()).encode(value) }
        mutating func encode(_ value: Float) throws { Single(node: child()).encode(Double(value)) }
        mutating func encode(_ value: Int) throws { Single(node: child()).encode(Int64(value)) }
        mutating func encode(_ value: Int8) throws { Single(node: child()).encode(Int64(value)) }
        mutating func encode(_ value: Int16) throws { Single(node: child()).encode(Int64(value)) }
        mutating func encode(_ value: Int32) throws { Single(node: child()).encode(Int64(value)) }
        mutating func encode(_ value: Int64) throws { Single(node: child()).encode(value) }
        mutating func encode(_ value: UInt) throws { Single(node: child()).encode(UInt64(value)) }
        mutating func encode(_ value: UInt8) throws { Single(node: child()).encode(UInt64(value)) }
        mutating func encode(_ value: UInt16) throws { Single(node: child()).encode(UInt64(value)) }
        mutating func encode(_ value: UInt32) throws { Single(node: child()).encode(UInt64(value)) }
        mutating func encode(_ value: UInt64) throws { Single(node: child()).encode(value) }
        mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: DigestWriter(node: child())) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            DigestWriter(node: child()).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            DigestWriter(node: child()).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { DigestWriter(node: child()) }
    }

    struct Single: SingleValueEncodingContainer {
        let node: DigestNode
        var codingPath: [any CodingKey] = []

        func encodeNil() { node.bytes.append(0x30) }
        func encode(_ value: Bool) { node.bytes.append(value ? 0x54 : 0x46) }
        func encode(_ value: String) { DigestNode.append(string: value, to: &node.bytes) }
        func encode(_ value: Double) { node.add(0x64, value.bitPattern) }
        func encode(_ value: Float) { encode(Double(value)) }
        func encode(_ value: Int) { encode(Int64(value)) }
        func encode(_ value: Int8) { encode(Int64(value)) }
        func encode(_ value: Int16) { encode(Int64(value)) }
        func encode(_ value: Int32) { encode(Int64(value)) }
        func encode(_ value: Int64) { node.add(0x69, UInt64(bitPattern: value)) }
        func encode(_ value: UInt) { encode(UInt64(value)) }
        func encode(_ value: UInt8) { encode(UInt64(value)) }
        func encode(_ value: UInt16) { encode(UInt64(value)) }
        func encode(_ value: UInt32) { encode(UInt64(value)) }
        func encode(_ value: UInt64) { node.add(0x75, value) }
        func encode<T: Encodable>(_ value: T) throws { try value.encode(to: DigestWriter(node: node)) }
    }
}
