import Foundation

/// One entry as the streaming vet met it.
struct StreamedEntry: Sendable, Hashable {
    let rawName: [UInt8]
    /// Where its local header starts in the archive.
    let headerOffset: Int64
    let kind: PackageEntry.Kind
    /// The bytes its data held, counted as read; nil when the data was skipped (folders, names naming no file).
    let size: Int64?
}

/// What vetting a package's bytes in arrival order found. It stands only once ``PackageVetter/confirm(_:path:expected:)``
/// has matched it against the central directory of the complete file.
public struct StreamedVet: Sendable, Hashable {
    let nuspec: Nuspec
    let entries: [StreamedEntry]
    /// The archive size the ratio budget was computed from (the size the server announced).
    let archiveSize: Int64
    let contentBytes: Int64
}

extension PackageVetter {
    /// Vets a package from its bytes in order, while they arrive: the same rules as ``vet(_:expected:limits:)``
    /// (every entry through ``EntryPolicy``, every CRC-32 checked, real sizes against declared ones, bombs, one
    /// root nuspec), read through libarchive's streamable zip reader from `next` (the next piece of the
    /// body, nil at its end). `archiveSize` is the size the body will have; `name` names it in errors.
    ///
    /// A streaming reader sees local headers, not the central directory NuGet extracts by: the result is a
    /// claim that ``confirm(_:path:expected:)`` checks once the file is complete.
    public static func vetStream(name: String, archiveSize: Int64, limits: ExtractionLimits = .default,
                                 next: @escaping () -> UnsafeRawBufferPointer?) throws(NupkgError) -> StreamedVet {
        let reader = try ArchiveReader(streaming: ArchiveByteSource(next: next), path: name)
        var policy = EntryPolicy(package: name, archiveSize: archiveSize, limits: limits)
        var entries: [StreamedEntry] = []
        let nuspec = try vetEntries(reader, policy: &policy) { raw, size in
            entries.append(StreamedEntry(rawName: raw.rawName, headerOffset: reader.headerPosition, kind: raw.kind, size: size))
        }
        return StreamedVet(nuspec: nuspec, entries: entries, archiveSize: archiveSize, contentBytes: policy.totalBytes)
    }

    /// The streamed verdict for the complete package at `path`, when its central directory describes exactly
    /// the entries the stream vetted: same count and order, each record's name bytes, local-header offset
    /// and uncompressed size equal to what the stream read there, no record that is a link or device, and
    /// the file the size the ratio budget assumed; and when every local header agrees with its record
    /// (``ZipDirectory/readConsistent(path:maxEntries:contiguous:)``: method, flags, CRC-32, sizes, entries end to end),
    /// so NuGet, reading by the directory, reads the bytes the stream read, the way it read them. Then every entry NuGet would extract is one whose data was
    /// read and CRC-checked. Nil when anything differs (an archive modified in place keeps stale local
    /// entries, a crafted one hides headers inside other entries' data): ``vet(_:expected:limits:)`` decides.
    /// Throws only for a nuspec that names another id or version than `expected`.
    public static func confirm(_ streamed: StreamedVet, path: String, expected: PackageIdentity? = nil) throws(NupkgError) -> VettedPackage? {
        guard EntryPolicy.fileSize(path) == streamed.archiveSize,
              let directory = try? ZipDirectory.readConsistent(path: path),
              directory.count == streamed.entries.count
        else { return nil }
        for (record, entry) in zip(directory, streamed.entries) {
            guard record.rawName == entry.rawName, record.localHeaderOffset == entry.headerOffset,
                  Self.kindAgrees(record, entry), !record.isFolderByAttributesOnly
            else { return nil }
            // An entry whose data the stream skipped (a folder, a name naming no file) must hold none: nothing
            // unread may be extracted or expand.
            guard record.uncompressedSize == (entry.size ?? 0), entry.size != nil || record.compressedSize <= 2 else { return nil }
        }
        try check(streamed.nuspec, path: path, expected: expected)
        return VettedPackage(nuspec: streamed.nuspec, entryCount: streamed.entries.count, contentBytes: streamed.contentBytes)
    }

    /// A record made on Unix carries a file type; the stream cannot see it (local headers have none), so a
    /// record typed other than the file or folder the stream took it for sends the package to the full vet.
    private static func kindAgrees(_ record: ZipDirectoryEntry, _ entry: StreamedEntry) -> Bool {
        guard let mode = record.unixMode else { return true }
        switch mode & 0o170000 {
        case 0: return true
        case 0o100000: return entry.kind == .file
        case 0o040000: return entry.kind == .directory
        default: return false
        }
    }
}
