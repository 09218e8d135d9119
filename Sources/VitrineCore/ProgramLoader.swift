import Foundation
import VitrineModel
import VitrinePluginAPI

/// Reads the configuration file and its content folder into a `Program`, or the reasons it cannot.
public struct ProgramLoader: Sendable {
    public var configurationLoader: ConfigurationLoader
    public var measurer: MeasurerProvider

    public init(outputTypes: [String], systemTimeZone: String? = nil, measurer: @escaping MeasurerProvider) {
        self.configurationLoader = systemTimeZone.map { ConfigurationLoader(outputTypes: outputTypes, systemTimeZone: $0) }
            ?? ConfigurationLoader(outputTypes: outputTypes)
        self.measurer = measurer
    }

    public struct Outcome: Sendable {
        /// Nil when the configuration has errors. Broken exhibits are reported but do not stop a program:
        /// they are left out and the rest is shown.
        public var program: Program?
        public var screenOptions: [String: ScreenOptions]
        public var diagnostics: [Diagnostic]
        /// True when `vitrine check` should fail: any error, in the configuration or in an exhibit.
        public var hasErrors: Bool { diagnostics.hasErrors }
    }

    public func load(path: String) -> Outcome {
        let loaded = configurationLoader.load(path: path)
        var diagnostics = loaded.diagnostics
        // Content is read even when the configuration has errors, so one run reports everything.
        let folder = loaded.configuration?.contentFolder
            ?? URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("exhibits").path
        var content = ExhibitLoader.Result(exhibits: [:], rejected: [], diagnostics: [])
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue {
            content = ExhibitLoader().loadFolder(folder)
            diagnostics += content.diagnostics
        } else if loaded.configuration != nil {
            diagnostics.append(Diagnostic(.error, file: path,
                "no content folder at \(folder) (set 'content:' to the folder that holds the exhibits)"))
        }
        var referencesOK = true
        for reference in loaded.exhibitReferences where content.exhibits[reference.id] == nil {
            if content.rejected.contains(reference.id) {
                diagnostics.append(Diagnostic(.warning, file: path, line: reference.line, column: reference.column,
                    "\(reference.keyPath): exhibit '\(reference.id)' is left out because it has errors"))
            } else {
                referencesOK = false
                let known = content.exhibits.keys.map(\.rawValue) + content.rejected.map(\.rawValue)
                diagnostics.append(Diagnostic(.error, file: path, line: reference.line, column: reference.column,
                    "\(reference.keyPath): no exhibit '\(reference.id)' in \(folder)"
                        + didYouMean(reference.id.rawValue, known)))
            }
        }
        guard let configuration = loaded.configuration, referencesOK else {
            return Outcome(program: nil, screenOptions: loaded.screenOptions, diagnostics: diagnostics)
        }
        return Outcome(
            program: Program(configuration: configuration, exhibits: content.exhibits, measurer: measurer),
            screenOptions: loaded.screenOptions, diagnostics: diagnostics
        )
    }
}
