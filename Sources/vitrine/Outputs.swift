import ExecOutput
import FramebufferOutput
import HTTPOutput
import TerminalOutput
import VitrineCore
import VitrinePluginAPI

/// The output plugins this build knows: the registry is a value built here, not a global table.
enum Outputs {
    static let registry = OutputRegistry([TerminalOutput.self, FramebufferOutput.self, HTTPOutput.self, ExecOutput.self])

    static func loader() -> ProgramLoader { ProgramLoader(registry: registry) }
}
