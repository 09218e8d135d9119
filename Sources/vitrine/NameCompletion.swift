import ArgumentParser
import Foundation
import VitrineCore
import VitrineModel

/// Shell completion of the names a technician types: screens from the configuration and exhibits from its content
/// folder, for the configuration the command line names (`--config`, else the installed one). Reads the
/// configuration only (not the exhibits), so a tab press stays quick on a large collection; a file that cannot be
/// read completes nothing.
enum NameCompletion {
    static let screens = CompletionKind.custom { words, _, prefix in
        guard let configuration = configuration(named: words) else { return [] }
        return matching(configuration.screens.map(\.name), prefix)
    }

    static let exhibits = CompletionKind.custom { words, _, prefix in
        guard let configuration = configuration(named: words) else { return [] }
        let folder = configuration.contentFolder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return matching(names.filter { name in
            var isFolder: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder)
                && isFolder.boolValue
        }, prefix)
    }

    private static func matching(_ names: [String], _ prefix: String) -> [String] {
        names.filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// The configuration `--config PATH` or `--config=PATH` names in the words typed so far.
    private static func configuration(named words: [String]) -> Configuration? {
        var path = ConfigOption.installed
        for (index, word) in words.enumerated() {
            if word == "--config", index + 1 < words.count { path = words[index + 1] }
            if word.hasPrefix("--config=") { path = String(word.dropFirst("--config=".count)) }
        }
        let registry = Outputs.registry
        return ConfigurationLoader(outputTypes: registry.types, browserTypes: registry.browserTypes)
            .load(path: (path as NSString).expandingTildeInPath).configuration
    }
}
