import CurlSupport
import Foundation
import Testing
import TestSupport

@Suite("HTTPClient retries through a scripted in-process transport")
struct RetryTests {
    typealias Outcome = FakeTransport.Outcome

    enum Expected: Sendable, CustomStringConvertible {
        case status(Int)
        case failure(CurlCode)
        case rateLimited

        var description: String {
            switch self {
            case let .status(status): return "HTTP \(status)"
            case let .failure(code): return "\(code)"
            case .rateLimited: return "rate limited"
            }
        }
    }

    static let quick = RetryPolicy(maxAttempts: 3, baseDelay: 0.001, maxDelay: 0.002, maxRetryAfter: 1)
    static let ccmLike = RetryPolicy(maxAttempts: 3, baseDelay: 0.001, maxDelay: 0.002, maxRetryAfter: 1, retryStatuses: [429, 502, 503, 504])
    /// Waits Retry-After up to 1 s, but has only 0.5 s to spend on waits per request.
    static let smallBudget = RetryPolicy(maxAttempts: 5, baseDelay: 0.001, maxDelay: 0.002, maxRetryAfter: 1, retryBudget: 0.5)
    /// No time at all for waits: nothing is retried, however many attempts are allowed.
    static let noBudget = RetryPolicy(maxAttempts: 5, baseDelay: 0.001, maxDelay: 0.002, maxRetryAfter: 1, retryBudget: 0)

    // (what, method, policy, script, attempts, result)
    static let rows: [(String, HTTPMethod, RetryPolicy, [Outcome], Int, Expected)] = [
        ("GET: a refused connection, then success", .get, quick, [.fail(.couldntConnect), .status(200)], 2, .status(200)),
        ("GET: resets until the attempts run out", .get, quick, [.fail(.recvError)], 3, .failure(.recvError)),
        ("GET: 503, 503, then success", .get, quick, [.status(503), .status(503), .status(200)], 3, .status(200)),
        ("GET: a timeout, then success", .get, quick, [.fail(.operationTimedOut), .status(204)], 2, .status(204)),
        ("GET: 404 is an answer, not retried", .get, quick, [.status(404)], 1, .status(404)),
        ("GET: an untrusted certificate is not transient", .get, quick, [.fail(.peerFailedVerification)], 1, .failure(.peerFailedVerification)),
        ("GET: 500 is retried for feeds", .get, quick, [.status(500), .status(200)], 2, .status(200)),
        ("GET: 500 is CCM's error envelope, not retried", .get, ccmLike, [.status(500)], 1, .status(500)),
        ("GET: 429 with Retry-After 0, then success", .get, quick,
         [.status(429, headers: [("retry-after", "0")]), .status(200)], 2, .status(200)),
        ("GET: 429 asking longer than the policy waits fails as rate limited", .get, quick,
         [.status(429, headers: [("retry-after", "30")])], 1, .rateLimited),
        ("PUT: a send error is retried (a push is idempotent)", .put, quick, [.fail(.sendError), .status(201)], 2, .status(201)),
        ("DELETE: 502, then success", .delete, ccmLike, [.status(502), .status(200)], 2, .status(200)),
        ("POST: a refused connection sent nothing, so it is retried", .post, quick, [.fail(.couldntConnect), .status(200)], 2, .status(200)),
        ("POST: an unresolved host sent nothing, so it is retried", .post, quick, [.fail(.couldntResolveHost), .status(200)], 2, .status(200)),
        ("POST: a reset after sending is not resent", .post, quick, [.fail(.recvError), .status(200)], 1, .failure(.recvError)),
        ("POST: a timeout after sending is not resent", .post, quick, [.fail(.operationTimedOut)], 1, .failure(.operationTimedOut)),
        ("POST: 503 means the server saw it; returned, not resent", .post, quick, [.status(503), .status(200)], 1, .status(503)),
        ("GET: 503 with Retry-After: 3600 is capped to 1 s, which overdraws a 0.5 s budget: the 503 stands", .get, smallBudget,
         [.status(503, headers: [("retry-after", "3600")]), .status(200)], 1, .status(503)),
        ("GET: Retry-After 0.2 twice fits a 0.5 s budget, a third wait would not", .get, smallBudget,
         [.status(503, headers: [("retry-after", "0.2")])], 3, .status(503)),
        ("GET: a zero budget makes no retry of a 503", .get, noBudget, [.status(503), .status(200)], 1, .status(503)),
        ("GET: a zero budget makes no retry of a reset", .get, noBudget, [.fail(.recvError), .status(200)], 1, .failure(.recvError)),
    ]

    @Test(arguments: rows)
    func retries(_ row: (String, HTTPMethod, RetryPolicy, [Outcome], Int, Expected)) async throws {
        let (what, method, policy, script, attempts, expected) = row
        let transport = FakeTransport(script: script)
        let client = HTTPClient(transport: transport, retry: policy)
        let request = HTTPRequest(method: method, url: "http://server.test/x", body: method == .post ? .bytes(Array("a=1".utf8)) : .none)
        do {
            let response = try await client.send(request)
            guard case let .status(status) = expected else { Issue.record("\(what): expected \(expected), got HTTP \(response.status)"); return }
            #expect(response.status == status, "\(what)")
        } catch {
            switch (expected, error) {
            case let (.failure(code), .transport(_, actual, _)): #expect(actual == code, "\(what)")
            case (.rateLimited, .rateLimited(_, let seconds)): #expect(seconds == 30, "\(what)")
            default: Issue.record("\(what): expected \(expected), got \(error)")
            }
        }
        #expect(transport.requests.count == attempts, "\(what)")
    }

    @Test("416 on a resumed download truncates the partial file and starts over")
    func rangeNotSatisfiableRestarts() async throws {
        let path = NSTemporaryDirectory() + "ccm-416-\(UUID().uuidString).partial"
        defer { unlink(path) }
        try Data("stale bytes".utf8).write(to: URL(fileURLWithPath: path))
        let sizes = FakeSizes()
        let transport = FakeTransport { request, number throws(HTTPError) in
            sizes.record((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1)
            return HTTPResponse(status: number == 1 ? 416 : 200, effectiveURL: request.url)
        }
        let client = HTTPClient(transport: transport, retry: Self.quick)
        let response = try await client.send(HTTPRequest(url: "http://server.test/p.nupkg", destination: .file(path: path, resume: true)))
        #expect(response.status == 200)
        #expect(sizes.all == [11, 0])
    }

    @Test("each retry is one notice line naming the URL once; each request one info line (shown by --verbose)")
    func logLines() async throws {
        let lines = RecordingLogHandler.Lines()
        let client = HTTPClient(transport: FakeTransport(script: [.fail(.couldntConnect), .status(200, body: "abc")]),
                                retry: Self.quick, logger: RecordingLogHandler.logger(lines))
        _ = try await client.send(HTTPRequest(url: "http://server.test/once"))
        let notices = lines.all.filter { $0.level == .notice }.map(\.text)
        let requests = lines.all.filter { $0.level == .info }.map(\.text)
        #expect(notices.count == 1)
        #expect(notices.first?.components(separatedBy: "http://server.test/once").count == 2, "\(notices)")
        #expect(notices.first?.hasPrefix("retrying GET http://server.test/once in ") == true)
        #expect(notices.first?.hasSuffix("after: network error, couldn't connect (curl 7): scripted couldn't connect (attempt 2 of 3)") == true)
        #expect(requests.count == 1)
        #expect(requests.first?.hasPrefix("GET http://server.test/once → 200, 3 bytes, ") == true, "\(requests)")
    }

    @Test("a POST body is never logged")
    func bodiesStayOutOfTheLog() async throws {
        let lines = RecordingLogHandler.Lines()
        let client = HTTPClient(transport: FakeTransport(script: [.fail(.couldntConnect), .status(200)]), retry: Self.quick,
                                logger: RecordingLogHandler.logger(lines))
        _ = try await client.send(HTTPRequest(method: .post, url: "http://server.test/login", body: .bytes(Array("password=hunter2".utf8))))
        #expect(lines.all.count == 2)
        #expect(!lines.all.contains { $0.text.contains("hunter2") })
    }
}

/// File sizes seen by the fake transport, in order.
final class FakeSizes: @unchecked Sendable {
    private let lock = NSLock()
    private var sizes: [Int] = []
    func record(_ size: Int) { lock.lock(); sizes.append(size); lock.unlock() }
    var all: [Int] { lock.lock(); defer { lock.unlock() }; return sizes }
}
