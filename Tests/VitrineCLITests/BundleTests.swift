import Foundation
import Testing
@testable import VitrineBundle
import VitrineHTTP
import VitrineTestKit

/// Signed content bundles as a fleet uses them: made at the desk, installed on a machine whose daemon runs the
/// shelf's current configuration, refused when damaged or signed by a stranger, rolled back, and taken from a
/// folder they are copied into slowly.
@Suite(.serialized) struct BundleTests {
    /// A venue whose kiosk screen shows one exhibit, titled `title`, for an hour.
    func write(_ venue: TemporaryVenue, title: String) throws {
        try venue.addExhibit("first", "---\ntitle: \(title)\npage-duration: 1h\n---\nThe first page.\n")
        try venue.writeConfig("""
            timezone: UTC
            playlists:
              main: [first]
            screens:
              kiosk: { output: http, playlist: main, width: 640, height: 360 }
            http:
              listen: 127.0.0.1:0

            """)
    }

    /// A signing key and the trusted keys file of a machine, in `folder`.
    func keys(in folder: URL, name: String = "desk") throws -> (secret: String, trusted: String) {
        let secret = folder.appendingPathComponent("\(name).sec").path
        let trusted = folder.appendingPathComponent("\(name).pub").path
        let made = try Vitrine.run(["bundle", "key", "--secret", secret, "--public", trusted])
        #expect(made.status == 0, "\(made.stderr)")
        return (secret, trusted)
    }

    func bundle(_ venue: TemporaryVenue, key: String, to output: String) throws {
        let made = try Vitrine.run(["bundle", "create", "--config", venue.configPath, "--key", key, "--output", output])
        #expect(made.status == 0, "\(made.stderr)")
    }

    func status(_ port: Int) -> String {
        (try? HTTPTestClient(port: port).requestNow("GET", "/api/status", headers: [:], body: "", timeout: 5).text) ?? ""
    }

    func reloads(_ venue: TemporaryVenue) -> Int {
        let log = (try? String(contentsOfFile: venue.root.appendingPathComponent("vitrine.log").path, encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { $0.contains("Reload requested.") }.count
    }

    @Test func aBundleIsShownAfterOneReloadRefusedWhenDamagedOrUnknownAndRolledBack() async throws {
        let desk = try TemporaryVenue(), machine = try TemporaryVenue()
        let (secret, trusted) = try keys(in: desk.root)
        let shelf = machine.root.appendingPathComponent("bundles").path
        try write(desk, title: "Spring")
        let spring = desk.root.appendingPathComponent("spring.bundle").path
        try bundle(desk, key: secret, to: spring)
        let first = try Vitrine.run(["bundle", "install", spring, "--trusted-keys", trusted, "--bundles", shelf])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("installed"))

        let (daemon, port) = try await startDaemon(machine, config: shelf + "/current/vitrine.yaml", watch: true)
        defer { daemon.terminate(); daemon.waitUntilExit() }
        #expect(await eventually(timeout: .seconds(20)) { status(port).contains("Spring 1/1") })

        // The next hang: installed while the daemon runs, shown after one reload.
        try write(desk, title: "Summer")
        let summer = desk.root.appendingPathComponent("summer.bundle").path
        try bundle(desk, key: secret, to: summer)
        let before = reloads(machine)
        let second = try Vitrine.run(["bundle", "install", summer, "--trusted-keys", trusted, "--bundles", shelf])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(await eventually(timeout: .seconds(20)) { status(port).contains("Summer 1/1") })
        try await Task.sleep(for: .seconds(3))
        #expect(reloads(machine) - before == 1, "one reload for one bundle")

        // One flipped byte, then a stranger's key: refused, the program stays, nothing reloads.
        let data = try Data(contentsOf: URL(fileURLWithPath: summer))
        var flipped = data
        flipped[data.count - 2000] ^= 0x01
        let damaged = desk.root.appendingPathComponent("damaged.bundle").path
        try flipped.write(to: URL(fileURLWithPath: damaged))
        let refused = try Vitrine.run(["bundle", "install", damaged, "--trusted-keys", trusted, "--bundles", shelf])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the signature does not match the contents"), "\(refused.stderr)")

        let (strangerSecret, _) = try keys(in: desk.root, name: "stranger")
        try write(desk, title: "Intruder")
        let stranger = desk.root.appendingPathComponent("stranger.bundle").path
        try bundle(desk, key: strangerSecret, to: stranger)
        let unknown = try Vitrine.run(["bundle", "install", stranger, "--trusted-keys", trusted, "--bundles", shelf])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("which is not trusted here"), "\(unknown.stderr)")
        try await Task.sleep(for: .seconds(3))
        #expect(status(port).contains("Summer 1/1"))
        #expect(reloads(machine) - before == 1, "a refused bundle reloads nothing")

        // Rollback returns the spring hang; a second one undoes it.
        let back = try Vitrine.run(["bundle", "rollback", "--bundles", shelf])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(await eventually(timeout: .seconds(20)) { status(port).contains("Spring 1/1") })
        let again = try Vitrine.run(["bundle", "rollback", "--bundles", shelf])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(await eventually(timeout: .seconds(20)) { status(port).contains("Summer 1/1") })
        let listed = try Vitrine.run(["bundle", "list", "--bundles", shelf]).stdout
        #expect(listed.contains("current: ") && listed.contains("previous: "), "\(listed)")
    }

    @Test func aBundleWhoseConfigurationIsNotValidHereIsRefused() throws {
        let desk = try TemporaryVenue(), machine = try TemporaryVenue()
        let (secret, trusted) = try keys(in: desk.root)
        try write(desk, title: "Spring")
        let good = desk.root.appendingPathComponent("good.bundle").path
        try bundle(desk, key: secret, to: good)
        let shelf = machine.root.appendingPathComponent("bundles").path
        #expect(try Vitrine.run(["bundle", "install", good, "--trusted-keys", trusted, "--bundles", shelf]).status == 0)

        // Signed by the right key, but its configuration names a playlist that does not exist: packed by hand (the
        // desk's `create` refuses such a configuration).
        let broken = desk.root.appendingPathComponent("broken.yaml").path
        try "timezone: UTC\nscreens:\n  kiosk: { output: http, playlist: nowhere }\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let key = try BundleKey.read(secret, kind: .secret)[0]
        let bad = desk.root.appendingPathComponent("bad.bundle").path
        try ContentBundle.write(files: [("vitrine.yaml", broken)], folders: [], key: key, name: "", output: bad, now: Date())
        let refused = try Vitrine.run(["bundle", "install", bad, "--trusted-keys", trusted, "--bundles", shelf])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("its configuration is not valid here"), "\(refused.stderr)")
        #expect(refused.stderr.contains("nowhere"), "\(refused.stderr)")
        let current = BundleShelf(folder: shelf).installed().current
        #expect(current != nil && FileManager.default.fileExists(atPath: shelf + "/current/exhibits/first/exhibit.md"))
        // Nothing of it is left beside the releases.
        let releases = try FileManager.default.contentsOfDirectory(atPath: shelf + "/releases")
        #expect(releases.sorted() == [current!, current! + ".header"].sorted(), "\(releases)")
    }

    /// Root's umask may be 077 (a hardened machine, `sudo -i`); the daemon runs as its own user and must read it all.
    @Test func whatIsInstalledIsReadableByTheDaemonsUserWhateverTheUmask() throws {
        let desk = try TemporaryVenue(), machine = try TemporaryVenue()
        let (secret, trusted) = try keys(in: desk.root)
        try write(desk, title: "Spring")
        let made = desk.root.appendingPathComponent("spring.bundle").path
        try bundle(desk, key: secret, to: made)
        let shelf = machine.root.appendingPathComponent("bundles").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "umask 077 && exec \"$0\" bundle install \"$1\" --trusted-keys \"$2\" --bundles \"$3\"",
                             Vitrine.binary, made, trusted, shelf]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        func mode(_ path: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
        }
        for folder in [shelf, shelf + "/releases", shelf + "/current/", shelf + "/current/exhibits", shelf + "/current/exhibits/first"] {
            #expect(mode(folder) & 0o005 == 0o005, "\(folder): \(String(mode(folder), radix: 8))")
        }
        for file in [shelf + "/current/vitrine.yaml", shelf + "/current/exhibits/first/exhibit.md"] {
            #expect(mode(file) & 0o004 == 0o004, "\(file): \(String(mode(file), radix: 8))")
        }
    }

    @Test func entriesThatWouldLeaveTheBundleAreRefusedEvenWhenSigned() throws {
        let desk = try TemporaryVenue()
        let (secret, trusted) = try keys(in: desk.root)
        let key = try BundleKey.read(secret, kind: .secret)[0]
        let file = desk.root.appendingPathComponent("payload.txt").path
        try "overwrite me".write(toFile: file, atomically: true, encoding: .utf8)
        for hostile in ["../escaped.txt", "/etc/escaped.txt", "exhibits/../../escaped.txt"] {
            let output = desk.root.appendingPathComponent("hostile.bundle").path
            try ContentBundle.write(files: [("vitrine.yaml", file), (hostile, file)], folders: [], key: key, name: "",
                                    output: output, now: Date())
            let shelf = desk.root.appendingPathComponent("shelf").path
            let refused = try Vitrine.run(["bundle", "install", output, "--trusted-keys", trusted, "--bundles", shelf])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("which a bundle may not"), "\(hostile): \(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: desk.root.appendingPathComponent("escaped.txt").path))
            #expect(!FileManager.default.fileExists(atPath: shelf + "/escaped.txt"))
            #expect(BundleShelf(folder: shelf).installed().current == nil)
        }
    }

    @Test func aBundleCopiedInSlowlyIsInstalledOnlyWhenWhole() async throws {
        let desk = try TemporaryVenue(), machine = try TemporaryVenue()
        let (secret, trusted) = try keys(in: desk.root)
        // A recording's worth of bytes, so the copy takes a while in pieces.
        try desk.addExhibit("first", "---\ntitle: Spring\npage-duration: 1h\n---\nThe first page.\n",
                            files: ["notes.bin": Data((0..<600_000).map { UInt8($0 % 251) })])
        try write(desk, title: "Spring")
        let made = desk.root.appendingPathComponent("spring.bundle").path
        try bundle(desk, key: secret, to: made)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: made))

        let inbox = machine.root.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let shelf = machine.root.appendingPathComponent("bundles").path
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: Vitrine.binary)
        watcher.arguments = ["bundle", "watch", inbox.path, "--trusted-keys", trusted, "--bundles", shelf]
        let output = machine.root.appendingPathComponent("watch.log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        watcher.standardOutput = handle
        watcher.standardError = handle
        try watcher.run()
        defer { watcher.terminate(); watcher.waitUntilExit() }

        // Copied in ten pieces; after the fourth, the copy stalls longer than the inbox waits for a file to settle.
        let target = inbox.appendingPathComponent("spring.bundle").path
        FileManager.default.createFile(atPath: target, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: target))
        let piece = bytes.count / 10 + 1
        var installedEarly = false
        for index in 0..<10 {
            out.write(bytes.subdata(in: (index * piece)..<min(bytes.count, (index + 1) * piece)))
            try await Task.sleep(for: .milliseconds(index == 3 ? 7000 : 600))
            if BundleShelf(folder: shelf).installed().current != nil, index < 9 { installedEarly = true }
        }
        try out.close()
        #expect(!installedEarly, "a bundle was installed before its copy ended")
        #expect(await eventually(timeout: .seconds(20)) { BundleShelf(folder: shelf).installed().current != nil })
        let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(log.contains("incomplete"), "the stalled copy was looked at and found incomplete: \(log)")
        #expect(log.contains("installed"), "\(log)")
        let copied = try Data(contentsOf: URL(fileURLWithPath: shelf + "/current/exhibits/first/notes.bin"))
        #expect(copied.count == 600_000)
    }
}
