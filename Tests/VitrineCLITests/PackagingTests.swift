import Foundation
import Testing
import VitrineCore
import VitrineHTTP
import VitrineTestKit

/// What a technician meets of the installed program besides the screens: which build it is, its manual page for the
/// configuration, shell completion, and the licences of what is compiled into it. (The package itself, lintian, the
/// upgrade and `man vitrine` on an installed system are checked by deploy/test/system.sh under a real systemd.)
@Suite(.serialized) struct PackagingTests {
    var root: URL { TemporaryVenue.packageRoot }

    func venueWithTwoScreens() throws -> TemporaryVenue {
        let venue = try TemporaryVenue()
        try venue.writeConfig("""
            timezone: UTC
            content: exhibits
            playlists:
              main: [solidarity, long-winter]
            screens:
              east-wall: { output: http, playlist: main, width: 640, height: 360 }
              foyer: { output: http, playlist: main, width: 640, height: 360 }
            http:
              listen: 127.0.0.1:0

            """)
        _ = try venue.addExhibit("solidarity", "---\ntitle: Solidarity\n---\nA testimony.\n")
        _ = try venue.addExhibit("long-winter", "---\ntitle: The Long Winter\n---\nA winter.\n")
        return venue
    }

    @Test func theInstalledProgramSaysWhichBuildItIsEverywhere() async throws {
        // A development build says it is one.
        let unstamped = try runProgram(Vitrine.binary, ["--version"])
        #expect(unstamped.status == 0)
        #expect(unstamped.output.hasPrefix("unstamped development build"), "\(unstamped.output)")

        // Installed as `make install` installs it (here the debug build, into a folder).
        let venue = try venueWithTwoScreens()
        let destdir = venue.root.appendingPathComponent("installed")
        let manual = venue.root.appendingPathComponent("vitrine.1")
        // install.sh needs a vitrine(1) to install (`make manual` writes the real one; the nspawn suite reads it).
        try ".TH VITRINE 1\n".write(to: manual, atomically: true, encoding: .utf8)
        let install = try runProgram(root.appendingPathComponent("deploy/install.sh").path,
                              [destdir.path, "/usr", Vitrine.binary, manual.path])
        #expect(install.status == 0, "\(install.output)")
        let expected = try runProgram(root.appendingPathComponent("deploy/version.sh").path, []).output
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").map(String.init)
        try #require(expected.count == 3)
        let (version, commit) = (expected[0], expected[1])
        #expect(version.hasPrefix("0.1.0"))
        let installed = destdir.appendingPathComponent("usr/bin/vitrine").path

        let said = try runProgram(installed, ["--version"])
        #expect(said.output == "\(version) (commit \(commit))\n")

        let (daemon, port) = try await startDaemon(venue, binary: installed)
        defer { daemon.terminate(); daemon.waitUntilExit() }
        let client = HTTPTestClient(port: port)
        let status = try client.requestNow("GET", "/api/status", headers: [:], body: "", timeout: 5).text
        #expect(status.contains("\"version\":\"\(version)\""), "\(status.prefix(300))")
        #expect(status.contains("\"commit\":\"\(commit)\""))
        let metrics = try client.requestNow("GET", "/metrics", headers: [:], body: "", timeout: 5).text
        #expect(metrics.contains("vitrine_build_info{version=\"\(version)\",commit=\"\(commit)\"} 1"),
                "\(metrics.split(separator: "\n").filter { $0.contains("build") })")
        let log = try String(contentsOf: venue.root.appendingPathComponent("vitrine.log"), encoding: .utf8)
        let first = log.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.contains("Vitrine \(version) (commit \(commit))."), "first log line: \(first)")
    }

    @Test func theConfigurationManualNamesEveryKeyAndRendersCleanly() throws {
        let page = try runProgram(Vitrine.binary, ["reference", "--manual", "--date", "2026-12-07"])
        #expect(page.status == 0)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine.yaml.5")
        try page.output.write(to: file, atomically: true, encoding: .utf8)
        // man's --warnings passes groff's own: any markup the page gets wrong is printed.
        let rendered = try runProgram("/usr/bin/man", ["--warnings", "-l", file.path], environment: ["MANWIDTH": "100"])
        #expect(rendered.status == 0)
        // (groff's are "troff: <standard input>:LINE: warning: …"; the page itself says "warnings allowed").
        #expect(!rendered.output.contains("warning:"), "\(rendered.output.split(separator: "\n").filter { $0.contains("warning:") })")
        #expect(rendered.output.contains("VITRINE.YAML(5)"))
        let text = rendered.output
        // The declarations' Markdown is read as text: no backticks, no [link](target) left.
        #expect(!text.contains("`") && !text.contains("]("), "Markdown left in the manual page")
        #expect(text.contains("See exhibits.md."))
        // Every key the configuration is checked against, and every output's options: each the first word of a
        // line of its own (the tagged paragraphs' tags), under its section.
        let terms = Set(text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("       "), !line.hasPrefix("        ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        })
        for table in KeyTables(outputs: testRegistry).tables
        where table.part != .exhibit && table.name != "output recording" {
            for key in table.keys {
                #expect(terms.contains(key.name), "man 5 vitrine.yaml does not list '\(key.name)' of \(table.name)")
            }
        }
        #expect(text.contains("output framebuffer") && text.contains("output http.push"))
        let wrongDate = try runProgram(Vitrine.binary, ["reference", "--manual", "--date", "7 December"])
        #expect(wrongDate.status == 2 && wrongDate.output.contains("--date: expected YYYY-MM-DD"))
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func eachShellCompletesSubcommandsScreensAndExhibits(shell: String) throws {
        let venue = try venueWithTwoScreens()
        let folder = venue.root.appendingPathComponent("completion")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent(shell == "zsh" ? "_vitrine" : "vitrine.\(shell)")
        let generated = try runProgram(Vitrine.binary, ["--generate-completion-script", shell])
        #expect(generated.status == 0)
        try generated.output.write(to: script, atomically: true, encoding: .utf8)
        // The scripts call `vitrine` itself for screen and exhibit names: the build under test comes first on PATH.
        let path = URL(fileURLWithPath: Vitrine.binary).deletingLastPathComponent().path + ":"
            + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let driver = root.appendingPathComponent("Tests/shells/complete.py").path
        func complete(_ line: String, _ expected: [String]) throws -> (status: Int32, output: String) {
            try runProgram("/usr/bin/python3", [driver, shell, script.path, line] + expected, in: folder,
                    environment: ["PATH": path])
        }
        let config = venue.configPath
        let subcommand = try complete("vitrine ren", ["render"])
        #expect(subcommand.status == 0, "\(shell): `vitrine ren<Tab>` showed: \(subcommand.output)")
        let screens = try complete("vitrine render --config \(config) --screen ", ["east-wall", "foyer"])
        #expect(screens.status == 0, "\(shell): `--screen <Tab>` showed: \(screens.output)")
        let exhibits = try complete("vitrine pages --config \(config) sol", ["solidarity"])
        #expect(exhibits.status == 0, "\(shell): `vitrine pages sol<Tab>` showed: \(exhibits.output)")
        if shell == "bash" {
            let registered = try runProgram("/bin/bash", ["-c", "source \(script.path); complete -p vitrine"])
            #expect(registered.output.contains("-F _vitrine vitrine"), "\(registered.output)")
        }
    }

    @Test func theCopyrightFileNamesEverySwiftPackageTheBuildResolves() throws {
        let copyright = try String(contentsOf: root.appendingPathComponent("deploy/deb/copyright"), encoding: .utf8)
        #expect(copyright.hasPrefix("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"))
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent(".build/workspace-state.json")))
        let dependencies = ((state as? [String: Any])?["object"] as? [String: Any])?["dependencies"] as? [[String: Any]] ?? []
        let folders = dependencies.compactMap { $0["subpath"] as? String }
        #expect(folders.count > 10, "no packages read from .build/workspace-state.json")
        // The fault suite's property-based testing is a test dependency only: not in the program.
        for folder in folders where folder != "swift-property-based" {
            #expect(copyright.contains(".build/checkouts/\(folder)/"),
                    "deploy/deb/copyright does not name the Swift package \(folder), which the build compiles in")
        }
    }
}
