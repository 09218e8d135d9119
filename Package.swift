// swift-tools-version:6.1
import PackageDescription

// Imports point down this list, never up:
// vitrine (executable) -> plugins -> VitrinePluginAPI -> VitrineModel; VitrineCore sits beside the plugins
// and is used only by the executable and the tests.
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
    ],
    targets: [
        // Debian's libcmark (the CommonMark reference implementation), see README "Why these libraries".
        .systemLibrary(
            name: "CCmark",
            path: "Sources/CCmark",
            pkgConfig: "libcmark",
            providers: [.apt(["libcmark-dev"])]
        ),
        .target(name: "VitrineModel"),
        .target(name: "VitrinePluginAPI", dependencies: ["VitrineModel"]),
        .target(
            name: "VitrineCore",
            dependencies: [
                "VitrineModel",
                "VitrinePluginAPI",
                "CCmark",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "VitrineTestKit", dependencies: ["VitrineCore", "VitrineModel", "VitrinePluginAPI"]),
        .executableTarget(
            name: "vitrine",
            dependencies: [
                "VitrineCore",
                "VitrineModel",
                "VitrinePluginAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "VitrineCoreTests",
            dependencies: ["VitrineCore", "VitrineModel", "VitrinePluginAPI", "VitrineTestKit"]
        ),
        .testTarget(
            name: "VitrineCLITests",
            dependencies: ["VitrineTestKit"]
        ),
    ]
)
