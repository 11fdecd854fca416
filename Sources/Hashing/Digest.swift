/// The message digests the tool computes: SHA-512 for packages (what NuGet feeds publish), SHA-256 for plan
/// fingerprints and computed resource checksums, MD5 and SHA-1 only to verify the checksums that package
/// scripts declare with them (Chocolatey's `-ChecksumType md5|sha1`).
public enum DigestAlgorithm: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case md5
    case sha1
    case sha256
    case sha512

    /// Bytes in a digest of this algorithm.
    public var digestSize: Int {
        switch self {
        case .md5: 16
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }

    /// The algorithm for a checksum type as package scripts and feeds spell it (`sha256`, `SHA-256`, `SHA256`),
    /// or nil for an unknown one.
    public init?(checksumType: String) {
        let folded = checksumType.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " }
        self.init(rawValue: folded)
    }

    public var description: String { rawValue }
}

/// A finished digest: the algorithm and its raw bytes.
public struct Digest: Sendable, Hashable, CustomStringConvertible {
    public let algorithm: DigestAlgorithm
    /// The raw digest bytes (``DigestAlgorithm/digestSize`` of them).
    public let bytes: [UInt8]

    public init(algorithm: DigestAlgorithm, bytes: [UInt8]) {
        self.algorithm = algorithm
        self.bytes = bytes
    }

    /// Lower-case hex, the form `sha512sum` and Chocolatey's checksums use.
    public var hex: String { Self.hex(bytes) }

    public var description: String { hex }

    /// Whether `text` (hex in either case, surrounding spaces and line ends allowed) names this digest.
    public func matches(hex text: String) -> Bool {
        // Bytes, not Characters: "\r\n" is one Character, which a Character-wise trim would keep.
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        let utf8 = Array(text.utf8)
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) }) else { return false }
        guard last - first + 1 == bytes.count * 2 else { return false }
        return String(decoding: utf8[first...last], as: UTF8.self).lowercased() == hex
    }

    /// Lower-case hex of `bytes`.
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            var index = 0
            for byte in bytes {
                buffer[index] = digits.utf8Start[Int(byte >> 4)]
                buffer[index + 1] = digits.utf8Start[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }
}

/// Why a digest could not be computed: the implementation's own message (libcrypto's error queue).
public struct HashingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed, e.g. "libcrypto EVP_DigestUpdate failed: error:…".
    public let message: String

    public init(message: String) { self.message = message }

    public var description: String { message }
}
