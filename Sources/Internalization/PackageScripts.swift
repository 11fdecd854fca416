import FileSupport
import Foundation
import Nupkg
import PowerShell

/// A package's identity and its script files: what ``ResourceFinder`` reads. Built from a `.nupkg` (nothing
/// extracted) or from a package source folder (a folder with a `.nuspec` at its top).
public struct PackageScripts: Sendable {
    public var id: String
    /// The version as choco normalizes it (`$env:ChocolateyPackageVersion`).
    public var version: String
    /// The version as the nuspec writes it (`$env:ChocolateyNuspecVersion`).
    public var nuspecVersion: String
    /// Script files by their path inside the package (`tools/chocolateyInstall.ps1`), raw bytes.
    public var files: [String: [UInt8]]

    public init(id: String, version: String, nuspecVersion: String? = nil, files: [String: [UInt8]]) {
        self.id = id
        self.version = version
        self.nuspecVersion = nuspecVersion ?? version
        self.files = files
    }

    /// The files a package script can read or run: PowerShell scripts, modules and data files.
    public static func isScript(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".ps1") || lower.hasSuffix(".psm1") || lower.hasSuffix(".psd1")
    }

    /// The environment the evaluator gives the scripts.
    public var environment: PackageEnvironment {
        PackageEnvironment(id: id, version: version, nuspecVersion: nuspecVersion, files: files)
    }

    /// Reads the package at `path`: a `.nupkg` file or a source folder. Runs off the cooperative pool.
    public static func read(_ path: String) async throws(PackageScriptsError) -> PackageScripts {
        try await Blocking.run { () throws(PackageScriptsError) -> PackageScripts in try readNow(path) }
    }

    /// ``read(_:)`` on the calling thread.
    public static func readNow(_ path: String) throws(PackageScriptsError) -> PackageScripts {
        var status = stat()
        guard stat(path, &status) == 0 else { throw .notFound(path: path) }
        if (status.st_mode & S_IFMT) == S_IFDIR { return try readFolder(path) }
        do {
            let (nuspec, files) = try PackageReader.readManifestAndEntries(at: path, include: isScript)
            return PackageScripts(id: nuspec.id, version: nuspec.version.normalized, nuspecVersion: nuspec.version.originalString, files: files)
        } catch {
            throw .package(error)
        }
    }

    /// A package source folder: the `.nuspec` at its top, and the scripts anywhere under it.
    public static func readFolder(_ path: String) throws(PackageScriptsError) -> PackageScripts {
        var folder = path
        while folder.count > 1, folder.hasSuffix("/") { folder.removeLast() }
        let manifests = FolderWalk.files(under: folder) { name in String(decoding: name, as: UTF8.self).lowercased().hasSuffix(".nuspec") }
            .map { String(decoding: $0, as: UTF8.self) }
            .filter { !$0.contains("/") }
        guard let manifest = manifests.first else { throw .noManifest(folder: folder) }
        guard manifests.count == 1 else { throw .multipleManifests(folder: folder, names: manifests) }
        let manifestPath = folder + "/" + manifest
        let nuspec: Nuspec
        do {
            nuspec = try NuspecReader.read(try readBytes(manifestPath, limit: NuspecReader.sizeLimit), source: manifestPath)
        } catch let error as NupkgError {
            throw .package(error)
        } catch let error as PackageScriptsError {
            throw error
        } catch {
            throw .unreadable(path: manifestPath, reason: "\(error)")
        }
        var files: [String: [UInt8]] = [:]
        for relative in FolderWalk.files(under: folder, where: { isScript(String(decoding: $0, as: UTF8.self)) }) {
            let name = String(decoding: relative, as: UTF8.self)
            files[name] = try readBytes(folder + "/" + name, limit: 4 << 20)
        }
        return PackageScripts(id: nuspec.id, version: nuspec.version.normalized, nuspecVersion: nuspec.version.originalString, files: files)
    }

    static func readBytes(_ path: String, limit: Int) throws(PackageScriptsError) -> [UInt8] {
        do {
            let descriptor = try FileIO.openForReading(path)
            defer { close(descriptor) }
            var collected: [UInt8] = []
            let reader = ChunkedReader(descriptor: descriptor, path: path, chunkSize: 64 << 10, limit: Int64(limit) + 1)
            while let chunk = try reader.next() { collected.append(contentsOf: chunk) }
            guard collected.count <= limit else { throw PackageScriptsError.unreadable(path: path, reason: "larger than \(limit) bytes") }
            return collected
        } catch let error as PackageScriptsError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: (error as? FileIOError)?.reason ?? "\(error)")
        }
    }
}

/// Why a package's scripts could not be read. Every case names the file or folder.
public enum PackageScriptsError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(path: String)
    case noManifest(folder: String)
    case multipleManifests(folder: String, names: [String])
    case unreadable(path: String, reason: String)
    case package(NupkgError)

    public var description: String {
        switch self {
        case let .notFound(path): "\(path): no such file or folder"
        case let .noManifest(folder): "\(folder): no .nuspec at the top of the folder (expected a package source folder or a .nupkg)"
        case let .multipleManifests(folder, names): "\(folder): several .nuspec files at the top of the folder (\(names.joined(separator: ", ")))"
        case let .unreadable(path, reason): "\(path): cannot read: \(reason)"
        case let .package(error): error.description
        }
    }
}
