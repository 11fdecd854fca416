import Foundation
import Synchronization

// Moved from the executable's inspect command so that any caller (inspect, a future feed audit) scans a
// folder the same tuned way. The algorithm is unchanged: see bench/nupkg/run.sh before touching it.

/// Finds and reads packages in parallel.
public enum PackageScanner {
    /// Reads every package in `files` on one worker per core and returns each path with its rendered result
    /// or its error, in the order of `files` (path order as ``PackageFiles/find(_:)`` gives it).
    ///
    /// `render` runs on the worker that read the package, so expensive formatting is parallel too;
    /// `metadataOnly` reads only each manifest (no hash, no entry list).
    ///
    /// Workers take the next index from a shared counter instead of one task per package: with a task per
    /// small package, scheduling and wake-ups cost as much as reading the package. Folders of up to
    /// ``sizeOrderLimit`` packages are read largest first, so that a big package (the CCM web and service
    /// packages are tens of MiB) never starts last and leaves one core hashing it alone.
    ///
    /// `@inlinable` so the caller specializes it for its `Output`, as when it lived in the executable.
    @inlinable
    public static func inspectAll<Output: Sendable>(
        _ files: [String], metadataOnly: Bool = false, render: @escaping @Sendable (PackageInfo) -> Output
    ) async -> [(String, Result<Output, NupkgError>)] {
        let counter = WorkCounter()
        let workers = min(max(1, usableProcessors()), files.count)
        let order = workers > 1 && files.count <= sizeOrderLimit ? largestFirst(files) : Array(files.indices)
        var results = [Result<Output, NupkgError>?](repeating: nil, count: files.count)
        await withTaskGroup(of: [(Int, Result<Output, NupkgError>)].self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var done: [(Int, Result<Output, NupkgError>)] = []
                    while let next = counter.next(below: files.count) {
                        let index = order[next]
                        let path = files[index]
                        done.append((index, Result { () throws(NupkgError) in
                            render(metadataOnly ? try PackageReader.readMetadata(at: path) : try PackageReader.inspect(at: path))
                        }))
                    }
                    return done
                }
            }
            for await batch in group {
                for (index, result) in batch { results[index] = result }
            }
        }
        return zip(files, results).map { ($0, $1!) }
    }

    /// Beyond this many packages the order is left alone: a `stat` per file would cost more start-up than
    /// the balancing gains when hundreds of packages share the cores anyway.
    public static let sizeOrderLimit = 512

    /// Indices of `files` by file size, largest first (files that cannot be stat'ed count as empty; reading
    /// them reports the error).
    @usableFromInline
    static func largestFirst(_ files: [String]) -> [Int] {
        let sizes = files.map { path -> Int64 in
            var status = stat()
            return stat(path, &status) == 0 ? Int64(status.st_size) : 0
        }
        return files.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
    }
}

/// How many workers ``PackageScanner`` starts: the processors online.
///
/// Not `ProcessInfo.activeProcessorCount` on Linux: it also reads the cgroup quota files through Foundation's
/// file and URL machinery, which cost more than reading a small package, on the path before any work starts.
/// Counting more processors than the process may use (a CPU quota, `taskset`) costs nothing here: workers
/// run on the cooperative thread pool, and one that starts late finds the work already taken.
@usableFromInline
func usableProcessors() -> Int {
    #if os(Linux)
    let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    if online > 0 { return online }
    #endif
    return ProcessInfo.processInfo.activeProcessorCount
}

/// Hands out work indices to concurrent workers.
@usableFromInline
final class WorkCounter: Sendable {
    private let value = Atomic<Int>(0)

    @usableFromInline
    init() {}

    /// The next unclaimed index, or nil once `limit` is reached.
    @usableFromInline
    func next(below limit: Int) -> Int? {
        let index = value.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < limit ? index : nil
    }
}
