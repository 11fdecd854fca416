import CurlSupport
import Foundation

/// TLS, timeouts and retries for talking to CCM. Certificate verification is always on; a private CA is
/// trusted through ``caBundle``, never by turning verification off.
public struct CCMConnectionOptions: Sendable, Hashable {
    /// A PEM bundle of CAs to trust instead of the system store (e.g. the company's internal CA).
    public var caBundle: String?
    public var connectTimeout: Int
    /// Overall limit per request, in seconds.
    public var requestTimeout: Int
    /// Accept an `http://` CCM address on another machine: CCM before 0.17.0 serves its website over http
    /// on port 80 by default. The password then crosses the network in clear text; callers must warn.
    public var allowPlainHTTP: Bool

    public init(caBundle: String? = nil, connectTimeout: Int = 30, requestTimeout: Int = 120, allowPlainHTTP: Bool = false) {
        self.caBundle = caBundle
        self.allowPlainHTTP = allowPlainHTTP
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
    }

    /// The libcurl settings: verification on, whatever else changes.
    public var transportOptions: TransportOptions {
        TransportOptions(caBundle: caBundle, verifyTLS: true, connectTimeout: connectTimeout)
    }
}

extension RetryPolicy {
    /// CCM's retries: connect failures, resets, timeouts, 502/503/504 and 429 (with `Retry-After`). Not
    /// 500: ABP answers its API errors with 500 and an envelope that says why. POSTs are retried only when
    /// nothing was sent (see ``HTTPClient``).
    public static let ccm = RetryPolicy(maxAttempts: 4, baseDelay: 0.5, maxDelay: 10, maxRetryAfter: 60,
                                        retryStatuses: [429, 502, 503, 504])
}

extension DeploymentError {
    /// The one place a transport-level failure becomes a deployment error.
    init(_ error: HTTPError) {
        switch error {
        case let .transport(url, code, message): self = .transport(url: url, message: "\(code): \(message)")
        case let .cancelled(url): self = .cancelled(url: url)
        case let .invalidResponse(url, field, expected): self = .invalidResponse(url: url, field: field, expected: expected)
        case let .rateLimited(url, retryAfter):
            self = .apiError(url: url, status: 429, message: "rate limited" + (retryAfter.map { " for \($0) s; try again later" } ?? ""))
        case .bodyTooLarge, .fileError: self = .transport(url: error.subject, message: error.reason)
        }
    }
}
