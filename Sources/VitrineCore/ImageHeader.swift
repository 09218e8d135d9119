import Foundation

/// Pixel size from a PNG or JPEG header, so layout keeps the aspect ratio without decoding the image; upright, as
/// a JPEG's EXIF orientation says (a phone stores a portrait photograph on its side, with orientation 6 or 8).
enum ImageHeader {
    static func size(ofFileAt path: String) -> (width: Int, height: Int)? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        // JPEG frame headers usually sit in the first few KiB, after EXIF; 256 KiB covers large thumbnails.
        guard let data = try? handle.read(upToCount: 256 << 10) else { return nil }
        return size(of: [UInt8](data))
    }

    static func size(of b: [UInt8]) -> (width: Int, height: Int)? {
        if b.count >= 24, b[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] {
            let w = Int(b[16]) << 24 | Int(b[17]) << 16 | Int(b[18]) << 8 | Int(b[19])
            let h = Int(b[20]) << 24 | Int(b[21]) << 16 | Int(b[22]) << 8 | Int(b[23])
            return w > 0 && h > 0 ? (w, h) : nil
        }
        if b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 {
            var i = 2
            var sideways = false
            while i + 9 < b.count {
                guard b[i] == 0xFF else { return nil }
                let marker = b[i + 1]
                if marker == 0xFF { i += 1; continue }
                let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
                if marker == 0xE1, let orientation = exifOrientation(b, segment: (i + 4)..<min(b.count, i + 2 + length)) {
                    // 5 to 8: turned a quarter, so width and height swap when shown upright.
                    sideways = (5...8).contains(orientation)
                }
                // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
                if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                    let h = Int(b[i + 5]) << 8 | Int(b[i + 6])
                    let w = Int(b[i + 7]) << 8 | Int(b[i + 8])
                    guard w > 0, h > 0 else { return nil }
                    return sideways ? (h, w) : (w, h)
                }
                i += 2 + length
            }
        }
        return nil
    }

    /// The Orientation tag (0x0112) of an APP1 segment's EXIF data (a TIFF header and its first directory), if any.
    static func exifOrientation(_ b: [UInt8], segment: Range<Int>) -> Int? {
        let start = segment.lowerBound + 6  // after "Exif\0\0"
        guard segment.count > 14, Array(b[segment.lowerBound..<segment.lowerBound + 6]) == Array("Exif\0\0".utf8)
        else { return nil }
        let little: Bool
        switch (b[start], b[start + 1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func read(_ at: Int, _ count: Int) -> Int? {
            guard at >= start, at + count <= segment.upperBound else { return nil }
            var value = 0
            for k in 0..<count { value |= Int(b[at + (little ? k : count - 1 - k)]) << (8 * k) }
            return value
        }
        guard let directory = read(start + 4, 4).map({ start + $0 }), let entries = read(directory, 2) else { return nil }
        for entry in 0..<min(entries, 512) {
            let at = directory + 2 + entry * 12
            guard let tag = read(at, 2) else { return nil }
            if tag == 0x0112 { return read(at + 8, 2) }
        }
        return nil
    }
}
