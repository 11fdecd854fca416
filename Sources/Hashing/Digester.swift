import Crypto
import Foundation

/// Which code computes a digest.
public enum HashImplementation: String, Sendable, Hashable, CaseIterable {
    /// The system's OpenSSL 3, opened on first use: the fastest on the machines measured (bench/hash).
    case libcrypto
    /// swift-crypto (BoringSSL, compiled in): always there; used for small inputs, and when libcrypto is absent.
    case swiftCrypto = "swift-crypto"

    /// The environment variable that forces one implementation for the whole process (`libcrypto` or
    /// `swift-crypto`), for comparisons and for machines whose libcrypto misbehaves.
    public static let environmentVariable = "CCM_UPGRADE_HASHING"

    /// The implementation the environment forces, if any (read once).
    public static let forced: HashImplementation? = ProcessInfo.processInfo.environment[environmentVariable].flatMap {
        HashImplementation(rawValue: $0.lowercased())
    }

    /// Inputs known to be smaller than this are hashed with swift-crypto unless libcrypto is already open:
    /// opening and initializing libcrypto (~1.7 ms) costs more than it saves below about 1 MiB, and a short
    /// command (`inspect` of a small package) should not pay for it.
    public static let libcryptoThreshold: Int64 = 1 << 20
}

/// Computes one digest over bytes given in pieces, with the fastest implementation available (the one
/// hashing API of the tool).
///
/// A final class because with libcrypto it owns an `EVP_MD_CTX`, freed in `deinit`. Not thread-safe: one
/// thread at a time (a background hasher hands it over, it does not share it).
public final class Digester {
    public let algorithm: DigestAlgorithm
    /// The implementation this digester ended up with (libcrypto when asked for but absent: swift-crypto).
    public let implementation: HashImplementation

    private enum State {
        case libcrypto(LibCrypto, context: OpaquePointer)
        case md5(Insecure.MD5)
        case sha1(Insecure.SHA1)
        case sha256(SHA256)
        case sha512(SHA512)
    }

    private var state: State
    /// The first failure of an update; ``finalize()`` reports it.
    private var failure: HashingError?
    private var finished = false

    /// A digester for `algorithm`. `expectedSize`, when known, lets small inputs skip loading libcrypto;
    /// `implementation` (tests, benchmarks) overrides the choice, as ``HashImplementation/environmentVariable`` does.
    public init(_ algorithm: DigestAlgorithm, expectedSize: Int64? = nil, implementation requested: HashImplementation? = nil) {
        self.algorithm = algorithm
        let wanted = requested ?? HashImplementation.forced ?? Self.choice(expectedSize: expectedSize)
        if wanted == .libcrypto, let (library, context) = Self.libcryptoContext(algorithm) {
            state = .libcrypto(library, context: context)
            implementation = .libcrypto
            return
        }
        implementation = .swiftCrypto
        switch algorithm {
        case .md5: state = .md5(Insecure.MD5())
        case .sha1: state = .sha1(Insecure.SHA1())
        case .sha256: state = .sha256(SHA256())
        case .sha512: state = .sha512(SHA512())
        }
    }

    deinit {
        if case let .libcrypto(library, context) = state { library.freeContext(context) }
    }

    private static func choice(expectedSize: Int64?) -> HashImplementation {
        if let expectedSize, expectedSize < HashImplementation.libcryptoThreshold, !LibCrypto.isLoaded { return .swiftCrypto }
        return .libcrypto
    }

    /// A fresh, initialized context, or nil when libcrypto is absent, lacks the algorithm or refuses to start
    /// (swift-crypto then does the work: the digest is the same).
    private static func libcryptoContext(_ algorithm: DigestAlgorithm) -> (LibCrypto, OpaquePointer)? {
        guard let library = try? LibCrypto.load(), let method = library.method(algorithm),
              let context = library.newContext() else { return nil }
        guard library.digestInit(context, method, nil) == 1 else {
            _ = library.lastError("EVP_DigestInit_ex") // clears the queue
            library.freeContext(context)
            return nil
        }
        return (library, context)
    }

    /// Adds `bytes`.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "Digester.update after finalize")
        guard !bytes.isEmpty, failure == nil else { return }
        switch state {
        case let .libcrypto(library, context):
            if library.digestUpdate(context, bytes.baseAddress, bytes.count) != 1 { failure = library.lastError("EVP_DigestUpdate") }
        case var .md5(hasher):
            hasher.update(bufferPointer: bytes)
            state = .md5(hasher)
        case var .sha1(hasher):
            hasher.update(bufferPointer: bytes)
            state = .sha1(hasher)
        case var .sha256(hasher):
            hasher.update(bufferPointer: bytes)
            state = .sha256(hasher)
        case var .sha512(hasher):
            hasher.update(bufferPointer: bytes)
            state = .sha512(hasher)
        }
    }

    /// Adds `bytes`.
    public func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything added. Call once; throws when libcrypto reported a failure.
    public func finalize() throws(HashingError) -> Digest {
        precondition(!finished, "Digester.finalize called twice")
        finished = true
        if let failure { throw failure }
        switch state {
        case let .libcrypto(library, context):
            var bytes = [UInt8](repeating: 0, count: algorithm.digestSize)
            var length: UInt32 = 0
            guard library.digestFinal(context, &bytes, &length) == 1, Int(length) == bytes.count else {
                throw library.lastError("EVP_DigestFinal_ex")
            }
            return Digest(algorithm: algorithm, bytes: bytes)
        case let .md5(hasher): return Digest(algorithm: algorithm, bytes: Array(hasher.finalize()))
        case let .sha1(hasher): return Digest(algorithm: algorithm, bytes: Array(hasher.finalize()))
        case let .sha256(hasher): return Digest(algorithm: algorithm, bytes: Array(hasher.finalize()))
        case let .sha512(hasher): return Digest(algorithm: algorithm, bytes: Array(hasher.finalize()))
        }
    }

    /// The digest of `bytes` in one call (small inputs use swift-crypto: see ``HashImplementation/libcryptoThreshold``).
    /// Never fails: with every byte at hand, a libcrypto failure is retried with swift-crypto.
    public static func digest(_ algorithm: DigestAlgorithm, of bytes: some ContiguousBytes,
                              implementation: HashImplementation? = nil) -> Digest {
        let count = bytes.withUnsafeBytes { $0.count }
        let digester = Digester(algorithm, expectedSize: Int64(count), implementation: implementation)
        digester.update(bytes)
        if let digest = try? digester.finalize() { return digest }
        let fallback = Digester(algorithm, implementation: .swiftCrypto)
        fallback.update(bytes)
        return try! fallback.finalize() // swift-crypto's digests cannot fail
    }
}

@available(*, unavailable)
extension Digester: Sendable {}
