import VitrineModel

/// How an output measures text, so the core's paginator can split exhibits into pages that fit it.
/// A terminal measures in cells, a pixel output in pixels; the paginator only adds heights up.
public protocol PageMeasurer: Sendable {
    /// Height for the flowing content on the first page, which carries the title itself.
    var firstPageHeight: Double { get }
    /// Height for the flowing content on later pages, below a running header.
    var pageHeight: Double { get }
    /// Breaks `text` into lines that fit the measure for `role`; never returns a line wider than the measure.
    func lines(of text: String, role: TextRole) -> [PageLine]
    /// The same for text in `language` (`ar`, `zh-Hans`): a measurer that shapes text by language (hyphenation
    /// patterns, the script's line breaking, right-to-left) implements this one.
    func lines(of text: String, role: TextRole, language: String?) -> [PageLine]
    /// Vertical space before a block of `role` that does not start a page.
    func spaceBefore(_ role: TextRole) -> Double
    /// Height of an image box, or `nil` when the output cannot draw images (its text stand-in is used instead).
    func imageHeight(_ image: ImageBlock) -> Double?
}

extension PageMeasurer {
    public func lines(of text: String, role: TextRole, language: String?) -> [PageLine] { lines(of: text, role: role) }
    public func spaceBefore(_ role: TextRole) -> Double { 0 }
    public func imageHeight(_ image: ImageBlock) -> Double? { nil }
}
