import FileSupport
import Foundation
import Nupkg

/// A resource downloaded and verified by the caller, ready to embed or to point at.
public struct VerifiedResource: Sendable, Hashable {
    public var url: String
    /// The verified file on disk (the embedder reads it, never moves it).
    public var path: String
    public var size: Int64
    /// Lower-case hex digests computed from the file: always SHA-512 (the transport computes it while
    /// downloading), the type the script declared, and SHA-256 when the script declared none.
    public var digests: [ChecksumType: String]

    public init(url: String, path: String, size: Int64, digests: [ChecksumType: String]) {
        self.url = url
        self.path = path
        self.size = size
        self.digests = digests
    }
}

/// Where the resources go: into the package, or to a share or web location the scripts then point at.
public enum ResourcePlacement: Sendable, Hashable {
    case embedded
    /// `base` as the scripts will see it (`\\fs\choco`, `https://nexus/repository/raw/choco`); each file is
    /// at ``PackageEmbedder/locationPath(base:id:version:file:)``.
    case location(base: String)
}

/// Rewrites a package so its scripts use local (or internal) copies of what they download, and repacks it:
/// the URL expression of each download is replaced by an expression for the embedded file (the helper call,
/// its silent arguments, exit codes and checksums stay as they are; a checksum is added only when the script
/// had none and the caller allowed it), embedded executables get a `.ignore` file (no shim), changed scripts
/// lose their Authenticode signature, and ``EmbeddingRecord`` goes in at ``EmbeddingRecord/path``.
///
/// Pure: no network. The output is the same bytes for the same input (fixed timestamps, entries in name
/// order), streamed (installers are never read into memory), written to a temporary file and renamed.
public enum PackageEmbedder {
    /// What to do for one package.
    public struct Job: Sendable {
        /// The original `.nupkg`.
        public var package: String
        public var report: ResourceReport
        /// Verified files by URL; every resource of the report needs one.
        public var resources: [String: VerifiedResource]
        public var placement: ResourcePlacement
        /// URLs whose script gave no checksum and may get the computed one (the user allowed it).
        public var insertChecksums: Bool
        public var destination: String

        public init(package: String, report: ResourceReport, resources: [String: VerifiedResource], placement: ResourcePlacement,
                    insertChecksums: Bool, destination: String) {
            self.package = package
            self.report = report
            self.resources = resources
            self.placement = placement
            self.insertChecksums = insertChecksums
            self.destination = destination
        }
    }

    /// Extensions of files that are compressed already: stored, not deflated.
    static let compressedExtensions: Set<String> = [
        "exe", "msi", "msu", "msp", "cab", "zip", "7z", "gz", "tgz", "bz2", "xz", "zst", "rar", "nupkg", "vsix", "jar",
        "appx", "msix", "iso", "dmg", "png", "jpg", "jpeg",
    ]

    /// Where a resource lives under a resources location: `<base>/<id>/<version>/<file>` (lower-case id and
    /// normalized version, so two packages never share a name), `\`-joined for a share.
    public static func locationPath(base: String, id: String, version: String, file: String) -> String {
        let lower = base.lowercased()
        let web = lower.hasPrefix("http://") || lower.hasPrefix("https://")
        let separator = web ? "/" : (base.contains("\\") || !base.hasPrefix("/") ? "\\" : "/")
        var root = base
        while root.hasSuffix("/") || root.hasSuffix("\\") { root.removeLast() }
        return [root, id.lowercased(), version.lowercased(), file].joined(separator: separator)
    }

    /// A file name for each URL (in the order given): the URL's last path segment, percent-decoded, reduced to
    /// characters safe in a package and on Windows; a name taken already (case-insensitively, including
    /// `existing` entries) gets `-2`, `-3`, … before its extension.
    public static func fileNames(for urls: [String], avoiding existing: Set<String> = []) -> [String: String] {
        var taken = Set(existing.map { $0.lowercased() })
        var names: [String: String] = [:]
        for url in urls where names[url] == nil {
            let base = safeName(fromURL: url)
            var candidate = base
            var counter = 2
            while taken.contains(candidate.lowercased()) {
                if let dot = base.lastIndex(of: "."), dot != base.startIndex {
                    candidate = base[..<dot] + "-\(counter)" + base[dot...]
                } else {
                    candidate = base + "-\(counter)"
                }
                counter += 1
            }
            taken.insert(candidate.lowercased())
            names[url] = candidate
        }
        return names
    }

    static func safeName(fromURL url: String) -> String {
        var path = url
        if let query = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<query]) }
        let last = path.split(separator: "/").last.map(String.init) ?? ""
        let decoded = last.removingPercentEncoding ?? last
        var name = String(decoded.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-+".contains($0)) ? $0 : "_" })
        while name.hasPrefix(".") { name.removeFirst() }
        if name.count > 100 { name = String(name.suffix(100)) }
        return name.isEmpty ? "resource" : name
    }

    /// Embeds (or points at) every resource of `job.report` and writes the new package; returns its record.
    @discardableResult
    public static func embed(_ job: Job) throws(EmbeddingError) -> EmbeddingRecord {
        try embedAndHash(job).record
    }

    /// ``embed(_:)``, also returning the written package's SHA-512 and size (hashed while it was written).
    public static func embedAndHash(_ job: Job) throws(EmbeddingError) -> (record: EmbeddingRecord, hash: PackageHash, size: Int64) {
        let work = TemporaryFiles.path(beside: job.destination) + ".d"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let entries: [PackageEntry]
        do {
            entries = try PackageReader.entries(at: job.package)
            try PackageExtractor.extract(job.package, to: work)
        } catch {
            throw .package(path: job.package, reason: "\(error)")
        }
        let payload = entries.filter { $0.kind == .file && !$0.isPackagingMetadata }.map(\.name)
        guard let manifest = entries.first(where: { $0.kind == .file && $0.isPackagingMetadata && !$0.name.contains("/")
            && $0.name.lowercased().hasSuffix(".nuspec") }) else {
            throw .package(path: job.package, reason: "no nuspec at the package root")
        }
        let nuspecBytes = try readFile(work + "/" + manifest.name)
        let nuspec: Nuspec
        do { nuspec = try NuspecReader.read(nuspecBytes, source: job.package) } catch { throw .package(path: job.package, reason: "\(error)") }
        guard nuspec.id.lowercased() == job.report.id.lowercased(), nuspec.version.normalized == job.report.version
            || nuspec.version.originalString == job.report.version else {
            throw .wrongPackage(expected: "\(nuspec.id) \(nuspec.version.normalized)", actual: "\(job.report.id) \(job.report.version)")
        }
        // A NuGet package signature covers the original bytes: it cannot stay on a changed package.
        let removed = entries.filter { $0.name.lowercased() == ".signature.p7s" }.map(\.name)
        var plan = try EmbeddingPlan(job: job, folder: work, payload: payload, removed: removed, nuspecId: nuspec.id,
                                     version: nuspec.version.normalized)
        let rewritten = try plan.rewriteScripts()
        var files: [PackageWriter.File] = []
        for name in payload where rewritten[name] == nil {
            files.append(.init(target: name, content: .path(work + "/" + name), stored: isCompressed(name)))
        }
        for (name, bytes) in rewritten { files.append(.init(target: name, content: .bytes(bytes))) }
        for added in plan.addedFiles { files.append(added) }
        files.append(.init(target: plan.recordPath, content: .bytes(plan.record.json)))
        files.sort { Array($0.target.utf8).lexicographicallyPrecedes(Array($1.target.utf8)) }
        do {
            // Not flushed: the internalized package is an intermediate that every run writes again (the journal
            // never reuses it), and the feed's copy of it is flushed by the push.
            let written = try PackageWriter.write(nuspecXML: nuspecBytes, files: files, to: job.destination, durable: false)
            return (plan.record, written.hash, written.size)
        } catch {
            throw .package(path: job.destination, reason: "\(error)")
        }
    }

    static func isCompressed(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return compressedExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    static func readFile(_ path: String) throws(EmbeddingError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .package(path: path, reason: "cannot read") }
        return Array(data)
    }
}
