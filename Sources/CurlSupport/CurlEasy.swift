internal import CCurl
import Foundation

/// Owns one libcurl easy handle, its error buffer and its header list; frees all three in `deinit`.
/// Used by exactly one thread for one transfer, hence not `Sendable`.
final class CurlEasy {
    private let curl: CurlLibrary
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    let url: String

    init(url: String) throws(HTTPError) {
        let curl: CurlLibrary
        do { curl = try CurlLibrary.load() } catch { throw .transport(url: url, code: .failedInit, message: error.message) }
        self.curl = curl
        guard let handle = curl.easyInit() else {
            throw .transport(url: url, code: .failedInit, message: "curl_easy_init failed (out of memory?)")
        }
        self.handle = handle
        self.url = url
        let size = Int(ccm_curl_error_size())
        errorBuffer = .allocate(capacity: size)
        errorBuffer.initialize(repeating: 0, count: size)
        try check(ccm_curl_setopt_ptr(curl.setopt, handle, CURLOPT_ERRORBUFFER, errorBuffer))
    }

    deinit {
        if let headerList { curl.slistFreeAll(headerList) }
        curl.easyCleanup(handle)
        errorBuffer.deallocate()
    }

    /// Every CURLcode goes through here: curl's detailed error buffer first, its generic text otherwise.
    func check(_ code: CURLcode) throws(HTTPError) {
        guard code != CURLE_OK else { return }
        throw .transport(url: url, code: CurlCode(code), message: message(for: code))
    }

    func message(for code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? curl.describe(code) : detail
    }

    func set(_ option: CURLoption, _ value: Int) throws(HTTPError) {
        try check(ccm_curl_setopt_long(curl.setopt, handle, option, CLong(value)))
    }

    func set(_ option: CURLoption, _ value: String) throws(HTTPError) {
        // libcurl copies string options (since 7.17), so a temporary C string is enough.
        try check(value.withCString { ccm_curl_setopt_string(curl.setopt, handle, option, $0) })
    }

    func set(_ option: CURLoption, offset value: Int64) throws(HTTPError) {
        try check(ccm_curl_setopt_off(curl.setopt, handle, option, curl_off_t(value)))
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(HTTPError) {
        try check(ccm_curl_setopt_ptr(curl.setopt, handle, option, pointer))
    }

    func setHeaders(_ lines: [String]) throws(HTTPError) {
        for line in lines {
            guard let appended = curl.slistAppend(headerList, line) else {
                throw .transport(url: url, code: .failedInit, message: "curl_slist_append failed")
            }
            headerList = appended
        }
        if let headerList { try set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(headerList)) }
    }

    func installCallbacks(context: UnsafeMutableRawPointer) throws(HTTPError) {
        try check(ccm_curl_setopt_callback(curl.setopt, handle, CURLOPT_WRITEFUNCTION, curlWriteCallback))
        try set(CURLOPT_WRITEDATA, pointer: context)
        try check(ccm_curl_setopt_callback(curl.setopt, handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback))
        try set(CURLOPT_HEADERDATA, pointer: context)
        try check(ccm_curl_setopt_callback(curl.setopt, handle, CURLOPT_READFUNCTION, curlReadCallback))
        try set(CURLOPT_READDATA, pointer: context)
        try check(ccm_curl_setopt_xferinfo(curl.setopt, handle, curlProgressCallback))
        try set(CURLOPT_XFERINFODATA, pointer: context)
        try set(CURLOPT_NOPROGRESS, 0)
    }

    /// Runs the transfer on the calling thread (which must not be a cooperative-pool thread).
    func perform() -> CURLcode { curl.easyPerform(handle) }

    var responseCode: Int {
        var code: CLong = 0
        _ = ccm_curl_getinfo_long(curl.getinfo, handle, CURLINFO_RESPONSE_CODE, &code)
        return Int(code)
    }

    var effectiveURL: String? {
        var pointer: UnsafeMutablePointer<CChar>?
        guard ccm_curl_getinfo_string(curl.getinfo, handle, CURLINFO_EFFECTIVE_URL, &pointer) == CURLE_OK, let pointer else { return nil }
        return String(cString: pointer)
    }

    static var basicAuth: Int { Int(ccm_curlauth_basic()) }
}

// MARK: - C callbacks (context is an unretained TransferContext)

private let curlWriteCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, user in
    guard let user else { return 0 }
    let total = size * count
    guard let data, total > 0 else { return total }
    let context = Unmanaged<TransferContext>.fromOpaque(user).takeUnretainedValue()
    return context.receive(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
}

private let curlHeaderCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, user in
    guard let user else { return 0 }
    let total = size * count
    guard let data, total > 0 else { return total }
    let context = Unmanaged<TransferContext>.fromOpaque(user).takeUnretainedValue()
    context.receiveHeader(UnsafeRawBufferPointer(start: data, count: total))
    return total
}

/// Makes curl fail the upload with CURLE_ABORTED_BY_CALLBACK.
private let readAbort = Int(CURL_READFUNC_ABORT)

private let curlReadCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    buffer, size, count, user in
    guard let user, let buffer else { return readAbort }
    let context = Unmanaged<TransferContext>.fromOpaque(user).takeUnretainedValue()
    return context.fill(UnsafeMutableRawBufferPointer(start: buffer, count: size * count)) ?? readAbort
}

private let curlProgressCallback: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 = {
    user, downloadTotal, downloaded, uploadTotal, uploaded in
    guard let user else { return 0 }
    let context = Unmanaged<TransferContext>.fromOpaque(user).takeUnretainedValue()
    return context.progress(downloaded: Int64(downloaded), downloadTotal: Int64(downloadTotal),
                            uploaded: Int64(uploaded), uploadTotal: Int64(uploadTotal)) ? 0 : 1
}
