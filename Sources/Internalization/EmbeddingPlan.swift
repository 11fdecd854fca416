import Foundation
import Nupkg
import PowerShell

/// The edits, added files and record for one package, worked out before anything is written.
struct EmbeddingPlan {
    let job: PackageEmbedder.Job
    let id: String
    let version: String
    /// Payload entry names of the original package.
    let payload: [String]
    /// Package path of each URL's file (embedded) or its location (resources location).
    private(set) var targets: [String: String] = [:]
    private(set) var edits: [String: [ScriptEdit]] = [:]
    private(set) var addedFiles: [PackageWriter.File] = []
    private(set) var record: EmbeddingRecord
    let recordPath: String

    /// The extracted original package.
    let folder: String

    init(job: PackageEmbedder.Job, folder: String, payload: [String], removed: [String], nuspecId: String,
         version: String) throws(EmbeddingError) {
        self.job = job
        self.folder = folder
        id = nuspecId
        self.version = version
        self.payload = payload
        // `tools/` as the package spells it: a package with `Tools/` must not get a second folder differing in case.
        let toolsFolder = payload.lazy.compactMap { $0.split(separator: "/").first.map(String.init) }
            .first { $0.lowercased() == "tools" } ?? "tools"
        recordPath = toolsFolder + "/" + (EmbeddingRecord.path.split(separator: "/").last.map(String.init) ?? "")
        var placementName = "embedded"
        var location: String?
        if case let .location(base) = job.placement {
            placementName = "location"
            location = base
        }
        record = EmbeddingRecord(id: nuspecId, version: version, placement: placementName, location: location, resources: [], scripts: [],
                                 removedEntries: removed)
        try plan(toolsFolder: toolsFolder)
    }

    private mutating func plan(toolsFolder: String) throws(EmbeddingError) {
        let resources = job.report.resources
        var urls: [String] = []
        for resource in resources where !urls.contains(resource.url) { urls.append(resource.url) }
        // Embedded files sit beside the script that first downloads them (its folder, or tools/ for a root script).
        let firstScript = resources.first?.urlSite.file ?? ""
        let scriptFolder = firstScript.split(separator: "/").dropLast().joined(separator: "/")
        let folder = scriptFolder.isEmpty ? toolsFolder : scriptFolder
        let prefix = folder.lowercased() + "/"
        let existing = Set(payload.filter { $0.lowercased().hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            + [recordPath.split(separator: "/").last.map(String.init) ?? ""])
        let names = PackageEmbedder.fileNames(for: urls, avoiding: job.placement == .embedded ? existing : [])
        for url in urls {
            guard let verified = job.resources[url] else { throw .missingResource(url: url) }
            let name = names[url] ?? "resource"
            switch job.placement {
            case .embedded:
                let target = folder + "/" + name
                targets[url] = target
                addedFiles.append(.init(target: target, content: .path(verified.path), stored: PackageEmbedder.isCompressed(name)))
                if name.lowercased().hasSuffix(".exe") { addedFiles.append(.init(target: target + ".ignore", content: .bytes([]))) }
            case let .location(base):
                targets[url] = PackageEmbedder.locationPath(base: base, id: id, version: version, file: name)
            }
        }
        for resource in resources { try plan(resource) }
    }

    private mutating func plan(_ resource: RemoteResource) throws(EmbeddingError) {
        guard let verified = job.resources[resource.url], let target = targets[resource.url] else { throw .missingResource(url: resource.url) }
        let script = resource.urlSite.file
        let replacement: String
        switch job.placement {
        case .embedded: replacement = PowerShellText.localPath(of: target, fromScript: script)
        case .location: replacement = PowerShellLiteral.singleQuoted(target)
        }
        add(ScriptEdit(range: resource.urlSite.start..<resource.urlSite.end, text: replacement), to: script)
        let checksum: String
        let type: ChecksumType
        let source: String
        if let declared = resource.checksum {
            guard let declaredType = ChecksumType(declared: resource.checksumType),
                  let normalized = ResourceChecksum.normalized(declared, type: declaredType) else {
                throw .badSpan(file: resource.call.location, reason: "checksum type '\(resource.checksumType ?? "")' or value is not one choco accepts")
            }
            checksum = normalized
            type = declaredType
            source = "script"
        } else {
            guard job.insertChecksums, let insertion = resource.insertion, let style = resource.insertionStyle else {
                throw .cannotInsertChecksum(location: resource.call.location, url: resource.url)
            }
            // A declared type without a value keeps its type (naming it twice would be a duplicate key/parameter).
            let declaredType = resource.checksumType.flatMap { ChecksumType(declared: $0) }
            type = declaredType ?? .sha256
            guard let computed = verified.digests[type] else { throw .missingResource(url: resource.url) }
            checksum = computed
            source = "computed"
            let suffix = resource.architecture == .x64 ? "64" : ""
            var pairs = [("Checksum" + suffix, checksum)]
            if declaredType == nil { pairs.append(("ChecksumType" + suffix, type.rawValue)) }
            try add(insertionOf: pairs, at: insertion, style: style, call: resource.call)
        }
        record.resources.append(EmbeddingRecord.Resource(
            url: resource.url, replacement: target, embeddedFile: job.placement == .embedded ? target : nil,
            architecture: resource.architecture, helper: resource.helper, call: resource.call.location, checksum: checksum,
            checksumType: type, checksumSource: source, sha512: verified.digests[.sha512] ?? "", size: verified.size))
    }

    private mutating func add(_ edit: ScriptEdit, to file: String) {
        edits[file, default: []].append(edit)
    }

    private mutating func add(insertionOf pairs: [(String, String)], at span: SourceSpan, style: RemoteResource.InsertionStyle,
                              call: SourceSpan) throws(EmbeddingError) {
        let original = try PackageEmbedder.readFile(folder + "/" + (try payloadName(span.file)))
        let eol = ScriptRewriter.lineEnding(of: original)
        switch style {
        case .commandArguments where pairs.contains { $0.0.contains("64") } && call.file == span.file && call.start <= span.end:
            // `-Checksum64 'x'` is valid PowerShell, but tree-sitter-powershell (the grammar the rewrites are checked
            // with) reads `-Name64` as `-Name` and a redirection: the 64-bit values go in through a splat defined on
            // the line before the call, which every PowerShell grammar reads alike.
            let name = "ccmUpgradeChecksums\(span.line)"
            var lineStart = min(call.start, original.count)
            while lineStart > 0, original[lineStart - 1] != 0x0A { lineStart -= 1 }
            let indentation = String(decoding: original[lineStart...].prefix { $0 == 0x20 || $0 == 0x09 }, as: UTF8.self)
            let entries = pairs.map { "\($0.0) = " + PowerShellLiteral.singleQuoted($0.1) }.joined(separator: "; ")
            add(ScriptEdit(range: lineStart..<lineStart, text: indentation + "$\(name) = @{ \(entries) }" + eol + ""), to: span.file)
            add(ScriptEdit(range: span.end..<span.end, text: " @\(name)"), to: span.file)
        case .commandArguments:
            let text = pairs.map { " -\($0.0) " + PowerShellLiteral.singleQuoted($0.1) }.joined()
            add(ScriptEdit(range: span.end..<span.end, text: text), to: span.file)
        case .hashtableEntries:
            // The closing brace of the hashtable the span covers: the last `}` inside it.
            guard span.end <= original.count, span.start < span.end,
                  let brace = original[span.start..<span.end].lastIndex(of: UInt8(ascii: "}")) else {
                throw .badSpan(file: span.location, reason: "no closing '}' of a hashtable in the insertion span")
            }
            let text = pairs.map { eol + "  \($0.0) = " + PowerShellLiteral.singleQuoted($0.1) }.joined() + eol
            add(ScriptEdit(range: brace..<brace, text: text), to: span.file)
        }
    }

    /// The payload entry a span's file names (exact, else case-insensitive as Windows finds it).
    func payloadName(_ file: String) throws(EmbeddingError) -> String {
        guard let name = payload.first(where: { $0 == file }) ?? payload.first(where: { $0.lowercased() == file.lowercased() }) else {
            throw .badSpan(file: file, reason: "the package has no such script")
        }
        return name
    }

    /// The rewritten bytes of every script with edits, by payload name.
    mutating func rewriteScripts() throws(EmbeddingError) -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        var scripts: [EmbeddingRecord.Script] = []
        for file in edits.keys.sorted() {
            let name = try payloadName(file)
            let original = try PackageEmbedder.readFile(folder + "/" + name)
            let (bytes, signatureRemoved) = try ScriptRewriter.apply(edits[file] ?? [], to: original, file: file)
            result[name] = bytes
            scripts.append(EmbeddingRecord.Script(file: name, edits: edits[file]?.count ?? 0, signatureRemoved: signatureRemoved))
        }
        record.scripts = scripts
        return result
    }
}
