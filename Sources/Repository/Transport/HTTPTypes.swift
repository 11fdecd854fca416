import Foundation
import Nupkg

/// A secret value (API key, password, license id): never printed, logged or journaled.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The clear text, for the transport only.
    public let value: String

    public init(_ value: String) { self.value = value }

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
    /// A transfer slower than 1 byte/s for this many seconds is a stall and is aborted (then retried).
    public var stallTimeout: Int
    /// The maximum number of transfers running at once (each on its own thread).
    public var maxConcurrentTransfers: Int
    /// The User-Agent header.
    public var userAgent: String

    public init(
        proxy: String? = nil, caBundle: String? = nil, verifyTLS: Bool = true, connectTimeout: Int = 30,
        stallTimeout: Int = 60, maxConcurrentTransfers: Int = 4, userAgent: String = "ccm-upgrade/0.1 (libcurl)"
    ) {
        self.proxy = proxy
        self.caBundle = caBundle
        self.verifyTLS = verifyTLS
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.maxConcurrentTransfers = max(1, maxConcurrentTransfers)
        self.userAgent = userAgent
    }
}

/// HTTP methods the feed protocols use.
public enum HTTPMethod: String, Sendable {
    case get = "GET", head = "HEAD", put = "PUT", delete = "DELETE"
}

/// One HTTP request, described as values; the transport turns it into a libcurl transfer.
public struct HTTPRequest: Sendable {
    /// What is sent as the body.
    public enum Body: Sendable {
        case none
        /// `multipart/form-data` whose single part is the file, streamed from disk with a Content-Length
        /// (not chunked: minchoc's Django server refuses chunked uploads).
        case multipartFile(path: String, fieldName: String, fileName: String)
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
    /// Overall time limit in seconds for this request; nil for none (stalls are caught by the stall timeout).
    public var timeout: Int?
    /// Called from the transfer thread with (bytes so far, total or 0 when unknown), download or upload.
    public var onProgress: (@Sendable (Int64, Int64) -> Void)?

    public init(
        method: HTTPMethod = .get, url: String, headers: [(name: String, value: String)] = [], body: Body = .none,
        destination: Destination = .memory(limit: 32 << 20), credentials: Credentials? = nil,
        acceptCompressed: Bool = false, timeout: Int? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.destination = destination
        self.credentials = credentials
        self.acceptCompressed = acceptCompressed
        self.timeout = timeout
    }
}

/// A response: status, headers (names lower-cased), and the body or what was written to disk.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    /// The body for `.memory` destinations; for `.file` destinations only an error body (non-2xx), capped.
    public var body: [UInt8]
    /// The URL after redirects.
    public var effectiveURL: String
    /// For `.file` destinations with a 2xx status: the file's final size and SHA-512 (of the whole file,
    /// including a resumed prefix).
    public var fileSize: Int64?
    public var fileHash: PackageHash?

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = [], effectiveURL: String,
                fileSize: Int64? = nil, fileHash: PackageHash? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.effectiveURL = effectiveURL
        self.fileSize = fileSize
        self.fileHash = fileHash
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as text (for error messages), trimmed and shortened.
    public var bodySnippet: String {
        let text = String(decoding: body.prefix(600), as: UTF8.self)
            .replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
            .trimmingCharacters(in: .whitespaces)
        return text
    }
}
