import FileSupport
import Foundation
import Hashing

/// The checksum types Chocolatey's helpers accept (`Get-ChecksumValid`: md5, sha1, sha256, sha512; md5 when a
/// script names none).
public enum ChecksumType: String, Sendable, Hashable, Codable, CaseIterable {
    case md5, sha1, sha256, sha512

    /// The type a script declared: case-insensitive; nil or empty means md5, as choco's helpers read it.
    /// Anything else (`sha384`, a typo) is nil: the script would fail at install, so nothing can be verified.
    public init?(declared: String?) {
        guard let declared, !declared.trimmingCharacters(in: .whitespaces).isEmpty else {
            self = .md5
            return
        }
        guard let type = ChecksumType(rawValue: declared.trimmingCharacters(in: .whitespaces).lowercased()) else { return nil }
        self = type
    }

    /// The Hashing module's algorithm.
    var algorithm: DigestAlgorithm {
        switch self {
        case .md5: return .md5
        case .sha1: return .sha1
        case .sha256: return .sha256
        case .sha512: return .sha512
        }
    }

    /// Hex digits in a checksum of this type.
    public var hexLength: Int {
        switch self {
        case .md5: return 32
        case .sha1: return 40
        case .sha256: return 64
        case .sha512: return 128
        }
    }
}

/// Hex digests of a file, computed in one streaming pass (memory flat whatever the file's size).
public enum ResourceChecksum {
    /// The digests of the file at `path` for each of `types`, lower-case hex, and its size (Hashing's fastest
    /// implementation on the machine). Blocking.
    public static func digests(ofFileAt path: String, types: Set<ChecksumType>) throws(FileIOError)
        -> (size: Int64, hex: [ChecksumType: String]) {
        let descriptor = try FileIO.openForReading(path)
        defer { close(descriptor) }
        var status = stat()
        let expected: Int64? = fstat(descriptor, &status) == 0 ? Int64(status.st_size) : nil
        let digesters = types.sorted { $0.rawValue < $1.rawValue }.map { ($0, Digester($0.algorithm, expectedSize: expected)) }
        var size: Int64 = 0
        let reader = ChunkedReader(descriptor: descriptor, path: path)
        while let chunk = try reader.next() {
            for (_, digester) in digesters { digester.update(chunk) }
            size += Int64(chunk.count)
        }
        var hex: [ChecksumType: String] = [:]
        for (type, digester) in digesters {
            do { hex[type] = try digester.finalize().hex } catch { throw FileIOError(path: path, reason: "cannot hash: \(error)") }
        }
        return (size, hex)
    }

    /// Lower-case hex of digest bytes (e.g. the SHA-512 the transport computed while downloading).
    public static func hex(of bytes: [UInt8]) -> String { hex(bytes) }

    /// The SHA-256 of `text` in hex: a stable file name for something that has no checksum yet (a URL).
    public static func hexOfText(_ text: String) -> String { Digester.digest(.sha256, of: Array(text.utf8)).hex }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A declared checksum in the form compared: hex, lower case, without spaces (scripts sometimes write
    /// upper case, as `Get-FileHash` prints it). Nil when it is not hex of the type's length.
    public static func normalized(_ checksum: String, type: ChecksumType) -> String? {
        let cleaned = checksum.filter { !$0.isWhitespace }.lowercased()
        guard cleaned.count == type.hexLength, cleaned.allSatisfy({ $0.isHexDigit }) else { return nil }
        return cleaned
    }
}
