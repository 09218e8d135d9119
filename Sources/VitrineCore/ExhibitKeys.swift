import VitrineModel
import VitrinePluginAPI

/// The keys of an exhibit's front matter, declared once: `ExhibitLoader` reads them, docs/exhibits.md prints them.
public enum ExhibitKeys {
    static let title = Key("title", .text, otherwise: "the body's first `# Heading`",
        "The title. If missing, the body's first `# Heading` is the title. One of the two is required.")
    static let series = Key("series", .text,
        "The series the exhibit belongs to: shown alone above the title on the first page; later pages carry "
        + "\"Days and Lives :: Solidarity\" as their running head.")
    static let summary = Key("summary", .text,
        "A summary paragraph, set apart from body text, shown after the testimony.")
    static let testimony = Key("testimony", .written("a testimony or a list of them"),
        "Quoted words: `quote` (required; Markdown), `speaker`, `role`, `context` (when and where it was said). One "
        + "testimony, or a list of them. Shown first, right under the title.")
    static let images = Key("images", .written("list of images"),
        "A list of images: `file` (required), `alt` (describe it for visitors who cannot see it), `caption`, `credit`.")
    static let media = Key("media", .written("list of recordings"),
        "A list of audio or film: `audio: FILE` or `film: FILE`, `title`, `transcript` (text, Markdown) and/or "
        + "`transcript-file` (a text file beside it), `captions` (a WebVTT file), `credit`.")
    static let accession = Key("accession", .text, "Accession number; shown with the credit line at the end.")
    static let credit = Key("credit", .text, "Credit line (\"Lent by …\", \"Gift of …\"); shown at the end.")
    static let validFrom = Key("valid-from", .date,
        "A loan's first day (`YYYY-MM-DD`, venue time). Before it the exhibit is left out of every playlist.")
    static let validUntil = Key("valid-until", .date,
        "A loan's last day. After it the exhibit is withdrawn from every playlist automatically, at midnight.")
    static let pageDuration = Key("page-duration", ConfigurationKeys.pageDuration,
                                     otherwise: "`pages:` in the configuration",
        "How long each page stays up: `auto` (reading time) or a duration such as `20s`. A playlist item's "
        + "`duration` overrides it.")
    static let language = Key("language", ConfigurationKeys.languageTag,
        "The language the exhibit is written in (`en`, `ru`, `ar`, `zh-Hans`): its hyphenation, script and direction "
        + "on pixel screens, and what screens with `languages:` choose by. Translations sit beside it as "
        + "`exhibit.LANG.md` (`exhibit.ru.md`), each a whole exhibit file in that language.")
    public static let frontMatter = [title.spec, series.spec, summary.spec, testimony.spec, images.spec, media.spec,
                                     accession.spec, credit.spec, validFrom.spec, validUntil.spec, pageDuration.spec,
                                     language.spec]

    static let quote = Key("quote", .text, required: true, "The words quoted (Markdown).")
    static let speaker = Key("speaker", .text, otherwise: "unattributed (a warning)", "Who said them.")
    static let role = Key("role", .text, "The speaker's role (\"net-mender\", \"curator\").")
    static let context = Key("context", .text, "When and where it was said.")
    public static let testimonyKeys = [quote.spec, speaker.spec, role.spec, context.spec]

    static let file = Key("file", .text(kind: "file in the exhibit folder"), required: true,
                             "A PNG or JPEG file in the exhibit's folder, at most 50 megapixels; shown upright as a "
                             + "photograph's EXIF orientation says.")
    static let alt = Key("alt", .text, otherwise: "none (a warning)",
                            "What the image shows, for visitors who cannot see it.")
    static let caption = Key("caption", .text, "Shown under the image.")
    static let imageCredit = Key("credit", .text, "The image's credit line.")
    public static let imageKeys = [file.spec, alt.spec, caption.spec, imageCredit.spec]

    static let audio = Key("audio", .text(kind: "file in the exhibit folder"), "A sound recording (or `film`).")
    static let film = Key("film", .text(kind: "file in the exhibit folder"), "A film (or `audio`).")
    static let recordingTitle = Key("title", .text, "The recording's title.")
    static let transcript = Key("transcript", .text, "The full transcript, Markdown.")
    static let transcriptFile = Key("transcript-file", .text(kind: "file in the exhibit folder"),
                                       "A UTF-8 text file holding the transcript, read as Markdown: paragraphs "
                                       + "separated by a blank line (added after `transcript`; at most 1 MiB).")
    static let captions = Key("captions", .text(kind: "file in the exhibit folder"),
                                 "A WebVTT file of captions (it starts with `WEBVTT`).")
    static let recordingCredit = Key("credit", .text, "The recording's credit line.")
    public static let mediaKeys = [audio.spec, film.spec, recordingTitle.spec, transcript.spec, transcriptFile.spec,
                                   captions.spec, recordingCredit.spec]

    public static let tables: [(name: String, keys: [OptionSpec])] = [
        ("front-matter", frontMatter), ("testimony", testimonyKeys), ("images", imageKeys), ("media", mediaKeys),
    ]
}
