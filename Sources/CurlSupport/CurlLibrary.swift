internal import CCurl
import Foundation
#if os(Windows)
import WinSDK
#endif

/// Why libcurl could not be used; the message names the library file and what to install.
struct CurlLoadError: Error, Sendable, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// libcurl, opened once on first use and kept for the life of the process (shared by the feed client in
/// Repository and the CCM API client in Deployment).
///
/// The tool does not link libcurl: every start would otherwise load it and its TLS, LDAP, SSH and IDN
/// dependencies (~4 ms), also for commands that never use the network. The variadic entry points stay
/// raw pointers for the typed C wrappers in the CCurl shim; the others are called directly.
final class CurlLibrary: @unchecked Sendable {
    // Immutable after init, hence @unchecked Sendable.
    let easyInit: @convention(c) () -> UnsafeMutableRawPointer?
    let easyCleanup: @convention(c) (UnsafeMutableRawPointer?) -> Void
    let easyPerform: @convention(c) (UnsafeMutableRawPointer?) -> CURLcode
    private let easyStrerror: @convention(c) (CURLcode) -> UnsafePointer<CChar>?
    let slistAppend: @convention(c) (UnsafeMutablePointer<curl_slist>?, UnsafePointer<CChar>?) -> UnsafeMutablePointer<curl_slist>?
    let slistFreeAll: @convention(c) (UnsafeMutablePointer<curl_slist>?) -> Void
    /// `curl_easy_setopt` and `curl_easy_getinfo`, for the `ccm_curl_setopt_*` / `ccm_curl_getinfo_*` wrappers.
    let setopt: UnsafeMutableRawPointer
    let getinfo: UnsafeMutableRawPointer

    /// libcurl's text for `code` (the detailed error buffer, when a handle has one, says more).
    func describe(_ code: CURLcode) -> String {
        easyStrerror(code).map { String(cString: $0) } ?? "libcurl error \(code.rawValue)"
    }

    /// The library, or why it could not be opened.
    static let shared: Result<CurlLibrary, CurlLoadError> = Result { () throws(CurlLoadError) in try CurlLibrary() }

    /// Opens libcurl and runs `curl_global_init` once, before any transfer thread uses it.
    static func load() throws(CurlLoadError) -> CurlLibrary { try shared.get() }

    private init() throws(CurlLoadError) {
        let library = try Self.open()
        func symbol(_ name: String) throws(CurlLoadError) -> UnsafeMutableRawPointer {
            guard let address = Self.lookup(library, name) else {
                throw CurlLoadError(message: "libcurl has no '\(name)': the installed libcurl is too old (7.85 or later is needed)")
            }
            return address
        }
        easyInit = unsafeBitCast(try symbol("curl_easy_init"), to: (@convention(c) () -> UnsafeMutableRawPointer?).self)
        easyCleanup = unsafeBitCast(try symbol("curl_easy_cleanup"), to: (@convention(c) (UnsafeMutableRawPointer?) -> Void).self)
        easyPerform = unsafeBitCast(try symbol("curl_easy_perform"), to: (@convention(c) (UnsafeMutableRawPointer?) -> CURLcode).self)
        easyStrerror = unsafeBitCast(try symbol("curl_easy_strerror"), to: (@convention(c) (CURLcode) -> UnsafePointer<CChar>?).self)
        slistAppend = unsafeBitCast(try symbol("curl_slist_append"),
                                    to: (@convention(c) (UnsafeMutablePointer<curl_slist>?, UnsafePointer<CChar>?) -> UnsafeMutablePointer<curl_slist>?).self)
        slistFreeAll = unsafeBitCast(try symbol("curl_slist_free_all"), to: (@convention(c) (UnsafeMutablePointer<curl_slist>?) -> Void).self)
        setopt = try symbol("curl_easy_setopt")
        getinfo = try symbol("curl_easy_getinfo")
        let globalInit = unsafeBitCast(try symbol("curl_global_init"), to: (@convention(c) (CLong) -> CURLcode).self)
        let status = globalInit(ccm_curl_global_all())
        guard status == CURLE_OK else {
            throw CurlLoadError(message: "curl_global_init failed: " + (easyStrerror(status).map { String(cString: $0) } ?? "unknown error"))
        }
    }

    #if os(Windows)
    private static let fileNames = ["libcurl.dll", "libcurl-x64.dll"]

    private static func open() throws(CurlLoadError) -> HMODULE {
        for name in fileNames {
            if let module = LoadLibraryA(name) { return module }
        }
        throw CurlLoadError(message: "libcurl could not be loaded (tried \(fileNames.joined(separator: ", "))); put libcurl.dll next to ccm-upgrade.exe or on PATH")
    }

    private static func lookup(_ library: HMODULE, _ name: String) -> UnsafeMutableRawPointer? {
        GetProcAddress(library, name).map { unsafeBitCast($0, to: UnsafeMutableRawPointer.self) }
    }
    #else
    /// The SONAME first (what the runtime package installs), then the development symlink.
    private static let fileNames = ["libcurl.so.4", "libcurl.so", "libcurl.4.dylib", "libcurl.dylib"]

    private static func open() throws(CurlLoadError) -> UnsafeMutableRawPointer {
        var reasons: [String] = []
        for name in fileNames {
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) { return handle }
            reasons.append(dlerror().map { String(cString: $0) } ?? name)
        }
        throw CurlLoadError(message: "libcurl could not be loaded (\(reasons.first ?? "not found")); install it: apt-get install libcurl4")
    }

    private static func lookup(_ library: UnsafeMutableRawPointer, _ name: String) -> UnsafeMutableRawPointer? {
        dlsym(library, name)
    }
    #endif
}
