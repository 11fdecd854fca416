import Foundation

/// Names for the temporary files written beside a destination before being renamed into place, and the
/// clean-up of those a crashed run left behind.
///
/// Every writer in the tool (``AtomicFile``, the package writer, the folder feed) names its temporaries
/// `<destination>.tmp-<pid>-<random>`: the pid says whether the writer is still running.
public enum TemporaryFiles {
    /// A temporary past this age is removed even when a process with its pid runs: pids are reused, and no
    /// write of ours takes a day.
    public static let maximumAge: TimeInterval = 24 * 60 * 60

    private static let cleaned = CleanedFolders()

    /// A new temporary path beside `destination`. The first time in a run that a folder gets one, stale
    /// temporaries in it are removed (see ``removeStale(in:now:)``).
    public static func path(beside destination: String) -> String {
        let folder = folder(of: destination)
        if cleaned.insert(folder) { removeStale(in: folder) }
        // Short random part: long destination names must still fit the file system's 255-byte name limit.
        return destination + ".tmp-\(getpid())-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
    }

    /// Removes the temporaries in `folder` whose writer is gone: its pid no longer runs, or the file is
    /// older than ``maximumAge``. Files of this process are left alone (another task may be writing them).
    /// Best effort: returns the names removed.
    @discardableResult
    public static func removeStale(in folder: String, now: Date = Date()) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var removed: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            guard let pid = writerPid(name), pid != getpid() else { continue }
            let full = folder + "/" + name
            var status = stat()
            guard lstat(full, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { continue }
            #if canImport(Darwin)
            let modified = status.st_mtimespec.tv_sec
            #else
            let modified = status.st_mtim.tv_sec
            #endif
            let age = now.timeIntervalSince1970 - TimeInterval(modified)
            let writerGone = kill(pid, 0) != 0 && errno == ESRCH
            if writerGone || age > maximumAge, unlink(full) == 0 { removed.append(name) }
        }
        return removed.sorted()
    }

    /// The pid in a temporary's name (`….tmp-<pid>-<base36>`), or nil for any other name.
    static func writerPid(_ name: String) -> pid_t? {
        guard let marker = name.range(of: ".tmp-", options: .backwards) else { return nil }
        let parts = name[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, !parts[1].isEmpty,
              parts[1].allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLowercase) }) else { return nil }
        return pid
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// The folders already cleaned in this run (writers on many tasks share it).
private final class CleanedFolders: @unchecked Sendable {
    private let lock = NSLock()
    private var folders: Set<String> = []

    /// True the first time `folder` is inserted.
    func insert(_ folder: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return folders.insert(folder).inserted
    }
}
