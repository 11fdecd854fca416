import FileSupport
import Foundation
import Nupkg
import Versioning

/// A package downloaded, verified and renamed into place.
public struct DownloadedPackage: Sendable, Hashable, Codable {
    public var path: String
    public var identity: PackageIdentity
    public var size: Int64
    public var sha512: PackageHash
    /// True when the feed published a SHA-512 and the bytes matched it.
    public var matchedFeedHash: Bool
}

extension PackageFeed {
    /// Downloads `package` into `directory` as `id.normalizedversion.nupkg`. The id must be a valid NuGet id:
    /// feeds supply it, and `../../x/pwn` must not name a file outside `directory`.
    public func download(_ package: RemotePackage, toDirectory directory: String,
                         progress: (@Sendable (Int64, Int64) -> Void)? = nil) async throws(FeedError) -> DownloadedPackage {
        try package.checkUsableAsFileName(feed: name)
        return try await download(package, to: directory + "/" + package.identity.fileName, progress: progress)
    }

    /// Downloads `package` to `destination`: streamed to `destination.partial` (resumed if a previous run
    /// left one), SHA-512 checked against the feed's `PackageHash` when it has one, vetted by
    /// ``PackageVetter`` (entry names and types, every CRC-32, real against declared sizes, bombs: what catches
    /// a damaged download when the feed publishes no hash), the nuspec checked to name the requested id and
    /// version, then atomically renamed. A bad file is discarded, never renamed.
    public func download(_ package: RemotePackage, to destination: String,
                         progress: (@Sendable (Int64, Int64) -> Void)? = nil) async throws(FeedError) -> DownloadedPackage {
        let partial = destination + ".partial"
        let fetched: FetchedFile
        do throws(FeedError) {
            fetched = try await fetch(package, to: partial, progress: progress)
        } catch {
            // Keep what arrived after a network failure so a rerun resumes; anything else starts over.
            if !error.isTransient { unlink(partial) }
            throw error
        }
        let source = package.downloadURL ?? name
        var matched = false
        if let expected = package.sha512 {
            guard fetched.sha512.matches(expected) else {
                unlink(partial)
                throw .hashMismatch(url: source, expected: expected, actual: fetched.sha512.base64)
            }
            matched = true
        }
        let nuspec: Nuspec
        do {
            // Reading every entry's data costs real time on a large package: off the cooperative pool. When
            // the package was vetted while it arrived and its central directory confirms that, it is not read again.
            nuspec = try await Blocking.run { () throws(NupkgError) -> Nuspec in
                if let streamed = fetched.streamedVet, let confirmed = try PackageVetter.confirm(streamed, path: partial) {
                    return confirmed.nuspec
                }
                return try PackageVetter.vet(partial).nuspec
            }
        } catch {
            unlink(partial)
            throw .packageRefused(file: source, reason: "\(error)")
        }
        guard nuspec.id.lowercased() == package.id.lowercased(), nuspec.version == package.version else {
            unlink(partial)
            throw .packageMismatch(url: source, expected: package.description, actual: "\(nuspec.id) \(nuspec.version.normalized)")
        }
        try FileCopy.rename(partial, to: destination)
        return DownloadedPackage(path: destination, identity: PackageIdentity(id: nuspec.id, version: nuspec.version),
                                 size: fetched.size, sha512: fetched.sha512, matchedFeedHash: matched)
    }
}
