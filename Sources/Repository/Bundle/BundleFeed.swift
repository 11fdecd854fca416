import Foundation
import Nupkg
import Versioning

/// A bundle as a read-only view of a feed: the packages its manifest lists (`plan --bundle`: plan the upgrade
/// against what the bundle will bring into the internal feed). Only the manifest is read.
public struct BundleFeed: PackageFeed {
    public let path: String
    public let manifest: BundleManifest

    public var name: String { path }

    /// Reads the manifest of the bundle at `path`.
    public init(path: String) throws(BundleError) {
        self.path = path
        manifest = try BundleReader.readManifest(path)
    }

    public func versions(of id: String) async throws(FeedError) -> [RemotePackage] {
        manifest.packages.filter { $0.id.lowercased() == id.lowercased() }.compactMap { package in
            guard let version = try? NuGetVersion(parsing: package.version) else { return nil }
            return RemotePackage(id: package.id, version: version, packageSize: package.file.size)
        }.sorted { $0.version < $1.version }
    }

    public func package(id: String, version: NuGetVersion) async throws(FeedError) -> RemotePackage? {
        try await versions(of: id).first { $0.version == version }
    }

    public func fetch(_ package: RemotePackage, to partialPath: String,
                      progress: (@Sendable (Int64, Int64) -> Void)?) async throws(FeedError) -> FetchedFile {
        throw .unsupported(feed: path, operation: "downloading single packages (use 'internalize --from' to push the whole bundle)")
    }

    public func upload(fileAt path: String, identity: PackageIdentity, timeout: Int?) async throws(FeedError) -> UploadAnswer {
        throw .unsupported(feed: self.path, operation: "push (a bundle is read-only)")
    }
}
