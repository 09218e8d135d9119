import Foundation
import Testing
import VitrineHTTP
import VitrineTestKit

/// What the daemon's watcher follows besides edits in place: a configuration that names another content folder,
/// and a content folder replaced as a whole (rsync into a fresh folder, then a link swapped).
@Suite(.serialized) struct WatchTests {
    func status(_ port: Int) -> String {
        (try? HTTPTestClient(port: port).requestNow("GET", "/api/status", headers: [:], body: "", timeout: 5).text) ?? ""
    }

    func config(content: String) -> String {
        """
        timezone: UTC
        content: \(content)
        playlists:
          main: [first]
        screens:
          kiosk: { output: http, playlist: main, width: 640, height: 360 }
        http:
          listen: 127.0.0.1:0

        """
    }

    func exhibit(_ folder: URL, title: String) throws {
        let path = folder.appendingPathComponent("first")
        try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        try "---\ntitle: \(title)\npage-duration: 1h\n---\nThe first page.\n"
            .write(to: path.appendingPathComponent("exhibit.md"), atomically: true, encoding: .utf8)
    }

    @Test func theContentFolderAReloadNamesIsWatchedFromThen() async throws {
        let venue = try TemporaryVenue()
        let winter = venue.root.appendingPathComponent("winter"), spring = venue.root.appendingPathComponent("spring")
        try exhibit(winter, title: "Winter")
        try exhibit(spring, title: "Spring")
        try venue.writeConfig(config(content: "winter"))
        let (daemon, port) = try await startDaemon(venue, watch: true)
        defer { daemon.terminate(); daemon.waitUntilExit() }
        #expect(await eventually(timeout: .seconds(20)) { status(port).contains("Winter 1/1") })

        try venue.writeConfig(config(content: "spring"))
        #expect(await eventually(timeout: .seconds(20)) { status(port).contains("Spring 1/1") })
        // An edit in the folder now named is seen (before, the watcher stayed on the folder the daemon started with).
        try exhibit(spring, title: "Late spring")
        #expect(await eventually(timeout: .seconds(20)) { status(port).contains("Late spring 1/1") })
        // And one in the folder left is not a change.
        let log = venue.root.appendingPathComponent("vitrine.log").path
        let reloads = { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").components(separatedBy: "Reload requested.").count - 1 }
        let before = reloads()
        try exhibit(winter, title: "Old winter")
        try await Task.sleep(for: .seconds(3))
        #expect(reloads() == before, "an edit in the folder no longer named reloaded the daemon")
    }

    @Test func aContentFolderReplacedByASwappedLinkIsFollowed() async throws {
        let venue = try TemporaryVenue()
        let releases = venue.root.appendingPathComponent("releases")
        try exhibit(releases.appendingPathComponent("a"), title: "First hang")
        try exhibit(releases.appendingPathComponent("b"), title: "Second hang")
        let link = venue.root.appendingPathComponent("site").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "releases/a")
        try venue.writeConfig(config(content: "site"))
        let (daemon, port) = try await startDaemon(venue, watch: true)
        defer { daemon.terminate(); daemon.waitUntilExit() }
        #expect(await eventually(timeout: .seconds(20)) { status(port).contains("First hang 1/1") })

        // ln -sfn's atomic form: a new link renamed over the old one.
        let aside = venue.root.appendingPathComponent(".site.new").path
        try FileManager.default.createSymbolicLink(atPath: aside, withDestinationPath: "releases/b")
        #expect(rename(aside, link) == 0)
        #expect(await eventually(timeout: .seconds(20)) { status(port).contains("Second hang 1/1") })
        // And the new folder is watched: an edit in it is seen.
        try exhibit(releases.appendingPathComponent("b"), title: "Second hang, mended")
        #expect(await eventually(timeout: .seconds(20)) { status(port).contains("Second hang, mended 1/1") })
    }
}
