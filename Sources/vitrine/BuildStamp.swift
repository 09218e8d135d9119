import CBuildStamp
import VitrineCore

extension BuildInfo {
    /// This program's build: the stamp deploy/install.sh wrote into it, or `.unstamped`.
    static let running = BuildInfo(stamp: String(cString: vitrine_build_stamp()))
}
