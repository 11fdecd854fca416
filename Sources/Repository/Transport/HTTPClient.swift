import Foundation

/// When and how long to wait before trying a request again.
public struct RetryPolicy: Sendable, Hashable {
    /// Total tries, the first included.
    public var maxAttempts: Int
    /// The first backoff step in seconds; doubled each attempt, capped by `maxDelay`, with full jitter.
    public var baseDelay: Double
    public var maxDelay: Double
    /// A `Retry-After` longer than this is not waited for: the request fails as rate limited.
    public var maxRetryAfter: Double

    public init(maxAttempts: Int = 5, baseDelay: Double = 0.5, maxDelay: Double = 30, maxRetryAfter: Double = 120) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt `attempt + 1` (attempt counts from 1): exponential backoff with full
    /// jitter, or the server's `Retry-After` when it gave one (never less).
    public func delay(afterAttempt attempt: Int, retryAfter: Double?) -> Double {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        let jittered = Double.random(in: (ceiling / 2)...max(ceiling / 2, ceiling))
        if let retryAfter { return max(retryAfter, 0) }
        return jittered
    }

    /// Parses `Retry-After`: delta seconds or an HTTP date.
    public static func parseRetryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}

/// Sends requests through a transport with the retry policy: resets, timeouts, stalls, 5xx and 429 are
/// retried with exponential backoff and jitter, honouring `Retry-After`; a resumable download continues
/// from what it already has.
public struct HTTPClient: Sendable {
    public let transport: any HTTPTransport
    public let retry: RetryPolicy
    /// Receives one line per retry (no secrets: URLs never carry credentials).
    public let log: @Sendable (String) -> Void

    public init(transport: any HTTPTransport = CurlTransport(), retry: RetryPolicy = RetryPolicy(),
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.transport = transport
        self.retry = retry
        self.log = log
    }

    static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]

    /// Sends `request`, retrying transient failures. Returns the last response, whatever its status
    /// (use ``HTTPResponse/failure(for:)`` to turn an unusable status into an error).
    public func send(_ request: HTTPRequest) async throws(FeedError) -> HTTPResponse {
        var attempt = 1
        while true {
            let response: HTTPResponse
            do throws(FeedError) {
                response = try await transport.perform(request)
            } catch {
                guard error.isTransient, attempt < retry.maxAttempts else { throw error }
                let wait = retry.delay(afterAttempt: attempt, retryAfter: nil)
                log("retrying \(request.method.rawValue) \(request.url) in \(Self.format(wait)) s after: \(error) (attempt \(attempt + 1) of \(retry.maxAttempts))")
                try await sleep(wait, url: request.url)
                attempt += 1
                continue
            }
            if response.status == 416, case let .file(path, true) = request.destination, attempt < retry.maxAttempts {
                // The partial file is not a prefix the server can continue: start again from zero.
                truncate(path, 0)
                attempt += 1
                continue
            }
            guard Self.retryableStatuses.contains(response.status), attempt < retry.maxAttempts else { return response }
            let retryAfter = RetryPolicy.parseRetryAfter(response.headers["retry-after"])
            if response.status == 429, let retryAfter, retryAfter > retry.maxRetryAfter {
                throw .rateLimited(url: request.url, retryAfterSeconds: Int(retryAfter))
            }
            let wait = retry.delay(afterAttempt: attempt, retryAfter: retryAfter.map { min($0, retry.maxRetryAfter) })
            log("retrying \(request.method.rawValue) \(request.url) in \(Self.format(wait)) s after HTTP \(response.status) (attempt \(attempt + 1) of \(retry.maxAttempts))")
            try await sleep(wait, url: request.url)
            attempt += 1
        }
    }

    /// Sends a GET for a small document (feed page, JSON) and returns the body of a 2xx answer;
    /// `nil` for 404 when `allowNotFound`.
    public func fetch(_ url: String, credentials: Credentials?, accept: String, allowNotFound: Bool = false,
                      limit: Int = 32 << 20) async throws(FeedError) -> [UInt8]? {
        let request = HTTPRequest(url: url, headers: [("Accept", accept)], destination: .memory(limit: limit),
                                  credentials: credentials, acceptCompressed: true)
        let response = try await send(request)
        if response.status == 404, allowNotFound { return nil }
        guard response.isSuccess else { throw response.failure(for: url) }
        return response.body
    }

    private func sleep(_ seconds: Double, url: String) async throws(FeedError) {
        do {
            try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
        } catch {
            throw .cancelled(url: url)
        }
    }

    private static func format(_ seconds: Double) -> String { String(format: "%.1f", seconds) }
}

extension HTTPResponse {
    /// The error that explains this (non-2xx) response for `url`.
    public func failure(for url: String) -> FeedError {
        switch status {
        case 401, 403:
            return .unauthorized(url: url, status: status,
                                 hint: "check the user/password or API key configured for this source (see docs/feeds.md)")
        case 406: return .queryRejected(url: url, body: bodySnippet)
        case 410: return .gone(url: url)
        case 429: return .rateLimited(url: url, retryAfterSeconds: RetryPolicy.parseRetryAfter(headers["retry-after"]).map { Int($0) })
        default: return .httpStatus(url: url, status: status, body: bodySnippet)
        }
    }
}
