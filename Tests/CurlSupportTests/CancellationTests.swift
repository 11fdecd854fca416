import CurlSupport
import Foundation
import Testing
import TestSupport

@Suite("Cancelling the awaiting task aborts the transfer")
struct CancellationTests {
    /// Runs `work`, cancels it after `delay` seconds, and returns its error and how long it went on after the
    /// cancellation. The bounds below are loose (the suite runs beside busy tests on two cores); what matters
    /// is that the work ends long before it would have by itself (300 s or more).
    static func cancel(after delay: Double, _ work: @escaping @Sendable () async throws(HTTPError) -> HTTPResponse) async -> (HTTPError?, Double) {
        let task = Task { () async -> HTTPError? in
            do throws(HTTPError) { _ = try await work(); return nil } catch { return error }
        }
        try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
        let cancelled = Date()
        task.cancel()
        let error = await task.value
        return (error, Date().timeIntervalSince(cancelled))
    }

    @Test("a hanging request and a backoff wait both end as cancelled", arguments: [
        ("hang", [FakeTransport.Outcome.hang]),
        ("backoff", [FakeTransport.Outcome.status(503, headers: [("retry-after", "300")])]),
    ])
    func inProcess(_ row: (String, [FakeTransport.Outcome])) async {
        let transport = FakeTransport(script: row.1)
        let client = HTTPClient(transport: transport, retry: RetryPolicy(maxAttempts: 5, maxRetryAfter: 600, retryBudget: 600))
        let (error, elapsed) = await Self.cancel(after: 0.2) { () async throws(HTTPError) in
            try await client.send(HTTPRequest(url: "http://server.test/\(row.0)"))
        }
        #expect(error == .cancelled(url: "http://server.test/\(row.0)"), "\(row.0)")
        #expect(elapsed < 60, "\(row.0): went on \(elapsed) s after the cancellation")
        #expect(transport.requests.count == 1, "\(row.0): no request after the cancellation")
    }

    @Test("an already cancelled task sends nothing")
    func cancelledBeforeSending() async {
        let transport = FakeTransport(script: [.status(200)])
        let client = HTTPClient(transport: transport)
        let task = Task { () async -> HTTPError? in
            withUnsafeCurrentTask { $0?.cancel() }
            do throws(HTTPError) { _ = try await client.send(HTTPRequest(url: "http://server.test/")); return nil } catch { return error }
        }
        #expect(await task.value == .cancelled(url: "http://server.test/"))
        #expect(transport.requests.isEmpty)
    }

    @Test("a real libcurl transfer against a stalling server ends promptly")
    func stallingServer() async throws {
        let folder = NSTemporaryDirectory() + "ccm-stall-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try FixtureServer(script: "Tests/Fixtures/fake-feed/fake_feed.py",
                                       arguments: ["--packages", folder, "--fault", "stall:5", "--stall-seconds", "300"],
                                       name: "fake feed")
        let url = "http://127.0.0.1:\(server.port)/feed/api/v2/FindPackagesById()?id='stalls'"
        let client = HTTPClient(transport: CurlTransport(options: TransportOptions(connectTimeout: 5, stallTimeout: 60)))
        let (error, elapsed) = await Self.cancel(after: 1) { () async throws(HTTPError) in try await client.send(HTTPRequest(url: url)) }
        #expect(error == .cancelled(url: url))
        // libcurl's progress callback, which sees the flag, runs about once a second even when nothing arrives.
        #expect(elapsed < 60, "went on \(elapsed) s after the cancellation")
    }
}
