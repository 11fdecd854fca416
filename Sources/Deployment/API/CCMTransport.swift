internal import CCurl
internal import CurlSupport
import Foundation

/// One request to the CCM website, as values.
public struct CCMRequest: Sendable {
    public enum Method: String, Sendable { case get = "GET", post = "POST", delete = "DELETE" }

    public var method: Method
    public var url: String
    public var headers: [(name: String, value: String)]
    /// The body of a POST (JSON or a URL-encoded form). May hold the password: never logged.
    public var body: [UInt8]

    public init(method: Method, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// CCM's answer: status, every header line (several `Set-Cookie` lines are normal), and the body.
public struct CCMResponse: Sendable {
    public var status: Int
    /// Header lines in order, names lower-cased.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header called `name` (lower case).
    public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
}

/// Sends one request (no retries, no redirects). The production implementation is ``CurlCCMTransport``.
public protocol CCMTransport: Sendable {
    func send(_ request: CCMRequest) async throws(DeploymentError) -> CCMResponse
}

/// TLS and timeouts for talking to CCM. Certificate verification is always on; a private CA is trusted
/// through ``caBundle``, never by turning verification off.
public struct CCMConnectionOptions: Sendable, Hashable {
    /// A PEM bundle of CAs to trust instead of the system store (e.g. the company's internal CA).
    public var caBundle: String?
    public var connectTimeout: Int
    /// Overall limit per request, in seconds.
    public var requestTimeout: Int

    public init(caBundle: String? = nil, connectTimeout: Int = 30, requestTimeout: Int = 120) {
        self.caBundle = caBundle
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
    }
}

/// HTTP(S) to CCM over libcurl, one dedicated thread per request so the cooperative pool never blocks.
public struct CurlCCMTransport: CCMTransport {
    public let options: CCMConnectionOptions

    public init(options: CCMConnectionOptions = CCMConnectionOptions()) { self.options = options }

    public func send(_ request: CCMRequest) async throws(DeploymentError) -> CCMResponse {
        let options = self.options
        let result: Result<CCMResponse, DeploymentError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do throws(DeploymentError) {
                    continuation.resume(returning: .success(try CurlCall.perform(request, options: options)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.name = "ccm-upgrade ccm-api"
            thread.start()
        }
        return try result.get()
    }
}

/// The blocking libcurl part: one easy handle, freed on every path.
enum CurlCall {
    static func perform(_ request: CCMRequest, options: CCMConnectionOptions) throws(DeploymentError) -> CCMResponse {
        let curl: CurlLibrary
        do { curl = try CurlLibrary.load() } catch { throw .transport(url: request.url, message: error.message) }
        guard let handle = curl.easyInit() else {
            throw .transport(url: request.url, message: "libcurl could not be initialised")
        }
        let errorSize = Int(ccm_curl_error_size())
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: errorSize)
        errorBuffer.initialize(repeating: 0, count: errorSize)
        var headerList: UnsafeMutablePointer<curl_slist>?
        let sink = Unmanaged.passRetained(ResponseSink())
        defer {
            if let headerList { curl.slistFreeAll(headerList) }
            curl.easyCleanup(handle)
            errorBuffer.deallocate()
            sink.release()
        }
        func check(_ code: CURLcode) throws(DeploymentError) {
            guard code != CURLE_OK else { return }
            let detail = String(cString: errorBuffer)
            throw .transport(url: request.url, message: detail.isEmpty ? curl.describe(code) : detail)
        }
        func set(_ option: CURLoption, _ value: Int) throws(DeploymentError) { try check(ccm_curl_setopt_long(curl.setopt, handle, option, CLong(value))) }
        func set(_ option: CURLoption, _ value: String) throws(DeploymentError) {
            try check(value.withCString { ccm_curl_setopt_string(curl.setopt, handle, option, $0) })
        }
        try check(ccm_curl_setopt_ptr(curl.setopt, handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try set(CURLOPT_URL, request.url)
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_CONNECTTIMEOUT, options.connectTimeout)
        try set(CURLOPT_TIMEOUT, options.requestTimeout)
        // Verification stays on, explicitly: a private CA goes in CAINFO, never VERIFYPEER 0.
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caBundle = options.caBundle { try set(CURLOPT_CAINFO, caBundle) }
        try set(CURLOPT_USERAGENT, "ccm-upgrade/0.1 (libcurl)")
        switch request.method {
        case .get: try set(CURLOPT_HTTPGET, 1)
        case .delete: try set(CURLOPT_CUSTOMREQUEST, "DELETE")
        case .post:
            try set(CURLOPT_POST, 1)
            try check(ccm_curl_setopt_off(curl.setopt, handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            // COPYPOSTFIELDS copies the bytes now, so the array may go away before the transfer ends.
            let body = request.body.isEmpty ? [UInt8(0)] : request.body
            let code = body.withUnsafeBytes { bytes in
                ccm_curl_setopt_ptr(curl.setopt, handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            }
            try check(code)
        }
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            guard let appended = curl.slistAppend(headerList, line) else { throw .transport(url: request.url, message: "out of memory") }
            headerList = appended
        }
        try check(ccm_curl_setopt_ptr(curl.setopt, handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList)))
        try check(ccm_curl_setopt_callback(curl.setopt, handle, CURLOPT_WRITEFUNCTION, ccmWriteCallback))
        try check(ccm_curl_setopt_ptr(curl.setopt, handle, CURLOPT_WRITEDATA, sink.toOpaque()))
        try check(ccm_curl_setopt_callback(curl.setopt, handle, CURLOPT_HEADERFUNCTION, ccmHeaderCallback))
        try check(ccm_curl_setopt_ptr(curl.setopt, handle, CURLOPT_HEADERDATA, sink.toOpaque()))
        try check(curl.easyPerform(handle))
        var code: CLong = 0
        _ = ccm_curl_getinfo_long(curl.getinfo, handle, CURLINFO_RESPONSE_CODE, &code)
        let status = Int(code)
        let body = sink.takeUnretainedValue()
        return CCMResponse(status: status, headers: body.headers, body: body.body)
    }
}

/// Collects one response on the transfer thread.
final class ResponseSink {
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    static let limit = 64 << 20

    func header(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") { headers = []; return }
        guard let colon = line.firstIndex(of: ":") else { return }
        headers.append((line[..<colon].trimmingCharacters(in: .whitespaces).lowercased(),
                        line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= Self.limit else { return false }
        body.append(contentsOf: bytes)
        return true
    }
}

private let ccmWriteCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, user in
    guard let user else { return 0 }
    let total = size * count
    guard let data, total > 0 else { return total }
    return Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue().write(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
}

private let ccmHeaderCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, user in
    guard let user else { return 0 }
    let total = size * count
    guard let data, total > 0 else { return total }
    Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue().header(UnsafeRawBufferPointer(start: data, count: total))
    return total
}
