import ArgumentParser

struct VitrineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vitrine",
        abstract: "Runs the screens of a museum or gallery.",
        subcommands: [
            RunCommand.self, Check.self, ScheduleCommand.self, PagesCommand.self, RenderCommand.self, PluginsCommand.self,
        ]
    )
}

struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The configuration file.")
    var config: String = "/etc/vitrine/vitrine.yaml"
}
