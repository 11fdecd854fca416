internal import CArchive
import Foundation

/// One entry of a zip archive as libarchive reports it, with its name decoded.
struct RawArchiveEntry {
    /// The name bytes as stored in the archive (after libarchive's own charset handling).
    let rawName: [UInt8]
    /// The name decoded as UTF-8 (CP437 when the bytes are not UTF-8), before percent-decoding.
    let name: String
    let kind: PackageEntry.Kind
    /// The uncompressed size the header declares; -1 when unknown. Never trusted for limits.
    let declaredSize: Int64
}

/// Owns a libarchive read handle over one seekable zip file and frees it in `deinit`.
///
/// The seekable zip reader reads the central directory (as zip readers must for in-place-modified
/// archives) and seeks over entry data that is skipped, so listing entries and reading one of them
/// costs the same for a 1 MiB and a 1 GiB package.
final class ArchiveReader {
    private let handle: OpaquePointer
    let path: String
    /// The file's bytes when the archive is read from memory (owned here, freed in `deinit`).
    private var memory: UnsafeMutableRawBufferPointer?

    init(path: String) throws(NupkgError) {
        self.path = path
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .cannotOpen(path: path, reason: "not a regular file")
        }
        guard let handle = archive_read_new() else {
            throw .archiveError(path: path, message: "libarchive could not allocate a reader")
        }
        self.handle = handle
        try check(archive_read_support_format_zip_seekable(handle))
        let opened = archive_read_open_filename(handle, path, 64 * 1024)
        guard opened == ARCHIVE_OK else {
            throw .notAZip(path: path, message: lastError)
        }
    }

    /// Reads a tar archive (a bundle) front to back, without seeking.
    init(tarPath path: String) throws(NupkgError) {
        self.path = path
        guard let handle = archive_read_new() else {
            throw .archiveError(path: path, message: "libarchive could not allocate a reader")
        }
        self.handle = handle
        try check(archive_read_support_format_tar(handle))
        guard archive_read_open_filename(handle, path, 1 << 20) == ARCHIVE_OK else {
            throw .archiveError(path: path, message: lastError)
        }
    }

    /// Reads the archive from `buffer` (a whole small package already in memory), which the reader now owns
    /// and frees; `path` names it in errors.
    init(owning buffer: UnsafeMutableRawBufferPointer, path: String) throws(NupkgError) {
        self.path = path
        memory = buffer
        guard let handle = archive_read_new() else {
            buffer.deallocate()
            memory = nil
            throw .archiveError(path: path, message: "libarchive could not allocate a reader")
        }
        self.handle = handle
        try check(archive_read_support_format_zip_seekable(handle))
        guard archive_read_open_memory(handle, buffer.baseAddress, buffer.count) == ARCHIVE_OK else {
            throw .notAZip(path: path, message: lastError)
        }
    }

    deinit {
        archive_read_free(handle)
        memory?.deallocate()
    }

    /// Reads a zip front to back from `source` (libarchive's streamable zip reader: local headers in
    /// order, every CRC-32 checked as data is read, ending at the central directory). `path` names the
    /// archive in errors. Used to vet a package while it downloads; see ``PackageVetter/vetStream``.
    init(streaming source: ArchiveByteSource, path: String) throws(NupkgError) {
        self.path = path
        guard let handle = archive_read_new() else {
            throw .archiveError(path: path, message: "libarchive could not allocate a reader")
        }
        self.handle = handle
        streamSource = source
        try check(archive_read_support_format_zip_streamable(handle))
        let opened = archive_read_open(handle, Unmanaged.passUnretained(source).toOpaque(), nil, archiveSourceRead, nil)
        guard opened == ARCHIVE_OK else { throw .notAZip(path: path, message: lastError) }
    }

    /// Kept alive for the streaming reader: libarchive holds it unretained.
    private var streamSource: ArchiveByteSource?

    /// The offset of the current entry's header from the start of the archive (exact for the streaming
    /// reader, which reads headers where they are).
    var headerPosition: Int64 { Int64(archive_read_header_position(handle)) }

    private var lastError: String {
        archive_error_string(handle).map { String(cString: $0) } ?? "unknown libarchive error"
    }

    private func check(_ code: Int32) throws(NupkgError) {
        guard code == ARCHIVE_OK || code == ARCHIVE_WARN else {
            throw .archiveError(path: path, message: lastError)
        }
    }

    /// The next entry, or nil at the end of the archive.
    func nextEntry() throws(NupkgError) -> RawArchiveEntry? {
        var entry: OpaquePointer?
        let code = archive_read_next_header(handle, &entry)
        if code == ARCHIVE_EOF { return nil }
        guard code == ARCHIVE_OK || code == ARCHIVE_WARN, let entry else {
            throw .notAZip(path: path, message: lastError)
        }
        let raw = Self.nameBytes(entry)
        let kind: PackageEntry.Kind
        // AE_IF* constants come from the shim (the macros are casts Swift cannot import).
        switch archive_entry_filetype(entry) {
        case ccm_ae_ifreg: kind = .file
        case ccm_ae_ifdir: kind = .directory
        case ccm_ae_iflnk: kind = .symlink
        default: kind = archive_entry_hardlink(entry) != nil ? .hardlink : .special
        }
        let size = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : -1
        return RawArchiveEntry(rawName: raw, name: EntryName.decodeBytes(raw), kind: kind, declaredSize: size)
    }

    /// Reads the current entry's data into memory, refusing more than `limit` bytes.
    func readData(limit: Int64, expectedSize: Int64 = -1) throws(NupkgError) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(Int(min(max(expectedSize, 0), limit)))
        try streamData { (chunk: UnsafeRawBufferPointer) throws(NupkgError) in
            guard Int64(result.count + chunk.count) <= limit else {
                throw .limitExceeded(path: path, reason: "an entry is larger than \(limit) bytes")
            }
            result.append(contentsOf: chunk)
        }
        return result
    }

    /// Streams the current entry's data to `body` in chunks; stops with an error if `body` throws.
    func streamData(_ body: (UnsafeRawBufferPointer) throws(NupkgError) -> Void) throws(NupkgError) {
        let size = 64 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = archive_read_data(handle, buffer.baseAddress, size)
            if count < 0 { throw .archiveError(path: path, message: lastError) }
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Streams the current entry's data to `body` in the blocks libarchive holds (no copy into a buffer of
    /// ours: for stored entries read from a stream, the very bytes the read callback supplied).
    func streamDataBlocks(_ body: (UnsafeRawBufferPointer) throws(NupkgError) -> Void) throws(NupkgError) {
        var expectedOffset: Int64 = 0
        while true {
            var block: UnsafeRawPointer?
            var size = 0
            var offset: Int64 = 0
            let code = archive_read_data_block(handle, &block, &size, &offset)
            if code == ARCHIVE_EOF { return }
            // A warning here is the zip reader's "bad CRC": as archive_read_data does, it fails the read.
            guard code == ARCHIVE_OK else { throw .archiveError(path: path, message: lastError) }
            // Zip entries have no holes; a block elsewhere than where the last one ended is a broken archive.
            guard offset == expectedOffset else {
                throw .archiveError(path: path, message: "entry data jumps from byte \(expectedOffset) to \(offset)")
            }
            expectedOffset += Int64(size)
            if size > 0, let block { try body(UnsafeRawBufferPointer(start: block, count: size)) }
        }
    }

    /// Skips the current entry's data (a seek with the seekable reader).
    func skipData() throws(NupkgError) {
        try check(archive_read_data_skip(handle))
    }

    /// The stored name bytes. libarchive converts names flagged UTF-8 to the locale, which fails under
    /// the C locale; the UTF-8 form is asked for first, then the raw multibyte form.
    private static func nameBytes(_ entry: OpaquePointer) -> [UInt8] {
        // An ASCII name reads the same in every encoding: take the stored form as it is. Asking for the UTF-8
        // form converts through the locale (mbrtowc per character), a tenth of a small package's reading time.
        if let raw = archive_entry_pathname(entry) {
            let length = strlen(raw)
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: length)
            if !bytes.contains(where: { $0 >= 0x80 }) { return Array(bytes) }
        }
        if let utf8 = archive_entry_pathname_utf8(entry) {
            return Array(UnsafeBufferPointer(start: UnsafeRawPointer(utf8).assumingMemoryBound(to: UInt8.self), count: strlen(utf8)))
        }
        if let raw = archive_entry_pathname(entry) {
            return Array(UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: strlen(raw)))
        }
        return []
    }
}

/// The bytes of an archive read front to back, pulled by libarchive as it needs them. `next` returns the next
/// piece (valid until the following call) or nil at the end.
final class ArchiveByteSource {
    let next: () -> UnsafeRawBufferPointer?
    init(next: @escaping () -> UnsafeRawBufferPointer?) { self.next = next }
}

/// libarchive's read callback over an unretained ``ArchiveByteSource``: 0 bytes means the end.
private let archiveSourceRead: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafeRawPointer?>?) -> Int = {
    _, client, buffer in
    guard let client, let buffer else { return 0 }
    let source = Unmanaged<ArchiveByteSource>.fromOpaque(client).takeUnretainedValue()
    guard let piece = source.next(), !piece.isEmpty else {
        buffer.pointee = nil
        return 0
    }
    buffer.pointee = piece.baseAddress
    return piece.count
}
