import Crypto
import Foundation

/// What a streaming pass over a file produced: its size and its SHA-512, computed in the same pass.
public struct HashedFile: Sendable, Hashable {
    /// Bytes read (and written, for a copy).
    public var size: Int64
    /// The 64 raw SHA-512 digest bytes (Nupkg's `PackageHash` wraps them).
    public var sha512: [UInt8]

    /// A result as read from disk (tests and callers that hashed by other means).
    public init(size: Int64, sha512: [UInt8]) {
        self.size = size
        self.sha512 = sha512
    }
}

extension FileIO {
    /// Copies `source` to `destination` (created or truncated, mode 0644) in 1 MiB chunks, hashing the bytes
    /// as they pass, and flushes the copy to disk (`fsync`) before returning. Blocking: from async code, call
    /// it through ``Blocking/run(_:)``.
    public static func copy(from source: String, to destination: String) throws(FileIOError) -> HashedFile {
        let input = try openForReading(source)
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw .errno(path: destination, "cannot create") }
        defer { close(output) }
        var hasher = SHA512()
        var size: Int64 = 0
        let reader = ChunkedReader(descriptor: input, path: source)
        while let chunk = try reader.next() {
            try writeAll(output, chunk, path: destination)
            hasher.update(bufferPointer: chunk)
            size += Int64(chunk.count)
        }
        guard fsync(output) == 0 else { throw .errno(path: destination, "fsync failed") }
        return HashedFile(size: size, sha512: Array(hasher.finalize()))
    }

    /// The SHA-512 and size of the file at `path`, in one streaming pass with a fixed buffer. Blocking.
    public static func sha512(ofFileAt path: String) throws(FileIOError) -> HashedFile {
        let descriptor = try openForReading(path)
        defer { close(descriptor) }
        return try sha512(of: descriptor, path: path)
    }

    /// The SHA-512 of what is left to read on `descriptor`, up to `limit` bytes when given (a resumed
    /// download hashes the part already on disk). The result's size says how many bytes were hashed.
    public static func sha512(of descriptor: Int32, path: String, limit: Int64? = nil) throws(FileIOError) -> HashedFile {
        var hasher = SHA512()
        var size: Int64 = 0
        let reader = ChunkedReader(descriptor: descriptor, path: path, limit: limit)
        while let chunk = try reader.next() {
            hasher.update(bufferPointer: chunk)
            size += Int64(chunk.count)
        }
        return HashedFile(size: size, sha512: Array(hasher.finalize()))
    }
}
