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
            With --resources: the files each package's install script downloads (URL, 32/64-bit, checksum, \
            helper, file:line), for .nupkg files and package source folders (a folder with a .nuspec); \
            exit 1 also when a download's URL cannot be known before install time (listed with file:line and why).
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

    @Flag(help: "List the remote resources (downloads) of each package's install scripts instead of the package's contents.")
    var resources = false

    @Flag(help: "With --resources: also every http(s)/ftp URL the scripts compute outside a download helper (like choco's --internalize-all-urls).")
    var allUrls = false

    func run() async throws {
        if resources {
            try await InspectResources.run(paths, json: format == .json, allURLs: allUrls)
            return
        }
        if allUrls { throw CommandFailure.badInput("--all-urls needs --resources") }
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
