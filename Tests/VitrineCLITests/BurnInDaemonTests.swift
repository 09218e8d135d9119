import Foundation
import Testing
import VitrineTestKit

/// Burn-in care between machines: two daemons with the same files, started at different moments, each painting
/// its own framebuffer file, move the page to the same place at the same moment.
@Suite struct BurnInDaemonTests {
    /// The demo's files, one page up for hours on a theme that moves it every 10 s; the framebuffer file's path.
    func venue() throws -> (TemporaryVenue, String) {
        let venue = try TemporaryVenue()
        try venue.copyDemo()
        let framebuffer = venue.root.appendingPathComponent("fb").path
        try venue.writeConfig("""
            timezone: UTC
            content: exhibits
            themes:
              still:
                transition: cut
                burn-in: { shift: 4, every: 10s }
            playlists: { main: [{ exhibit: solidarity, duration: 3h }] }
            screens:
              wall: { output: framebuffer, playlist: main, device: \(framebuffer), width: 640, height: 360 }
            http:
              listen: 127.0.0.1:0
            """)
        return (venue, framebuffer)
    }

    @Test func twoDaemonsStartedApartMoveThePageTogether() async throws {
        let (first, a) = try venue()
        let (second, b) = try venue()
        let (one, _) = try await startDaemon(first)
        defer {
            one.terminate()
            one.waitUntilExit()
        }
        try await Task.sleep(for: .seconds(3))
        let (two, _) = try await startDaemon(second)
        defer {
            two.terminate()
            two.waitUntilExit()
        }
        func frame(_ path: String) -> Data { (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data() }
        // Both show the page in the same place, whenever they started.
        let agreed = await eventually(timeout: .seconds(30)) { frame(a).count == 640 * 360 * 4 && frame(a) == frame(b) }
        #expect(agreed, "the two framebuffers never showed the same picture")
        let before = frame(a)
        // Within one step (10 s) both move, to the same place.
        let moved = await eventually(timeout: .seconds(30)) {
            let now = frame(a)
            return now != before && now.count == before.count && now == frame(b)
        }
        #expect(moved, "the page did not move on both screens alike")
        // It moved by a few pixels, not to another page: the painted part is the same width.
        let after = frame(a)
        #expect(inkWidth(before) == inkWidth(after) && inkWidth(after) > 100)
    }

    /// The width of what is painted on the page (pixels unlike the top-left one), in a 640-pixel-wide XRGB frame.
    func inkWidth(_ frame: Data) -> Int {
        frame.withUnsafeBytes { bytes in
            let pixels = bytes.bindMemory(to: UInt32.self)
            let paper = pixels[0]
            var left = 640, right = 0
            for y in 0..<360 {
                for x in 0..<640 where pixels[y * 640 + x] != paper {
                    left = min(left, x)
                    right = max(right, x + 1)
                }
            }
            return max(0, right - left)
        }
    }
}
