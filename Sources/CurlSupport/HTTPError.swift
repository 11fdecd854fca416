import Diagnostics

/// Why one HTTP exchange failed at the transport level (HTTP error statuses are answers, not errors:
/// they come back in ``HTTPResponse``). Each message names the URL or file once; secrets never appear.
/// Feed and CCM clients map these to their own error types in one place each.
public enum HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libcurl failed; `message` is curl's detailed text.
    case transport(url: String, code: CurlCode, message: String)
    /// The awaiting task was cancelled (Ctrl-C); the transfer was aborted.
    case cancelled(url: String)
    /// A response body exceeded the memory limit of its request.
    case bodyTooLarge(url: String, limit: Int)
    /// The file a body streams to or from could not be used.
    case fileError(path: String, reason: String)
    /// A response could not be used: `field` is what was being read, `expected` what was needed.
    case invalidResponse(url: String, field: String, expected: String)
    /// 429 with a `Retry-After` longer than the retry policy waits.
    case rateLimited(url: String, retryAfterSeconds: Int?)

    /// The URL (or file) the error is about.
    public var subject: String {
        switch self {
        case let .transport(url, _, _), let .cancelled(url), let .bodyTooLarge(url, _), let .invalidResponse(url, _, _),
             let .rateLimited(url, _):
            return url
        case let .fileError(path, _): return path
        }
    }

    /// What went wrong, without the URL (for lines that already name it, such as the retry line).
    public var reason: String {
        switch self {
        case let .transport(_, code, message): return "network error, \(code): \(message)"
        case .cancelled: return "cancelled"
        case let .bodyTooLarge(_, limit): return "response larger than \(limit) bytes; refusing to hold it in memory"
        case let .fileError(_, reason): return reason
        case let .invalidResponse(_, field, expected): return "cannot read '\(field)': expected \(expected)"
        case let .rateLimited(_, retryAfter):
            return "HTTP 429, rate limited" + (retryAfter.map { " (the server asks to wait \($0) s)" } ?? "")
        }
    }

    /// Credentials inside a URL (`https://user:pw@host/`) and known secrets are masked.
    public var description: String { Redaction.mask("\(subject): \(reason)") }

    /// True for failures worth retrying (see ``CurlCode/isTransient``).
    public var isTransient: Bool {
        if case let .transport(_, code, _) = self { return code.isTransient }
        return false
    }

    /// True when nothing of the request reached the server, so even a POST may be sent again.
    public var failedBeforeSending: Bool {
        if case let .transport(_, code, _) = self { return code.failedBeforeSending }
        return false
    }
}
