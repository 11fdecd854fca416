import FileSupport
import Foundation
import Hashing

/// The SHA-512 of a package file, in the forms feeds and tools publish it.
public struct PackageHash: Sendable, Hashable, CustomStringConvertible {
    /// The 64 raw digest bytes.
    public let digest: [UInt8]

    public init(digest: [UInt8]) { self.digest = digest }

    /// Base64, the form v2 feeds publish as `PackageHash` (with `PackageHashAlgorithm` `SHA512`).
    public var base64: String { Data(digest).base64EncodedString() }

    /// Lower-case hex, the form `sha512sum` prints.
    public var hex: String { Digest.hex(digest) }

    public var description: String { base64 }

    /// Whether `published` (a feed's base64 `PackageHash`, or a hex digest) names this digest.
    public func matches(_ published: String) -> Bool {
        let trimmed = published.trimmingCharacters(in: .whitespaces)
        if let data = Data(base64Encoded: trimmed), data.count == digest.count { return Array(data) == digest }
        return trimmed.lowercased() == hex
    }

    /// Hashes the file at `path` in one streaming pass with a fixed 1 MiB buffer: memory does not
    /// grow with the file.
    public static func sha512(ofFileAt path: String) throws(NupkgError) -> PackageHash {
        try sha512AndSize(ofFileAt: path).hash
    }

    /// The hash and the number of bytes hashed, from the same single pass.
    public static func sha512AndSize(ofFileAt path: String) throws(NupkgError) -> (hash: PackageHash, size: Int64) {
        do {
            let hashed = try FileIO.sha512(ofFileAt: path)
            return (PackageHash(digest: hashed.sha512), hashed.size)
        } catch {
            throw .cannotOpen(path: path, reason: error.reason)
        }
    }

    /// ``sha512AndSize(ofFileAt:)`` on a thread outside the cooperative pool, for async callers.
    public static func sha512AndSizeInBackground(ofFileAt path: String) async throws(NupkgError) -> (hash: PackageHash, size: Int64) {
        try await Blocking.run { () throws(NupkgError) -> (hash: PackageHash, size: Int64) in try sha512AndSize(ofFileAt: path) }
    }

    /// The SHA-512 of bytes already in memory (a small package read whole).
    public static func sha512(of bytes: UnsafeRawBufferPointer) -> PackageHash {
        PackageHash(digest: Digester.digest(.sha512, of: bytes).bytes)
    }
}
