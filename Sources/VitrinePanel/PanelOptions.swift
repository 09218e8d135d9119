import VitrinePluginAPI

/// The options every pixel panel output has, declared once (the docs' tables are these declarations).
public enum PanelOptions {
    /// The console the screen is shown on; `otherwise` says what each output does without it.
    public static func tty(otherwise: String) -> Key<String> {
        Key("tty", .text(kind: "absolute path or none", show: { $0 }) { text, node, path, reader in
            guard text == "none" || text.hasPrefix("/") else {
                reader.error("\(path): expected a console such as /dev/tty7, or none, found '\(text)'", at: node)
                return nil
            }
            return text
        }, otherwise: otherwise,
            "The virtual terminal the screen is shown on (Ctrl-Alt-F7 for tty7): made the active one and kept in "
            + "graphics mode so no text draws over the picture; `/dev/tty0`: the one active at start; `none`: leave "
            + "consoles alone (a panel no console is shown on).")
    }

    public static let pageCache = DefaultedKey("page-cache", .number(0...4096), default: 16,
        "Megabytes for painted pages kept compressed (LZ4), so a page shown again is not painted again; `0` paints "
        + "every page afresh.")

    public static let audio = Key("audio", .text(kind: "audio device"), otherwise: "none: films play silent",
        "Where the sound of films and recordings goes: a device as libmpv names it (`auto`, `pulse`, `pipewire`, "
        + "`alsa/plughw:CARD=PCH,DEV=0`; `mpv --audio-device=help` lists them), or `file:PATH` to write it to a WAV "
        + "file.")

    /// The console an output's `tty` option asks for.
    public static func console(_ option: String?) -> ConsoleChoice {
        switch option {
        case nil: .automatic
        case "none": ConsoleChoice.none
        case let path?: .terminal(path)
        }
    }
}
