internal import CArchive
import FileSupport
import Foundation
import Hashing

/// The file an archive is written to, hashed with SHA-512 as the bytes go out: the package's hash comes with
/// the write instead of another pass over a file that may hold gigabytes of installers.
final class HashingSink {
    let descriptor: Int32
    let path: String
    let digester = Digester(.sha512, expectedSize: 1 << 30)
    private(set) var size: Int64 = 0
    private(set) var failure: String?

    init(path: String) throws(NupkgError) {
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        self.path = path
        guard descriptor >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close(descriptor) }

    func write(_ buffer: UnsafeRawBufferPointer) -> Int {
        do throws(FileIOError) {
            try FileIO.writeAll(descriptor, buffer, path: path)
        } catch {
            failure = error.reason
            return -1
        }
        digester.update(buffer)
        size += Int64(buffer.count)
        return buffer.count
    }
}

/// libarchive's write callback: the client data is the writer's ``HashingSink`` (kept alive by the writer).
private let sinkWrite: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeRawPointer?, Int) -> Int = { _, client, buffer, length in
    guard let client, let buffer else { return length == 0 ? 0 : -1 }
    return Unmanaged<HashingSink>.fromOpaque(client).takeUnretainedValue().write(UnsafeRawBufferPointer(start: buffer, count: length))
}

/// Owns a libarchive writer (zip for packages, POSIX tar for bundles) and frees it in `deinit`.
final class ArchiveWriter {
    private let handle: OpaquePointer
    private let path: String
    private let sink: HashingSink
    private var closed = false
    /// 1980-01-01T00:00:00Z: the zip epoch, as NuGet's deterministic pack uses, so output is reproducible.
    static let timestamp: Int = 315_532_800

    enum Format {
        case zip
        /// POSIX pax (restricted: ustar headers unless a name or size needs an extension), uncompressed:
        /// what a bundle of already-compressed packages needs.
        case tar
    }

    let format: Format

    init(path: String, format: Format = .zip) throws(NupkgError) {
        self.path = path
        self.format = format
        sink = try HashingSink(path: path)
        guard let handle = archive_write_new() else {
            throw .writeFailed(path: path, reason: "libarchive could not allocate a writer")
        }
        self.handle = handle
        switch format {
        case .zip:
            try check(archive_write_set_format_zip(handle))
            try check(archive_write_zip_set_compression_deflate(handle))
        case .tar:
            try check(archive_write_set_format_pax_restricted(handle))
        }
        // 256 KiB writes (libarchive's default is 10 KiB), and no padding of the last block: the file ends where
        // its data does.
        try check(archive_write_set_bytes_per_block(handle, 256 << 10))
        try check(archive_write_set_bytes_in_last_block(handle, 1))
        try check(archive_write_open2(handle, Unmanaged.passUnretained(sink).toOpaque(), nil, sinkWrite, nil, nil))
    }

    deinit {
        if !closed { archive_write_close(handle) }
        archive_write_free(handle)
    }

    private func check(_ code: Int32) throws(NupkgError) {
        guard code == ARCHIVE_OK || code == ARCHIVE_WARN else {
            let message = sink.failure ?? archive_error_string(handle).map { String(cString: $0) } ?? "unknown libarchive error"
            throw .writeFailed(path: path, reason: message)
        }
    }

    /// Writes one entry: a fresh libarchive entry set up by `configure`, the header, `body` (the data), the end.
    private func writeEntry(_ configure: (OpaquePointer) -> Void, body: () throws(NupkgError) -> Void = {}) throws(NupkgError) {
        guard let entry = archive_entry_new() else { throw .writeFailed(path: path, reason: "cannot allocate an entry") }
        defer { archive_entry_free(entry) }
        archive_entry_set_mtime(entry, Self.timestamp, 0)
        configure(entry)
        try check(archive_write_header(handle, entry))
        try body()
        try check(archive_write_finish_entry(handle))
    }

    /// Adds one regular file whose content `produce` delivers in chunks; `size` must be exact. `stored` writes
    /// the data uncompressed (installers and archives are compressed already: deflating them costs time and
    /// gains nothing).
    func addFile(name: String, size: Int64, stored: Bool = false,
                 _ produce: ((UnsafeRawBufferPointer) throws(NupkgError) -> Void) throws(NupkgError) -> Void) throws(NupkgError) {
        // libarchive takes the method for the entries that follow: set it for each one (zip only; a tar stores).
        if format == .zip {
            try check(stored ? archive_write_zip_set_compression_store(handle) : archive_write_zip_set_compression_deflate(handle))
        }
        try writeEntry({ entry in
            archive_entry_set_pathname_utf8(entry, name)
            archive_entry_set_filetype(entry, ccm_ae_ifreg)
            archive_entry_set_perm(entry, 0o644)
            archive_entry_set_size(entry, size)
        }, body: { () throws(NupkgError) in
            var total: Int64 = 0
            try produce { (chunk: UnsafeRawBufferPointer) throws(NupkgError) in
                guard chunk.count > 0 else { return }
                let written = archive_write_data(handle, chunk.baseAddress, chunk.count)
                guard written == chunk.count else {
                    try check(written < 0 ? Int32(written) : ARCHIVE_FATAL)
                    throw .writeFailed(path: path, reason: "short write of '\(name)'")
                }
                total += Int64(chunk.count)
            }
            guard total == size else {
                throw .writeFailed(path: path, reason: "'\(name)' changed while it was packed (\(total) bytes, expected \(size))")
            }
        })
    }

    func addFile(name: String, bytes: [UInt8]) throws(NupkgError) {
        try addFile(name: name, size: Int64(bytes.count)) { (emit: (UnsafeRawBufferPointer) throws(NupkgError) -> Void) throws(NupkgError) in
            var outcome: Result<Void, NupkgError> = .success(())
            bytes.withUnsafeBytes { buffer in
                outcome = Result { () throws(NupkgError) in try emit(buffer) }
            }
            try outcome.get()
        }
    }

    /// Adds a symbolic link entry. Packages never need one; tests use it to build hostile archives.
    func addSymlink(name: String, target: String) throws(NupkgError) {
        try writeEntry { entry in
            archive_entry_set_pathname_utf8(entry, name)
            archive_entry_set_filetype(entry, ccm_ae_iflnk)
            archive_entry_set_perm(entry, 0o777)
            archive_entry_set_symlink_utf8(entry, target)
        }
    }

    /// Adds a file whose name is given as raw bytes (no charset conversion), for non-UTF-8 names.
    func addFile(rawName: [UInt8], bytes: [UInt8]) throws(NupkgError) {
        try writeEntry({ entry in
            archive_entry_copy_pathname(entry, rawName.map { CChar(bitPattern: $0) } + [0])
            archive_entry_set_filetype(entry, ccm_ae_ifreg)
            archive_entry_set_perm(entry, 0o644)
            archive_entry_set_size(entry, Int64(bytes.count))
        }, body: { () throws(NupkgError) in
            let written = bytes.withUnsafeBytes { archive_write_data(handle, $0.baseAddress, $0.count) }
            guard written == bytes.count else { throw .writeFailed(path: path, reason: "short write of a raw-named entry") }
        })
    }

    /// Finishes the archive; returns its size and SHA-512 (of exactly the bytes written).
    @discardableResult
    func close() throws(NupkgError) -> (size: Int64, sha512: [UInt8]) {
        closed = true
        try check(archive_write_close(handle))
        if let failure = sink.failure { throw .writeFailed(path: path, reason: failure) }
        do { return (sink.size, try sink.digester.finalize().bytes) } catch { throw .writeFailed(path: path, reason: "\(error)") }
    }
}
