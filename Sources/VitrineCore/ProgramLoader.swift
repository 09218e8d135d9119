import Foundation
import VitrineModel
import VitrinePluginAPI

/// Reads the configuration file and its content folder into a `Program`, or the reasons it cannot.
public struct ProgramLoader: Sendable {
    public var configurationLoader: ConfigurationLoader
    public var registry: OutputRegistry
    /// Kept by the daemon across reloads: unchanged exhibits are not read again.
    public var exhibitCache: ExhibitCache?
    /// Kept by the daemon across reloads (and on disk across restarts): pages of unchanged exhibits are not laid out
    /// again.
    public var pageBook: PageBook?

    public init(registry: OutputRegistry, systemTimeZone: String? = nil, exhibitCache: ExhibitCache? = nil,
                pageBook: PageBook? = nil) {
        self.exhibitCache = exhibitCache
        self.pageBook = pageBook
        self.configurationLoader = systemTimeZone.map {
            ConfigurationLoader(outputTypes: registry.types, browserTypes: registry.browserTypes, systemTimeZone: $0)
        } ?? ConfigurationLoader(outputTypes: registry.types, browserTypes: registry.browserTypes)
        self.registry = registry
    }

    public struct Outcome: Sendable {
        /// Nil when the configuration has errors. Broken exhibits are reported but do not stop a program:
        /// they are left out and the rest is shown.
        public var program: Program?
        public var screenOptions: [String: ScreenOptions]
        /// Each screen's output, built from its options (validated, no device touched).
        public var outputs: [String: any OutputPlugin]
        public var diagnostics: [Diagnostic]
        /// Each exhibit with errors (left out, or read in part) and its most actionable error.
        public var exhibitProblems: [ExhibitID: Diagnostic] = [:]
        /// True when `vitrine check` should fail: any error, in the configuration or in an exhibit.
        public var hasErrors: Bool { diagnostics.hasErrors }
    }

    public func load(path: String) -> Outcome {
        var reader = configurationLoader
        reader.memo = exhibitCache?.configuration
        let loaded = reader.load(path: path)
        var diagnostics = loaded.diagnostics
        // Content is read even when the configuration has errors, so one run reports everything.
        let folder = loaded.configuration?.contentFolder
            ?? URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("exhibits").path
        var content = ExhibitLoader.Result(exhibits: [:], rejected: [], diagnostics: [])
        var isDirectory: ObjCBool = false
        let folderExists = FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory)
            && isDirectory.boolValue
        if folderExists {
            content = ExhibitLoader(cache: exhibitCache).loadFolder(folder)
            diagnostics += content.diagnostics
        } else if loaded.configuration != nil {
            diagnostics.append(Diagnostic(.error, file: path,
                "no content folder at \(folder) (set 'content:' to the folder that holds the exhibits)"))
        }
        var referencesOK = folderExists
        // The same file, and no exhibit came, went or was left out since a read where every name was found: they
        // still are (a watched reload at 10,000 exhibits otherwise looks up every name of every playlist).
        let memo = exhibitCache?.configuration
        let stillResolved = loaded.remembered && content.version.map { version in
            version.sameNames && version.patchedFrom.map { memo?.referencesResolved(in: $0) ?? false } ?? false
        } ?? false
        let before = diagnostics.count
        // Without a content folder (already reported) every reference would fail too: one error says it all.
        for reference in loaded.exhibitReferences
            where folderExists && !stillResolved && content.exhibits[reference.id] == nil
        {
            if content.rejected.contains(reference.id) {
                diagnostics.append(Diagnostic(.warning, file: path, line: reference.line, column: reference.column,
                    "\(reference.keyPath): exhibit '\(reference.id)' is left out because it has errors",
                    about: reference.id))
            } else {
                referencesOK = false
                let known = content.exhibits.keys.map(\.rawValue) + content.rejected.map(\.rawValue)
                diagnostics.append(Diagnostic(.error, file: path, line: reference.line, column: reference.column,
                    "\(reference.keyPath): no exhibit '\(reference.id)' in \(folder)"
                        + didYouMean(reference.id.rawValue, known)))
            }
        }
        if loaded.remembered {
            memo?.resolvedReferences(in: referencesOK && diagnostics.count == before ? content.version?.number : nil)
        }
        // Each output checks its own options; `init` touches no device.
        var outputs: [String: any OutputPlugin] = [:]
        for (screen, type) in loaded.screenOutputs {
            let options = loaded.screenOptions[screen]?.entries ?? []
            switch registry.make(type: type, screen: screen, options: options) {
            case let .success(output): outputs[screen] = output
            case let .failure(errors):
                diagnostics += errors.problems.map {
                    Diagnostic(.error, file: path, line: $0.line, column: $0.column, $0.message)
                }
            }
        }
        // Two screens cannot hold one device.
        var holders: [String: String] = [:]
        for (screen, _) in loaded.screenOutputs {
            for claim in outputs[screen]?.claims ?? [] {
                if let other = holders[claim] {
                    let place = loaded.screenOptions[screen]
                    diagnostics.append(Diagnostic(.error, file: path, line: place?.line, column: place?.column,
                        "screens.\(screen): \(claim) is already used by screen '\(other)'"))
                    referencesOK = false
                } else {
                    holders[claim] = screen
                }
            }
        }
        guard let configuration = loaded.configuration, referencesOK, outputs.count == configuration.screens.count
        else {
            return Outcome(program: nil, screenOptions: loaded.screenOptions, outputs: outputs, diagnostics: diagnostics,
                           exhibitProblems: content.problems)
        }
        let surfaces = outputs.mapValues(\.initialSurface)
        var program = Program(configuration: configuration, exhibits: content.exhibits,
                              book: pageBook ?? PageBook()) { screen in
            surfaces[screen.name] ?? .cells(columns: 80, rows: 24)
        }
        program.contentVersion = content.version
        return Outcome(program: program, screenOptions: loaded.screenOptions, outputs: outputs, diagnostics: diagnostics,
                       exhibitProblems: content.problems)
    }
}
