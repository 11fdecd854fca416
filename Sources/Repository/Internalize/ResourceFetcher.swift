import CurlSupport
import FileSupport
import Foundation
import Internalization
import JSONOutput
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
/// before it is reused). A file whose script has no checksum (allowed by the user) is kept with the server's
/// validators (`ETag`, `Last-Modified`): a rerun asks the server with a conditional GET and downloads it again
/// only when it changed (a 304 answer reuses the cached copy, after checking its hash).
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
        guard case let .fetched((size, sha512, _, _)) = try await download(resource.url, to: partial, progress: progress) else {
            throw .download(url: resource.url, reason: "HTTP 304 to a request that asked for no condition")
        }
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

    /// No checksum to check against (allowed by the user): downloaded, its SHA-256 (or the declared type)
    /// computed for the script, then kept under that checksum with a record of the server's validators. A rerun
    /// sends them back (`If-None-Match`, `If-Modified-Since`): a 304 reuses the copy (its SHA-512 checked
    /// against the record), anything else is a fresh download.
    private func fetchUnverified(_ resource: RemoteResource, progress: (@Sendable (Int64, Int64) -> Void)?) async throws(ResourceError) -> VerifiedResource {
        let key = cacheDirectory + "/unverified-" + ResourceChecksum.hexOfText(resource.url).prefix(32)
        let partial = key + ".partial"
        await inFlight.acquire(partial)
        defer { Task { await inFlight.release(partial) } }
        let type = resource.checksumType.flatMap { ChecksumType(declared: $0) } ?? .sha256
        let recordPath = key + ".json"
        var conditions: [(String, String)] = []
        if let record = UnverifiedRecord.load(recordPath), record.url == resource.url, record.type == type,
           FileManager.default.fileExists(atPath: cacheDirectory + "/" + record.file) {
            // The entity tag alone when there is one: a server that also compares dates could answer 304 for a
            // file replaced with its old time kept.
            if let etag = record.etag { conditions.append(("If-None-Match", etag)) } else if let lastModified = record.lastModified {
                conditions.append(("If-Modified-Since", lastModified))
            }
            if !conditions.isEmpty {
                log("\(resource.url): asking whether it changed since the cached copy")
                switch try await download(resource.url, to: partial, conditions: conditions, progress: progress) {
                case let .notModified(etag):
                    // A 304 naming another entity tag is not about the cached copy.
                    if etag == nil || etag == record.etag, let reused = await reuse(record, for: resource) { return reused }
                case let .fetched(fetched):
                    return try await keep(fetched, of: resource, type: type, partial: partial, recordPath: recordPath)
                }
            }
        }
        // Never resumed: with no checksum to check, the start of an older file and the rest of a newer one
        // (a "latest" URL that changed between two runs) would pass for one installer.
        unlink(partial)
        guard case let .fetched(fetched) = try await download(resource.url, to: partial, resume: false, progress: progress) else {
            throw .download(url: resource.url, reason: "HTTP 304 to a request that asked for no condition")
        }
        return try await keep(fetched, of: resource, type: type, partial: partial, recordPath: recordPath)
    }

    /// The cached copy, after the server said it has not changed (304): nil when it no longer has its
    /// recorded hash (it is then removed and downloaded again).
    private func reuse(_ record: UnverifiedRecord, for resource: RemoteResource) async -> VerifiedResource? {
        let cached = cacheDirectory + "/" + record.file
        // A copy that cannot be hashed (removed meanwhile) is downloaded again, not a reason to refuse.
        guard let digests = try? await digests(of: cached, types: [record.type, .sha512, .sha256], url: resource.url),
              digests.hex[.sha512] == record.sha512, digests.hex[record.type] == record.hex else {
            log("\(resource.url): the cached copy no longer has its recorded hash; downloading it again")
            unlink(cached)
            return nil
        }
        log("warning: \(resource.url) has no checksum in \(resource.call.location); unchanged on the server since it was cached, using the computed \(record.type.rawValue) \(record.hex)")
        return VerifiedResource(url: resource.url, path: cached, size: digests.size, digests: digests.hex)
    }

    /// Hashes a fresh download of an unverified resource, moves it into the cache under its checksum and
    /// records the server's validators for the next run.
    private func keep(_ fetched: (size: Int64, sha512: String, etag: String?, lastModified: String?), of resource: RemoteResource,
                      type: ChecksumType, partial: String, recordPath: String) async throws(ResourceError) -> VerifiedResource {
        var hex: [ChecksumType: String] = [.sha512: fetched.sha512]
        hex.merge(try await digests(of: partial, types: [type, .sha256], url: resource.url).hex) { $1 }
        let name = "\(type.rawValue)-\(hex[type] ?? "")"
        let final = cacheDirectory + "/" + name
        guard rename(partial, final) == 0 else { throw .location(path: final, reason: String(cString: strerror(errno))) }
        let record = UnverifiedRecord(url: resource.url, etag: fetched.etag, lastModified: fetched.lastModified, type: type,
                                      hex: hex[type] ?? "", sha512: fetched.sha512, file: name)
        // A record that cannot be written only costs the next run a download.
        record.save(recordPath)
        log("warning: \(resource.url) has no checksum in \(resource.call.location); using the computed \(type.rawValue) \(hex[type] ?? "")")
        return VerifiedResource(url: resource.url, path: final, size: fetched.size, digests: hex)
    }

    /// A download's outcome: the file and what the server said of it, or (for a conditional request) 304.
    private enum Downloaded {
        case fetched((size: Int64, sha512: String, etag: String?, lastModified: String?))
        /// 304, with the entity tag the answer named, if any.
        case notModified(etag: String?)
    }

    private func download(_ url: String, to partial: String, conditions: [(String, String)] = [], resume: Bool = true,
                          progress: (@Sendable (Int64, Int64) -> Void)?) async throws(ResourceError) -> Downloaded {
        // A conditional request starts over (no Range): its answer is either 304 or the whole current file.
        var request = HTTPRequest(url: url, headers: [("Accept", "*/*")] + conditions,
                                  destination: .file(path: partial, resume: resume && conditions.isEmpty))
        request.onProgress = progress
        request.maxFileBytes = maximumSize
        if conditions.isEmpty { log("\(url): downloading") }
        let response: HTTPResponse
        do { response = try await http.send(request) } catch {
            // A network failure keeps the partial file: the next try resumes it.
            throw .download(url: url, reason: "\(error)")
        }
        if response.status == 304, !conditions.isEmpty {
            unlink(partial)
            return .notModified(etag: response.headers["etag"])
        }
        guard response.isSuccess, let size = response.fileSize, let digest = response.fileSHA512 else {
            unlink(partial)
            throw .download(url: url, reason: "HTTP \(response.status)" + (response.bodySnippet.isEmpty ? "" : ": \(response.bodySnippet)"))
        }
        if let declared = response.headers["content-length"].flatMap(Int64.init), response.status == 200, declared != size {
            unlink(partial)
            throw .download(url: url, reason: "Content-Length says \(declared) bytes, \(size) arrived")
        }
        return .fetched((size, ResourceChecksum.hex(of: digest), response.headers["etag"], response.headers["last-modified"]))
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

/// What the cache keeps of a resource downloaded without a checksum: where it came from, the server's
/// validators for a conditional GET, and the hashes the cached copy must still have.
struct UnverifiedRecord: Codable, Sendable, Hashable {
    var url: String
    var etag: String?
    var lastModified: String?
    var type: ChecksumType
    var hex: String
    var sha512: String
    /// The cached file's name in the cache folder.
    var file: String

    /// The record at `path`, or nil when there is none or it cannot be read (the resource is downloaded again).
    static func load(_ path: String) -> UnverifiedRecord? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let record = try? JSONDecoder().decode(UnverifiedRecord.self, from: data), !record.file.contains("/") else { return nil }
        return record
    }

    func save(_ path: String) {
        guard let bytes = try? JSONOutput.encodeBytes(self) else { return }
        try? AtomicFile.write(bytes, to: path)
    }
}
