internal import CCurl

/// A libcurl result code (`CURLcode`) as a readable value, in the manner of swift-system's `Errno`: the
/// number stays available for searching curl's documentation, the name says what happened.
///
/// The members take their values from libcurl's header, so no number is written here by hand.
public struct CurlCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }

    init(_ code: CURLcode) { rawValue = Int(code.rawValue) }

    /// libcurl could not be loaded or a handle could not be created.
    public static let failedInit = CurlCode(CURLE_FAILED_INIT)
    public static let unsupportedProtocol = CurlCode(CURLE_UNSUPPORTED_PROTOCOL)
    public static let malformedURL = CurlCode(CURLE_URL_MALFORMAT)
    public static let couldntResolveProxy = CurlCode(CURLE_COULDNT_RESOLVE_PROXY)
    public static let couldntResolveHost = CurlCode(CURLE_COULDNT_RESOLVE_HOST)
    public static let couldntConnect = CurlCode(CURLE_COULDNT_CONNECT)
    public static let http2 = CurlCode(CURLE_HTTP2)
    public static let partialFile = CurlCode(CURLE_PARTIAL_FILE)
    public static let writeError = CurlCode(CURLE_WRITE_ERROR)
    public static let readError = CurlCode(CURLE_READ_ERROR)
    public static let outOfMemory = CurlCode(CURLE_OUT_OF_MEMORY)
    public static let operationTimedOut = CurlCode(CURLE_OPERATION_TIMEDOUT)
    public static let sslConnectError = CurlCode(CURLE_SSL_CONNECT_ERROR)
    public static let abortedByCallback = CurlCode(CURLE_ABORTED_BY_CALLBACK)
    public static let tooManyRedirects = CurlCode(CURLE_TOO_MANY_REDIRECTS)
    public static let gotNothing = CurlCode(CURLE_GOT_NOTHING)
    public static let sendError = CurlCode(CURLE_SEND_ERROR)
    public static let recvError = CurlCode(CURLE_RECV_ERROR)
    public static let sslCertificateProblem = CurlCode(CURLE_SSL_CERTPROBLEM)
    public static let peerFailedVerification = CurlCode(CURLE_PEER_FAILED_VERIFICATION)
    public static let sslCACertificateFile = CurlCode(CURLE_SSL_CACERT_BADFILE)
    public static let http2Stream = CurlCode(CURLE_HTTP2_STREAM)

    private static let names: [CurlCode: String] = [
        .failedInit: "libcurl unavailable", .unsupportedProtocol: "unsupported protocol", .malformedURL: "malformed URL",
        .couldntResolveProxy: "couldn't resolve proxy", .couldntResolveHost: "couldn't resolve host",
        .couldntConnect: "couldn't connect", .http2: "HTTP/2 error", .partialFile: "partial file",
        .writeError: "write error", .readError: "read error", .outOfMemory: "out of memory",
        .operationTimedOut: "operation timed out", .sslConnectError: "SSL connect error",
        .abortedByCallback: "aborted", .tooManyRedirects: "too many redirects", .gotNothing: "empty reply from server",
        .sendError: "send error", .recvError: "receive error", .sslCertificateProblem: "client certificate problem",
        .peerFailedVerification: "server certificate not trusted", .sslCACertificateFile: "CA bundle unreadable",
        .http2Stream: "HTTP/2 stream error",
    ]

    /// A short name for people ("couldn't connect"); "curl error N" for codes without one.
    public var name: String { Self.names[self] ?? "curl error \(rawValue)" }

    /// The name with the number, e.g. "couldn't connect (curl 7)".
    public var description: String { "\(name) (curl \(rawValue))" }

    /// Worth retrying: resets, timeouts, stalls, refused connections, TLS handshakes cut short.
    public var isTransient: Bool { Self.transient.contains(self) }

    /// The failure happened before any byte of the request was sent (name lookup or connecting): even a
    /// request that must not run twice can be tried again.
    public var failedBeforeSending: Bool { Self.beforeSending.contains(self) }

    private static let transient: Set<CurlCode> = [
        .couldntConnect, .partialFile, .operationTimedOut, .gotNothing, .sendError, .recvError, .http2, .http2Stream,
        .sslConnectError,
    ]
    private static let beforeSending: Set<CurlCode> = [.couldntResolveHost, .couldntResolveProxy, .couldntConnect]
}
