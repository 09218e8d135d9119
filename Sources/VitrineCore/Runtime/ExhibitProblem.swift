import Foundation
import VitrineModel

/// An exhibit whose files have errors, as every place that reports the program names it (STATUS, `/api/status`,
/// the dashboard, the answer to `POST /api/reload`) until the files are fixed: an edit that breaks an exhibit
/// must not look like a reload that went well.
public struct ExhibitProblem: Sendable, Hashable {
    public enum Shown: String, Sendable {
        /// The version read before the errors is shown (a reload found them).
        case lastGoodVersion = "last good version shown"
        /// No good version was ever read: what could be read is shown.
        case asFarAsRead = "shown as far as it could be read"
        /// Nothing could be read: the exhibit is not shown.
        case leftOut = "left out"
    }

    public var exhibit: ExhibitID
    public var shown: Shown
    /// Its most actionable error, with file:line:column.
    public var error: Diagnostic

    /// "exhibit 'solidarity': last good version shown, first error at solidarity/exhibit.md:3:8" (the file within
    /// `contentFolder`), for STATUS.
    func briefly(in contentFolder: String) -> String {
        "exhibit '\(exhibit)': \(shown.rawValue), first error at \(error.place(within: contentFolder))"
    }

    /// The exhibits with errors in `outcome`, and what is shown of each; `earlier` is the program that ran before
    /// a reload (and what was reported of it), nil at start-up.
    static func found(in outcome: ProgramLoader.Outcome, shown program: Program,
                      earlier: (program: Program, problems: [ExhibitProblem])?) -> [ExhibitProblem]
    {
        outcome.exhibitProblems.keys.sorted { $0.rawValue < $1.rawValue }.map { id in
            let shown: Shown
            if let earlier, earlier.program.exhibits[id] != nil {
                // Kept: still as it was reported before, or the good version it was.
                shown = earlier.problems.first { $0.exhibit == id }?.shown ?? .lastGoodVersion
            } else {
                shown = program.exhibits[id] == nil ? .leftOut : .asFarAsRead
            }
            return ExhibitProblem(exhibit: id, shown: shown, error: outcome.exhibitProblems[id]!)
        }
    }
}
