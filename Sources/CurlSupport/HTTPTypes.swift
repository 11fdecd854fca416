import Diagnostics
import Foundation

/// A secret value (API key, password, license id): never printed, logged or journaled.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The clear text, for the transport only.
    public let value: String

    /// Wraps `value` and registers it with ``Redaction``, so it is masked in anything the tool prints.
    public init(_ value: String) {
        self.value = value
        Redaction.register(value)
    }

    public var description: String { "********" }
    public var debugDescription: String { "Secret(********)" }
}

/// HTTP Basic credentials for a feed (the licensed repository uses user `customer` and the license id).
public struct Credentials: Sendable, Hashable {
    public var username: String
    public var password: Secret

    public init(username: String, password: Secret) {
        self.username = username
        self.password = password
    }
}

/// Network settings shared by every request: proxy, CA bundle, TLS verification and timeouts.
public struct TransportOptions: Sendable, Hashable {
    /// An explicit proxy URL (`http://proxy:3128`). When nil, libcurl reads `http_proxy`, `https_proxy`,
    /// `HTTPS_PROXY`, `all_proxy` and `no_proxy` from the environment.
    public var proxy: String?
    /// A PEM CA bundle to trust instead of the system store.
    public var caBundle: String?
    /// TLS peer and host verification. Turning it off is for lab feeds only; the commands warn loudly.
    public var verifyTLS: Bool
    /// Seconds allowed to establish a connection.
    public var connectTimeout: Int
    /// A transfer slower than `minimumSpeed` bytes/s for this many seconds is a stall and is aborted (then
    /// retried).
    public var stallTimeout: Int
    /// The slowest transfer rate tolerated (bytes/s, averaged over `stallTimeout`): a server dribbling 2
    /// bytes/s would otherwise hold a transfer open for ever.
    public var minimumSpeed: Int
    /// Seconds one attempt of a request may take in all, used when the request sets no `timeout` of its own:
    /// a body that never ends, even at a tolerated rate, still stops.
    public var transferTimeout: Int
    /// The maximum number of transfers running at once (each on its own thread).
    public var maxConcurrentTransfers: Int
    /// The User-Agent header.
    public var userAgent: String

    public init(
        proxy: String? = nil, caBundle: String? = nil, verifyTLS: Bool = true, connectTimeout: Int = 30,
        stallTimeout: Int = 60, minimumSpeed: Int = 1024, transferTimeout: Int = 3600, maxConcurrentTransfers: Int = 4,
        userAgent: String = "ccm-upgrade/0.1 (libcurl)"
    ) {
        self.proxy = proxy
        self.caBundle = caBundle
        self.verifyTLS = verifyTLS
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.minimumSpeed = minimumSpeed
        self.transferTimeout = transferTimeout
        self.maxConcurrentTransfers = max(1, maxConcurrentTransfers)
        self.userAgent = userAgent
    }
}

/// HTTP methods the feed protocols and the CCM API use.
public enum HTTPMethod: String, Sendable {
    case get = "GET", head = "HEAD", put = "PUT", post = "POST", delete = "DELETE"

    /// Whether sending the request twice does no more harm than sending it once; ``HTTPClient`` resends a
    /// request that may have reached the server only when this holds (a push overwrites itself with the
    /// same bytes, so PUT counts).
    public var isIdempotent: Bool { self != .post }
}

/// One HTTP request, described as values; the transport turns it into a libcurl transfer.
public struct HTTPRequest: Sendable {
    /// What is sent as the body.
    public enum Body: Sendable {
        case none
        /// Bytes held in memory (JSON, a URL-encoded form). May hold a password: never logged.
        case bytes([UInt8])
        /// `multipart/form-data` whose single part is the file, streamed from disk with a Content-Length
        /// (not chunked: minchoc's Django server refuses chunked uploads).
        case multipartFile(path: String, fieldName: String, fileName: String)
        /// The file itself as the body (`application/octet-stream`, Content-Length known), streamed from disk: a
        /// raw PUT, as web repositories (Nexus raw, Artifactory generic) take files.
        case file(path: String)
    }

    /// Where the response body goes.
    public enum Destination: Sendable {
        /// Kept in memory up to `limit` bytes (feed pages, JSON); more is an error.
        case memory(limit: Int)
        /// Streamed to `path` while hashing with SHA-512. With `resume`, an existing partial file is
        /// continued with a `Range` request (a 200 answer restarts it from zero).
        case file(path: String, resume: Bool)
    }

    public var method: HTTPMethod
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Body
    public var destination: Destination
    public var credentials: Credentials?
    /// Accept gzip/deflate/br transfer encodings (for JSON and XML, never for package bytes).
    public var acceptCompressed: Bool
    /// Overall time limit in seconds for one attempt; nil for the transport's `transferTimeout`.
    public var timeout: Int?
    /// Follow `Location` answers (up to 10). Defaults to on for GET and HEAD; the CCM client turns it off
    /// to see its login redirects.
    public var followRedirects: Bool
    /// Called from the transfer thread with (bytes so far, total or 0 when unknown), download or upload.
    public var onProgress: (@Sendable (Int64, Int64) -> Void)?
    /// For `.file` destinations: the most bytes the whole file may have (a resumed prefix included). A larger
    /// `Content-Length` fails before any byte is written, an endless body as soon as it passes the limit.
    public var maxFileBytes: Int64?
    /// For `.file` destinations: run on a thread of its own over the body as it arrives (the same bytes that
    /// are hashed and written), for work that would otherwise read the finished file again (a package vetted
    /// while it downloads). Called only for bodies of declared size of at least 4 MiB that go through the
    /// download pipeline, at most once per attempt; a consumer that is not called must do its work on the
    /// finished file. Its conclusions count only when the request succeeds.
    public var bodyConsumer: (@Sendable (BodyStream) -> Void)?
    /// For `.file` destinations: write a large body (one that goes through the download pipeline) straight to
    /// the device (`O_DIRECT` on Linux) instead of through the page cache. Saves a copy per byte and the
    /// closing `fsync`'s wait; right for a file nobody reads again soon (a package vetted on the way), wrong
    /// for one read back at once (an installer about to be embedded), which the page cache serves faster.
    public var writeBypassingCache = false

    public init(
        method: HTTPMethod = .get, url: String, headers: [(name: String, value: String)] = [], body: Body = .none,
        destination: Destination = .memory(limit: 32 << 20), credentials: Credentials? = nil,
        acceptCompressed: Bool = false, timeout: Int? = nil, followRedirects: Bool? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.destination = destination
        self.credentials = credentials
        self.acceptCompressed = acceptCompressed
        self.timeout = timeout
        self.followRedirects = followRedirects ?? (method == .get || method == .head)
    }
}

/// A response: status, headers (names lower-cased), and the body or what was written to disk.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// The last value of each header, by lower-cased name.
    public var headers: [String: String]
    /// Every header line in order, names lower-cased (several `Set-Cookie` lines are normal).
    public var headerLines: [(name: String, value: String)]
    /// The body for `.memory` destinations; for `.file` destinations only an error body (non-2xx), capped.
    public var body: [UInt8]
    /// The URL after redirects.
    public var effectiveURL: String
    /// For `.file` destinations with a 2xx status: the file's final size and the 64 bytes of its SHA-512
    /// (of the whole file, including a resumed prefix).
    public var fileSize: Int64?
    public var fileSHA512: [UInt8]?
    /// True when the request's ``HTTPRequest/bodyConsumer`` ran over this response's body. A request is
    /// retried with the same consumer, and an attempt whose body does not go through it (no Content-Length, a
    /// small resumed rest) leaves the conclusions of an earlier attempt behind: they count only when this is true.
    public var bodyConsumed = false

    /// `headerLines` defaults to `headers` (in name order); `headers` to the last value of each line.
    public init(status: Int, headers: [String: String]? = nil, headerLines: [(name: String, value: String)]? = nil,
                body: [UInt8] = [], effectiveURL: String, fileSize: Int64? = nil, fileSHA512: [UInt8]? = nil) {
        self.status = status
        let lines = headerLines ?? (headers ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        self.headerLines = lines
        self.headers = headers ?? Dictionary(lines.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        self.body = body
        self.effectiveURL = effectiveURL
        self.fileSize = fileSize
        self.fileSHA512 = fileSHA512
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The first header line called `name` (lower case).
    public func header(_ name: String) -> String? { headerLines.first { $0.name == name }?.value }

    /// The body as one short line for error messages: an HTML error page loses its markup, whitespace
    /// runs become one space, and the text stops at about 160 characters with `…`.
    public var bodySnippet: String { Self.excerpt(body) }

    /// See ``bodySnippet``. Secrets are masked (``Redaction/mask(_:)``): a server that echoes the request
    /// headers would otherwise put the API key into error lines and the stored summaries.
    public static func excerpt(_ body: [UInt8], limit: Int = 160) -> String {
        var text = Redaction.mask(String(decoding: body.prefix(16 << 10), as: UTF8.self))
        let lowered = text.lowercased()
        if lowered.contains("<html") || lowered.contains("<!doctype") || lowered.contains("<body") {
            text = Self.stripMarkup(text)
        }
        let words = text.split(whereSeparator: { $0.isWhitespace })
        var result = words.joined(separator: " ")
        if result.count > limit { result = String(result.prefix(limit)).trimmingCharacters(in: .whitespaces) + "…" }
        return result
    }

    /// The text of an HTML page: `<head>`, `<script>` and `<style>` dropped, tags removed, common entities decoded.
    private static func stripMarkup(_ html: String) -> String {
        var text = html
        for element in ["head", "script", "style"] {
            while let start = text.range(of: "<\(element)", options: .caseInsensitive),
                  let end = text.range(of: "</\(element)>", options: .caseInsensitive, range: start.upperBound..<text.endIndex) {
                text.replaceSubrange(start.lowerBound..<end.upperBound, with: " ")
            }
        }
        var output = ""
        var inTag = false
        for character in text {
            if character == "<" { inTag = true; output.append(" ") } else if character == ">" { inTag = false } else if !inTag { output.append(character) }
        }
        for (entity, character) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            output = output.replacingOccurrences(of: entity, with: character)
        }
        return output
    }
}
