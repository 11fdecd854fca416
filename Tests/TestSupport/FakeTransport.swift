import CurlSupport
import Foundation
import Logging
import Synchronization

/// An in-process ``HTTPTransport`` for tests: each request is answered by `handler` (given the request and
/// its 1-based number), and every request is recorded. No network, no threads.
public final class FakeTransport: HTTPTransport {
    public typealias Handler = @Sendable (HTTPRequest, Int) async throws(HTTPError) -> HTTPResponse
    private let handler: Handler
    private let log = Mutex<[(method: HTTPMethod, url: String, headers: [(name: String, value: String)])]>([])

    public init(_ handler: @escaping Handler) { self.handler = handler }

    /// Answers with `script[n - 1]` for the n-th request (the last entry repeats).
    public convenience init(script: [Outcome]) {
        self.init { request, number throws(HTTPError) in
            try await script[min(number, script.count) - 1].answer(request)
        }
    }

    /// The requests so far: method, URL and headers (bodies are not kept: they may hold passwords).
    public var requests: [(method: HTTPMethod, url: String, headers: [(name: String, value: String)])] { log.withLock { $0 } }

    public func perform(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let number = log.withLock { entries in
            entries.append((request.method, request.url, request.headers))
            return entries.count
        }
        return try await handler(request, number)
    }

    /// One scripted answer.
    public enum Outcome: Sendable {
        /// A response with this status, headers and body.
        case status(Int, headers: [(name: String, value: String)] = [], body: String = "")
        /// A libcurl failure.
        case fail(CurlCode)
        /// No answer until the awaiting task is cancelled (then ``HTTPError/cancelled(url:)``).
        case hang

        public func answer(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
            switch self {
            case let .status(status, headers, body):
                return HTTPResponse(status: status, headerLines: headers, body: Array(body.utf8), effectiveURL: request.url)
            case let .fail(code):
                throw .transport(url: request.url, code: code, message: "scripted \(code.name)")
            case .hang:
                do { try await Task.sleep(nanoseconds: 600_000_000_000) } catch { throw .cancelled(url: request.url) }
                throw .cancelled(url: request.url)
            }
        }
    }
}

/// A swift-log handler that keeps every line (with its level) for assertions.
public struct RecordingLogHandler: LogHandler {
    public final class Lines: Sendable {
        let storage = Mutex<[(Logger.Level, String)]>([])
        public init() {}
        public var all: [(level: Logger.Level, text: String)] { storage.withLock { $0.map { ($0.0, $0.1) } } }
    }

    public let lines: Lines
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .trace

    public init(lines: Lines) { self.lines = lines }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        lines.storage.withLock { $0.append((event.level, event.message.description)) }
    }

    /// A logger writing into `lines`.
    public static func logger(_ lines: Lines) -> Logger {
        Logger(label: "test") { _ in RecordingLogHandler(lines: lines) }
    }
}
