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
        return try FileCopy.copy(from: source, to: partialPath)
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
        let temporary = "\(directory)/.\(identity.fileName).\(UUID().uuidString).tmp"
        defer { unlink(temporary) }
        _ = try FileCopy.copy(from: file, to: temporary)
        try FileCopy.renameNoReplace(temporary, to: target)
        return .accepted(status: 201)
    }
}

/// Streaming file copy with SHA-512, and atomic renames.
enum FileCopy {
    static func copy(from source: String, to destination: String) throws(FeedError) -> FetchedFile {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .fileError(path: source, reason: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw .fileError(path: destination, reason: "cannot create: \(String(cString: strerror(errno)))") }
        defer { close(output) }
        var hasher = PackageHash.Incremental()
        var size: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(input, buffer.baseAddress, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw .fileError(path: source, reason: "read failed: \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            var offset = 0
            while offset < count {
                let written = write(output, buffer.baseAddress! + offset, count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { throw .fileError(path: destination, reason: "write failed: \(String(cString: strerror(errno)))") }
                offset += written
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            size += Int64(count)
        }
        guard fsync(output) == 0 else { throw .fileError(path: destination, reason: "fsync failed: \(String(cString: strerror(errno)))") }
        return FetchedFile(size: size, sha512: hasher.finalize())
    }

    /// Renames `source` to `target` only if `target` does not exist (link + unlink: atomic, no overwrite).
    static func renameNoReplace(_ source: String, to target: String) throws(FeedError) {
        if link(source, target) != 0 {
            let reason = errno == EEXIST ? "already exists" : String(cString: strerror(errno))
            throw .fileError(path: target, reason: "cannot place the package: \(reason)")
        }
        unlink(source)
    }

    /// Atomically replaces `target` with `source`.
    static func rename(_ source: String, to target: String) throws(FeedError) {
        guard Foundation.rename(source, target) == 0 else {
            throw .fileError(path: target, reason: "cannot rename \(source) into place: \(String(cString: strerror(errno)))")
        }
    }
}
