import Foundation
import Hashing

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
        let hasher = Digester(.sha512, expectedSize: fileSize(input))
        var size: Int64 = 0
        let reader = ChunkedReader(descriptor: input, path: source)
        while let chunk = try reader.next() {
            try writeAll(output, chunk, path: destination)
            hasher.update(chunk)
            size += Int64(chunk.count)
        }
        guard fsync(output) == 0 else { throw .errno(path: destination, "fsync failed") }
        return HashedFile(size: size, sha512: try finish(hasher, path: source).bytes)
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
        let (digest, size) = try digest(.sha512, of: descriptor, path: path, limit: limit)
        return HashedFile(size: size, sha512: digest.bytes)
    }

    /// The `algorithm` digest and size of the file at `path`, in one streaming pass (a resource checked
    /// against the md5/sha1/sha256/sha512 checksum its package script declares). Blocking.
    public static func digest(_ algorithm: DigestAlgorithm, ofFileAt path: String) throws(FileIOError) -> (digest: Digest, size: Int64) {
        let descriptor = try openForReading(path)
        defer { close(descriptor) }
        return try digest(algorithm, of: descriptor, path: path)
    }

    /// The `algorithm` digest of what is left to read on `descriptor` (up to `limit` bytes) and how many
    /// bytes that was.
    public static func digest(_ algorithm: DigestAlgorithm, of descriptor: Int32, path: String,
                              limit: Int64? = nil) throws(FileIOError) -> (digest: Digest, size: Int64) {
        let remaining = fileSize(descriptor).map { size in limit.map { min($0, size) } ?? size }
        let hasher = Digester(algorithm, expectedSize: remaining)
        var size: Int64 = 0
        let reader = ChunkedReader(descriptor: descriptor, path: path, limit: limit)
        while let chunk = try reader.next() {
            hasher.update(chunk)
            size += Int64(chunk.count)
        }
        return (try finish(hasher, path: path), size)
    }

    /// The size of the open file, when it is a regular file (it picks the hashing implementation).
    private static func fileSize(_ descriptor: Int32) -> Int64? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    private static func finish(_ hasher: Digester, path: String) throws(FileIOError) -> Digest {
        do { return try hasher.finalize() } catch { throw FileIOError(path: path, reason: "cannot hash: \(error.message)") }
    }
}
