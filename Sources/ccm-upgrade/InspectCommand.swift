import ArgumentParser
import Foundation
import Nupkg
import Synchronization

/// `ccm-upgrade inspect <file-or-folder>...`
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show id, version, size, SHA-512, dependencies, Chocolatey fields and files of .nupkg packages.",
        discussion: """
            Folders are scanned recursively (in parallel) for *.nupkg files. A package that cannot be read gets \
            an error on stderr and the others are still reported.
            Exit codes: 0 all packages read; 1 at least one package failed; 2 a path does not exist.
            """
    )

    @Argument(help: "Package files or folders to scan.")
    var paths: [String]

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(help: "Leave out the file list.")
    var noFiles = false

    @Flag(help: "Read only each package's nuspec: no SHA-512, no entry list (fast on huge packages).")
    var metadataOnly = false

    func run() async throws {
        #if os(Linux)
        // libarchive turns every zip entry's DOS time into a time_t with mktime(); with TZ unset, glibc
        // stats /etc/localtime on each call (seven system calls per small package). Naming the same zone
        // keeps local time identical and makes the calls free. Only here: `run` starts choco, whose .NET
        // runtime might read the variable differently.
        if getenv("TZ") == nil { setenv("TZ", ":/etc/localtime", 0) }
        #endif
        let (files, missing) = PackageFiles.find(paths)
        for path in missing { Console.error("\(path): no such file or folder") }
        if files.isEmpty && missing.isEmpty { Console.warning("no .nupkg files found under \(paths.joined(separator: ", "))") }
        let includeFiles = !noFiles && !metadataOnly
        let json = format == .json
        // Reports are rendered inside the parallel tasks: on a folder of small packages, encoding the whole
        // document at the end on one thread cost as much as reading the packages.
        let results = await PackageScanner.inspectAll(files, metadataOnly: metadataOnly) { info in
            let report = InspectReport(info, includeFiles: includeFiles)
            // Reports sit at depth 2 of the document: {"packages": [ report ]}.
            return json ? report.json : Array(report.text.utf8)
        }
        var failures: [InspectFailure] = []
        for case let (path, .failure(error)) in results {
            Console.error(error.description)
            failures.append(InspectFailure(path: path, error: error.description))
        }
        var output = OutputWriter()
        if json {
            var errors = JSONText(depth: 1)
            errors.beginArray()
            for failure in failures {
                errors.beginObject()
                errors.field("error", failure.error)
                errors.field("path", failure.path)
                errors.endObject()
            }
            errors.endArray()
            // The house style of JSONOutput, assembled from pieces rendered in parallel at their depth.
            output.write("{\n  \"errors\": ")
            output.write(errors.bytes)
            output.write(",\n  \"packages\": [")
        }
        var first = true
        for case let (_, .success(report)) in results {
            if json { output.write(first ? "\n    " : ",\n    ") } else if !first { output.write("\n") }
            output.write(report)
            first = false
        }
        if json { output.write(first ? "]\n}\n" : "\n  ]\n}\n") } else if !first { output.write("\n") }
        output.flush()
        if !missing.isEmpty { throw ExitCodes.badInput }
        if !failures.isEmpty { throw ExitCodes.problemsFound }
    }
}

/// Finds and reads packages in parallel.
enum PackageScanner {
    /// Reads every package on one worker per core; results keep the input order.
    ///
    /// Workers take the next index from a shared counter instead of one task per package: with a task per
    /// small package, scheduling and wake-ups cost as much as reading the package. Folders of up to
    /// ``sizeOrderLimit`` packages are read largest first, so that a big package (the CCM web and service
    /// packages are tens of MiB) never starts last and leaves one core hashing it alone.
    static func inspectAll<Output: Sendable>(
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
    static let sizeOrderLimit = 512

    /// Indices of `files` by file size, largest first (files that cannot be stat'ed count as empty; reading
    /// them reports the error).
    static func largestFirst(_ files: [String]) -> [Int] {
        let sizes = files.map { path -> Int64 in
            var status = stat()
            return stat(path, &status) == 0 ? Int64(status.st_size) : 0
        }
        return files.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
    }
}

/// How many workers to start: the processors online.
///
/// Not `ProcessInfo.activeProcessorCount` on Linux: it also reads the cgroup quota files through Foundation's
/// file and URL machinery, which cost more than reading a small package, on the path before any work starts.
/// Counting more processors than the process may use (a CPU quota, `taskset`) costs nothing here: workers
/// run on the cooperative thread pool, and one that starts late finds the work already taken.
func usableProcessors() -> Int {
    #if os(Linux)
    let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    if online > 0 { return online }
    #endif
    return ProcessInfo.processInfo.activeProcessorCount
}

/// Hands out work indices to concurrent workers.
final class WorkCounter: Sendable {
    private let value = Atomic<Int>(0)
    /// The next unclaimed index, or nil once `limit` is reached.
    func next(below limit: Int) -> Int? {
        let index = value.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < limit ? index : nil
    }
}
