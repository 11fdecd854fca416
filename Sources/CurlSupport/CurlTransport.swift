internal import CCurl
import Foundation

/// Performs one HTTP request. The production implementation is ``CurlTransport``; tests may inject others.
public protocol HTTPTransport: Sendable {
    /// Performs `request` once (no retries). Network failures throw ``HTTPError/transport(url:code:message:)``,
    /// a cancelled task ``HTTPError/cancelled(url:)``; HTTP error statuses are returned, not thrown.
    func perform(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse
}

/// HTTP over libcurl. Each transfer runs on its own thread (libcurl's easy interface blocks), so the
/// cooperative pool is never blocked; at most `maxConcurrentTransfers` run at once.
public struct CurlTransport: HTTPTransport {
    public let options: TransportOptions
    private let limiter: ConcurrencyLimiter

    public init(options: TransportOptions = TransportOptions()) {
        self.options = options
        limiter = ConcurrencyLimiter(limit: options.maxConcurrentTransfers)
    }

    public func perform(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        if Task.isCancelled { throw .cancelled(url: request.url) }
        await limiter.acquire()
        if Task.isCancelled {
            // Cancelled while waiting for a free slot: start nothing.
            await limiter.release()
            throw .cancelled(url: request.url)
        }
        let flag = CancellationFlag()
        let options = self.options
        let result: Result<HTTPResponse, HTTPError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    let outcome: Result<HTTPResponse, HTTPError>
                    do throws(HTTPError) {
                        outcome = .success(try Self.run(request, options: options, cancellation: flag))
                    } catch {
                        outcome = .failure(error)
                    }
                    continuation.resume(returning: outcome)
                }
                thread.name = "ccm-upgrade curl"
                thread.start()
            }
        } onCancel: {
            flag.cancel()
        }
        await limiter.release()
        return try result.get()
    }

    /// The blocking part, on a dedicated thread.
    static func run(_ request: HTTPRequest, options: TransportOptions, cancellation: CancellationFlag) throws(HTTPError) -> HTTPResponse {
        let easy = try CurlEasy(url: request.url)
        let context = try TransferContext(request: request, cancellation: cancellation)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        try configure(easy, request: request, options: options, context: context)
        try easy.installCallbacks(context: unmanaged.toOpaque())

        let code = easy.perform()
        if code != CURLE_OK {
            if cancellation.isCancelled { throw .cancelled(url: request.url) }
            if let failure = context.writeFailure { throw failure }
            if let failure = context.readFailure { throw failure }
            throw .transport(url: request.url, code: CurlCode(code), message: easy.message(for: code))
        }
        let status = easy.responseCode
        var response = HTTPResponse(status: status, headers: context.headers, headerLines: context.headerLines, body: [],
                                    effectiveURL: easy.effectiveURL ?? request.url)
        if (200..<300).contains(status) {
            response.body = context.memory
            if let file = try context.finishFile() {
                response.fileSize = file.size
                response.fileSHA512 = file.sha512
                response.bodyConsumed = context.bodyConsumed
            }
        } else {
            response.body = context.errorBody
        }
        return response
    }

    private static func configure(_ easy: CurlEasy, request: HTTPRequest, options: TransportOptions, context: TransferContext) throws(HTTPError) {
        try easy.set(CURLOPT_URL, request.url)
        try easy.set(CURLOPT_NOSIGNAL, 1)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_USERAGENT, options.userAgent)
        try easy.set(CURLOPT_CONNECTTIMEOUT, options.connectTimeout)
        try easy.set(CURLOPT_LOW_SPEED_LIMIT, options.minimumSpeed)
        try easy.set(CURLOPT_LOW_SPEED_TIME, options.stallTimeout)
        try easy.set(CURLOPT_TIMEOUT, request.timeout ?? options.transferTimeout)
        if let proxy = options.proxy { try easy.set(CURLOPT_PROXY, proxy) }
        if let caBundle = options.caBundle { try easy.set(CURLOPT_CAINFO, caBundle) }
        // Explicit either way: a private CA goes in CAINFO; verification is off only when asked for (lab feeds).
        try easy.set(CURLOPT_SSL_VERIFYPEER, options.verifyTLS ? 1 : 0)
        try easy.set(CURLOPT_SSL_VERIFYHOST, options.verifyTLS ? 2 : 0)
        if request.acceptCompressed { try easy.set(CURLOPT_ACCEPT_ENCODING, "") }
        if let credentials = request.credentials {
            try easy.set(CURLOPT_HTTPAUTH, CurlEasy.basicAuth)
            try easy.set(CURLOPT_USERNAME, credentials.username)
            try easy.set(CURLOPT_PASSWORD, credentials.password.value)
        }
        var headerLines = request.headers.map { "\($0.name): \($0.value)" }
        if request.followRedirects {
            try easy.set(CURLOPT_FOLLOWLOCATION, 1)
            try easy.set(CURLOPT_MAXREDIRS, 10)
        } else {
            try easy.set(CURLOPT_FOLLOWLOCATION, 0)
        }
        switch request.method {
        case .get:
            try easy.set(CURLOPT_HTTPGET, 1)
        case .head:
            try easy.set(CURLOPT_NOBODY, 1)
        case .delete:
            try easy.set(CURLOPT_CUSTOMREQUEST, "DELETE")
        case .post:
            // The body goes through the read callback with its length known up front (no chunking).
            try easy.set(CURLOPT_POST, 1)
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: context.uploadSize)
            headerLines.append("Expect:")
        case .put:
            try easy.set(CURLOPT_UPLOAD, 1)
            try easy.set(CURLOPT_INFILESIZE_LARGE, offset: context.uploadSize)
            headerLines.append(context.boundary.isEmpty ? "Content-Type: application/octet-stream"
                : "Content-Type: multipart/form-data; boundary=\(context.boundary)")
            // No "Expect: 100-continue" round trip: Django's and Python's dev servers handle it poorly.
            headerLines.append("Expect:")
        }
        // A plain Range header, not CURLOPT_RESUME_FROM: with that, libcurl itself fails a 200 answer (a server
        // that ignores Range, as minchoc does) with error 33 "Cannot resume", and takes a 200 for a complete
        // partial file as "already downloaded" with no body. TransferContext restarts from byte 0 on a 200.
        if context.resumeOffset > 0 { try easy.set(CURLOPT_RANGE, "\(context.resumeOffset)-") }
        if case .file = request.destination {
            // Larger pieces per write callback (default 16 KiB): a quarter of the write system calls on a big package.
            try easy.set(CURLOPT_BUFFERSIZE, 256 << 10)
        }
        try easy.setHeaders(headerLines)
    }
}

/// A counting semaphore for async code: bounds how many transfer threads exist at once.
actor ConcurrencyLimiter {
    private let limit: Int
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = max(1, limit) }

    func acquire() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
