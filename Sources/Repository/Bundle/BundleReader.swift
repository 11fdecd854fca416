import FileSupport
import Foundation
import Hashing
import Nupkg

/// A bundle whose every entry matched its manifest.
public struct VerifiedBundle: Sendable {
    public var path: String
    public var manifest: BundleManifest
    /// Where the entries were written while they were checked (nil when only checked).
    public var folder: String?

    /// The extracted file of `package` (only when extracted).
    public func file(of package: BundleManifest.Package) -> String? { folder.map { $0 + "/" + package.file.path } }
}

/// Reads a bundle front to back in one pass: the manifest first, then every entry hashed as it streams by
/// (and written out when extracting). Nothing is trusted until the whole archive has been read: a changed,
/// cut, missing or extra entry, or a manifest that does not match, is refused naming the entry.
public enum BundleReader {
    /// Checks every entry of the bundle at `path` against its manifest (size, SHA-512, and each package's
    /// nuspec naming the id and version the manifest gives it). With `extractingTo`, the entries are kept under
    /// that folder (created; existing files replaced); without, each package is checked in a scratch file that
    /// is removed at once.
    public static func verify(_ path: String, extractingTo folder: String? = nil) async throws(BundleError) -> VerifiedBundle {
        try await Blocking.run { () throws(BundleError) -> VerifiedBundle in try verifyBlocking(path, extractingTo: folder) }
    }

    /// Only the manifest (the first entry), for a view of what the bundle holds (`plan --bundle`). Not a
    /// verification: the entries are not read.
    public static func readManifest(_ path: String) throws(BundleError) -> BundleManifest {
        let reader = try open(path)
        return try manifest(from: reader, bundle: path)
    }

    static func open(_ path: String) throws(BundleError) -> TarReader {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .io(path: path, reason: "cannot read the bundle: " + String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .io(path: path, reason: "not a bundle file (a tar archive)") }
        do { return try TarReader(path: path) } catch { throw .rejected(bundle: path, file: "(archive)", reason: "\(error)") }
    }

    private static func manifest(from reader: TarReader, bundle: String) throws(BundleError) -> BundleManifest {
        let first: TarReader.Entry?
        do { first = try reader.next() } catch {
            throw .rejected(bundle: bundle, file: BundleManifest.entryName, reason: "not a readable bundle (tar) archive: \(error)")
        }
        guard let first, first.name == BundleManifest.entryName, first.isRegularFile else {
            throw .rejected(bundle: bundle, file: BundleManifest.entryName,
                            reason: "missing: the first entry of a bundle must be its manifest")
        }
        let bytes: [UInt8]
        do { bytes = try reader.readAll(limit: BundleManifest.sizeLimit) } catch {
            throw .rejected(bundle: bundle, file: BundleManifest.entryName, reason: "cannot be read: \(error)")
        }
        return try BundleManifest.decode(bytes, bundle: bundle)
    }

    static func verifyBlocking(_ path: String, extractingTo folder: String?) throws(BundleError) -> VerifiedBundle {
        let reader = try open(path)
        let manifest = try manifest(from: reader, bundle: path)
        var expected: [String: BundleManifest.FileRecord] = [:]
        for file in manifest.files { expected[file.path] = file }
        var packages: [String: BundleManifest.Package] = [:]
        for package in manifest.packages { packages[package.file.path] = package }
        var seen: Set<String> = []
        // Without a folder, each package still goes through a scratch file: its nuspec must be read to know that
        // the bytes under a name are that package (a hash only says they are the bytes the manifest lists).
        let scratch = folder ?? NSTemporaryDirectory() + "ccm-upgrade-verify-" + UUID().uuidString
        do { try FileManager.default.createDirectory(atPath: scratch + "/packages", withIntermediateDirectories: true) } catch {
            throw .io(path: scratch, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        defer { if folder == nil { try? FileManager.default.removeItem(atPath: scratch) } }
        while true {
            let header: TarReader.Entry?
            do { header = try reader.next() } catch {
                throw .rejected(bundle: path, file: "(archive)", reason: "damaged or truncated after \(seen.count) of \(expected.count) files: \(error)")
            }
            guard let entry = header else { break }
            guard let record = expected[entry.name] else {
                let why = entry.name == BundleManifest.entryName ? "a second manifest" : "not listed in the manifest"
                throw .rejected(bundle: path, file: entry.name, reason: "\(why) (extra file)")
            }
            guard entry.isRegularFile else { throw .rejected(bundle: path, file: entry.name, reason: "not a regular file") }
            guard seen.insert(entry.name).inserted else { throw .rejected(bundle: path, file: entry.name, reason: "present twice") }
            let destination = scratch + "/" + entry.name
            try check(entry, against: record, reader: reader, bundle: path, writingTo: destination, durable: folder != nil)
            if let package = packages[entry.name] {
                try checkIdentity(of: package, at: destination, bundle: path)
                if folder == nil { unlink(destination) }
            }
        }
        if let missing = manifest.files.first(where: { !seen.contains($0.path) }) {
            throw .rejected(bundle: path, file: missing.path, reason: "listed in the manifest but missing from the bundle (incomplete)")
        }
        return VerifiedBundle(path: path, manifest: manifest, folder: folder)
    }

    /// The package's nuspec names the id and version the manifest gives it.
    private static func checkIdentity(of package: BundleManifest.Package, at file: String, bundle: String) throws(BundleError) {
        let nuspec: Nuspec
        do { nuspec = try PackageReader.readManifest(at: file) } catch {
            throw .rejected(bundle: bundle, file: package.file.path, reason: "not a readable package: \(error)")
        }
        guard nuspec.id.lowercased() == package.id.lowercased(), nuspec.version.normalized == package.version else {
            throw .rejected(bundle: bundle, file: package.file.path,
                            reason: "holds \(nuspec.id) \(nuspec.version.normalized), the manifest says \(package.id) \(package.version)")
        }
    }

    /// Streams one entry: hashed, counted, written out when extracting; then compared with its record.
    private static func check(_ entry: TarReader.Entry, against record: BundleManifest.FileRecord, reader: TarReader, bundle: String,
                              writingTo destination: String, durable: Bool) throws(BundleError) {
        let output = Foundation.open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw .io(path: destination, reason: "cannot create: " + String(cString: strerror(errno))) }
        defer { close(output) }
        let hasher = Digester(.sha512, expectedSize: record.size)
        var size: Int64 = 0
        do {
            try reader.read { (chunk: UnsafeRawBufferPointer) throws(NupkgError) in
                size += Int64(chunk.count)
                // Stop early instead of writing gigabytes a manifest never promised.
                guard size <= record.size else {
                    throw .limitExceeded(path: entry.name, reason: "more than the \(record.size) bytes the manifest lists")
                }
                hasher.update(chunk)
                do throws(FileIOError) { try FileIO.writeAll(output, chunk, path: destination) } catch {
                    throw NupkgError.writeFailed(path: destination, reason: error.reason)
                }
            }
        } catch {
            if case let .writeFailed(file, reason) = error { throw .io(path: file, reason: reason) }
            throw .rejected(bundle: bundle, file: entry.name, reason: "cannot be read in full (damaged or truncated bundle): \(error)")
        }
        guard size == record.size else {
            throw .rejected(bundle: bundle, file: entry.name, reason: "\(size) bytes, the manifest lists \(record.size) (truncated)")
        }
        let digest: Digest
        do { digest = try hasher.finalize() } catch { throw .io(path: entry.name, reason: "cannot hash: \(error)") }
        guard digest.matches(hex: record.sha512) else {
            throw .rejected(bundle: bundle, file: entry.name, reason: "SHA-512 \(digest.hex) differs from the manifest's \(record.sha512) (changed)")
        }
        if durable, fsync(output) != 0 { throw .io(path: destination, reason: "fsync failed: " + String(cString: strerror(errno))) }
    }
}
