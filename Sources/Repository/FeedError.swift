import CurlSupport
import Foundation

/// Why a feed operation failed. Every case names the URL or file and says what was expected, so the
/// message can be acted on without a debugger. Secrets never appear in these messages.
public enum FeedError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libcurl failed; `code` is curl's result code and `message` curl's own text.
    case transport(url: String, code: CurlCode, message: String)
    /// The server answered with a status the operation cannot use.
    case httpStatus(url: String, status: Int, body: String)
    /// 401/403: credentials or API key missing or refused.
    case unauthorized(url: String, status: Int, hint: String)
    /// A push to a feed with no API key configured (nothing was sent).
    case missingAPIKey(url: String)
    /// 429 for longer than the retry policy waits (the community repository blocks for an hour).
    case rateLimited(url: String, retryAfterSeconds: Int?)
    /// 406 from the community repository: a query over 10,000 results, an unsupported `$orderby`, a repeated filter.
    case queryRejected(url: String, body: String)
    /// 410: the endpoint is gone (`GetUpdates` on the community repository).
    case gone(url: String)
    /// 413 on push: the package is larger than the server's upload limit.
    case uploadTooLarge(url: String, file: String, size: Int64)
    /// A response could not be read: `field` is what was being read, `expected` what was needed.
    case invalidResponse(url: String, field: String, expected: String)
    /// A `next` link pointed at a page already read: the server would make us loop forever.
    case pagingLoop(url: String)
    /// The feed does not have the package.
    case packageNotFound(id: String, version: String?, feed: String)
    /// The downloaded bytes do not have the SHA-512 the feed published; the file was discarded.
    case hashMismatch(url: String, expected: String, actual: String)
    /// The downloaded package's nuspec names a different package than requested; the file was discarded.
    case packageMismatch(url: String, expected: String, actual: String)
    /// The package failed vetting (unsafe entry names or types, a bad CRC-32, sizes that disagree, a bomb,
    /// an unreadable nuspec): it was not published, and a downloaded copy was discarded.
    case packageRefused(file: String, reason: String)
    /// The feed already holds this id and version with different bytes: nothing was overwritten.
    case contentConflict(id: String, version: String, feed: String, localHash: String, remoteHash: String)
    /// A local file or folder operation failed.
    case fileError(path: String, reason: String)
    /// A response body exceeded the memory limit for its kind.
    case bodyTooLarge(url: String, limit: Int)
    /// The operation is not possible on this kind of feed.
    case unsupported(feed: String, operation: String)
    /// A source string or config entry could not be used.
    case invalidSource(source: String, reason: String)
    /// The task was cancelled while the transfer ran.
    case cancelled(url: String)
    /// The package could not be internalized (a resource failed its checksum or download, a download cannot be
    /// resolved statically, …): nothing was pushed.
    case notInternalized(package: String, reason: String)

    public var description: String {
        switch self {
        case let .transport(url, code, message):
            return "\(url): network error, \(code): \(message)"
        case let .httpStatus(url, status, body):
            return "\(url): unexpected HTTP \(status)" + (body.isEmpty ? "" : ": \(body)")
        case let .unauthorized(url, status, hint):
            return "\(url): HTTP \(status), credentials refused or missing: \(hint)"
        case let .missingAPIKey(url):
            return "\(url): no API key for pushing to this feed; give one with --api-key-env NAME or --api-key-file PATH, "
                + "set $\(FeedSettings.Environment.apiKey), or set apiKeyEnv or apiKeyFile for this source in feeds.json"
        case let .rateLimited(url, retryAfter):
            let wait = retryAfter.map { " (the server asks to wait \($0) s)" } ?? ""
            return "\(url): HTTP 429, rate limited\(wait); the community repository blocks for up to an hour: "
                + "internalize fewer packages at once or retry later"
        case let .queryRejected(url, body):
            return "\(url): HTTP 406, query refused (more than 10,000 results, an unsupported $orderby or a repeated filter)"
                + (body.isEmpty ? "" : ": \(body)")
        case let .gone(url):
            return "\(url): HTTP 410, this endpoint is gone on this feed (query each id with FindPackagesById instead)"
        case let .uploadTooLarge(url, file, size):
            return "\(url): HTTP 413, \(file) (\(size) bytes) is larger than the server's upload limit; raise it "
                + "(nginx client_max_body_size, IIS maxAllowedContentLength / maxRequestLength, the repository manager's max upload size)"
        case let .invalidResponse(url, field, expected):
            return "\(url): cannot read '\(field)': expected \(expected)"
        case let .pagingLoop(url):
            return "\(url): the feed's next link repeats a page already read (a server paging bug); stopped to avoid looping forever"
        case let .packageNotFound(id, version, feed):
            return "\(feed): package '\(id)'" + (version.map { " version \($0)" } ?? "") + " not found"
        case let .hashMismatch(url, expected, actual):
            return "\(url): downloaded file has SHA-512 \(actual) but the feed publishes \(expected); the file was discarded"
        case let .packageMismatch(url, expected, actual):
            return "\(url): expected package \(expected) but the downloaded nuspec says \(actual); the file was discarded"
        case let .packageRefused(file, reason):
            return "\(file): refused, not published: \(reason)"
        case let .contentConflict(id, version, feed, localHash, remoteHash):
            return "\(feed): already has \(id) \(version) with different content (feed SHA-512 \(remoteHash), local \(localHash)); "
                + "nothing was overwritten: delete it on the feed or bump the version"
        case let .fileError(path, reason):
            return "\(path): \(reason)"
        case let .bodyTooLarge(url, limit):
            return "\(url): response larger than \(limit) bytes; refusing to hold it in memory"
        case let .unsupported(feed, operation):
            return "\(feed): \(operation) is not supported by this kind of feed"
        case let .invalidSource(source, reason):
            return "source '\(source)': \(reason)"
        case let .cancelled(url):
            return "\(url): cancelled"
        case let .notInternalized(package, reason):
            return "\(package): not internalized, not pushed: \(reason)"
        }
    }

    /// True for failures worth retrying: resets, timeouts, stalls, 5xx, 429.
    public var isTransient: Bool {
        switch self {
        case let .transport(_, code, _): return code.isTransient
        case let .httpStatus(_, status, _): return RetryPolicy.feedStatuses.contains(status)
        default: return false
        }
    }

    /// True when downloaded bytes were wrong (a hash mismatch, a package that fails vetting, a body cut
    /// short): a fresh download may succeed, so it is retried within the run's budget.
    public var isDamagedPackage: Bool {
        switch self {
        case .hashMismatch, .packageRefused: return true
        case let .invalidResponse(_, field, _): return field == "Content-Length" || field == "Content-Range"
        default: return false
        }
    }

    /// The one place a transport-level failure becomes a feed error.
    public init(_ error: HTTPError) {
        switch error {
        case let .transport(url, code, message): self = .transport(url: url, code: code, message: message)
        case let .cancelled(url): self = .cancelled(url: url)
        case let .bodyTooLarge(url, limit): self = .bodyTooLarge(url: url, limit: limit)
        case let .fileError(path, reason): self = .fileError(path: path, reason: reason)
        case let .invalidResponse(url, field, expected): self = .invalidResponse(url: url, field: field, expected: expected)
        case let .rateLimited(url, retryAfter): self = .rateLimited(url: url, retryAfterSeconds: retryAfter)
        }
    }
}
