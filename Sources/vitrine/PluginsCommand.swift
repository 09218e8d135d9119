import ArgumentParser
import VitrinePluginAPI

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the output types screens can use, with their options."
    )

    func run() throws {
        for plugin in Outputs.registry.plugins {
            print("\(plugin.type) — \(plugin.summary)")
            // The declarations' Markdown, as plain text.
            func plain(_ text: String) -> String { text.replacingOccurrences(of: "`", with: "") }
            func show(_ options: [OptionSpec], indent: String) {
                for option in options {
                    var line = "\(indent)\(option.name): \(option.kind)"
                    if let value = option.defaultText { line += " (default: \(plain(value)))" }
                    print(line)
                    print("\(indent)    \(plain(option.summary))")
                    show(option.children, indent: indent + "  ")
                }
            }
            show(plugin.options, indent: "  ")
        }
    }
}
