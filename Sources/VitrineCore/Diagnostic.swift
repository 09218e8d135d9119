import VitrineModel
import VitrinePluginAPI

/// One problem found in a file, located so an editor can jump to it (gcc style).
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable {
        case error
        case warning
    }
    public var severity: Severity
    public var file: String
    /// 1-based; nil when the problem is with the file as a whole.
    public var line: Int?
    public var column: Int?
    public var message: String
    /// The exhibit a diagnostic written outside it is about (a playlist naming an exhibit left out for errors):
    /// the daemon does not repeat it when it shows an older version of that exhibit instead.
    public var exhibit: ExhibitID?

    public init(_ severity: Severity, file: String, line: Int? = nil, column: Int? = nil, _ message: String,
                about exhibit: ExhibitID? = nil) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.exhibit = exhibit
    }

    /// `PATH:LINE:COLUMN: error: MESSAGE`
    public var description: String { "\(place()): \(severity.rawValue): \(message)" }

    /// `PATH:LINE:COLUMN: MESSAGE`, without the severity.
    public var placeAndMessage: String { "\(place()): \(message)" }

    /// `PATH:LINE:COLUMN` (as far as known), the path within `folder` when it lies there.
    public func place(within folder: String? = nil) -> String {
        var place = folder.map { file.hasPrefix($0 + "/") ? String(file.dropFirst($0.count + 1)) : file } ?? file
        if let line {
            place += ":\(line)"
            if let column { place += ":\(column)" }
        }
        return place
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
    public var errors: [Diagnostic] { filter { $0.severity == .error } }

    /// The errors, the one that most likely says how to fix the file first (where only one fits, in STATUS): a
    /// suggestion ("did you mean 'playlist'?") before an unknown name before the rest, and "missing required key"
    /// last — a misspelt key makes both, and the suggestion is the fix.
    public var errorsMostActionableFirst: [Diagnostic] {
        func rank(_ diagnostic: Diagnostic) -> Int {
            let message = diagnostic.message
            if message.contains("did you mean") { return 0 }
            if message.contains("unknown") { return 1 }
            if message.contains("missing required") { return 3 }
            return 2
        }
        return errors.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }
    public var warnings: [Diagnostic] { filter { $0.severity == .warning } }
}

/// Collects diagnostics while one file is read, so every problem is reported, not just the first.
final class DiagnosticLog {
    let file: String
    /// Added to every line, for YAML embedded in a larger file (an exhibit's front matter).
    let lineOffset: Int
    private(set) var items: [Diagnostic] = []

    init(file: String, lineOffset: Int = 0) {
        self.file = file
        self.lineOffset = lineOffset
    }

    func error(_ message: String, line: Int? = nil, column: Int? = nil) {
        items.append(Diagnostic(.error, file: file, line: line.map { $0 + lineOffset }, column: column, message))
    }

    func warning(_ message: String, line: Int? = nil, column: Int? = nil) {
        items.append(Diagnostic(.warning, file: file, line: line.map { $0 + lineOffset }, column: column, message))
    }

    func append(contentsOf other: [Diagnostic]) { items.append(contentsOf: other) }

    /// What the strict reader found, located in this file.
    func append(_ problems: [OptionProblem]) {
        for problem in problems {
            if problem.isWarning {
                warning(problem.message, line: problem.line, column: problem.column)
            } else {
                error(problem.message, line: problem.line, column: problem.column)
            }
        }
    }
}

public func didYouMean(_ word: String, _ candidates: some Sequence<String>) -> String {
    if let match = nearestName(to: word, in: candidates) { return "; did you mean '\(match)'?" }
    return ""
}
