import Foundation
public import Logging

/// Sends requests through a transport with the retry policy: resets, timeouts, stalls and the policy's
/// statuses (5xx, 429) are retried with exponential backoff and jitter, honouring `Retry-After`; a
/// resumable download continues from what it already has.
///
/// A request that must not run twice (POST) is sent again only when it failed before anything reached
/// the server (name lookup, connecting); a status answer means the server saw it, so it is returned.
public struct HTTPClient: Sendable {
    public let transport: any HTTPTransport
    public let retry: RetryPolicy
    /// Each request at `.debug` (method, URL, status, size, time), each retry at `.notice`. Never headers or
    /// bodies; a password inside a URL is registered with ``Redaction`` by the feed settings, so the printer
    /// masks it.
    public let logger: Logger

    /// A logger that drops everything: the default, so a library caller sees nothing unless it asks.
    public static let silent = Logger(label: "ccm-upgrade.http", factory: { _ in SwiftLogNoOpLogHandler() })

    public init(transport: any HTTPTransport = CurlTransport(), retry: RetryPolicy = RetryPolicy(), logger: Logger = HTTPClient.silent) {
        self.transport = transport
        self.retry = retry
        self.logger = logger
    }

    /// Sends `request`, retrying transient failures. Returns the last response, whatever its status.
    /// - Throws: ``HTTPError``; ``HTTPError/cancelled(url:)`` as soon as the awaiting task is cancelled.
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let method = request.method.rawValue
        var attempt = 1
        var waited = 0.0
        while true {
            if Task.isCancelled { throw .cancelled(url: request.url) }
            let started = ContinuousClock.now
            let response: HTTPResponse
            do throws(HTTPError) {
                response = try await transport.perform(request)
            } catch {
                let retryable = request.method.isIdempotent ? error.isTransient : error.failedBeforeSending
                guard retryable, attempt < retry.maxAttempts else { throw error }
                let wait = retry.delay(afterAttempt: attempt, retryAfter: nil)
                guard waited + wait <= retry.retryBudget else { throw error }
                waited += wait
                logger.notice("retrying \(method) \(request.url) in \(Self.format(wait)) s after: \(error.reason) (attempt \(attempt + 1) of \(retry.maxAttempts))")
                try await sleep(wait, url: request.url)
                attempt += 1
                continue
            }
            logger.info("\(method) \(request.url) → \(response.status), \(response.fileSize ?? Int64(response.body.count)) bytes, \(Self.seconds(since: started)) s")
            if response.status == 416, case let .file(path, true) = request.destination, attempt < retry.maxAttempts {
                // The partial file is not a prefix the server can continue: start again from zero.
                truncate(path, 0)
                attempt += 1
                continue
            }
            guard request.method.isIdempotent, retry.retryStatuses.contains(response.status), attempt < retry.maxAttempts else {
                return response
            }
            let retryAfter = RetryPolicy.parseRetryAfter(response.headers["retry-after"])
            if response.status == 429, let retryAfter, retryAfter > retry.maxRetryAfter {
                throw .rateLimited(url: request.url, retryAfterSeconds: Int(retryAfter))
            }
            let wait = retry.delay(afterAttempt: attempt, retryAfter: retryAfter.map { min($0, retry.maxRetryAfter) })
            guard waited + wait <= retry.retryBudget else {
                logger.notice("not retrying \(method) \(request.url) after HTTP \(response.status): waiting \(Self.format(wait)) s more would exceed the retry budget of \(Self.format(retry.retryBudget)) s")
                return response
            }
            waited += wait
            logger.notice("retrying \(method) \(request.url) in \(Self.format(wait)) s after HTTP \(response.status) (attempt \(attempt + 1) of \(retry.maxAttempts))")
            try await sleep(wait, url: request.url)
            attempt += 1
        }
    }

    private func sleep(_ seconds: Double, url: String) async throws(HTTPError) {
        do {
            // Clamped to a day: a policy built in code with an absurd delay must not overflow the conversion.
            try await Task.sleep(nanoseconds: UInt64(min(max(0, seconds), 86400) * 1_000_000_000))
        } catch {
            throw .cancelled(url: url)
        }
    }

    private static func format(_ seconds: Double) -> String { String(format: "%.1f", seconds) }

    private static func seconds(since start: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - start
        return String(format: "%.2f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
