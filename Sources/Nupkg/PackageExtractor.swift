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
/// Every entry name is percent-decoded and then checked (no `..`, absolute paths, drive letters, backslashes
/// or NUL); symlinks, hard links and devices are refused; sizes are counted as data is written, not taken
/// from headers. The target must be new or empty; on any failure everything written is removed.
///
/// No command extracts packages yet; kept (with its attack tests) because vetting a package's entries
/// before it is pushed to an internal feed (the hardening issue) needs exactly these checks.
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
        var archiveSize = stat()
        stat(package, &archiveSize)
        let ratioBudget = max(Int64(archiveSize.st_size), 1) * limits.maxCompressionRatio
        var written: Int64 = 0
        var count = 0
        var files: [String] = []
        var seen: [String: PackageEntry.Kind] = [:]
        while let raw = try reader.nextEntry() {
            count += 1
            guard count <= limits.maxEntries else {
                throw .limitExceeded(path: package, reason: "more than \(limits.maxEntries) entries")
            }
            // A name that is not UTF-8 has no single meaning on disk (CP437? the locale?), so it is not guessed.
            guard String(validating: raw.rawName, as: UTF8.self) != nil else {
                throw .unsafeEntry(path: package, entry: raw.name, reason: "the name is not valid UTF-8")
            }
            let name = EntryName.percentDecoded(raw.name)
            if let reason = EntryName.unsafeReason(name) { throw .unsafeEntry(path: package, entry: raw.name, reason: reason) }
            switch raw.kind {
            case .symlink: throw .unsafeEntry(path: package, entry: raw.name, reason: "symbolic links are not allowed")
            case .hardlink: throw .unsafeEntry(path: package, entry: raw.name, reason: "hard links are not allowed")
            case .special: throw .unsafeEntry(path: package, entry: raw.name, reason: "devices, FIFOs and sockets are not allowed")
            case .directory, .file: break
            }
            let relative = name.split(separator: "/").filter { !$0.isEmpty && $0 != "." }.joined(separator: "/")
            guard !relative.isEmpty else { try reader.skipData(); continue }
            // Windows folds case: `Tools/a` and `tools/a` are one file there, so refuse the pair everywhere.
            let key = relative.lowercased()
            if let previous = seen[key], !(previous == .directory && raw.kind == .directory) {
                throw .unsafeEntry(path: package, entry: raw.name, reason: "the name occurs twice (ignoring case)")
            }
            seen[key] = raw.kind
            let destination = target + "/" + relative
            try makeParents(of: relative, under: target, seen: &seen, package: package)
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
            try reader.streamData { (chunk: UnsafeRawBufferPointer) throws(NupkgError) in
                written += Int64(chunk.count)
                guard written <= limits.maxTotalBytes else {
                    throw .limitExceeded(path: package, reason: "the content expands beyond \(limits.maxTotalBytes) bytes (zip bomb by size)")
                }
                guard written <= ratioBudget else {
                    throw .limitExceeded(path: package,
                                         reason: "the content expands more than \(limits.maxCompressionRatio) times the archive size (zip bomb by ratio)")
                }
                do throws(FileIOError) { try FileIO.writeAll(descriptor, chunk, path: destination) } catch {
                    throw .writeFailed(path: destination, reason: error.reason)
                }
            }
            files.append(relative)
        }
        return files
    }

    private static func makeParents(of relative: String, under target: String, seen: inout [String: PackageEntry.Kind], package: String) throws(NupkgError) {
        let segments = relative.split(separator: "/").dropLast()
        var path = ""
        for segment in segments {
            path += path.isEmpty ? String(segment) : "/" + segment
            let key = path.lowercased()
            if let kind = seen[key], kind != .directory {
                throw .unsafeEntry(path: package, entry: relative, reason: "'\(path)' is both a file and a folder")
            }
            if seen[key] == nil {
                seen[key] = .directory
                try makeDirectory(target + "/" + path, package: package)
            }
        }
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
