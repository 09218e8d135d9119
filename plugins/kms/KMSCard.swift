import CDRM
import VitrinePanel
import Glibc
import Synchronization
import VitrinePluginAPI

/// A DRM card (`/dev/dri/card0`) opened once for every screen of this process on it.
///
/// Mode setting belongs to the card's one DRM master, and the master is an open file, not a process: two screens on
/// two connectors of one card must share one file (a second open would not be master). So cards are opened through
/// `shared(path:)`, kept while a screen uses them, and closed (giving the console its mode back) after the last.
final class KMSCard: @unchecked Sendable {
    let path: String
    let fd: Int32
    private struct State {
        /// CRTCs taken by this process's screens on the card.
        var takenCRTCs: Set<UInt32> = []
        var isMaster = true
    }
    /// Also serialises mode setting and event reading on the shared file.
    private let state = Mutex(State())

    private static let open = Mutex<[String: Weak]>([:])
    private struct Weak { weak var card: KMSCard? }

    /// The card at `path`, opened now or shared with another screen of this process.
    static func shared(path: String) throws -> KMSCard {
        try open.withLock { cards in
            if let card = cards[path]?.card { return card }
            let card = try KMSCard(path: path)
            cards[path] = Weak(card: card)
            return card
        }
    }

    private init(path: String) throws {
        self.path = path
        // Non-blocking: two screens on the card wait for their flips on this one file, and both may be woken for
        // events the first one to read then handles; the second's read must come back empty, not wait (holding the
        // card) for an event that only a flip it is keeping out could bring.
        fd = Glibc.open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw OutputError.system("open", path, errno: errno,
                                     fix: "the service user needs the video group, and the unit DeviceAllow=char-drm rw")
        }
        var capability: UInt64 = 0
        guard drmGetCap(fd, UInt64(DRM_CAP_DUMB_BUFFER), &capability) == 0, capability != 0 else {
            Glibc.close(fd)
            throw OutputError.system("DRM_CAP_DUMB_BUFFER", path, errno: ENOTSUP,
                                     fix: "\(path) is not a display card with dumb buffers (a render node or a GPU "
                                         + "without scan-out?)")
        }
        // The first file opened on a card is its master; another program (a desktop, a second Vitrine) may hold it.
        if drmSetMaster(fd) != 0, drmIsMaster(fd) == 0 {
            let error = errno
            Glibc.close(fd)
            throw OutputError.system("DRM master", path, errno: error,
                                     fix: "another program drives this card (a desktop session or another daemon); "
                                         + "stop it, or use the framebuffer output")
        }
    }

    deinit {
        Glibc.close(fd)
    }

    /// Claims a CRTC for a connector: the one its encoder drives now if free, else one its encoders can use.
    func claimCRTC(forConnector id: UInt32) -> UInt32? {
        state.withLock { state in
            guard let resources = drmModeGetResources(fd) else { return nil }
            defer { drmModeFreeResources(resources) }
            guard let connector = drmModeGetConnectorCurrent(fd, id) else { return nil }
            defer { drmModeFreeConnector(connector) }
            var candidates: [UInt32] = []
            if connector.pointee.encoder_id != 0, let encoder = drmModeGetEncoder(fd, connector.pointee.encoder_id) {
                if encoder.pointee.crtc_id != 0 { candidates.append(encoder.pointee.crtc_id) }
                drmModeFreeEncoder(encoder)
            }
            for e in 0..<Int(connector.pointee.count_encoders) {
                guard let encoder = drmModeGetEncoder(fd, connector.pointee.encoders[e]) else { continue }
                for c in 0..<Int(resources.pointee.count_crtcs)
                where encoder.pointee.possible_crtcs & (1 << UInt32(c)) != 0 {
                    candidates.append(resources.pointee.crtcs[c])
                }
                drmModeFreeEncoder(encoder)
            }
            guard let crtc = candidates.first(where: { !state.takenCRTCs.contains($0) }) else { return nil }
            state.takenCRTCs.insert(crtc)
            return crtc
        }
    }

    /// Runs `body` with the card's file to itself (mode setting, properties).
    func exclusively<T>(_ body: (Int32) throws -> T) rethrows -> T {
        try state.withLock { _ in try body(fd) }
    }

    func releaseCRTC(_ crtc: UInt32) {
        state.withLock { _ = $0.takenCRTCs.remove(crtc) }
    }

    /// Gives the master role up (the panel goes to another console) or takes it again.
    func master(_ take: Bool) {
        state.withLock { state in
            guard take != state.isMaster else { return }
            if take { state.isMaster = drmSetMaster(fd) == 0 || drmIsMaster(fd) != 0 } else {
                _ = drmDropMaster(fd)
                state.isMaster = false
            }
        }
    }

    /// Flips `crtc` to `buffer` on the next vblank and waits until the flip is done (or `timeout` passed): the
    /// frame written before is on the glass when this returns, and the other buffer is free to draw in.
    /// Flip events of other screens on the card are handled on the way.
    func flip(crtc: UInt32, to buffer: UInt32, timeout milliseconds: Int32 = 200) -> Int32 {
        let done = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        done.pointee = 0
        let issued = state.withLock { _ in
            drmModePageFlip(fd, crtc, buffer, UInt32(DRM_MODE_PAGE_FLIP_EVENT), UnsafeMutableRawPointer(done))
        }
        guard issued == 0 else {
            done.deallocate()
            return errno
        }
        var waited: Int32 = 0
        while done.pointee == 0, waited < milliseconds {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let started = monotonicMilliseconds()
            if poll(&ready, 1, 16) > 0 {
                state.withLock { _ in
                    var context = drmEventContext()
                    context.version = 2
                    context.page_flip_handler = { _, _, _, _, userData in
                        userData?.assumingMemoryBound(to: Int32.self).pointee = 1
                    }
                    _ = drmHandleEvent(fd, &context)
                }
            }
            waited += Int32(max(1, monotonicMilliseconds() - started))
        }
        // A flip whose event never came (the driver lost it) must not have its flag written later: leaked then.
        if done.pointee == 1 { done.deallocate() }
        return 0
    }

    private func monotonicMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
    }
}
