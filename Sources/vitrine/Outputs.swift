import VitrineCore
import VitrineModel
import VitrinePluginAPI

/// The output types screens may name. The plugin registry (built here in `main`, from the plugins' types) replaces
/// this list once the outputs exist; until then screens are paginated for an 80x24 terminal.
enum Outputs {
    static let types = ["terminal", "framebuffer", "http"]

    static let measurer: MeasurerProvider = { _, _ in CellMeasurer(columns: 80, rows: 24) }

    static func loader() -> ProgramLoader {
        ProgramLoader(outputTypes: types, measurer: measurer)
    }
}
