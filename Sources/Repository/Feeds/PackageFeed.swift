import Foundation
import Nupkg
import Versioning

/// A package file as fetched to disk: its size and SHA-512.
public struct FetchedFile: Sendable, Hashable {
    public var size: Int64
    public var sha512: PackageHash
    /// The verdict of vetting the bytes while they arrived (large HTTP downloads), to be confirmed against
    /// the finished file's central directory; nil when nothing was vetted on the way.
    public var streamedVet: StreamedVet?

    public init(size: Int64, sha512: PackageHash, streamedVet: StreamedVet? = nil) {
        self.size = size
        self.sha512 = sha512
        self.streamedVet = streamedVet
    }
}

/// How a feed answered an upload, before the idempotency check interprets it.
public enum UploadAnswer: Sendable, Hashable {
    /// 2xx: the feed took the package.
    case accepted(status: Int)
    /// Anything else the transport could deliver (409, 400, 500, ...); maybe the package already exists.
    case refused(status: Int, body: String)
}

/// A NuGet feed: v2 OData, v3, or a local folder. Methods throw ``FeedError``.
public protocol PackageFeed: Sendable {
    /// The feed's location for messages (never includes credentials).
    var name: String { get }
    /// Every version of `id` the feed has (listed and unlisted), with whatever metadata the feed gives.
    /// Unknown ids give an empty list.
    func versions(of id: String) async throws(FeedError) -> [RemotePackage]
    /// The entry for `id` at `version` (compared as parsed versions, so `22.1` finds `22.1.0`), or nil.
    func package(id: String, version: NuGetVersion) async throws(FeedError) -> RemotePackage?
    /// Streams the package bytes to `partialPath` (continuing a partial file where the feed allows it)
    /// and returns the size and SHA-512 of the complete file. Does not verify or rename.
    func fetch(_ package: RemotePackage, to partialPath: String, progress: (@Sendable (Int64, Int64) -> Void)?) async throws(FeedError) -> FetchedFile
    /// Sends the package file at `path` (already read as `identity`). `timeout` in seconds bounds the upload.
    func upload(fileAt path: String, identity: PackageIdentity, timeout: Int?) async throws(FeedError) -> UploadAnswer
}

extension PackageFeed {
    /// The newest version of `id`, listed only, stable unless `includePrerelease`; nil when none.
    public func latest(of id: String, includePrerelease: Bool = false) async throws(FeedError) -> RemotePackage? {
        try await versions(of: id)
            .filter { $0.isListed && (includePrerelease || !$0.version.isPrerelease) }
            .max { $0.version < $1.version }
    }

    /// Whether the feed has `id` at `version`.
    public func contains(id: String, version: NuGetVersion) async throws(FeedError) -> Bool {
        try await package(id: id, version: version) != nil
    }
}
