import FileSupport
import Foundation

/// Limits that stop hostile archives (zip bombs by size or ratio, archives with millions of entries).
public struct ExtractionLimits: Sendable, Hashable {
    /// Total bytes written across all entries.
    public var maxTotalBytes: Int64
    /// Number of entries.
    public var maxEntries: Int
    /// Bytes written divided by the archive's size on disk.
    public var maxCompressionRatio: Int64

    /// 4 GiB, 100,000 entries, ratio 200 (real packages compress well below 20; bombs reach thousands).
    public static let `default` = ExtractionLimits(maxTotalBytes: 4 << 30, maxEntries: 100_000, maxCompressionRatio: 200)

    public init(maxTotalBytes: Int64, maxEntries: Int, maxCompressionRatio: Int64) {
        self.maxTotalBytes = maxTotalBytes
        self.maxEntries = maxEntries
        self.maxCompressionRatio = maxCompressionRatio
    }
}

/// Extracts a package into a folder without ever writing outside it.
///
/// Every entry passes ``EntryPolicy`` (the rules ``PackageVetter`` applies before a package is published):
/// names percent-decoded and then checked (no `..`, absolute paths, drive letters, backslashes or NUL);
/// symlinks, hard links and devices refused; sizes counted as data is written, not taken from headers.
/// The target must be new or empty; on any failure everything written is removed.
public enum PackageExtractor {
    /// Extracts `package` into `target` and returns the files written (decoded relative names).
    @discardableResult
    public static func extract(_ package: String, to target: String, limits: ExtractionLimits = .default) throws(NupkgError) -> [String] {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: target, isDirectory: &isDirectory) {
            guard isDirectory.boolValue, (try? fileManager.contentsOfDirectory(atPath: target).isEmpty) == true else {
                throw .writeFailed(path: target, reason: "the target must be a new or empty folder")
            }
        } else {
            do { try fileManager.createDirectory(atPath: target, withIntermediateDirectories: true) } catch {
                throw .writeFailed(path: target, reason: error.localizedDescription)
            }
        }
        do {
            return try extractEntries(package, to: target, limits: limits)
        } catch {
            // Nothing partial survives a failure: the folder was empty when we started.
            for item in (try? fileManager.contentsOfDirectory(atPath: target)) ?? [] {
                try? fileManager.removeItem(atPath: target + "/" + item)
            }
            throw error
        }
    }

    private static func extractEntries(_ package: String, to target: String, limits: ExtractionLimits) throws(NupkgError) -> [String] {
        let reader = try ArchiveReader(path: package)
        var policy = EntryPolicy(package: package, archiveSize: EntryPolicy.fileSize(package), limits: limits)
        var files: [String] = []
        while let raw = try reader.nextEntry() {
            guard let relative = try policy.admit(raw) else { try reader.skipData(); continue }
            for parent in try policy.newParents(of: relative) { try makeDirectory(target + "/" + parent, package: package) }
            let destination = target + "/" + relative
            if raw.kind == .directory {
                try makeDirectory(destination, package: package)
                try reader.skipData()
                continue
            }
            let descriptor = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw .writeFailed(path: destination, reason: String(cString: strerror(errno)))
            }
            defer { close(descriptor) }
            var size: Int64 = 0
            try reader.streamData { (chunk: UnsafeRawBufferPointer) throws(NupkgError) in
                try policy.count(bytes: chunk.count)
                size += Int64(chunk.count)
                do throws(FileIOError) { try FileIO.writeAll(descriptor, chunk, path: destination) } catch {
                    throw .writeFailed(path: destination, reason: error.reason)
                }
            }
            try policy.checkSize(of: raw, actual: size)
            files.append(relative)
        }
        return files
    }

    private static func makeDirectory(_ path: String, package: String) throws(NupkgError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw .writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        var status = stat()
        guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
            throw .unsafeEntry(path: package, entry: path, reason: "the folder exists and is not a plain folder")
        }
    }
}
