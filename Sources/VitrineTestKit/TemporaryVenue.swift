import BuiltinOutputs
import Foundation
import VitrineCore
import VitrineModel
import VitrinePluginAPI

/// A configuration file and content folder written to a fresh temporary directory, for tests that load real files.
public final class TemporaryVenue: @unchecked Sendable {
    public let root: URL
    public var configPath: String { root.appendingPathComponent("vitrine.yaml").path }
    public var contentPath: String { root.appendingPathComponent("exhibits").path }

    public init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("exhibits"),
                                                withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    public func writeConfig(_ yaml: String) throws {
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// The venue many tests share: exhibits First and Second (one page of `pageDuration` each) on the playlist `main`,
    /// the theme `paper` (cut transitions), UTC, and `screens`: the YAML under `screens:`, indented two spaces (what
    /// follows it may close the block and add top-level keys, such as `http:`).
    public func writeFirstAndSecond(screens: String, first: String = "First", firstText: String = "The first page.",
                                    pageDuration: String = "10s") throws
    {
        try addExhibit("first", "---\ntitle: \(first)\npage-duration: \(pageDuration)\n---\n\(firstText)\n")
        try addExhibit("second", "---\ntitle: Second\npage-duration: \(pageDuration)\n---\nThe second page.\n")
        try writeConfig("""
            timezone: UTC
            themes:
              paper: { background: "#F6F1E7", text: "#1D1B18", transition: cut }
            playlists:
              main: [first, second]
            screens:
            \(screens)
            """)
    }

    /// Writes `exhibits/ID/exhibit.md`, and any extra files beside it.
    @discardableResult
    public func addExhibit(_ id: String, _ markdown: String, files: [String: Data] = [:]) throws -> String {
        let folder = root.appendingPathComponent("exhibits").appendingPathComponent(id)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("exhibit.md").path
        try Data(markdown.utf8).write(to: URL(fileURLWithPath: path))
        for (name, data) in files { try data.write(to: folder.appendingPathComponent(name)) }
        return path
    }

    public func writeRaw(_ relativePath: String, _ data: Data) throws {
        let url = root.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    /// Copies the bundled demo (config/vitrine.yaml and config/exhibits) into this venue.
    public func copyDemo() throws {
        let demo = TemporaryVenue.packageRoot.appendingPathComponent("config")
        try? FileManager.default.removeItem(at: root.appendingPathComponent("exhibits"))
        try FileManager.default.copyItem(at: demo.appendingPathComponent("exhibits"),
                                         to: root.appendingPathComponent("exhibits"))
        try FileManager.default.copyItem(at: demo.appendingPathComponent("vitrine.yaml"),
                                         to: URL(fileURLWithPath: configPath))
    }

    /// Loads with the built-in outputs and the recording test output.
    public func load(registry: OutputRegistry = testRegistry, pages: PageBook? = nil) -> ProgramLoader.Outcome {
        ProgramLoader(registry: registry, systemTimeZone: "UTC", pageBook: pages).load(path: configPath)
    }

    /// The repository's root, found from this source file.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}

/// The outputs tests load configurations with.
public let testRegistry = OutputRegistry(BuiltinOutputs.all + [RecordingOutput.self])

/// A tiny valid PNG of the given size (grey pixels), for exhibits that need an image.
public func samplePNG(width: Int = 4, height: Int = 3) -> Data {
    func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    // Only the header matters to the loader; a real decoder is the renderer's business.
    var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    bytes += be32(13) + Array("IHDR".utf8) + be32(UInt32(width)) + be32(UInt32(height)) + [8, 2, 0, 0, 0] + be32(0)
    return Data(bytes)
}

/// Milliseconds since 1970 of an ISO 8601 instant with an offset, for pinning tests to explicit dates.
public func instant(_ iso: String) -> Int64 {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: iso) else { fatalError("bad test instant \(iso)") }
    return Int64(date.timeIntervalSince1970 * 1000)
}

@_exported import struct VitrineHTTP.HTTPTestClient
@_exported import class VitrineHTTP.EventStream
@_exported import func VitrineCore.offThePool
