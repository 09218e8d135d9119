import Hummingbird
import NIOCore

/// What a route knows of its request beyond the request itself: the address it came from, so that one machine's
/// share of the heavy reads can be kept (`ReadWorker`).
public struct ListenerContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's address as text, the same key `ConnectionGuard` counts connections by.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
