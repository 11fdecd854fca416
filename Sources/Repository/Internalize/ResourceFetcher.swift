import CurlSupport
import FileSupport
import Foundation
import Internalization
import Nupkg

/// Why a resource could not be used; the package that needs it is refused (nothing unverified is embedded).
public enum ResourceError: Error, Sendable, Hashable, CustomStringConvertible {
    case download(url: String, reason: String)
    case checksumMismatch(url: String, type: ChecksumType, expected: String, actual: String)
    /// The script gives no checksum and the user did not allow computing one.
    case noChecksum(url: String, location: String)
    /// The script names a checksum type or value choco would refuse.
    case badChecksum(url: String, location: String, reason: String)
    case unsupportedScheme(url: String, location: String)
    case location(path: String, reason: String)

    public var description: String {
        switch self {
        case let .download(url, reason): return "\(url): download failed: \(reason)"
        case let .checksumMismatch(url, type, expected, actual):
            return "\(url): \(type.rawValue) mismatch (the script declares \(expected), the download has \(actual)); nothing was embedded"
        case let .noChecksum(url, location):
            return "\(location): \(url) has no checksum in the script; allow it with --allow-missing-checksums "
                + "(the computed SHA-256 is then written into the script)"
        case let .badChecksum(url, location, reason): return "\(location): \(url): \(reason)"
        case let .unsupportedScheme(url, location): return "\(location): \(url): only http and https downloads are internalized"
        case let .location(path, reason): return "\(path): \(reason)"
        }
    }
}

/// Downloads the resources a package's scripts fetch, through the feed transport (proxy, CA bundle, retries,
/// resume, the transfer limit), and verifies each against the checksum its script declares.
///
/// Verified files are kept in a cache keyed by checksum (`<cache>/<type>-<hex>`): a rerun, or another package
/// fetching the same installer, finds it there and does not download it again (the file is hashed again
/// before it is reused). A file whose script has no checksum is downloaded each run.
public struct ResourceFetcher: Sendable {
    public var http: HTTPClient
    public var cacheDirectory: String
    /// Compute a checksum when the script has none (else such a resource refuses its package).
    public var allowMissingChecksums: Bool
    public var log: @Sendable (String) -> Void
    /// The largest resource accepted (an endless body stops here, not at a full disk).
    public var maximumSize: Int64 = 16 << 30
    private let inFlight = InFlightKeys()

    public init(http: HTTPClient, cacheDirectory: String, allowMissingChecksums: Bool, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.http = http
        self.cacheDirectory = cacheDirectory
        self.allowMissingChecksums = allowMissingChecksums
        self.log = log
    }

    /// The checksum a resource must match, checked before anything is downloaded.
    public func expectation(for resource: RemoteResource) throws(ResourceError) -> (type: ChecksumType, hex: String)? {
        let lower = resource.url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
            throw .unsupportedScheme(url: resource.url, location: resource.call.location)
        }
        guard let declared = resource.checksum else {
            guard allowMissingChecksums else { throw .noChecksum(url: resource.url, location: resource.call.location) }
            return nil
        }
        guard let type = ChecksumType(declared: resource.checksumType) else {
            throw .badChecksum(url: resource.url, location: resource.call.location,
                               reason: "checksum type '\(resource.checksumType ?? "")' is not md5, sha1, sha256 or sha512")
        }
        guard let hex = ResourceChecksum.normalized(declared, type: type) else {
            throw .badChecksum(url: resource.url, location: resource.call.location,
                               reason: "'\(declared)' is not a \(type.rawValue) checksum (\(type.hexLength) hex digits)")
        }
        return (type, hex)
    }

    /// The verified file for `resource`: from the cache, or downloaded and checked.
    public func fetch(_ resource: RemoteResource, progress: (@Sendable (Int64, Int64) -> Void)? = nil) async throws(ResourceError) -> VerifiedResource {
        let expected = try expectation(for: resource)
        do {
            try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        } catch {
            throw .location(path: cacheDirectory, reason: "cannot create the resource cache: \(error.localizedDescription)")
        }
        guard let expected else { return try await fetchUnverified(resource, progress: progress) }
        let final = cacheDirectory + "/\(expected.type.rawValue)-\(expected.hex)"
        await inFlight.acquire(final)
        defer { Task { await inFlight.release(final) } }
        if FileManager.default.fileExists(atPath: final) {
            // SHA-512 too: the record lists it, and the repack must give the same bytes as a fresh download.
            let cached = try await digests(of: final, types: [expected.type, .sha512], url: resource.url)
            if cached.hex[expected.type] == expected.hex {
                log("\(resource.url): verified copy in the cache")
                return VerifiedResource(url: resource.url, path: final, size: cached.size, digests: cached.hex)
            }
            unlink(final)
        }
        let partial = final + ".partial"
        let (size, sha512) = try await download(resource.url, to: partial, progress: progress)
        var hex: [ChecksumType: String] = [.sha512: sha512]
        if expected.type != .sha512 {
            hex.merge(try await digests(of: partial, types: [expected.type], url: resource.url).hex) { $1 }
        }
        guard hex[expected.type] == expected.hex else {
            unlink(partial)
            throw .checksumMismatch(url: resource.url, type: expected.type, expected: expected.hex, actual: hex[expected.type] ?? "")
        }
        guard rename(partial, final) == 0 else { throw .location(path: final, reason: String(cString: strerror(errno))) }
        return VerifiedResource(url: resource.url, path: final, size: size, digests: hex)
    }

    /// No checksum to check against (allowed by the user): downloaded fresh, its SHA-256 (or the declared
    /// type) computed for the script, then kept under that checksum.
    private func fetchUnverified(_ resource: RemoteResource, progress: (@Sendable (Int64, Int64) -> Void)?) async throws(ResourceError) -> VerifiedResource {
        let partial = cacheDirectory + "/unverified-" + ResourceChecksum.hexOfText(resource.url).prefix(32) + ".partial"
        await inFlight.acquire(partial)
        defer { Task { await inFlight.release(partial) } }
        let (size, sha512) = try await download(resource.url, to: partial, progress: progress)
        let type = resource.checksumType.flatMap { ChecksumType(declared: $0) } ?? .sha256
        var hex: [ChecksumType: String] = [.sha512: sha512]
        hex.merge(try await digests(of: partial, types: [type, .sha256], url: resource.url).hex) { $1 }
        let final = cacheDirectory + "/\(type.rawValue)-\(hex[type] ?? "")"
        guard rename(partial, final) == 0 else { throw .location(path: final, reason: String(cString: strerror(errno))) }
        log("warning: \(resource.url) has no checksum in \(resource.call.location); using the computed \(type.rawValue) \(hex[type] ?? "")")
        return VerifiedResource(url: resource.url, path: final, size: size, digests: hex)
    }

    private func download(_ url: String, to partial: String, progress: (@Sendable (Int64, Int64) -> Void)?) async throws(ResourceError)
        -> (size: Int64, sha512: String) {
        var request = HTTPRequest(url: url, headers: [("Accept", "*/*")], destination: .file(path: partial, resume: true))
        request.onProgress = progress
        request.maxFileBytes = maximumSize
        log("\(url): downloading")
        let response: HTTPResponse
        do { response = try await http.send(request) } catch {
            // A network failure keeps the partial file: the next try resumes it.
            throw .download(url: url, reason: "\(error)")
        }
        guard response.isSuccess, let size = response.fileSize, let digest = response.fileSHA512 else {
            unlink(partial)
            throw .download(url: url, reason: "HTTP \(response.status)" + (response.bodySnippet.isEmpty ? "" : ": \(response.bodySnippet)"))
        }
        if let declared = response.headers["content-length"].flatMap(Int64.init), response.status == 200, declared != size {
            unlink(partial)
            throw .download(url: url, reason: "Content-Length says \(declared) bytes, \(size) arrived")
        }
        return (size, ResourceChecksum.hex(of: digest))
    }

    private func digests(of path: String, types: Set<ChecksumType>, url: String) async throws(ResourceError) -> (size: Int64, hex: [ChecksumType: String]) {
        do {
            return try await Blocking.run { () throws(FileIOError) -> (size: Int64, hex: [ChecksumType: String]) in
                try ResourceChecksum.digests(ofFileAt: path, types: types)
            }
        } catch {
            throw .download(url: url, reason: "cannot hash \(path): \(error.reason)")
        }
    }
}

/// Cache keys being written: two packages that fetch the same installer at once take turns, so one
/// downloads it and the other finds it verified in the cache.
private actor InFlightKeys {
    private var busy: Set<String> = []
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    func acquire(_ key: String) async {
        while busy.contains(key) {
            await withCheckedContinuation { waiters[key, default: []].append($0) }
        }
        busy.insert(key)
    }

    func release(_ key: String) {
        busy.remove(key)
        let waiting = waiters.removeValue(forKey: key) ?? []
        for waiter in waiting { waiter.resume() }
    }
}
