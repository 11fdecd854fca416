import FileSupport
import Foundation
import Nupkg
import Versioning

/// What happened to a pushed package.
public enum PushOutcome: Sendable, Hashable, Codable {
    /// The feed took it (HTTP status, or 201 for folders).
    case pushed(status: Int)
    /// The feed already had this id and version with the same bytes; `status` is what the push answered
    /// (409 on most servers, 400 on minchoc).
    case alreadyPresent(status: Int)
    /// The feed has this id and version with different bytes. Nothing was overwritten.
    case differentContent(feedSHA512: String)
}

/// The result of ``PackageFeed/push(fileAt:timeout:verify:)``.
public struct PushReport: Sendable, Hashable, Codable {
    public var identity: PackageIdentity
    /// The local file's SHA-512, computed only when it had to be compared (a refused push, or `verify`).
    public var sha512: PackageHash?
    public var size: Int64
    public var outcome: PushOutcome
}

extension PackageFeed {
    /// Pushes the package at `path`, idempotently: when the feed refuses it (409, minchoc's 400, or any
    /// other status) the feed is read back and the bytes compared, so an identical package already there
    /// is success and a different one is ``PushOutcome/differentContent(feedSHA512:)``. With `verify`, a
    /// successful push is read back and compared too. `timeout` bounds the upload in seconds.
    ///
    /// The package is vetted first (``PackageVetter``: entry names and types, CRC-32s, sizes, bombs): nothing
    /// NuGet would refuse to extract is published. A read-back that differs is read again before it counts
    /// as a conflict, so one damaged read-back cannot report "different bytes".
    ///
    /// A refused push of bytes the feed then holds counts as ``PushOutcome/pushed(status:)`` when the feed
    /// did not have the package before: an earlier try of this push stored it and its answer was lost (a
    /// reset, a 5xx), and the retried PUT was refused as a duplicate. `absentBefore` says what the caller
    /// already knows; nil looks it up first (one request).
    public func push(fileAt path: String, timeout: Int? = nil, verify: Bool = false,
                     absentBefore: Bool? = nil) async throws(FeedError) -> PushReport {
        let nuspec: Nuspec
        do {
            nuspec = try await Blocking.run { () throws(NupkgError) -> Nuspec in try PackageVetter.vet(path).nuspec }
        } catch {
            throw .packageRefused(file: path, reason: "\(error)")
        }
        // Hashing a 1 GiB package costs seconds: only done when the bytes must be compared, and off the
        // cooperative pool.
        func localHash() async throws(FeedError) -> PackageHash {
            do { return try await PackageHash.sha512AndSizeInBackground(ofFileAt: path).hash } catch {
                throw .fileError(path: path, reason: "cannot hash: \(error)")
            }
        }
        let identity = PackageIdentity(id: nuspec.id, version: nuspec.version)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        var report = PushReport(identity: identity, sha512: nil, size: size, outcome: .pushed(status: 0))
        var wasAbsent = absentBefore
        if wasAbsent == nil { wasAbsent = try await package(id: identity.id, version: identity.version) == nil }
        switch try await upload(fileAt: path, identity: identity, timeout: timeout) {
        case let .accepted(status):
            report.outcome = .pushed(status: status)
            if verify {
                let hash = try await localHash()
                report.sha512 = hash
                guard let remote = try await package(id: identity.id, version: identity.version) else {
                    throw .packageNotFound(id: identity.id, version: identity.version.normalized, feed: name)
                }
                let remoteHash = try await readBackHash(of: remote, expected: hash)
                guard hash.matches(remoteHash) else {
                    throw .contentConflict(id: identity.id, version: identity.version.normalized, feed: name,
                                           localHash: hash.base64, remoteHash: remoteHash)
                }
            }
        case let .refused(status, body):
            guard let remote = try await package(id: identity.id, version: identity.version) else {
                throw .httpStatus(url: name, status: status, body: body.isEmpty ? "push refused" : body)
            }
            let hash = try await localHash()
            let remoteHash = try await readBackHash(of: remote, expected: hash)
            report.sha512 = hash
            if !hash.matches(remoteHash) {
                report.outcome = .differentContent(feedSHA512: remoteHash)
            } else {
                report.outcome = wasAbsent == true ? .pushed(status: status) : .alreadyPresent(status: status)
            }
        }
        return report
    }

    /// The feed's SHA-512 of `package` for comparing with `expected` (the local bytes). A published hash is
    /// taken as it is. Otherwise the package is downloaded: a read-back that differs from `expected` is read
    /// again (up to `attempts` reads), and only a difference two reads agree on is returned, so a byte
    /// damaged in transit on the way back cannot pass for a conflict.
    public func readBackHash(of package: RemotePackage, expected: PackageHash, attempts: Int = 3) async throws(FeedError) -> String {
        if let published = package.sha512 { return published }
        var previous: String?
        for attempt in 1...max(1, attempts) {
            let hash: String
            do throws(FeedError) {
                hash = try await sha512(of: package)
            } catch {
                // A read-back that is not even a valid package was damaged on the way (or the feed is broken):
                // read again while the budget lasts.
                guard attempt < attempts, error.isTransient || error.isDamagedPackage else { throw error }
                continue
            }
            if expected.matches(hash) || hash == previous { return hash }
            previous = hash
        }
        return previous ?? ""
    }

    /// The feed's SHA-512 of `package` (base64): the published one, else computed by downloading it to a
    /// temporary file that is removed afterwards; a downloaded copy must pass ``PackageVetter``.
    public func sha512(of package: RemotePackage) async throws(FeedError) -> String {
        if let published = package.sha512 { return published }
        let directory = NSTemporaryDirectory() + "ccm-upgrade-readback-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .fileError(path: directory, reason: "cannot create a temporary folder: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/package.nupkg"
        let fetched = try await fetch(package, to: file, progress: nil)
        do {
            _ = try await Blocking.run { () throws(NupkgError) -> VettedPackage in try PackageVetter.vet(file) }
        } catch {
            throw .packageRefused(file: package.downloadURL ?? name, reason: "the read-back copy: \(error)")
        }
        return fetched.sha512.base64
    }
}
