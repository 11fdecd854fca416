import Foundation

/// When and how long to wait before trying a request again.
public struct RetryPolicy: Sendable, Hashable {
    /// Total tries, the first included.
    public var maxAttempts: Int
    /// The first backoff step in seconds; doubled each attempt, capped by `maxDelay`, with full jitter.
    public var baseDelay: Double
    public var maxDelay: Double
    /// A `Retry-After` longer than this is not waited for: a 429 fails as rate limited, other statuses wait
    /// this long at most.
    public var maxRetryAfter: Double
    /// Seconds one request may spend waiting between its attempts, all waits together. A retry whose wait
    /// would overdraw it is not made: the last answer or error stands. Bounds what `Retry-After` and long
    /// backoffs can cost a run (before it, `Retry-After: 3600` held each request for up to 8 minutes).
    public var retryBudget: Double
    /// HTTP statuses retried for idempotent requests. Feeds retry 500 too; CCM answers its API errors
    /// with 500, so its client leaves 500 out.
    public var retryStatuses: Set<Int>

    /// The statuses feeds retry: rate limiting, server errors, gateways.
    public static let feedStatuses: Set<Int> = [429, 500, 502, 503, 504]

    public init(maxAttempts: Int = 5, baseDelay: Double = 0.5, maxDelay: Double = 30, maxRetryAfter: Double = 60,
                retryBudget: Double = 180, retryStatuses: Set<Int> = RetryPolicy.feedStatuses) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.retryBudget = retryBudget
        self.retryStatuses = retryStatuses
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt `attempt + 1` (attempt counts from 1): exponential backoff with full
    /// jitter, or the server's `Retry-After` when it gave one (never less).
    public func delay(afterAttempt attempt: Int, retryAfter: Double?) -> Double {
        if let retryAfter { return max(retryAfter, 0) }
        // The exponent is capped so that a large attempt count cannot overflow to infinity.
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(min(max(attempt, 1), 62) - 1)))
        return Double.random(in: (ceiling / 2)...max(ceiling / 2, ceiling))
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
