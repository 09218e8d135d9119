import Foundation
import Glibc
import Testing
import VitrineHTTP
import VitrineTestKit

/// Many machines without a coordinator: daemons given the same files change pages together, a real Prometheus
/// with deploy/prometheus's rules watches them (a broken screen's alert fires and clears, a clock set wrong is
/// named), and the fleet's files pass the tools that check them (promtool, ansible-playbook).
@Suite(.serialized) struct FleetTests {
    static let root = TemporaryVenue.packageRoot
    static let prometheusFolder = root.appendingPathComponent("deploy/prometheus").path

    /// One machine: its own configuration, state and listener address, the shared content folder.
    final class Machine: @unchecked Sendable {
        let name: String
        let address: String
        let folder: URL
        var process: Process?
        var port = 0
        var pagesLog: String { folder.appendingPathComponent("pages.log").path }
        /// In a folder of its own, as /etc/vitrine: the state and cache written beside it would be changes.
        var configPath: String { folder.appendingPathComponent("site/vitrine.yaml").path }
        var log: String { folder.appendingPathComponent("vitrine.log").path }

        init(name: String, address: String, under root: URL) throws {
            self.name = name
            self.address = address
            folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("site"), withIntermediateDirectories: true)
        }

        /// `signCommand`: a second screen's command (one that cannot start breaks that screen).
        func writeConfig(content: String, logger: String, signCommand: String? = nil) throws {
            var yaml = """
                timezone: UTC
                content: \(content)
                playlists:
                  main: [one, two, three, four, five]
                screens:
                  logbook:
                    output: exec
                    playlist: main
                    command: [python3, \(logger), \(pagesLog)]

                """
            if let signCommand {
                yaml += """
                      sign:
                        output: exec
                        playlist: main
                        command: [\(signCommand)]

                    """
            }
            yaml += "http:\n  listen: \(address):0\n"
            try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        }

        func start(faketime: String? = nil) async throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Vitrine.binary)
            process.arguments = ["run", "--config", configPath, "--log-file", log,
                                 "--state-dir", folder.appendingPathComponent("state").path,
                                 "--cache-dir", folder.appendingPathComponent("cache").path]
            if let faketime {
                // Debian's faketime: the daemon's wall clock set off; its timers (CLOCK_MONOTONIC) left alone. The
                // wrapper runs the daemon as its child (`stop` ends that child).
                process.executableURL = URL(fileURLWithPath: "/usr/bin/faketime")
                process.arguments = ["-f", faketime, Vitrine.binary] + process.arguments!
                process.environment = ProcessInfo.processInfo.environment.merging(
                    ["FAKETIME_DONT_FAKE_MONOTONIC": "1"]) { $1 }
            }
            let errors = folder.appendingPathComponent("stderr.log")
            FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errors)
            process.standardOutput = process.standardError
            try process.run()
            self.process = process
            let marker = "vitrine.listen=\(address):"
            _ = await eventually(timeout: .seconds(30)) {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                guard let range = text.range(of: marker) else { return false }
                port = Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
                return port > 0
            }
            guard port > 0 else {
                struct DidNotStart: Error { var machine: String, log: String, standardError: String, exit: String }
                throw DidNotStart(machine: name, log: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "(none)",
                                  standardError: (try? String(contentsOf: errors, encoding: .utf8)) ?? "",
                                  exit: process.isRunning ? "running" : "\(process.terminationReason) \(process.terminationStatus)")
            }
        }

        func stop() {
            guard let process else { return }
            // faketime does not pass SIGTERM on to the daemon it runs: its children are told first.
            let children = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/task/\(process.processIdentifier)/children",
                                        encoding: .utf8)) ?? ""
            for child in children.split(separator: " ").compactMap({ Int32($0) }) { kill(child, SIGTERM) }
            process.terminate()
            process.waitUntilExit()
        }

        /// Each page change as the logbook plugin received it: (when, in ms of the real clock; the page's
        /// scheduled start; what it showed).
        func changes() -> [(at: Double, validFrom: Int64, shows: String)] {
            let text = (try? String(contentsOfFile: pagesLog, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: " ", maxSplits: 2)
                guard fields.count == 3, let at = Double(fields[0]), let from = Int64(fields[1]) else { return nil }
                return (at, from, String(fields[2]))
            }
        }
    }

    /// The exec plugin each machine's logbook screen runs: it notes the real time each page arrives.
    static let logger = """
        import json, sys, time
        log = open(sys.argv[1], "a", buffering=1)
        for line in sys.stdin:
            message = json.loads(line)
            kind = message.get("type")
            if kind == "hello":
                print(json.dumps({"type": "ready", "protocol": 2, "measure": None, "capabilities": []}), flush=True)
            elif kind == "present":
                at = time.time() * 1000
                log.write("%.3f %d %s %s\\n" % (at, message.get("validFrom", 0), message.get("exhibit"), message.get("page")))
            elif kind == "shutdown":
                break

        """

    func request(_ port: Int, _ path: String, host: String = "127.0.0.1") -> String {
        (try? HTTPTestClient(host: host, port: port).requestNow("GET", path, headers: [:], body: "", timeout: 5).text) ?? ""
    }

    func query(_ prometheus: Int, _ expression: String) -> [[String: Any]] {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let text = request(prometheus, "/api/v1/query?query=\(encoded)")
        let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        return ((json?["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
    }

    func value(_ sample: [String: Any]) -> Double? {
        ((sample["value"] as? [Any])?.last as? String).flatMap(Double.init)
    }

    func alerts(_ prometheus: Int) -> [[String: Any]] {
        let text = request(prometheus, "/api/v1/alerts")
        let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        return ((json?["data"] as? [String: Any])?["alerts"] as? [[String: Any]]) ?? []
    }

    func firing(_ prometheus: Int, _ name: String, instance: String) -> Bool {
        alerts(prometheus).contains { alert in
            let labels = alert["labels"] as? [String: String] ?? [:]
            return labels["alertname"] == name && labels["instance"] == instance && alert["state"] as? String == "firing"
        }
    }

    @Test func threeMachinesChangePagesTogetherAndPrometheusWatchesThem() async throws {
        let venue = try TemporaryVenue()
        for (index, id) in ["one", "two", "three", "four", "five"].enumerated() {
            try venue.addExhibit(id, "---\ntitle: Exhibit \(index + 1)\npage-duration: 1s\n---\nPage of \(id).\n")
        }
        let logger = venue.root.appendingPathComponent("logger.py").path
        try Self.logger.write(toFile: logger, atomically: true, encoding: .utf8)
        // Three machines in step, and a fourth whose clock is 30 s behind.
        let machines = try [("gallery-1", "127.0.0.2"), ("gallery-2", "127.0.0.3"), ("gallery-3", "127.0.0.4"),
                            ("skewed", "127.0.0.5")].map { try Machine(name: $0.0, address: $0.1, under: venue.root) }
        let (first, second, third, skewed) = (machines[0], machines[1], machines[2], machines[3])
        for machine in machines {
            try machine.writeConfig(content: venue.contentPath, logger: logger,
                                    signCommand: machine === third ? "/nonexistent/vitrine-sign" : nil)
        }
        defer { machines.forEach { $0.stop() } }
        // Started at different moments, as machines switched on one after another.
        try await first.start()
        try await Task.sleep(for: .milliseconds(2300))
        try await second.start()
        try await Task.sleep(for: .milliseconds(1700))
        try await third.start()
        try await skewed.start(faketime: "-30s")
        let allStarted = Date().timeIntervalSince1970 * 1000

        // A real Prometheus with the fleet's rules, scraping every second.
        let prometheusPort = try freeLoopbackPort()
        let rules = Self.prometheusFolder + "/vitrine.rules.yml"
        let configuration = venue.root.appendingPathComponent("prometheus.yml").path
        try """
            global: { scrape_interval: 1s, evaluation_interval: 1s }
            rule_files: [\(rules)]
            scrape_configs:
              - job_name: vitrine
                static_configs:
                  - targets: [\(machines.map { "\"\($0.address):\($0.port)\"" }.joined(separator: ", "))]
                    labels: { fleet: test }

            """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        prometheus.arguments = ["--config.file=\(configuration)",
                                "--storage.tsdb.path=\(venue.root.appendingPathComponent("tsdb").path)",
                                "--web.listen-address=127.0.0.1:\(prometheusPort)", "--log.level=warn"]
        prometheus.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try prometheus.run()
        defer { prometheus.terminate(); prometheus.waitUntilExit() }

        // A minute and a quarter of page changes, once a second.
        try await Task.sleep(for: .seconds(75))

        // Every change the three saw after the last had started: the same page at the same scheduled moment, and
        // how far apart they received it.
        let seen = [first, second, third].map { machine in
            Dictionary(machine.changes().filter { Double($0.validFrom) > allStarted }.map { ($0.validFrom, $0) }) { a, _ in a }
        }
        let moments = Set(seen[0].keys).intersection(seen[1].keys).intersection(seen[2].keys).sorted()
        #expect(moments.count >= 60, "page changes seen on all three: \(moments.count)")
        var spreads: [Double] = []
        for moment in moments {
            let changes = seen.map { $0[moment]! }
            #expect(Set(changes.map(\.shows)).count == 1, "at \(moment) the machines showed \(changes.map(\.shows))")
            let times = changes.map(\.at)
            spreads.append(times.max()! - times.min()!)
        }
        // A change seen by one machine only would be a machine out of step.
        for (index, machine) in seen.enumerated() {
            let own = Set(machine.keys).subtracting(moments).filter { Double($0) < Date().timeIntervalSince1970 * 1000 - 5000 }
            #expect(own.isEmpty, "\(machines[index].name) changed pages at moments the others did not: \(own.sorted())")
        }
        spreads.sort()
        let worst = spreads.last ?? 0, p99 = spreads.isEmpty ? 0 : spreads[min(spreads.count - 1, spreads.count * 99 / 100)]
        let median = spreads.isEmpty ? 0 : spreads[spreads.count / 2]
        print(String(format: "fleet: %d page changes on three machines; spread between them: median %.1f ms, p99 %.1f ms, "
                     + "largest %.1f ms", moments.count, median, p99, worst))
        // One frame (40 ms, 25 frames a second) is what a visitor could tell apart.
        #expect(worst <= 40, "the largest page-change difference was \(worst) ms")

        // And an hour ahead, as each running daemon's program has it: the same 3,600 changes on all three.
        var minute = time(nil) / 60 * 60 + 60
        var parts = tm()
        gmtime_r(&minute, &parts)
        var text = [CChar](repeating: 0, count: 32)
        let length = strftime(&text, text.count, "%Y-%m-%dT%H:%M", &parts)
        let at = String(decoding: text[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let hours = [first, second, third].map {
            request($0.port, "/api/schedule?screen=logbook&at=\(at)&for=1h", host: $0.address)
        }
        let changesInTheHour = hours[0].components(separatedBy: "\"from\"").count - 1
        #expect(changesInTheHour >= 3600, "\(changesInTheHour) changes in the hour from \(at): \(hours[0].prefix(300))")
        #expect(hours[1] == hours[0] && hours[2] == hours[0], "the three machines' next hour differs")
        print("fleet: the hour from \(at) as each daemon's program has it: \(changesInTheHour) changes, the same on all three")

        // The broken sign on gallery-3: the alert fires (after its minute), and clears once the technician mends
        // the configuration.
        let thirdInstance = "\(third.address):\(third.port)"
        #expect(await eventually(timeout: .seconds(60)) { firing(prometheusPort, "VitrineScreenFailed", instance: thirdInstance) },
                "alerts: \(alerts(prometheusPort))")
        #expect(!alerts(prometheusPort).contains { alert in
            (alert["labels"] as? [String: String])?["instance"] != thirdInstance && alert["state"] as? String == "firing"
        }, "only gallery-3 is alerted for: \(alerts(prometheusPort))")

        // The skewed clock, named against its peers'; the others in step; one content across the fleet.
        let skews = Dictionary(query(prometheusPort, "vitrine:clock_skew_seconds").compactMap { sample -> (String, Double)? in
            guard let instance = (sample["metric"] as? [String: String])?["instance"], let v = value(sample) else { return nil }
            return (instance, v)
        }) { a, _ in a }
        #expect(skews["\(skewed.address):\(skewed.port)"].map { $0 < -20 } == true, "skews: \(skews)")
        for machine in [first, second, third] {
            #expect(skews["\(machine.address):\(machine.port)"].map { abs($0) < 1 } == true, "skews: \(skews)")
        }
        #expect(query(prometheusPort, "vitrine:content_versions").compactMap(value) == [1])

        try third.writeConfig(content: venue.contentPath, logger: logger,
                              signCommand: "python3, \(logger), \(third.folder.appendingPathComponent("sign.log").path)")
        #expect(await eventually(timeout: .seconds(30)) { !firing(prometheusPort, "VitrineScreenFailed", instance: thirdInstance) },
                "alerts: \(alerts(prometheusPort))")
        #expect(request(third.port, "/healthz", host: third.address).hasPrefix("ok"))

        // Every series the dashboard draws is one the daemons export or the rules record.
        // (The third machine's restarted sign adds the output restarts' counter.)
        let exported = [first, third].map { request($0.port, "/metrics", host: $0.address) }.joined()
        let dashboard = try String(contentsOfFile: Self.prometheusFolder + "/grafana-dashboard.json", encoding: .utf8)
        let recorded = try String(contentsOfFile: rules, encoding: .utf8)
        let names = Set(dashboard.matches(of: /vitrine[_:][a-z_]+/).map { String($0.output) })
        #expect(names.count >= 8)
        for name in names {
            #expect(exported.contains("\n\(name)") || recorded.contains("record: \(name)"), "\(name) is neither exported nor recorded")
        }
    }

    @Test func theRulesPassPromtool() throws {
        let check = try run("/usr/bin/promtool", ["check", "config", Self.prometheusFolder + "/prometheus.yml"])
        #expect(check.status == 0, "\(check.output)")
        let tests = try run("/usr/bin/promtool", ["test", "rules", Self.prometheusFolder + "/vitrine.rules.test.yml"])
        #expect(tests.status == 0, "\(tests.output)")
        #expect(tests.output.contains("SUCCESS"))
    }

    @Test func theAnsiblePlaybookIsValid() throws {
        let playbook = Self.root.appendingPathComponent("deploy/ansible/vitrine-content.yml").path
        let inventory = Self.root.appendingPathComponent("deploy/ansible/inventory.ini").path
        let check = try run("/usr/bin/ansible-playbook", ["--syntax-check", "-i", inventory, playbook])
        #expect(check.status == 0, "\(check.output)")
    }

    func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try runProgram(program, arguments, in: Self.root)
    }
}
