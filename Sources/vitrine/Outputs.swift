import BuiltinOutputs
import VitrineCore
import VitrinePluginAPI

/// The output plugins this build knows: the registry is a value built here, not a global table.
enum Outputs {
    static let registry = OutputRegistry(BuiltinOutputs.all)

    static func loader() -> ProgramLoader { ProgramLoader(registry: registry) }
}
