import ArgumentParser

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the output types screens can use, with their options."
    )

    func run() throws {
        for plugin in Outputs.registry.plugins {
            print("\(plugin.type) — \(plugin.summary)")
            for option in plugin.options {
                var line = "  \(option.name): \(option.kind)"
                if let value = option.defaultValue { line += " (default: \(value))" }
                print(line)
                print("      \(option.summary)")
            }
        }
    }
}
