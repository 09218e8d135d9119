import CQRencode

/// The QR code a screen shows so a visitor's phone opens the companion page of the exhibit on it: made by
/// libqrencode, drawn by the page painter and the kiosk page from the same modules.
public struct VisitorCode: Hashable, Sendable {
    /// What the code says: the companion page's address.
    public let link: String
    /// Rows of modules, true for dark, without the quiet zone.
    public let modules: [[Bool]]

    /// Light modules kept around the code so a scanner finds its edge (the standard asks for four).
    public static let quietZone = 4

    /// The code for `link`, with medium error correction (a smudged or glare-struck screen still scans); nil when
    /// the link is too long for any QR version.
    public init?(link: String) {
        guard let code = QRcode_encodeString8bit(link, 0, QR_ECLEVEL_M) else { return nil }
        defer { QRcode_free(code) }
        let side = Int(code.pointee.width)
        let data = code.pointee.data!
        modules = (0..<side).map { row in (0..<side).map { column in data[row * side + column] & 1 == 1 } }
        self.link = link
    }

    /// Modules across, quiet zone included.
    public var side: Int { modules.count + 2 * Self.quietZone }
}
