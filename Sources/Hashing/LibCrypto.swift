internal import CLibCrypto
import Foundation
import Synchronization

/// The system's libcrypto (OpenSSL 3), opened once on first use and kept for the life of the process.
///
/// Not linked, like libcurl (CurlSupport's `CurlLibrary`): the static release build carries no OpenSSL, and
/// commands that hash only small inputs never load it. When it is missing (or too old: 3.0 is needed for
/// `EVP_MD_fetch`), ``Digester`` uses swift-crypto instead.
final class LibCrypto: @unchecked Sendable {
    // Immutable after init, hence @unchecked Sendable. OpenSSL 3's digests are safe to use from many
    // threads as long as each context is used by one at a time (a `Digester` owns its context).
    let newContext: ccm_evp_md_ctx_new_fn
    let freeContext: ccm_evp_md_ctx_free_fn
    let digestInit: ccm_evp_digest_init_fn
    let digestUpdate: ccm_evp_digest_update_fn
    let digestFinal: ccm_evp_digest_final_fn
    private let getError: ccm_err_get_error_fn
    private let errorString: ccm_err_error_string_n_fn
    /// The digests fetched once from the default provider (an implicit fetch on every init would take a
    /// lock each time). An algorithm the provider refuses (MD5 under a FIPS configuration) is absent.
    private let methods: [DigestAlgorithm: OpaquePointer]

    /// The fetched method for `algorithm`, or nil when this libcrypto does not offer it.
    func method(_ algorithm: DigestAlgorithm) -> OpaquePointer? { methods[algorithm] }

    /// libcrypto's message for the oldest error on this thread's queue (and clears the queue).
    func lastError(_ what: String) -> HashingError {
        var text = [CChar](repeating: 0, count: 256)
        var code = getError()
        var first: UInt = 0
        while code != 0 {
            if first == 0 { first = code }
            code = getError()
        }
        guard first != 0 else { return HashingError(message: "libcrypto \(what) failed") }
        errorString(first, &text, text.count)
        return HashingError(message: "libcrypto \(what) failed: " + String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Whether the library has been opened successfully (without opening it).
    static var isLoaded: Bool { loaded.load(ordering: .acquiring) }
    private static let loaded = Atomic<Bool>(false)

    /// The library, or why it could not be opened.
    private static let shared: Result<LibCrypto, HashingError> = {
        let result = Result { () throws(HashingError) in try LibCrypto() }
        if case .success = result { loaded.store(true, ordering: .releasing) }
        return result
    }()

    /// Opens libcrypto (first call only) and fetches the digests.
    static func load() throws(HashingError) -> LibCrypto { try shared.get() }

    private init() throws(HashingError) {
        let library = try Self.open()
        func symbol<Function>(_ name: String, as type: Function.Type) throws(HashingError) -> Function {
            guard let address = dlsym(library, name) else {
                throw HashingError(message: "libcrypto has no '\(name)': OpenSSL 3 or later is needed")
            }
            return unsafeBitCast(address, to: type)
        }
        newContext = try symbol("EVP_MD_CTX_new", as: ccm_evp_md_ctx_new_fn.self)
        freeContext = try symbol("EVP_MD_CTX_free", as: ccm_evp_md_ctx_free_fn.self)
        digestInit = try symbol("EVP_DigestInit_ex", as: ccm_evp_digest_init_fn.self)
        digestUpdate = try symbol("EVP_DigestUpdate", as: ccm_evp_digest_update_fn.self)
        digestFinal = try symbol("EVP_DigestFinal_ex", as: ccm_evp_digest_final_fn.self)
        getError = try symbol("ERR_get_error", as: ccm_err_get_error_fn.self)
        errorString = try symbol("ERR_error_string_n", as: ccm_err_error_string_n_fn.self)
        let fetch = try symbol("EVP_MD_fetch", as: ccm_evp_md_fetch_fn.self)
        var methods: [DigestAlgorithm: OpaquePointer] = [:]
        for algorithm in DigestAlgorithm.allCases {
            // OpenSSL's canonical names; the fetched methods are kept for the life of the process.
            if let method = fetch(nil, Self.openSSLName(algorithm), nil) { methods[algorithm] = method }
        }
        while getError() != 0 {} // a refused fetch leaves errors on the queue: not ours to report
        guard !methods.isEmpty else { throw HashingError(message: "libcrypto offers none of the digests (no default provider?)") }
        self.methods = methods
    }

    private static func openSSLName(_ algorithm: DigestAlgorithm) -> String {
        switch algorithm {
        case .md5: "MD5"
        case .sha1: "SHA1"
        case .sha256: "SHA2-256"
        case .sha512: "SHA2-512"
        }
    }

    /// The SONAME of OpenSSL 3 first (what Debian's libssl3 installs), then the macOS names.
    private static let fileNames = ["libcrypto.so.3", "libcrypto.3.dylib"]

    private static func open() throws(HashingError) -> UnsafeMutableRawPointer {
        var reasons: [String] = []
        for name in fileNames {
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) { return handle }
            reasons.append(dlerror().map { String(cString: $0) } ?? name)
        }
        throw HashingError(message: "libcrypto could not be loaded (\(reasons.first ?? "not found")); install it: apt-get install libssl3")
    }
}
