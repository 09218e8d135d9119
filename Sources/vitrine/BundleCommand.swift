import ArgumentParser
import Foundation
import VitrineBundle
import VitrineCore

/// `vitrine bundle …`: content carried to many machines as one signed file (docs/fleet.md).
struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Make, check, install and roll back signed content bundles (a configuration with its content).",
        subcommands: [Key.self, Create.self, Verify.self, Install.self, Rollback.self, Watch.self, List.self]
    )

    struct Shelf: ParsableArguments {
        @Option(name: .long, help: "Where installed bundles are kept; the daemon runs --config FOLDER/current/vitrine.yaml.")
        var bundles = "/var/lib/vitrine/bundles"

        var shelf: BundleShelf { BundleShelf(folder: bundles) }
    }

    struct Trust: ParsableArguments {
        @Option(name: .long, help: "The public keys bundles must be signed with (`vitrine bundle key` writes one).")
        var trustedKeys = "/etc/vitrine/trusted-keys"

        func keys() throws -> [BundleKey] { try BundleKey.read(trustedKeys, kind: .public) }
    }

    struct Key: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a signing key pair: the secret key signs bundles, the public key is what machines trust.")

        @Option(name: .long, help: "The secret key file to write (readable by its owner only).")
        var secret: String

        @Option(name: .long, help: "The public key file to write (copy it to each machine's trusted keys).")
        var `public`: String

        func run() throws { try BundleCommand.refusing { try work() } }

        func work() throws {
            let key = try BundleKey.generate()
            try key.write(to: secret)
            try key.publicKey.write(to: `public`)
            print("key \(key.id): secret in \(secret), public in \(`public`)")
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pack the configuration and its content folder into one signed bundle (checked first).")

        @OptionGroup var options: ConfigOption

        @Option(name: .long, help: "The secret key to sign with.")
        var key: String

        @Option(name: .shortAndLong, help: "The bundle file to write (name it NAME.bundle).")
        var output: String

        @Option(name: .long, help: "A name for the bundle, shown by `vitrine bundle list` (e.g. \"spring hang\").")
        var name = ""

        func run() throws { try BundleCommand.refusing { try work() } }

        func work() throws {
            let secret = try BundleKey.read(key, kind: .secret)[0]
            // An invalid configuration is refused here, at the desk, not on forty machines.
            let outcome = Outputs.loader().load(path: options.config)
            var standardError = StandardError()
            guard let program = outcome.program, !outcome.hasErrors else {
                for diagnostic in outcome.diagnostics.errors { print(diagnostic, to: &standardError) }
                print("\(options.config): not valid, no bundle made (see `vitrine check`)", to: &standardError)
                throw ExitCode(1)
            }
            let header = try ContentBundle.create(configuration: options.config,
                                                  contentFolder: program.configuration.contentFolder,
                                                  key: secret, name: name, output: output)
            print("\(output): bundle \(header.id), \(program.exhibits.count) exhibits, \(header.payload) bytes, "
                + "signed with key \(header.key)")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a bundle's signature against the trusted keys.")

        @Argument(help: "The bundle file.")
        var file: String

        @OptionGroup var trust: Trust

        func run() throws { try BundleCommand.refusing { try work() } }

        func work() throws {
            let header = try ContentBundle.verify(file, trusting: try trust.keys())
            print("\(file): bundle \(header.id)\(header.name.isEmpty ? "" : " (\(header.name))"), made \(header.created), "
                + "signed with key \(header.key): ok")
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a bundle, unpack and check it, and make it current at once (the daemon reloads once).")

        @Argument(help: "The bundle file.")
        var file: String

        @OptionGroup var trust: Trust
        @OptionGroup var shelf: Shelf

        func run() throws { try BundleCommand.refusing { try work() } }

        func work() throws {
            switch try shelf.shelf.install(file, trusting: try trust.keys(), check: BundleCommand.errors) {
            case let .installed(release, previous):
                print("\(file): bundle \(release.id) installed in \(shelf.bundles)"
                    + (previous.map { "; previous \($0) kept for `vitrine bundle rollback`" } ?? ""))
            case let .alreadyCurrent(release):
                print("\(file): bundle \(release.id) is already the current one; nothing changed")
            }
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the previous bundle current again (a second rollback undoes the first).")

        @OptionGroup var shelf: Shelf

        func run() throws { try BundleCommand.refusing { try work() } }

        func work() throws {
            let (from, to) = try shelf.shelf.rollback()
            print("\(shelf.bundles): bundle \(to) is current again (was \(from))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the current and previous bundles.")

        @OptionGroup var shelf: Shelf

        func run() throws {
            let (current, previous) = shelf.shelf.installed()
            for (role, id) in [("current", current), ("previous", previous)] {
                guard let id else {
                    print("\(role): none")
                    continue
                }
                let header = shelf.shelf.release(id)?.header ?? [:]
                let name = header["name"].flatMap { $0.isEmpty ? nil : " (\($0))" } ?? ""
                print("\(role): \(id)\(name), made \(header["created"] ?? "?"), signed with key \(header["key"] ?? "?")")
            }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install each *.bundle that arrives in a folder (a USB stick's mount point, an rsync target).")

        @Argument(help: "The folder to watch.")
        var inbox: String

        @OptionGroup var trust: Trust
        @OptionGroup var shelf: Shelf

        func run() async throws {
            let keys = try BundleCommand.refusing { try trust.keys() }
            let inbox = BundleInbox(folder: inbox, shelf: shelf.shelf, keys: keys)
            // Unbuffered: under systemd each line reaches the journal as it happens.
            @Sendable func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
            say("Watching \(inbox.folder) for bundles signed with \(inbox.keys.map(\.id).joined(separator: ", ")).")
            await inbox.run(check: BundleCommand.errors) { event in
                switch event {
                case let .installed(file, release, previous):
                    say("\(file): bundle \(release.id) installed" + (previous.map { " (previous \($0))" } ?? ""))
                case let .alreadyHere(file, id): say("\(file): bundle \(id) is on this machine already; passed over")
                case let .refused(_, reason):
                    var standardError = StandardError()
                    print(reason, to: &standardError)
                }
            }
        }
    }

    /// A bundle or key refused: its reason on standard error and exit status 1 (2 stays a mistake in the command).
    static func refusing<T>(_ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let error as BundleError {
            var standardError = StandardError()
            print("vitrine bundle: \(error)", to: &standardError)
            throw ExitCode(1)
        }
    }

    /// The errors `vitrine check` would give for a configuration: a bundle with any is not installed.
    static func errors(_ configuration: String) -> [String] {
        Outputs.loader().load(path: configuration).diagnostics.errors.map { "\($0)" }
    }
}
