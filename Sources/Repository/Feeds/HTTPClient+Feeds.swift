import CurlSupport
import Foundation

extension HTTPClient {
    /// ``HTTPClient/send(_:)`` with its errors as ``FeedError``.
    func sendForFeed(_ request: HTTPRequest) async throws(FeedError) -> HTTPResponse {
        do { return try await send(request) } catch { throw FeedError(error) }
    }

    /// Sends a GET for a small document (feed page, JSON) and returns the body of a 2xx answer;
    /// `nil` for 404 when `allowNotFound`.
    public func fetch(_ url: String, credentials: Credentials?, accept: String, allowNotFound: Bool = false,
                      limit: Int = 32 << 20) async throws(FeedError) -> [UInt8]? {
        let request = HTTPRequest(url: url, headers: [("Accept", accept)], destination: .memory(limit: limit),
                                  credentials: credentials, acceptCompressed: true)
        let response = try await sendForFeed(request)
        if response.status == 404, allowNotFound { return nil }
        guard response.isSuccess else { throw response.failure(for: url) }
        return response.body
    }
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
