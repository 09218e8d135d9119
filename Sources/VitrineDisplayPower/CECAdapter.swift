import CCEC
import Glibc

/// An HDMI-CEC adapter (`/dev/cec0`) through the kernel's CEC API: the screen's computer, as a playback device on
/// the HDMI bus, tells the television to go to standby and to wake up and show it.
///
/// Opening claims a logical address (Playback) unless the adapter already has one (another program, or the
/// kernel's driver configured it): the TV only listens to a device with an address. Every call blocks while the bus
/// works (a claim polls each address, a message waits for the TV's acknowledgement): call it off the async threads.
public final class CECAdapter: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    /// The address messages are sent from.
    public let logicalAddress: UInt8

    /// Why the television could not be told, in a technician's words.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public init(path: String, name: String = "Vitrine") throws {
        self.path = path
        fd = Glibc.open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))"
                + (errno == EACCES ? " (the service user needs the video group)" : ""))
        }
        var caps = cec_caps()
        guard ioctl(fd, vitrine_cec_adap_g_caps(), &caps) == 0 else {
            let error = errno
            Glibc.close(fd)
            throw Failure(description: "\(path) is not an HDMI-CEC adapter: \(String(cString: strerror(error)))")
        }
        var addresses = cec_log_addrs()
        _ = ioctl(fd, vitrine_cec_adap_g_log_addrs(), &addresses)
        if addresses.num_log_addrs == 0 || addresses.log_addr.0 == UInt8(CEC_LOG_ADDR_INVALID) {
            guard caps.capabilities & UInt32(CEC_CAP_LOG_ADDRS) != 0 else {
                Glibc.close(fd)
                throw Failure(description: "\(path) has no logical address and cannot be given one")
            }
            var wanted = cec_log_addrs()
            wanted.num_log_addrs = 1
            wanted.cec_version = UInt8(CEC_OP_CEC_VERSION_1_4)
            wanted.vendor_id = UInt32(bitPattern: Int32(truncatingIfNeeded: CEC_VENDOR_ID_NONE))
            wanted.log_addr_type.0 = UInt8(CEC_LOG_ADDR_TYPE_PLAYBACK)
            wanted.primary_device_type.0 = UInt8(CEC_OP_PRIM_DEVTYPE_PLAYBACK)
            wanted.all_device_types.0 = UInt8(CEC_OP_ALL_DEVTYPE_PLAYBACK)
            withUnsafeMutableBytes(of: &wanted.osd_name) { bytes in
                for (index, byte) in name.utf8.prefix(14).enumerated() { bytes[index] = byte }
            }
            guard ioctl(fd, vitrine_cec_adap_s_log_addrs(), &wanted) == 0 else {
                let error = errno
                Glibc.close(fd)
                throw Failure(description: "cannot claim a logical address on \(path): \(String(cString: strerror(error)))")
            }
            addresses = wanted
        }
        guard addresses.log_addr.0 != UInt8(CEC_LOG_ADDR_INVALID) else {
            Glibc.close(fd)
            throw Failure(description: "\(path) got no logical address (is an HDMI cable in?)")
        }
        logicalAddress = addresses.log_addr.0
    }

    deinit { Glibc.close(fd) }

    /// The television goes to standby.
    public func standby() throws {
        try send(to: UInt8(CEC_LOG_ADDR_TV), [UInt8(CEC_MSG_STANDBY)])
    }

    /// The television wakes (Image View On) and shows this input (Active Source, to everyone).
    public func wake() throws {
        try send(to: UInt8(CEC_LOG_ADDR_TV), [UInt8(CEC_MSG_IMAGE_VIEW_ON)])
        var physical: UInt16 = UInt16(CEC_PHYS_ADDR_INVALID)
        if ioctl(fd, vitrine_cec_adap_g_phys_addr(), &physical) == 0, physical != UInt16(CEC_PHYS_ADDR_INVALID) {
            try? send(to: UInt8(CEC_LOG_ADDR_BROADCAST),
                      [UInt8(CEC_MSG_ACTIVE_SOURCE), UInt8(physical >> 8), UInt8(physical & 0xFF)])
        }
    }

    private func send(to destination: UInt8, _ bytes: [UInt8]) throws {
        var message = cec_msg()
        message.len = UInt32(1 + bytes.count)
        withUnsafeMutableBytes(of: &message.msg) { buffer in
            buffer[0] = logicalAddress << 4 | destination
            for (index, byte) in bytes.enumerated() { buffer[1 + index] = byte }
        }
        guard ioctl(fd, vitrine_cec_transmit(), &message) == 0 else {
            throw Failure(description: "\(path): cannot send: \(String(cString: strerror(errno)))")
        }
        // A broadcast is never acknowledged; a message to the TV is, when the TV is there.
        guard destination == UInt8(CEC_LOG_ADDR_BROADCAST) || message.tx_status & UInt8(CEC_TX_STATUS_OK) != 0 else {
            throw Failure(description: "\(path): the television did not acknowledge (tx status \(message.tx_status))")
        }
    }
}
