import ArgumentParser
import Foundation
import Nupkg

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
        let (files, missing) = PackageScanner.findPackages(paths)
        for path in missing { Console.error("\(path): no such file or folder") }
        if files.isEmpty && missing.isEmpty { Console.warning("no .nupkg files found under \(paths.joined(separator: ", "))") }
        let includeFiles = !noFiles && !metadataOnly
        let json = format == .json
        // Reports are rendered inside the parallel tasks: on a folder of small packages, encoding the whole
        // document at the end on one thread cost as much as reading the packages.
        let results = await PackageScanner.inspectAll(files, metadataOnly: metadataOnly) { info in
            let report = InspectReport(info, includeFiles: includeFiles)
            return json ? report.json : report.text
        }
        var rendered: [String] = []
        var failures: [InspectFailure] = []
        for (path, result) in results {
            switch result {
            case let .success(text): rendered.append(text)
            case let .failure(error):
                Console.error(error.description)
                failures.append(InspectFailure(path: path, error: error.description))
            }
        }
        if json {
            let errors = failures.map { JSONText.object([("error", .string($0.error)), ("path", .string($0.path))]) }
            Console.out("{\"errors\":[" + errors.joined(separator: ",") + "],\"packages\":[" + rendered.joined(separator: ",\n") + "]}")
        } else if !rendered.isEmpty {
            Console.out(rendered.joined(separator: "\n"))
        }
        if !missing.isEmpty { throw ExitCodes.badInput }
        if !failures.isEmpty { throw ExitCodes.problemsFound }
    }
}

/// Finds and reads packages in parallel.
enum PackageScanner {
    /// Expands folders recursively into sorted *.nupkg paths; returns paths that do not exist separately.
    static func findPackages(_ paths: [String]) -> (files: [String], missing: [String]) {
        var files: [String] = []
        var missing: [String] = []
        let fileManager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else { missing.append(path); continue }
            guard isDirectory.boolValue else { files.append(path); continue }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            let found = (fileManager.subpaths(atPath: base) ?? []).filter { $0.lowercased().hasSuffix(".nupkg") }
            files += found.sorted().map { base + "/" + $0 }
        }
        return (files, missing)
    }

    /// Reads every package with bounded parallelism; results keep the input order.
    static func inspectAll<Output: Sendable>(
        _ files: [String], metadataOnly: Bool = false, render: @escaping @Sendable (PackageInfo) -> Output
    ) async -> [(String, Result<Output, NupkgError>)] {
        let width = max(2, ProcessInfo.processInfo.activeProcessorCount * 2)
        var results = [Result<Output, NupkgError>?](repeating: nil, count: files.count)
        await withTaskGroup(of: (Int, Result<Output, NupkgError>).self) { group in
            var next = 0
            func launch() {
                let index = next
                let path = files[index]
                next += 1
                group.addTask {
                    (index, Result { () throws(NupkgError) in
                        render(metadataOnly ? try PackageReader.readMetadata(at: path) : try PackageReader.inspect(at: path))
                    })
                }
            }
            while next < min(width, files.count) { launch() }
            while let (index, result) = await group.next() {
                results[index] = result
                if next < files.count { launch() }
            }
        }
        return zip(files, results).map { ($0, $1!) }
    }
}
