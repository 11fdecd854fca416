import FileSupport
import Foundation
import Versioning

/// One entry of a package archive.
public struct PackageEntry: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable { case file, directory, symlink, hardlink, special }
    /// The name as stored (decoded from UTF-8 or CP437), possibly percent-encoded.
    public let storedName: String
    /// The name after percent-decoding, as NuGet unescapes it.
    public let name: String
    public let kind: Kind
    /// The uncompressed size the archive declares, or nil when unknown.
    public let size: Int64?

    /// True for the OPC parts NuGet excludes from package files (`_rels/`, `package/`, `[Content_Types].xml`,
    /// signature) and the root nuspec.
    public var isPackagingMetadata: Bool {
        name.hasASCIIPrefix(ignoringCase: "_rels/") || name.hasASCIIPrefix(ignoringCase: "package/")
            || name.equalsASCII(ignoringCase: "[content_types].xml") || name.equalsASCII(ignoringCase: ".signature.p7s")
            || name.hasASCIISuffix(ignoringCase: ".nupkg.metadata") || name.hasASCIISuffix(ignoringCase: ".sha512")
            || NupkgLayout.isRootManifest(name)
    }
}

/// What `inspect` reports about a package file.
public struct PackageInfo: Sendable, Codable {
    public let path: String
    public let size: Int64
    /// The file's SHA-512; nil when read with ``PackageReader/readMetadata(at:)``.
    public let sha512: PackageHash?
    public let nuspec: Nuspec
    /// The root manifest's entry name.
    public let manifestName: String
    public let entries: [PackageEntry]
    /// True when the archive carries a `.signature.p7s` (a signed package).
    public var isSigned: Bool { entries.contains { $0.name == ".signature.p7s" } }
    /// The payload files (entries that are not packaging metadata or directories).
    public var files: [PackageEntry] { entries.filter { $0.kind != .directory && !$0.isPackagingMetadata } }
    public var identity: PackageIdentity { PackageIdentity(id: nuspec.id, version: nuspec.version) }
}

extension PackageHash: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let data = Data(base64Encoded: try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected base64 SHA-512")
        }
        self.init(digest: Array(data))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(base64)
    }
}

enum NupkgLayout {
    /// A root manifest: a name ending `.nuspec` (case-insensitive) with no directory part.
    static func isRootManifest(_ name: String) -> Bool {
        // Byte checks, suffix first (it rules out almost every entry): with Foundation imported, `contains("/")`
        // resolves to a much slower substring search, and `lowercased()` allocates.
        name.hasASCIISuffix(ignoringCase: ".nuspec") && !name.containsByte(UInt8(ascii: "/")) && !name.containsByte(UInt8(ascii: "\\"))
    }
}

/// Reads packages: the manifest alone (cheap at any archive size), or everything `inspect` shows.
public enum PackageReader {
    /// Reads only the root `.nuspec`: the central directory is listed and the other entries' data is
    /// skipped by seeking, so time and memory do not grow with the archive's size.
    public static func readManifest(at path: String) throws(NupkgError) -> Nuspec {
        try scan(path: path, keepEntries: false).nuspec
    }

    /// The manifest and file size only, as a ``PackageInfo`` without hash (empty digest) or entries.
    public static func readMetadata(at path: String) throws(NupkgError) -> PackageInfo {
        if let small = try readSmallFile(path) {
            let size = Int64(small.count)
            let scanned = try scan(reader: try ArchiveReader(owning: small, path: path), path: path, keepEntries: false, archiveSize: 0)
            return PackageInfo(path: path, size: size, sha512: nil, nuspec: scanned.nuspec, manifestName: scanned.manifestName, entries: [])
        }
        let scanned = try scan(path: path, keepEntries: false)
        var status = stat()
        stat(path, &status)
        return PackageInfo(path: path, size: Int64(status.st_size), sha512: nil, nuspec: scanned.nuspec,
                           manifestName: scanned.manifestName, entries: [])
    }

    /// Packages up to this size are read once into memory for `inspect` (one read serves the hash and the
    /// archive); larger ones are streamed for the hash and read through seeks.
    static let inMemoryLimit = 8 << 20

    /// Reads the manifest, the entry list, the size and the SHA-512 of the file.
    public static func inspect(at path: String) throws(NupkgError) -> PackageInfo {
        if let small = try readSmallFile(path) {
            let hash = PackageHash.sha512(of: UnsafeRawBufferPointer(small))
            let size = Int64(small.count)
            let scanned = try scan(reader: try ArchiveReader(owning: small, path: path), path: path, keepEntries: true, archiveSize: size)
            return PackageInfo(path: path, size: size, sha512: hash, nuspec: scanned.nuspec,
                               manifestName: scanned.manifestName, entries: scanned.entries)
        }
        let scanned = try scan(path: path, keepEntries: true)
        let (hash, size) = try PackageHash.sha512AndSize(ofFileAt: path)
        return PackageInfo(path: path, size: size, sha512: hash, nuspec: scanned.nuspec, manifestName: scanned.manifestName,
                           entries: scanned.entries)
    }

    /// The data of the file entry `name` (compared ignoring ASCII case), or nil when the package has none;
    /// refuses an entry larger than `limit`. Other entries are skipped by seeking.
    public static func readEntry(named name: String, at path: String, limit: Int64) throws(NupkgError) -> [UInt8]? {
        let reader = try ArchiveReader(path: path)
        let wanted = name.lowercased()
        while let entry = try reader.nextEntry() {
            if entry.kind == .file, entry.name.lowercased() == wanted { return try reader.readData(limit: limit, expectedSize: entry.declaredSize) }
        }
        return nil
    }

    /// Lists the entries without reading any data.
    public static func entries(at path: String) throws(NupkgError) -> [PackageEntry] {
        let reader = try ArchiveReader(path: path)
        var entries: [PackageEntry] = []
        while let raw = try reader.nextEntry() {
            entries.append(entry(raw))
            try reader.skipData()
        }
        return entries
    }

    private static func entry(_ raw: RawArchiveEntry) -> PackageEntry {
        PackageEntry(storedName: raw.name, name: EntryName.percentDecoded(raw.name), kind: raw.kind,
                     size: raw.declaredSize >= 0 ? raw.declaredSize : nil)
    }

    /// The whole file in a new buffer (the caller deallocates), or nil when it is larger than ``inMemoryLimit``.
    private static func readSmallFile(_ path: String) throws(NupkgError) -> UnsafeMutableRawBufferPointer? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw .cannotOpen(path: path, reason: "not a regular file")
        }
        guard status.st_size <= inMemoryLimit else { return nil }
        let size = Int(status.st_size)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
        do {
            try FileIO.readExactly(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<size]), path: path)
        } catch {
            buffer.deallocate()
            throw .cannotOpen(path: path, reason: error.reason)
        }
        return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<size])
    }

    private static func scan(path: String, keepEntries: Bool) throws(NupkgError) -> (nuspec: Nuspec, manifestName: String, entries: [PackageEntry]) {
        try scan(reader: try ArchiveReader(path: path), path: path, keepEntries: keepEntries, archiveSize: keepEntries ? EntryPolicy.fileSize(path) : 0)
    }

    private static func scan(reader: ArchiveReader, path: String, keepEntries: Bool, archiveSize: Int64) throws(NupkgError)
        -> (nuspec: Nuspec, manifestName: String, entries: [PackageEntry]) {
        var entries: [PackageEntry] = []
        var manifests: [String] = []
        var manifestBytes: [UInt8]?
        // Listing for inspect: the names, types and declared sizes pass the extractor's rules, so a package
        // NuGet would refuse to extract is reported as an error, not listed as ordinary files. (The data is
        // not read here; PackageVetter reads it before anything is published.)
        var policy = keepEntries ? EntryPolicy(package: path, archiveSize: archiveSize, limits: .default) : nil
        while let raw = try reader.nextEntry() {
            let item = entry(raw)
            if keepEntries {
                entries.append(item)
                if let relative = try policy?.admit(raw, decodedName: item.name) { _ = try policy?.newParents(of: relative) }
                try policy?.count(declared: raw)
            }
            if item.kind == .file, NupkgLayout.isRootManifest(item.name) {
                manifests.append(item.name)
                if manifestBytes == nil {
                    manifestBytes = try reader.readData(limit: Int64(NuspecReader.sizeLimit), expectedSize: raw.declaredSize)
                    continue
                }
            }
            try reader.skipData()
        }
        guard let manifestBytes, let manifestName = manifests.first else { throw .noManifest(path: path) }
        guard manifests.count == 1 else { throw .multipleManifests(path: path, names: manifests) }
        let nuspec = try NuspecReader.read(manifestBytes, source: "\(path)!\(manifestName)")
        return (nuspec, manifestName, entries)
    }
}
