import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes an uncompressed tar archive entry by entry, each file streamed from disk in chunks (memory does not
/// grow with the files). Used for bundles: the packages inside are compressed already.
public final class TarWriter {
    private let writer: ArchiveWriter

    /// Creates (or truncates) the archive at `path`.
    public init(path: String) throws(NupkgError) {
        writer = try ArchiveWriter(path: path, format: .tar)
    }

    /// Adds `bytes` as the regular file `name`.
    public func add(name: String, bytes: [UInt8]) throws(NupkgError) {
        try writer.addFile(name: name, bytes: bytes)
    }

    /// Adds the file at `source` as `name`, streamed; `size` must be its exact size (a file that changes while it
    /// is added is an error, not a corrupt archive).
    public func add(name: String, fileAt source: String, size: Int64) throws(NupkgError) {
        let descriptor = open(source, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: source, reason: String(cString: strerror(errno))) }
        defer { Glibc.close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        try writer.addFile(name: name, size: size) { (emit: (UnsafeRawBufferPointer) throws(NupkgError) -> Void) throws(NupkgError) in
            while true {
                let count = read(descriptor, buffer.baseAddress, buffer.count)
                if count < 0, errno == EINTR { continue }
                guard count >= 0 else { throw .cannotOpen(path: source, reason: "read failed: " + String(cString: strerror(errno))) }
                if count == 0 { return }
                try emit(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
        }
    }

    /// Writes the end of the archive. Without it the archive is incomplete.
    public func close() throws(NupkgError) {
        try writer.close()
    }
}

/// Reads a tar archive front to back: each entry's name, kind and size, then its data streamed or skipped.
public final class TarReader {
    private let reader: ArchiveReader

    /// One entry's header.
    public struct Entry: Sendable {
        public let name: String
        /// True for a regular file (anything else in a bundle is refused by its reader).
        public let isRegularFile: Bool
        /// The size the header declares; -1 when unknown.
        public let size: Int64
    }

    public init(path: String) throws(NupkgError) {
        reader = try ArchiveReader(tarPath: path)
    }

    /// The next entry's header, or nil at the end. A damaged or truncated header is an error.
    public func next() throws(NupkgError) -> Entry? {
        let header: RawArchiveEntry?
        do { header = try reader.nextEntry() } catch {
            // The zip reader's error says "not a .nupkg": here it is a damaged or cut tar header.
            if case let .notAZip(path, message) = error { throw .archiveError(path: path, message: message) }
            throw error
        }
        guard let raw = header else { return nil }
        return Entry(name: raw.name, isRegularFile: raw.kind == .file, size: raw.declaredSize)
    }

    /// Streams the current entry's data to `body` in chunks (a truncated archive ends in an error).
    public func read(_ body: (UnsafeRawBufferPointer) throws(NupkgError) -> Void) throws(NupkgError) {
        try reader.streamData(body)
    }

    /// The current entry's data in memory, refusing more than `limit` bytes.
    public func readAll(limit: Int64) throws(NupkgError) -> [UInt8] {
        try reader.readData(limit: limit)
    }
}
