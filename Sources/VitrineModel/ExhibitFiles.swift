/// The kinds of file an exhibit may name, by their extension: what each is and the media type it is served as.
/// One table for the loader (a file of another kind is the curator's error) and the listener (which serves each
/// file as the kind it was accepted as, never as the browser would guess: an `.svg` named as a recording would run
/// its script in the dashboard's origin).
public enum ExhibitFiles {
    public enum Kind: String, Sendable, CaseIterable {
        case image, sound, film, captions
    }

    public static let types: [String: (kind: Kind, mediaType: String)] = [
        "png": (.image, "image/png"), "jpg": (.image, "image/jpeg"), "jpeg": (.image, "image/jpeg"),
        "mp3": (.sound, "audio/mpeg"), "ogg": (.sound, "audio/ogg"), "oga": (.sound, "audio/ogg"),
        "opus": (.sound, "audio/ogg"), "wav": (.sound, "audio/wav"), "m4a": (.sound, "audio/mp4"),
        "aac": (.sound, "audio/aac"), "flac": (.sound, "audio/flac"),
        "mp4": (.film, "video/mp4"), "m4v": (.film, "video/mp4"), "mov": (.film, "video/quicktime"),
        "mkv": (.film, "video/x-matroska"), "webm": (.film, "video/webm"), "ogv": (.film, "video/ogg"),
        "vtt": (.captions, "text/vtt; charset=utf-8"),
    ]

    /// What `file` is, by its extension; nil for a kind of file no exhibit may name.
    public static func kind(of file: String) -> (kind: Kind, mediaType: String)? {
        guard let dot = file.lastIndex(of: "."), !file[dot...].contains("/") else { return nil }
        return types[String(file[file.index(after: dot)...]).lowercased()]
    }

    /// The extensions of `kinds`, for messages: ".flac, .m4a, …".
    public static func extensions(_ kinds: Set<Kind>) -> String {
        types.filter { kinds.contains($0.value.kind) }.keys.sorted().map { "." + $0 }.joined(separator: ", ")
    }
}
