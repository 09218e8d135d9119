import CDRM
import VitrinePanel
import Glibc
import VitrinePluginAPI
import VitrineRenderer

/// One display connector of a DRM card driven through kernel mode setting: its mode set on a CRTC of its own, two
/// dumb buffers (one on the glass, one drawn in) swapped by a page flip on vblank, so a page or a crossfade frame is
/// never seen half written. The CRTC is given back as it was found (the text console's picture) when the screen
/// stops, and the display can be switched off and on (the connector's DPMS property).
final class KMSDevice: Panel, @unchecked Sendable {
    /// A connector as the kernel names it: `HDMI-A-1`, `DP-2`, `Virtual-1`.
    struct Connector {
        var id: UInt32
        var name: String
        var connected: Bool
        var modes: [drmModeModeInfo]
    }

    /// Why a screen cannot be shown on the connector now but may be later (nothing plugged in).
    struct Waiting: Error, CustomStringConvertible {
        var description: String
    }

    let card: KMSCard
    let connector: Connector
    let mode: drmModeModeInfo
    let crtc: UInt32
    let geometry: PanelGeometry
    let isDevice = true
    let bandPixels: UnsafeMutablePointer<UInt32>
    let console: VirtualTerminal?
    private(set) var consoleProblems: [String] = []
    /// Told each time a frame goes onto the glass (a completed page flip).
    var flipped: (@Sendable () -> Void)?

    private struct Buffer {
        var handle: UInt32
        var framebuffer: UInt32
        var pixels: UnsafeMutableRawPointer
        var size: Int
    }
    private var buffers: [Buffer] = []
    private var front = 0
    /// Whether this screen's mode is set on the CRTC (false at first and after another console had the panel).
    private var modeSet = false
    private let savedCRTC: UnsafeMutablePointer<drmModeCrtc>?
    private var dpmsProperty: UInt32?
    private var blanked = false
    private var closed = false

    /// The card's connectors, probed (this is what notices a display plugged in).
    static func connectors(of card: KMSCard) -> [Connector] {
        card.exclusively { fd in
            guard let resources = drmModeGetResources(fd) else { return [] }
            defer { drmModeFreeResources(resources) }
            return (0..<Int(resources.pointee.count_connectors)).compactMap { index in
                guard let connector = drmModeGetConnector(fd, resources.pointee.connectors[index]) else { return nil }
                defer { drmModeFreeConnector(connector) }
                return Connector(connector.pointee)
            }
        }
    }

    /// Opens `connector` (or the first connected one) of the card at `cardPath` with `wanted` mode (or the display's
    /// preferred one). Throws `Waiting` when no display is connected there.
    init(card cardPath: String, connector wanted: String?, mode wantedMode: ModeChoice?,
         console choice: ConsoleChoice) throws {
        card = try KMSCard.shared(path: cardPath)
        let all = Self.connectors(of: card)
        let names = all.map(\.name).joined(separator: ", ")
        let chosen: Connector
        if let wanted {
            guard let found = all.first(where: { $0.name.lowercased() == wanted.lowercased() }) else {
                throw OutputError("\(cardPath) has no connector \(wanted)", recovery: .needsFixing(names.isEmpty
                    ? "this card has no connectors: is it the display card?"
                    : "it has \(names): set `connector:` to one of them"))
            }
            guard found.connected, !found.modes.isEmpty else {
                throw Waiting(description: "no display connected to \(found.name)")
            }
            chosen = found
        } else {
            guard let found = all.first(where: { $0.connected && !$0.modes.isEmpty }) else {
                throw Waiting(description: "no display connected to \(cardPath) (\(names.isEmpty ? "no connectors" : names))")
            }
            chosen = found
        }
        connector = chosen
        if let wantedMode {
            guard let found = chosen.modes.first(where: wantedMode.matches) else {
                let offered = Array(Set(chosen.modes.map(ModeChoice.name))).sorted().joined(separator: ", ")
                throw OutputError("the display on \(chosen.name) has no mode \(wantedMode)",
                                  recovery: .needsFixing("it offers \(offered): set `mode:` to one of them"))
            }
            mode = found
        } else {
            mode = chosen.modes.first { $0.type & UInt32(DRM_MODE_TYPE_PREFERRED) != 0 } ?? chosen.modes[0]
        }
        let crtc = card.claimCRTC(forConnector: chosen.id)
        guard let crtc else {
            throw OutputError.system("CRTC", "\(cardPath) \(chosen.name)", errno: EBUSY,
                                     fix: "every display controller of the card is in use by another screen")
        }
        self.crtc = crtc
        savedCRTC = card.exclusively { drmModeGetCrtc($0, crtc) }
        let width = Int(mode.hdisplay), height = Int(mode.vdisplay)
        bandPixels = .allocate(capacity: CompressedCanvas.bandRows * width)
        var stride = width * 4
        var made: [Buffer] = []
        do {
            for _ in 0..<2 {
                let buffer = try card.exclusively { try Self.makeBuffer(fd: $0, width: width, height: height) }
                stride = buffer.stride
                made.append(buffer.buffer)
            }
        } catch {
            card.exclusively { fd in Self.free(made, fd: fd) }
            card.releaseCRTC(crtc)
            bandPixels.deallocate()
            throw error
        }
        buffers = made
        geometry = .init(width: width, height: height, stride: stride, format: .xrgb8888, virtualHeight: height)
        dpmsProperty = card.exclusively { Self.property(named: "DPMS", of: chosen.id, fd: $0) }
        let (console, problem) = choice.open(onDevice: true)
        consoleProblems += problem.map { [$0] } ?? []
        self.console = console
        // Another console is about to be shown: it can set its own mode only once this file is not the master.
        console?.onRelease = { [card] in card.master(false) }
    }

    private static func makeBuffer(fd: Int32, width: Int, height: Int) throws -> (buffer: Buffer, stride: Int) {
        var handle: UInt32 = 0, pitch: UInt32 = 0, size: UInt64 = 0
        guard drmModeCreateDumbBuffer(fd, UInt32(width), UInt32(height), 32, 0, &handle, &pitch, &size) == 0 else {
            throw OutputError.system("DRM_IOCTL_MODE_CREATE_DUMB", "\(width)x\(height)", errno: errno)
        }
        var framebuffer: UInt32 = 0
        var handles: (UInt32, UInt32, UInt32, UInt32) = (handle, 0, 0, 0)
        var pitches: (UInt32, UInt32, UInt32, UInt32) = (pitch, 0, 0, 0)
        var offsets: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
        let added = withUnsafePointer(to: &handles) { h in
            withUnsafePointer(to: &pitches) { p in
                withUnsafePointer(to: &offsets) { o in
                    drmModeAddFB2(fd, UInt32(width), UInt32(height), fourcc("XR24"),
                                  UnsafeRawPointer(h).assumingMemoryBound(to: UInt32.self),
                                  UnsafeRawPointer(p).assumingMemoryBound(to: UInt32.self),
                                  UnsafeRawPointer(o).assumingMemoryBound(to: UInt32.self), &framebuffer, 0)
                }
            }
        }
        guard added == 0 else {
            let error = errno
            _ = drmModeDestroyDumbBuffer(fd, handle)
            throw OutputError.system("drmModeAddFB2", "\(width)x\(height) XRGB8888", errno: error)
        }
        var offset: UInt64 = 0
        guard drmModeMapDumbBuffer(fd, handle, &offset) == 0,
              let mapping = mmap(nil, Int(size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, off_t(offset)),
              mapping != MAP_FAILED else {
            let error = errno
            _ = drmModeRmFB(fd, framebuffer)
            _ = drmModeDestroyDumbBuffer(fd, handle)
            throw OutputError.system("mmap", "a \(width)x\(height) dumb buffer", errno: error)
        }
        memset(mapping, 0, Int(size))
        return (Buffer(handle: handle, framebuffer: framebuffer, pixels: mapping, size: Int(size)), Int(pitch))
    }

    private static func fourcc(_ code: String) -> UInt32 {
        code.utf8.enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }

    private static func property(named name: String, of connector: UInt32, fd: Int32) -> UInt32? {
        guard let properties = drmModeObjectGetProperties(fd, connector, UInt32(DRM_MODE_OBJECT_CONNECTOR)) else {
            return nil
        }
        defer { drmModeFreeObjectProperties(properties) }
        for index in 0..<Int(properties.pointee.count_props) {
            guard let property = drmModeGetProperty(fd, properties.pointee.props[index]) else { continue }
            defer { drmModeFreeProperty(property) }
            let propertyName = withUnsafeBytes(of: property.pointee.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if propertyName == name { return property.pointee.prop_id }
        }
        return nil
    }

    func draw(_ fill: (_ firstRow: Int, _ rows: Int, _ band: UnsafeMutableRawPointer) -> Void) throws {
        let g = geometry
        let back = buffers[1 - front].pixels
        for first in stride(from: 0, to: g.height, by: CompressedCanvas.bandRows) {
            fill(first, min(CompressedCanvas.bandRows, g.height - first), back + first * g.stride)
        }
    }

    func present() {
        let back = 1 - front
        var result: Int32
        if modeSet {
            result = card.flip(crtc: crtc, to: buffers[back].framebuffer)
            // A driver that cannot flip (or a CRTC someone else switched off): set the mode with the new buffer.
            if result != 0 { modeSet = false }
        } else {
            result = -1
        }
        if !modeSet {
            // The first frame (and the first after another console had the panel) comes with the mode itself.
            var connectorID = connector.id
            var mode = mode
            result = card.exclusively { drmModeSetCrtc($0, crtc, buffers[back].framebuffer, 0, 0, &connectorID, 1, &mode) }
            guard result == 0 else { return }
            modeSet = true
            front = back
            return
        }
        front = back
        flipped?()
    }

    @discardableResult
    func blank(_ on: Bool) -> Bool {
        guard on != blanked else { return true }
        guard let dpmsProperty else { return false }
        let level = UInt64(on ? DRM_MODE_DPMS_OFF : DRM_MODE_DPMS_ON)
        guard card.exclusively({ drmModeConnectorSetProperty($0, connector.id, dpmsProperty, level) }) == 0 else {
            return false
        }
        blanked = on
        // Switched on again, the CRTC shows the last buffer: the next page is set with the mode to be sure.
        if !on { modeSet = false }
        return true
    }

    /// Unplugged: the connector reports no display any more (looked at without probing, as the kernel last saw it).
    var lost: String? {
        let connected = card.exclusively { fd -> Bool in
            guard let current = drmModeGetConnectorCurrent(fd, connector.id) else { return false }
            defer { drmModeFreeConnector(current) }
            return current.pointee.connection == DRM_MODE_CONNECTED
        }
        return connected ? nil : "no display connected to \(connector.name) any more"
    }

    func whileShown(_ draw: () throws -> Void) throws -> Bool {
        guard let console else {
            try draw()
            return true
        }
        return try console.whileShown(draw)
    }

    func resynchronise() {
        // Back from another console, which set its own mode: be the master again and set ours with the next page.
        card.master(true)
        modeSet = false
        blanked = false
    }

    func takeConsole(remembering before: ConsoleBefore) async {
        guard let console else { return }
        await console.take(returnTo: before.number)
        before.number = console.returnTo
        consoleProblems += console.problems
    }

    /// Puts the CRTC back as it was found (the console's own picture), frees the buffers and the console.
    func restore() {
        guard !closed else { return }
        closed = true
        card.master(true)
        if blanked, let dpmsProperty {
            _ = card.exclusively { drmModeConnectorSetProperty($0, connector.id, dpmsProperty, UInt64(DRM_MODE_DPMS_ON)) }
        }
        if let saved = savedCRTC {
            var connectorID = connector.id
            var mode = saved.pointee.mode
            _ = card.exclusively { fd in
                saved.pointee.mode_valid != 0 && saved.pointee.buffer_id != 0
                    ? drmModeSetCrtc(fd, saved.pointee.crtc_id, saved.pointee.buffer_id, saved.pointee.x,
                                     saved.pointee.y, &connectorID, 1, &mode)
                    : drmModeSetCrtc(fd, saved.pointee.crtc_id, 0, 0, 0, nil, 0, nil)
            }
            drmModeFreeCrtc(saved)
        }
        releaseBuffers()
        card.releaseCRTC(crtc)
        console?.restore()
    }

    private func releaseBuffers() {
        card.exclusively { fd in Self.free(buffers, fd: fd) }
        buffers = []
    }

    private static func free(_ buffers: [Buffer], fd: Int32) {
        for buffer in buffers {
            munmap(buffer.pixels, buffer.size)
            _ = drmModeRmFB(fd, buffer.framebuffer)
            _ = drmModeDestroyDumbBuffer(fd, buffer.handle)
        }
    }

    deinit {
        restore()
        bandPixels.deallocate()
    }
}

extension KMSDevice.Connector {
    init(_ c: drmModeConnector) {
        let type = drmModeGetConnectorTypeName(c.connector_type).map { String(cString: $0) } ?? "Unknown"
        id = c.connector_id
        name = "\(type)-\(c.connector_type_id)"
        connected = c.connection == DRM_MODE_CONNECTED
        modes = (0..<Int(c.count_modes)).map { c.modes[$0] }
    }
}

/// A display mode asked for in the options: `1920x1080` or `1920x1080@60`.
struct ModeChoice: Hashable, Sendable, CustomStringConvertible {
    var width: Int
    var height: Int
    var refresh: Int?

    init?(_ text: String) {
        let parts = text.split(separator: "@", maxSplits: 1)
        let size = parts[0].split(separator: "x")
        guard size.count == 2, let width = Int(size[0]), let height = Int(size[1]), width > 0, height > 0 else {
            return nil
        }
        self.width = width
        self.height = height
        if parts.count == 2 {
            guard let refresh = Int(parts[1]), refresh > 0 else { return nil }
            self.refresh = refresh
        }
    }

    var description: String { "\(width)x\(height)" + (refresh.map { "@\($0)" } ?? "") }

    func matches(_ mode: drmModeModeInfo) -> Bool {
        Int(mode.hdisplay) == width && Int(mode.vdisplay) == height
            && (refresh.map { $0 == Int(mode.vrefresh) } ?? true)
    }

    static func name(_ mode: drmModeModeInfo) -> String { "\(mode.hdisplay)x\(mode.vdisplay)@\(mode.vrefresh)" }
}
