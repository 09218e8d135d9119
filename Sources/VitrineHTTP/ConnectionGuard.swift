import Foundation
import NIOCore
import Synchronization
import VitrineMedia

/// Keeps any one client from taking the listener: at most `perAddress` connections from one address (more are
/// closed at once), and a connection whose writes no longer go out (a browser that stopped reading, its buffers
/// full) is closed when `IdleStateHandler` says nothing was written for the write timeout, so its stream's place
/// is freed. Idle connections that never send a request are closed by the server's idle timeout.
final class ConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    /// Connections open now, by address; their number and its peak kept as they change (no sum over every
    /// address on each connection).
    final class Table: Sendable {
        private struct State {
            var counts: [String: Int] = [:]
            var total = 0
            /// The most connections open at once since memory was last given back.
            var peak = 0
        }
        private let state = Mutex(State())

        /// Counts a connection from `address`; false when there are already `limit`.
        func enter(_ address: String, limit: Int) -> Bool {
            state.withLock { state in
                guard state.counts[address, default: 0] < limit else { return false }
                state.counts[address, default: 0] += 1
                state.total += 1
                state.peak = max(state.peak, state.total)
                return true
            }
        }

        func leave(_ address: String) {
            // A crowd of connections (thousands of idle ones, say) leaves its memory in the allocator's free lists:
            // once fewer than a quarter of the peak remain, it is given back (measured: 4,000 idle connections took
            // RSS from 67 to 121 MB, and it stayed there after they closed).
            let trim = state.withLock { state -> Bool in
                let left = state.counts[address, default: 1] - 1
                state.counts[address] = left > 0 ? left : nil
                state.total -= 1
                guard state.peak >= 512, state.total < state.peak / 4 else { return false }
                state.peak = state.total
                return true
            }
            if trim { DispatchQueue.global(qos: .utility).async { Allocator.giveBackFreedMemory() } }
        }
    }

    private let table: Table
    private let perAddress: Int
    private var admitted: String?

    init(table: Table, perAddress: Int) {
        self.table = table
        self.perAddress = perAddress
    }

    func channelActive(context: ChannelHandlerContext) {
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        guard table.enter(address, limit: perAddress) else {
            context.close(promise: nil)
            return
        }
        admitted = address
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let admitted { table.leave(admitted) }
        admitted = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .write {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Connections the listener may hold: `wanted`, but never more than the open-files limit leaves room for (with
    /// 256 kept for the screens' devices, media files, the play log and plugins), so idle connections can never
    /// take every descriptor.
    static func room(for wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return wanted }
        return max(16, min(wanted, Int(limit.rlim_cur) - 256))
    }
}
