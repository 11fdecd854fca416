import FileSupport
import Foundation
import Nupkg
import Versioning

/// A folder of packages, as choco reads a local or UNC source: flat (`id.version.nupkg` at the root) and
/// hierarchical (`id/version/id.version.nupkg`) layouts. Versions come from each package's nuspec, never
/// from the file name (NuGet 2.8.7 wrote `id.01.2.nupkg` for `1.2`).
public struct FolderFeed: PackageFeed {
    public let path: String

    public var name: String { path }

    public init(path: String) {
        var trimmed = path
        if trimmed.hasPrefix("file://") { trimmed = String(trimmed.dropFirst("file://".count)) }
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.path = trimmed
    }

    /// The `.nupkg` files that may hold `id` (by name), in both layouts.
    func candidateFiles(for id: String) -> [String] {
        let manager = FileManager.default
        let lowerId = id.lowercased()
        var files: [String] = []
        let names = (try? manager.contentsOfDirectory(atPath: path)) ?? []
        for name in names {
            let lower = name.lowercased()
            let full = path + "/" + name
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue, lower.hasSuffix(".nupkg"), lower.hasPrefix(lowerId + ".") {
                files.append(full)
            } else if isDirectory.boolValue, lower == lowerId {
                for versionDirectory in (try? manager.contentsOfDirectory(atPath: full)) ?? [] {
                    let directory = full + "/" + versionDirectory
                    for file in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] where file.lowercased().hasSuffix(".nupkg") {
                        files.append(directory + "/" + file)
                    }
                }
            }
        }
        return files.sorted()
    }

    public func versions(of id: String) async throws(FeedError) -> [RemotePackage] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .fileError(path: path, reason: "the folder feed does not exist or is not a directory")
        }
        var result: [RemotePackage] = []
        for file in candidateFiles(for: id) {
            // A file that is not a readable package is not part of the feed (choco skips it too).
            guard let nuspec = try? PackageReader.readManifest(at: file), nuspec.id.lowercased() == id.lowercased() else { continue }
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value
            let dependencies = nuspec.dependencyGroups.flatMap { group in
                group.dependencies.map { FeedDependency(id: $0.id, range: $0.range, targetFramework: group.targetFramework) }
            }
            result.append(RemotePackage(id: nuspec.id, version: nuspec.version, downloadURL: file, packageSize: size,
                                        dependencies: dependencies))
        }
        return result.sorted { $0.version < $1.version }
    }

    public func package(id: String, version: NuGetVersion) async throws(FeedError) -> RemotePackage? {
        try await versions(of: id).first { $0.version == version }
    }

    public func fetch(_ package: RemotePackage, to partialPath: String,
                      progress: (@Sendable (Int64, Int64) -> Void)?) async throws(FeedError) -> FetchedFile {
        guard let source = package.downloadURL else { throw .packageNotFound(id: package.id, version: package.version.normalized, feed: path) }
        return try await FileCopy.copy(from: source, to: partialPath)
    }

    public func upload(fileAt file: String, identity: PackageIdentity, timeout: Int?) async throws(FeedError) -> UploadAnswer {
        if try await package(id: identity.id, version: identity.version) != nil {
            return .refused(status: 409, body: "the folder already holds \(identity)")
        }
        let manager = FileManager.default
        let lowerId = identity.id.lowercased()
        var directory = path
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path + "/" + lowerId, isDirectory: &isDirectory), isDirectory.boolValue {
            directory = "\(path)/\(lowerId)/\(identity.version.normalized.lowercased())"
        }
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .fileError(path: directory, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        let target = directory == path ? "\(path)/\(identity.fileName)" : "\(directory)/\(lowerId).\(identity.version.normalized.lowercased()).nupkg"
        let temporary = TemporaryFiles.path(beside: target)
        defer { unlink(temporary) }
        _ = try await FileCopy.copy(from: file, to: temporary)
        try FileCopy.renameNoReplace(temporary, to: target)
        return .accepted(status: 201)
    }
}

/// FileSupport's copy and renames, with errors in the feed's terms. The copy runs off the cooperative pool:
/// a large package would otherwise hold one of its few threads for the whole file.
enum FileCopy {
    static func copy(from source: String, to destination: String) async throws(FeedError) -> FetchedFile {
        let copied: HashedFile
        do {
            copied = try await Blocking.run { () throws(FileIOError) -> HashedFile in try FileIO.copy(from: source, to: destination) }
        } catch {
            throw .fileError(path: error.path, reason: error.reason)
        }
        return FetchedFile(size: copied.size, sha512: PackageHash(digest: copied.sha512))
    }

    /// Renames `source` to `target` only if `target` does not exist (atomic, no overwrite).
    static func renameNoReplace(_ source: String, to target: String) throws(FeedError) {
        do { try FileIO.renameWithoutReplacing(source, to: target) } catch {
            throw .fileError(path: target, reason: "cannot place the package: \(error.reason)")
        }
    }

    /// Atomically replaces `target` with `source`.
    static func rename(_ source: String, to target: String) throws(FeedError) {
        do { try FileIO.rename(source, to: target) } catch { throw .fileError(path: target, reason: error.reason) }
    }
}
