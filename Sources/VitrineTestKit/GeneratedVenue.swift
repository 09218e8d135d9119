import Foundation

/// Generated content for size tests: exhibits with a testimony, paragraphs and an image each (as
/// `bench/generated-venue.sh` writes them for the benchmarks).
public enum GeneratedVenue {
    public static func config(exhibits: Int) -> String {
        var yaml = """
            timezone: Europe/Paris
            themes:
              paper: { background: "#FFFFFF", text: "#111111" }
            playlists:
              main:

            """
        for i in 0..<exhibits { yaml += "    - exhibit-\(i)\n" }
        yaml += "screens:\n  hall:\n    output: terminal\n    playlist: main\n"
        return yaml
    }

    /// `paragraphs`: how many times exhibit N repeats its paragraph of prose (pages of several lengths).
    public static func writeExhibits(count: Int, into venue: TemporaryVenue, paragraphs: (Int) -> Int = { _ in 1 })
        throws
    {
        let png = samplePNG(width: 800, height: 600)
        for i in 0..<count {
            try venue.addExhibit("exhibit-\(i)", """
                ---
                series: Generated
                title: Exhibit number \(i)
                summary: A generated exhibit used to measure how fast a large content folder is checked.
                testimony:
                  quote: "We counted the days by the bread, and the bread by the days."
                  speaker: Witness \(i)
                  role: net-mender
                  context: recorded for the size test
                images:
                  - file: photo.png
                    alt: A generated grey picture.
                    caption: Picture \(i).
                ---
                ## Section

                \(String(repeating: "Words that fill a paragraph of ordinary length for a gallery panel. ",
                                 count: 8 * paragraphs(i)))

                ![A generated grey picture](photo.png)
                """, files: ["photo.png": png])
        }
    }
}
