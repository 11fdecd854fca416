import Foundation

/// Reads and writes on open file descriptors, retrying calls a signal interrupted (`EINTR`).
///
/// The one place with these loops: before, Nupkg, the folder feed, the atomic writer and the transfer code
/// each had their own copy, and one of them forgot a short write.
public enum FileIO {
    /// The buffer size for streaming: large enough that the system call cost vanishes, small enough that
    /// memory stays flat whatever the file size.
    public static let chunkSize = 1 << 20

    /// Writes all of `bytes` to `descriptor` (short writes are continued). `path` names the file in errors.
    public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(FileIOError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, base + offset, bytes.count - offset)
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw .errno(path: path, "write failed") }
            offset += written
        }
    }

    /// Writes all of `bytes` to `descriptor`.
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(FileIOError) {
        // withUnsafeBytes rethrows untyped errors: carry the typed one out by hand.
        var failure: FileIOError?
        bytes.withUnsafeBytes { buffer in
            do throws(FileIOError) { try writeAll(descriptor, buffer, path: path) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// One `read` into `buffer`, retried after `EINTR`: the number of bytes read, 0 at the end of the file.
    public static func readSome(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(FileIOError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = read(descriptor, base, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw .errno(path: path, "read failed") }
            return count
        }
    }

    /// Fills `buffer` completely; a file that ends first is an error ("the file shrank while it was read").
    public static func readExactly(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(FileIOError) {
        var filled = 0
        while filled < buffer.count {
            let count = try readSome(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]), path: path)
            guard count > 0 else { throw FileIOError(path: path, reason: "the file shrank while it was read") }
            filled += count
        }
    }

    /// Fills `buffer` from `offset` on with `pread`, leaving the descriptor's position alone; a file that ends
    /// first is an error. For readers that jump to recorded offsets (a zip's directory at its end).
    public static func readExactly(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, atOffset offset: Int64, path: String)
        throws(FileIOError) {
        guard offset >= 0, Int64(buffer.count) <= Int64.max - offset else { throw FileIOError(path: path, reason: "read offset \(offset) is out of range") }
        guard let base = buffer.baseAddress else { return }
        var filled = 0
        while filled < buffer.count {
            let count = pread(descriptor, base + filled, buffer.count - filled, off_t(offset + Int64(filled)))
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw .errno(path: path, "read failed") }
            guard count > 0 else { throw FileIOError(path: path, reason: "the file shrank while it was read") }
            filled += count
        }
    }

    /// Opens `path` for reading (close-on-exec).
    public static func openForReading(_ path: String) throws(FileIOError) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .errno(path: path, "cannot open") }
        return descriptor
    }
}

/// Reads an open file in fixed chunks into one buffer it owns: memory stays flat whatever the file size.
///
/// A class rather than a closure-taking function so that callers keep their own typed errors in the loop:
/// `while let chunk = try reader.next() { try body(chunk) }`. Not `Sendable`: one reader, one thread.
public final class ChunkedReader {
    private let descriptor: Int32
    private let path: String
    private let buffer: UnsafeMutableRawBufferPointer
    private var remaining: Int64

    /// Reads from `descriptor` (not closed by the reader) until its end, or until `limit` bytes when given.
    public init(descriptor: Int32, path: String, chunkSize: Int = FileIO.chunkSize, limit: Int64? = nil) {
        self.descriptor = descriptor
        self.path = path
        buffer = .allocate(byteCount: max(chunkSize, 1), alignment: 16)
        remaining = limit ?? .max
    }

    deinit { buffer.deallocate() }

    /// The next chunk, valid until the next call; nil at the end (or at the limit).
    public func next() throws(FileIOError) -> UnsafeRawBufferPointer? {
        guard remaining > 0 else { return nil }
        let wanted = Int(min(Int64(buffer.count), remaining))
        let count = try FileIO.readSome(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]), path: path)
        guard count > 0 else { return nil }
        remaining -= Int64(count)
        return UnsafeRawBufferPointer(rebasing: buffer[0..<count])
    }
}
