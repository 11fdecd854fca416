import FileSupport
import Foundation

/// Writes a valid .nupkg: `[Content_Types].xml`, `_rels/.rels`, the core-properties `.psmdcp`, the nuspec
/// and the payload, readable by NuGet 2.8.7 (System.IO.Packaging) and every later client.
///
/// Output is written to a temporary file beside the destination and renamed into place, so a reader never
/// sees a half-written package.
public enum PackageWriter {
    /// One payload file.
    public struct File: Sendable, Hashable {
        public enum Content: Sendable, Hashable {
            case bytes([UInt8])
            /// A file on disk, streamed (never read whole into memory).
            case path(String)
        }

        /// The path inside the package, with `/` separators, not encoded (e.g. `tools/chocolateyInstall.ps1`).
        public var target: String
        public var content: Content
        /// Stored uncompressed (already-compressed installers) instead of deflated.
        public var stored: Bool

        public init(target: String, content: Content, stored: Bool = false) {
            self.target = target
            self.content = content
            self.stored = stored
        }
    }

    /// Writes a package whose manifest is `nuspecXML` (kept byte for byte, e.g. when repacking). Returns the
    /// package's SHA-512 and size, hashed as it was written. `durable: false` skips the flush to disk before the
    /// rename (still atomic: readers see the whole file or none), for intermediate files a rerun writes again.
    @discardableResult
    public static func write(nuspecXML: [UInt8], files: [File], to destination: String,
                             durable: Bool = true) throws(NupkgError) -> (hash: PackageHash, size: Int64) {
        let nuspec = try NuspecReader.read(nuspecXML, source: destination + " (nuspec)")
        for file in files {
            let decoded = file.target
            if let reason = EntryName.unsafeReason(decoded) {
                throw .unsafeEntry(path: destination, entry: decoded, reason: reason)
            }
            if decoded.lowercased().hasPrefix("_rels/") || decoded.lowercased().hasPrefix("package/")
                || decoded == "[Content_Types].xml" || NupkgLayout.isRootManifest(decoded) {
                throw .unsafeEntry(path: destination, entry: decoded, reason: "the name is reserved for package metadata")
            }
        }
        let temporary = TemporaryFiles.path(beside: destination)
        do throws(NupkgError) {
            let written = try writeArchive(nuspec: nuspec, nuspecXML: nuspecXML, files: files, to: temporary)
            // Durable before it is visible: a crash after the rename never leaves a package with missing data.
            if durable {
                let descriptor = open(temporary, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0, fsync(descriptor) == 0 else {
                    if descriptor >= 0 { close(descriptor) }
                    throw NupkgError.writeFailed(path: destination, reason: "fsync failed: " + String(cString: strerror(errno)))
                }
                close(descriptor)
            }
            guard rename(temporary, destination) == 0 else {
                throw NupkgError.writeFailed(path: destination, reason: String(cString: strerror(errno)))
            }
            return (PackageHash(digest: written.sha512), written.size)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes a package for `nuspec`, serializing it with ``NuspecWriter``.
    @discardableResult
    public static func write(nuspec: Nuspec, files: [File], to destination: String) throws(NupkgError) -> (hash: PackageHash, size: Int64) {
        try write(nuspecXML: Array(NuspecWriter.xml(for: nuspec).utf8), files: files, to: destination)
    }

    private static func writeArchive(nuspec: Nuspec, nuspecXML: [UInt8], files: [File], to path: String) throws(NupkgError)
        -> (size: Int64, sha512: [UInt8]) {
        let writer = try ArchiveWriter(path: path)
        let propertiesName = "package/services/metadata/core-properties/" + OPC.partId(for: nuspec.id + nuspec.version.normalized) + ".psmdcp"
        let manifestName = nuspec.id + ".nuspec"
        let encodedNames = files.map { EntryName.percentEncoded($0.target) }
        try writer.addFile(name: "_rels/.rels", bytes: Array(OPC.relationships(manifest: manifestName, properties: propertiesName, seed: nuspec.id).utf8))
        try writer.addFile(name: manifestName, bytes: nuspecXML)
        for (file, name) in zip(files, encodedNames) {
            switch file.content {
            case let .bytes(bytes):
                try writer.addFile(name: name, bytes: bytes)
            case let .path(source):
                try addStreamed(source, as: name, stored: file.stored, to: writer)
            }
        }
        try writer.addFile(name: propertiesName, bytes: Array(OPC.coreProperties(nuspec).utf8))
        try writer.addFile(name: "[Content_Types].xml", bytes: Array(OPC.contentTypes(partNames: encodedNames).utf8))
        return try writer.close()
    }

    private static func addStreamed(_ source: String, as name: String, stored: Bool, to writer: ArchiveWriter) throws(NupkgError) {
        let descriptor = open(source, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: source, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw .cannotOpen(path: source, reason: "not a regular file")
        }
        try writer.addFile(name: name, size: Int64(status.st_size), stored: stored) { (emit: (UnsafeRawBufferPointer) throws(NupkgError) -> Void) throws(NupkgError) in
            let reader = ChunkedReader(descriptor: descriptor, path: source)
            while true {
                let chunk: UnsafeRawBufferPointer?
                do throws(FileIOError) { chunk = try reader.next() } catch { throw .cannotOpen(path: source, reason: error.reason) }
                guard let chunk else { return }
                try emit(chunk)
            }
        }
    }
}
