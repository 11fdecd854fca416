import Foundation

/// What vetting found in a package that passed.
public struct VettedPackage: Sendable, Hashable {
    public let nuspec: Nuspec
    public var identity: PackageIdentity { PackageIdentity(id: nuspec.id, version: nuspec.version) }
    public let entryCount: Int
    /// Bytes of all entries uncompressed, as read (not as declared).
    public let contentBytes: Int64
}

/// Checks a whole package without writing anything: its local headers agree with its central directory
/// (``ZipDirectory/readConsistent(path:maxEntries:contiguous:)``), every entry passes ``EntryPolicy`` (the extractor's
/// rules: names, types, duplicates, size and ratio bombs), every entry's data is read so libarchive checks
/// its CRC-32, real sizes must equal declared ones, and the root nuspec must be readable.
///
/// Run before a package is published to a feed: when the source publishes no SHA-512 (minchoc, folders),
/// this is what catches a byte flipped in transit (the CRC or the deflate stream breaks), and it keeps
/// packages NuGet would refuse to extract off the internal feed.
public enum PackageVetter {
    /// Vets the package at `path`; with `expected`, the nuspec must name that id (ignoring case) and version.
    public static func vet(_ path: String, expected: PackageIdentity? = nil,
                           limits: ExtractionLimits = .default) throws(NupkgError) -> VettedPackage {
        // libarchive reads an entry's method and sizes from its local header (a mismatch is only a warning);
        // NuGet reads them from the central directory. A package on which the two disagree would be vetted as
        // one thing and extracted as another: refused first. (Bytes between entries, left by an archive updated
        // in place, harm no reader that goes by the directory.)
        let directory = try ZipDirectory.readConsistent(path: path, maxEntries: limits.maxEntries, contiguous: false)
        if let folder = directory.first(where: \.isFolderByAttributesOnly) {
            throw .unsafeEntry(path: path, entry: EntryName.decodeBytes(folder.rawName),
                               reason: "its attributes mark a folder but its name does not end in '/': NuGet would extract it as a file that was never read")
        }
        let reader = try ArchiveReader(path: path)
        var policy = EntryPolicy(package: path, archiveSize: EntryPolicy.fileSize(path), limits: limits)
        let nuspec = try vetEntries(reader, policy: &policy) { _, _ in }
        try check(nuspec, path: path, expected: expected)
        return VettedPackage(nuspec: nuspec, entryCount: policy.entries, contentBytes: policy.totalBytes)
    }

    /// Reads every entry of `reader` under `policy` (each entry's data read, so libarchive checks its CRC-32;
    /// real sizes against declared ones), tells `seen` each entry with the bytes its data held (nil for data
    /// skipped: folders and names that name no file), and returns the root nuspec.
    static func vetEntries(_ reader: ArchiveReader, policy: inout EntryPolicy,
                           seen: (RawArchiveEntry, Int64?) -> Void) throws(NupkgError) -> Nuspec {
        let path = reader.path
        var manifests: [String] = []
        var manifestBytes: [UInt8]?
        while let raw = try reader.nextEntry() {
            guard let relative = try policy.admit(raw) else {
                try reader.skipData()
                seen(raw, nil)
                continue
            }
            _ = try policy.newParents(of: relative)
            guard raw.kind == .file else {
                try reader.skipData()
                seen(raw, nil)
                continue
            }
            let isManifest = NupkgLayout.isRootManifest(relative)
            if isManifest { manifests.append(relative) }
            let keep = isManifest && manifestBytes == nil
            var kept: [UInt8] = []
            var size: Int64 = 0
            try reader.streamDataBlocks { (chunk: UnsafeRawBufferPointer) throws(NupkgError) in
                try policy.count(bytes: chunk.count)
                size += Int64(chunk.count)
                if keep {
                    guard kept.count + chunk.count <= NuspecReader.sizeLimit else {
                        throw .manifestTooLarge(path: path, size: raw.declaredSize, limit: Int64(NuspecReader.sizeLimit))
                    }
                    kept.append(contentsOf: chunk)
                }
            }
            try policy.checkSize(of: raw, actual: size)
            if keep { manifestBytes = kept }
            seen(raw, size)
        }
        guard let manifestBytes, let manifestName = manifests.first else { throw .noManifest(path: path) }
        guard manifests.count == 1 else { throw .multipleManifests(path: path, names: manifests) }
        return try NuspecReader.read(manifestBytes, source: "\(path)!\(manifestName)")
    }

    /// With `expected`, the nuspec must name that id (ignoring case) and version.
    static func check(_ nuspec: Nuspec, path: String, expected: PackageIdentity?) throws(NupkgError) {
        guard let expected else { return }
        guard nuspec.id.lowercased() == expected.id.lowercased() else {
            throw .invalidManifest(path: path, field: "id", problem: "expected '\(expected.id)' (what was requested), found '\(nuspec.id)'")
        }
        guard nuspec.version == expected.version else {
            throw .invalidManifest(path: path, field: "version",
                                   problem: "expected \(expected.version.normalized) (what was requested), found \(nuspec.version.normalized)")
        }
    }
}
