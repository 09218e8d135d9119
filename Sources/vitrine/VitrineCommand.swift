import ArgumentParser

struct VitrineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vitrine",
        abstract: "Runs the screens of a museum or gallery.",
        subcommands: [Check.self, ScheduleCommand.self, PagesCommand.self]
    )
}

struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The configuration file.")
    var config: String = "/etc/vitrine/vitrine.yaml"
}
