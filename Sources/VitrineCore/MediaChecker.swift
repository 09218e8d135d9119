import Foundation
import VitrineModel
import VitrineMedia
import VitrinePluginAPI

/// Checks that media named by an exhibit exist inside its folder, and reads transcripts and caption files.
struct MediaChecker {
    let folder: String
    let log: DiagnosticLog
    let reader: OptionsReader

    /// The absolute path of a file named by an exhibit, or nil (with an error) when it escapes the folder or is not
    /// one of `kinds` (`ExhibitFiles`; nil: a text read here and never served, a transcript).
    func resolve(_ file: String, what: String, kinds: Set<ExhibitFiles.Kind>?, line: Int?, column: Int? = nil,
                 node: OptionNode?)
        -> String?
    {
        let components = file.split(separator: "/")
        if file.hasPrefix("/") || components.contains("..") || file.contains("://") {
            report("\(what) '\(file)' must be a file inside the exhibit folder", line: line, column: column, node: node)
            return nil
        }
        if let kinds, !(ExhibitFiles.kind(of: file).map { kinds.contains($0.kind) } ?? false) {
            report("\(what) '\(file)' is not a kind of file Vitrine shows as \(what) (accepted: "
                   + "\(ExhibitFiles.extensions(kinds)))", line: line, column: column, node: node)
            return nil
        }
        let path = (folder as NSString).appendingPathComponent(file)
        guard FileManager.default.isReadableFile(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            report("\(what) '\(file)' \(exists ? "cannot be read" : "is missing") in \(folder)"
                   + (exists ? "" : nearestName(to: file)), line: line, column: column, node: node)
            return nil
        }
        guard ContentFolder.holds(path, exhibitFolder: folder) else {
            report("\(what) '\(file)' is a link leading out of the content folder: copy the file itself into the "
                   + "exhibit's folder", line: line, column: column, node: node)
            return nil
        }
        return path
    }

    /// "; did you mean 'portrait.jpg'? (file names are case-sensitive)" when the folder holds the name in another
    /// case (a camera's `PORTRAIT.JPG`, a curator's `Portrait.jpg`), else the nearest name there, if any is near.
    func nearestName(to file: String) -> String {
        let directory = (file as NSString).deletingLastPathComponent, name = (file as NSString).lastPathComponent
        let entries = (try? FileManager.default.contentsOfDirectory(
            atPath: (folder as NSString).appendingPathComponent(directory))) ?? []
        func relative(_ entry: String) -> String { directory.isEmpty ? entry : directory + "/" + entry }
        if let sameLetters = entries.first(where: { $0.lowercased() == name.lowercased() }) {
            return "; did you mean '\(relative(sameLetters))'? (file names are case-sensitive)"
        }
        return VitrinePluginAPI.nearestName(to: name, in: entries.filter { !$0.hasPrefix(".") })
            .map { "; did you mean '\(relative($0))'?" } ?? ""
    }

    private func report(_ message: String, line: Int?, column: Int? = nil, node: OptionNode?, warning: Bool = false) {
        if let line {
            warning ? log.warning(message, line: line, column: column) : log.error(message, line: line, column: column)
        } else if warning {
            reader.warning(message, at: node)
        } else {
            reader.error(message, at: node)
        }
    }

    func image(_ image: ImageBlock, line: Int?, column: Int? = nil, node: OptionNode?) -> ImageBlock? {
        guard let path = resolve(image.file, what: "image", kinds: [.image], line: line, column: column, node: node)
        else { return nil }
        var image = image
        if let size = ImageHeader.size(ofFileAt: path) {
            guard size.width * size.height <= ImageBlock.maxMegapixels * 1_000_000 else {
                let megapixels = (Double(size.width * size.height) / 1e6).formatted(.number.precision(.fractionLength(1)))
                report("image '\(image.file)' is \(size.width) × \(size.height) pixels (\(megapixels) megapixels), more "
                       + "than the \(ImageBlock.maxMegapixels) a picture may have: scale it down (3840 pixels on its "
                       + "longer side is enough for a 4K screen)", line: line, column: column, node: node)
                return nil
            }
            image.pixelWidth = size.width
            image.pixelHeight = size.height
        } else {
            report("image '\(image.file)' is not a PNG or JPEG file that can be read", line: line, column: column, node: node)
            return nil
        }
        if image.alt?.isEmpty ?? true {
            report("image '\(image.file)' has no alt text (describe it for visitors who cannot see it)",
                   line: line, column: column, node: node, warning: true)
        }
        return image
    }

    func media(_ node: OptionNode, _ path: String) -> MediaBlock? {
        guard let f = reader.mapping(node, at: path) else { return nil }
        f.accept(ExhibitKeys.mediaKeys)
        let kind: MediaBlock.Kind
        let option: Key<String>
        switch (f.has(ExhibitKeys.audio), f.has(ExhibitKeys.film)) {
        case (true, false): (kind, option) = (.audio, ExhibitKeys.audio)
        case (false, true): (kind, option) = (.film, ExhibitKeys.film)
        default:
            f.problem("give exactly one of 'audio' or 'film'")
            return nil
        }
        guard let file = f[option] else { return nil }
        var block = MediaBlock(kind: kind, file: file)
        // Sound may come from a film's file (its picture unused); a film must be one.
        if let full = resolve(file, what: kind.rawValue, kinds: kind == .film ? [.film] : [.sound, .film], line: nil,
                              node: f.node(option.name)) {
            // Played the way a screen will play it: a file that cannot be is an error here, not a silent panel.
            switch MediaProbe.probe(full) {
            case let .success(facts):
                block.milliseconds = facts.milliseconds
                if kind == .film, !facts.hasVideo {
                    f.warning("film '\(file)' has no picture (\(facts.description)); write it as audio")
                }
            case let .failure(failure):
                f.problem(option.name, "'\(file)' \(failure)")
            }
        }
        block.title = f[ExhibitKeys.recordingTitle].map(smartened)
        block.credit = f[ExhibitKeys.recordingCredit].map(smartened)
        if let text = f[ExhibitKeys.transcript] {
            block.transcript = Markdown.paragraphs(text)
        }
        let transcriptNode = f.node(ExhibitKeys.transcriptFile.name)
        if let name = f[ExhibitKeys.transcriptFile],
           let full = resolve(name, what: "transcript", kinds: nil, line: nil, node: transcriptNode)
        {
            switch TextFile.read(full, limit: ExhibitLoader.transcriptSizeLimit) {
            case let .success(text): block.transcript += Markdown.paragraphs(text)
            case let .failure(failure):
                let (message, line, _) = TextFile.describe(failure)
                f.problem("transcript-file", "\(name)\(line.map { " line \($0)" } ?? ""): \(message)")
            }
        }
        let captionsNode = f.node(ExhibitKeys.captions.name)
        if let name = f[ExhibitKeys.captions],
           let full = resolve(name, what: "captions", kinds: [.captions], line: nil, node: captionsNode) {
            switch TextFile.read(full, limit: ExhibitLoader.transcriptSizeLimit) {
            case let .success(text):
                switch WebVTT.cues(text) {
                case let .success(cues):
                    block.captions = name
                    block.cues = cues
                case let .failure(problem) where problem.line == 1:
                    f.problem("captions", "'\(name)' is not a WebVTT file (it must start with WEBVTT)")
                case let .failure(problem):
                    f.problem("captions", "'\(name)' line \(problem.line): \(problem.message)")
                }
            case let .failure(failure):
                f.problem("captions", "'\(name)': \(TextFile.describe(failure).message)")
            }
        }
        if let length = block.milliseconds, let late = block.cues.first(where: { $0.start >= length }) {
            f.warning("captions '\(block.captions ?? "")' have a cue at \(late.start / 1000) s, after the \(kind.rawValue) "
                + "ends (\(length / 1000) s): is it the captions of another recording?")
        }
        if kind == .film, block.captions == nil {
            f.warning("film '\(file)' has no captions (visitors who cannot hear it need them)")
        }
        if block.transcript.isEmpty {
            f.warning("\(kind.rawValue) '\(file)' has no transcript (visitors who cannot hear it need one)")
        }
        return block
    }
}
