import Foundation
import VitrineModel
import Yams

/// Checks that media named by an exhibit exist inside its folder, and reads transcripts and caption files.
struct MediaChecker {
    let folder: String
    let log: DiagnosticLog
    let reader: YAMLReader

    /// The absolute path of a file named by an exhibit, or nil (with an error) when it escapes the folder.
    func resolve(_ file: String, what: String, line: Int?, node: Node?) -> String? {
        let components = file.split(separator: "/")
        if file.hasPrefix("/") || components.contains("..") || file.contains("://") {
            report("\(what) '\(file)' must be a file inside the exhibit folder", line: line, node: node)
            return nil
        }
        let path = (folder as NSString).appendingPathComponent(file)
        guard FileManager.default.isReadableFile(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            report("\(what) '\(file)' \(exists ? "cannot be read" : "is missing") in \(folder)", line: line, node: node)
            return nil
        }
        return path
    }

    private func report(_ message: String, line: Int?, node: Node?, warning: Bool = false) {
        if let line {
            warning ? log.warning(message, line: line) : log.error(message, line: line)
        } else if warning {
            reader.warning(message, at: node)
        } else {
            reader.error(message, at: node)
        }
    }

    func image(_ image: ImageBlock, line: Int?, node: Node?) -> ImageBlock? {
        guard let path = resolve(image.file, what: "image", line: line, node: node) else { return nil }
        var image = image
        if let size = ImageHeader.size(ofFileAt: path) {
            image.pixelWidth = size.width
            image.pixelHeight = size.height
        } else {
            report("image '\(image.file)' is not a PNG or JPEG file that can be read", line: line, node: node)
            return nil
        }
        if image.alt?.isEmpty ?? true {
            report("image '\(image.file)' has no alt text (describe it for visitors who cannot see it)",
                   line: line, node: node, warning: true)
        }
        return image
    }

    func media(_ node: Node, _ path: String) -> MediaBlock? {
        guard let f = reader.fields(node, path, allowed: [
            "audio", "film", "title", "transcript", "transcript-file", "captions", "credit",
        ]) else { return nil }
        let kind: MediaBlock.Kind
        let fileNode: Node
        switch (f["audio"], f["film"]) {
        case let (audio?, nil): (kind, fileNode) = (.audio, audio)
        case let (nil, film?): (kind, fileNode) = (.film, film)
        default:
            reader.error("\(path): give exactly one of 'audio' or 'film'", at: node)
            return nil
        }
        guard let file = reader.string(fileNode, "\(path).\(kind.rawValue)") else { return nil }
        _ = resolve(file, what: kind.rawValue, line: nil, node: fileNode)
        var block = MediaBlock(kind: kind, file: file)
        block.title = f["title"].flatMap { reader.string($0, "\(path).title") }.map(smartened)
        block.credit = f["credit"].flatMap { reader.string($0, "\(path).credit") }.map(smartened)
        if let n = f["transcript"], let text = reader.string(n, "\(path).transcript") {
            block.transcript = Markdown.paragraphs(text)
        }
        if let n = f["transcript-file"], let name = reader.string(n, "\(path).transcript-file"),
           let full = resolve(name, what: "transcript", line: nil, node: n)
        {
            switch TextFile.read(full, limit: ExhibitLoader.transcriptSizeLimit) {
            case let .success(text): block.transcript += Markdown.paragraphs(text)
            case let .failure(failure):
                let (message, line, _) = TextFile.describe(failure)
                reader.error("\(path).transcript-file: \(name)\(line.map { " line \($0)" } ?? ""): \(message)", at: n)
            }
        }
        if let n = f["captions"], let name = reader.string(n, "\(path).captions"),
           let full = resolve(name, what: "captions", line: nil, node: n)
        {
            switch TextFile.read(full, limit: ExhibitLoader.transcriptSizeLimit) {
            case let .success(text) where text.hasPrefix("WEBVTT"):
                block.captions = name
            case .success:
                reader.error("\(path).captions: '\(name)' is not a WebVTT file (it must start with WEBVTT)", at: n)
            case let .failure(failure):
                reader.error("\(path).captions: '\(name)': \(TextFile.describe(failure).message)", at: n)
            }
        }
        if block.transcript.isEmpty {
            reader.warning("\(path): \(kind.rawValue) '\(file)' has no transcript (visitors who cannot hear it "
                + "need one)", at: node)
        }
        return block
    }
}
