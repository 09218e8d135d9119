import Foundation

/// Which build of Vitrine runs: the version its package carries and the commit it was built from. Reported by
/// `vitrine --version`, the first log line, `/api/status` and `/metrics`, so a bug report can name the build.
public struct BuildInfo: Sendable, Equatable {
    /// "0.1.0+git202612070551.05ce9b4", or "unstamped" for a development build.
    public var version: String
    /// The full commit hash, or "unknown".
    public var commit: String

    public init(version: String, commit: String) {
        self.version = version
        self.commit = commit
    }

    /// A program run from the build folder: install.sh stamps the version only into what it installs or packages.
    public static let unstamped = BuildInfo(version: "unstamped", commit: "unknown")

    /// Reads the stamp deploy/install.sh writes: "VERSION COMMIT".
    public init(stamp: String) {
        let parts = stamp.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else {
            self = .unstamped
            return
        }
        self.init(version: parts[0], commit: parts[1].trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// "0.1.0+git202612070551.05ce9b4 (commit 05ce9b4…)".
    public var description: String {
        self == .unstamped ? "unstamped development build (make install and make deb stamp the version)"
            : "\(version) (commit \(commit))"
    }
}
