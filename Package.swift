// swift-tools-version:6.1
import PackageDescription

// Imports point down, never up: vitrine (executable) -> plugins (plugins/NAME) -> VitrinePluginAPI -> VitrineModel.
// VitrineCore (loading, schedule, runners) and VitrineSystemd sit beside the plugins and never import them; the
// executable wires them together.
let package = Package(
    name: "Vitrine",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vitrine", targets: ["vitrine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // No traits: without FullFoundation and swift-configuration, Hummingbird brings no ICU into the binary.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Remote displays (`push:` on an http screen): HTTP and HTTPS client on the same SwiftNIO threads.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Out-of-process outputs (`output: exec`): spawning, pipes, process groups and teardown.
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        // The fault suite's generated bad configurations and exhibits (tests only).
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // Debian's libcmark (the CommonMark reference implementation), see README "Why these libraries".
        .systemLibrary(
            name: "CCmark",
            path: "Sources/CCmark",
            pkgConfig: "libcmark",
            providers: [.apt(["libcmark-dev"])]
        ),
        // Debian's libsystemd: notify, watchdog and journal.
        .systemLibrary(
            name: "CSystemd",
            path: "Sources/CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // Debian's Pango and Cairo: text layout and painting for pixel screens.
        .systemLibrary(
            name: "CPangoCairo",
            path: "Sources/CPangoCairo",
            pkgConfig: "pangocairo",
            providers: [.apt(["libpango1.0-dev", "libcairo2-dev"])]
        ),
        // Debian's libhyphen (the hyphenation used by LibreOffice) for justified text.
        .systemLibrary(name: "CHyphen", path: "Sources/CHyphen", providers: [.apt(["libhyphen-dev"])]),
        // Debian's liblz4 (already on every systemd machine): painted pages kept compressed in memory.
        .systemLibrary(name: "CLZ4", path: "Sources/CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        // Debian's libxxhash (XXH3, made for fast content fingerprints): the keys of pages laid out, kept across
        // restarts.
        .systemLibrary(name: "CXXHash", path: "Sources/CXXHash", pkgConfig: "libxxhash",
                       providers: [.apt(["libxxhash-dev"])]),
        // Debian's libmpv (mpv's player core, decoding whatever ffmpeg decodes): recordings probed and played.
        .systemLibrary(name: "CMpv", path: "Sources/CMpv", pkgConfig: "mpv", providers: [.apt(["libmpv-dev"])]),
        // Debian's gdk-pixbuf: the exhibits' pictures (JPEG, PNG) decoded, at the size drawn, upright as their EXIF
        // orientation says.
        .systemLibrary(name: "CGdkPixbuf", path: "Sources/CGdkPixbuf", pkgConfig: "gdk-pixbuf-2.0",
                       providers: [.apt(["libgdk-pixbuf-2.0-dev"])]),
        // Debian's libqrencode: the code a visitor's phone scans to open the companion page of what a screen shows.
        .systemLibrary(name: "CQRencode", path: "Sources/CQRencode", pkgConfig: "libqrencode",
                       providers: [.apt(["libqrencode-dev"])]),
        // linux/fb.h and linux/kd.h, which Glibc does not expose.
        .systemLibrary(name: "CFramebuffer", path: "Sources/CFramebuffer"),
        // Debian's libdrm: kernel mode setting for the `kms` output.
        .systemLibrary(name: "CDRM", path: "Sources/CDRM", pkgConfig: "libdrm", providers: [.apt(["libdrm-dev"])]),
        .target(name: "VitrineModel"),
        // The kernel's HDMI-CEC API (linux/cec.h), which Glibc does not expose.
        .systemLibrary(name: "CCEC", path: "Sources/CCEC"),
        // Televisions switched to standby and woken over HDMI-CEC, following the venue's hours.
        .target(name: "VitrineDisplayPower", dependencies: ["CCEC"]),
        // Debian's libsodium: content bundles signed and verified with Ed25519.
        .systemLibrary(name: "CSodium", path: "Sources/CSodium", pkgConfig: "libsodium",
                       providers: [.apt(["libsodium-dev"])]),
        // Debian's libarchive: content bundles' files packed and unpacked as tar.
        .systemLibrary(name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive",
                       providers: [.apt(["libarchive-dev"])]),
        // Signed content bundles: made, verified, installed at once with the previous kept for rollback.
        .target(name: "VitrineBundle", dependencies: ["CSodium", "CArchive"]),
        // Sound and film: recordings probed (length, streams) and played, through libmpv.
        .target(name: "VitrineMedia", dependencies: ["VitrineModel", "CMpv"]),
        .target(
            name: "VitrinePluginAPI",
            dependencies: ["VitrineModel", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "VitrineSystemd",
            dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")]
        ),
        // Page layout and painting in pixels, shared by pixel outputs, `vitrine render` and previews.
        .target(name: "VitrineRenderer",
                dependencies: ["VitrinePluginAPI", "CPangoCairo", "CGdkPixbuf", "CHyphen", "CLZ4", "CQRencode"]),
        // Built-in outputs: one folder each under plugins/, importing only the plugin API.
        .target(
            name: "TerminalOutput",
            dependencies: ["VitrinePluginAPI", "VitrineMedia"],
            path: "plugins/terminal",
            exclude: ["README.md", "sample.yaml"]
        ),
        // What pixel panels share (framebuffer and kms): pages, crossfades and films presented, the console held.
        // The crossfade's inner loop, compiled with AVX2 where the processor has it (Swift builds for SSE2).
        .target(name: "CCrossfade", cSettings: [.unsafeFlags(["-O3"])]),
        // The version and commit, stamped into the installed program (deploy/install.sh).
        .target(name: "CBuildStamp"),
        .target(name: "VitrinePanel",
                dependencies: ["VitrinePluginAPI", "VitrineRenderer", "VitrineMedia", "CFramebuffer", "CCrossfade"]),
        .target(
            name: "FramebufferOutput",
            dependencies: ["VitrinePluginAPI", "VitrineRenderer", "VitrineMedia", "VitrinePanel", "CFramebuffer"],
            path: "plugins/framebuffer",
            exclude: ["README.md", "sample.yaml"]
        ),
        .target(
            name: "KMSOutput",
            dependencies: ["VitrinePluginAPI", "VitrineRenderer", "VitrineMedia", "VitrinePanel", "CDRM"],
            path: "plugins/kms",
            exclude: ["README.md", "sample.yaml"]
        ),
        .target(
            name: "HTTPOutput",
            dependencies: ["VitrinePluginAPI", "VitrineRenderer",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")],
            path: "plugins/http",
            exclude: ["README.md", "sample.yaml"]
        ),
        .target(
            name: "ExecOutput",
            dependencies: ["VitrinePluginAPI", .product(name: "Subprocess", package: "swift-subprocess")],
            path: "plugins/exec",
            exclude: ["README.md", "sample.yaml"]
        ),
        // The one list of built-in outputs, for the program and the tests.
        .target(
            name: "BuiltinOutputs",
            dependencies: ["VitrinePluginAPI", "TerminalOutput", "FramebufferOutput", "KMSOutput", "HTTPOutput",
                           "ExecOutput"],
            path: "plugins/builtin",
            exclude: ["README.md"]
        ),
        // Proof of play: every page shown, in SQLite (Debian's libsqlite3 through GRDB).
        .target(
            name: "VitrinePlayLog",
            dependencies: ["VitrineCore", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),
        // The HTTP listener: what outputs that serve browsers offer (through the plugin API, naming none), the
        // operators' dashboard, the API, metrics.
        .target(
            name: "VitrineHTTP",
            dependencies: [
                "VitrineCore", "VitrinePluginAPI", "VitrineRenderer", "VitrinePlayLog",
                // The allocator: a crowd of connections gives its memory back when it has gone.
                "VitrineMedia",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "VitrineCore",
            dependencies: [
                "VitrineModel",
                "CXXHash",
                "VitrineDisplayPower",
                "VitrinePluginAPI",
                "VitrineMedia",
                "CCmark",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ]
        ),
        .target(
            name: "VitrineTestKit",
            dependencies: ["VitrineCore", "VitrineModel", "VitrinePluginAPI", "BuiltinOutputs", "VitrineHTTP"]
        ),
        .executableTarget(
            name: "vitrine",
            dependencies: [
                "VitrineCore",
                "VitrineModel",
                "VitrinePluginAPI",
                "VitrineSystemd",
                "VitrineRenderer",
                "BuiltinOutputs",
                // `vitrine pages` previews a text screen with the terminal output's own layout.
                "TerminalOutput",
                "VitrineHTTP",
                "VitrineMedia",
                "VitrinePlayLog",
                "VitrineBundle",
                "CBuildStamp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Rendering benchmark (`make bench-render`); not installed.
        .executableTarget(
            name: "vitrine-bench",
            dependencies: ["VitrineCore", "VitrinePluginAPI", "VitrineRenderer", "VitrinePanel", "FramebufferOutput"]
        ),
        .testTarget(
            name: "VitrineCoreTests",
            dependencies: [
                "VitrineCore", "VitrineModel", "VitrinePluginAPI", "VitrineTestKit", "TerminalOutput", "VitrineRenderer",
                "FramebufferOutput", "VitrinePanel", "BuiltinOutputs", "VitrineMedia",
            ]
        ),
        .testTarget(
            name: "VitrineCLITests",
            dependencies: ["VitrineTestKit", "VitrinePlayLog", "VitrineBundle"]
        ),
        // `make faults` (and, in a short mode, `make test`): the daemon under bad input, signal storms, lost devices,
        // kill -9 and a simulated week.
        .testTarget(
            name: "VitrineFaultTests",
            dependencies: [
                "VitrineTestKit", "VitrineCore", "VitrineModel", "VitrinePluginAPI", "VitrinePlayLog",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "VitrineHTTPTests",
            dependencies: [
                "VitrineHTTP", "HTTPOutput", "VitrineCore", "VitrineTestKit", "VitrinePlayLog",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ]
)
