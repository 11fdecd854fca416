import FileSupport
import Foundation
import Internalization
import JSONOutput
import Nupkg
import Versioning

/// What `bundle create` did: the internalize summary of the staging run, and the manifest of the bundle
/// written (nil when a package failed and no bundle was written).
public struct BundleCreation: Sendable {
    public var summary: InternalizeSummary
    public var manifest: BundleManifest?
}

/// Makes a bundle on the connected side: internalizes the selection into a staging folder feed (the same
/// ``Internalizer`` `internalize` runs, with its journal, so an interrupted create resumes where it stopped),
/// then writes every staged package with its manifest into one archive, atomically.
public struct BundleCreator: Sendable {
    /// Runs the selection; its target must be a ``FolderFeed`` at ``stagingFolder``.
    public var internalizer: Internalizer
    public var stagingFolder: String
    /// `ccm-upgrade <version>`, written into the manifest.
    public var tool: String
    /// The compatibility matrix the tool carries, written into the manifest.
    public var matrix: String?

    public init(internalizer: Internalizer, stagingFolder: String, tool: String, matrix: String?) {
        self.internalizer = internalizer
        self.stagingFolder = stagingFolder
        self.tool = tool
        self.matrix = matrix
    }

    /// Internalizes `requests` into the staging folder and, when every package made it, writes the bundle at
    /// `destination` with `plan` (the plan file's bytes) when given.
    public func create(_ requests: [PackageRequest], plan: [UInt8]?, to destination: String,
                       now: Date = Date()) async throws(BundleError) -> BundleCreation {
        let summary = await internalizer.run(requests)
        guard !summary.hasProblems else { return BundleCreation(summary: summary, manifest: nil) }
        let staging = FolderFeed(path: stagingFolder)
        var packages: [BundleManifest.Package] = []
        var files: [String: String] = [:]
        var seen: Set<String> = []
        for item in summary.items where item.status == .pushed || item.status == .alreadyPresent {
            guard let versionText = item.version, let version = try? NuGetVersion(parsing: versionText) else { continue }
            let found: RemotePackage?
            do { found = try await staging.package(id: item.id, version: version) } catch {
                throw .io(path: stagingFolder, reason: "cannot list \(item.id) \(versionText): \(error)")
            }
            guard let found, let file = found.downloadURL else {
                throw .io(path: stagingFolder, reason: "\(item.id) \(versionText) was internalized but is not in the staging folder")
            }
            let identity = found.identity
            guard seen.insert(identity.fileName.lowercased()).inserted else { continue }
            let hashed: HashedFile
            do { hashed = try await Blocking.run { () throws(FileIOError) -> HashedFile in try FileIO.sha512(ofFileAt: file) } } catch {
                throw .io(path: file, reason: error.reason)
            }
            let path = "packages/" + identity.fileName
            files[path] = file
            packages.append(BundleManifest.Package(
                id: found.id, version: found.version.normalized, source: item.source,
                file: .init(path: path, size: hashed.size, sha512: PackageHash(digest: hashed.sha512).hex),
                embedded: try Self.embedded(in: file)))
        }
        var planRecord: BundleManifest.FileRecord?
        if let plan {
            let planFile = stagingFolder + "/.bundle-" + BundleManifest.planEntryName
            do { try AtomicFile.write(plan, to: planFile) } catch { throw .io(path: planFile, reason: error.reason) }
            let hash = plan.withUnsafeBytes { PackageHash.sha512(of: $0) }
            planRecord = .init(path: BundleManifest.planEntryName, size: Int64(plan.count), sha512: hash.hex)
            files[BundleManifest.planEntryName] = planFile
        }
        let manifest = BundleManifest(tool: tool, matrix: matrix, created: now,
                                      packages: packages.sorted { ($0.id.lowercased(), $0.version) < ($1.id.lowercased(), $1.version) },
                                      plan: planRecord)
        let staged = files
        try await Blocking.run { () throws(BundleError) in try BundleWriter.write(manifest, files: staged, to: destination) }
        return BundleCreation(summary: summary, manifest: manifest)
    }

    /// The resources internalizing embedded into the package at `file`, from its ``EmbeddingRecord`` (none
    /// without one).
    static func embedded(in file: String) throws(BundleError) -> [BundleManifest.EmbeddedResource] {
        let entry = EmbeddingRecord.path
        let bytes: [UInt8]?
        do { bytes = try PackageReader.readEntry(named: entry, at: file, limit: 16 << 20) } catch {
            throw .io(path: file, reason: "cannot read \(entry): \(error)")
        }
        guard let bytes else { return [] }
        do { return try JSONOutput.decoder.decode(EmbeddingRecord.self, from: Data(bytes)).resources.map(BundleManifest.EmbeddedResource.init) } catch {
            throw .io(path: file, reason: "\(entry) is not an internalization record: \(error)")
        }
    }
}
