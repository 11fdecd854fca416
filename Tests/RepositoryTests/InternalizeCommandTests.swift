import Foundation
import Repository
import Testing
import TestSupport

/// The built `ccm-upgrade` executable (found by TestSupport), or a clear error when it is not built.
func ccmUpgradeExecutable() throws -> String {
    let path = ToolProcess.executable
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw FakeFeedError(message: "\(path) not built: run swift build --build-tests first")
    }
    return path
}

@Suite("internalize command: killed mid-run, rerun completes without duplicates", .serialized)
struct InternalizeCommandTests {
    @Test func killAndRerun() async throws {
        let source = try FakeFeed(packages: ["NonStrongNameB.1.0.0.0.nupkg", "NuGetTest.0.0.1.nupkg", "PackageWithContentFile.1.0.nupkg"],
                                  arguments: ["--fault", "stall:1:/package/PackageWithContentFile", "--stall-seconds", "120"])
        let target = try FakeFeed(arguments: ["--api-key", "target-key"])
        let work = try TemporaryDirectory()
        defer { work.cleanup() }
        let arguments = [try ccmUpgradeExecutable(), "internalize", "NonStrongNameB", "NuGetTest", "PackageWithContentFile",
                         "--from", source.v2, "--to", target.v2, "--work-directory", work.path, "--jobs", "1",
                         "--stall-timeout", "150", "--format", "json"]
        let environment = ["CCM_UPGRADE_API_KEY": "target-key", "HOME": work.path, "CCM_UPGRADE_FEEDS_CONFIG": ""]

        // First run: two packages go through, the third stalls mid-download; then the process is killed. The
        // stall lasts long enough for a loaded machine, where each durable journal save (fsync) can take seconds.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let journal = work.path + "/internalize-journal.json"
        var stalled = false
        for _ in 0..<1_200 where !stalled {
            try await Task.sleep(nanoseconds: 100_000_000)
            let text = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
            stalled = text.components(separatedBy: "\"pushed\"").count - 1 == 2
                && source.requests.contains { $0.contains("/package/PackageWithContentFile") }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try #require(stalled, "the first run never reached the stalled download; source log: \(source.requests)")
        #expect(target.requests.filter { $0.hasPrefix("PUT") }.count == 2)

        // Second run: finishes the third package only, resuming its partial download.
        let rerun = try run(arguments, environment: environment)
        #expect(rerun.status == 0, "\(rerun.output)")
        let jsonStart = try #require(rerun.output.firstIndex(of: "{"))
        let summary = try JSONDecoder().decode(InternalizeSummary.self, from: Data(rerun.output[jsonStart...].utf8))
        #expect(summary.items.filter(\.fromJournal).map(\.id).sorted() == ["NonStrongNameB", "NuGetTest"])
        #expect(summary.items.first { $0.id == "PackageWithContentFile" }?.status == .pushed)
        #expect(target.requests.filter { $0.hasPrefix("PUT") }.count == 3, "no package pushed twice: \(target.requests)")
        #expect(source.requests.contains { $0.contains("/package/PackageWithContentFile") && $0.hasSuffix("-") && !$0.hasSuffix(" -") },
                "the partial download was resumed with Range: \(source.requests)")
        #expect(FileManager.default.contentsEqual(atPath: target.packages.path + "/PackageWithContentFile.1.0.0.nupkg",
                                                  andPath: Corpus.package("PackageWithContentFile.1.0.nupkg")))
    }

    /// On a terminal (a pseudo-terminal from `script`) the bar is drawn and cleared; through a pipe it never is.
    @Test func progressBarOnlyOnATerminal() throws {
        let source = try TemporaryDirectory(), target = try TemporaryDirectory(), work = try TemporaryDirectory()
        defer { source.cleanup(); target.cleanup(); work.cleanup() }
        for name in ["NonStrongNameB.1.0.0.0.nupkg", "NuGetTest.0.0.1.nupkg"] { _ = try source.copy(Corpus.package(name)) }
        let command = [try ccmUpgradeExecutable(), "internalize", "NonStrongNameB", "NuGetTest", "--from", source.path,
                       "--to", target.path, "--work-directory", work.path]
        let environment = ["HOME": work.path, "CCM_UPGRADE_FEEDS_CONFIG": ""]
        let piped = try run(command, environment: environment)
        #expect(piped.status == 0, "\(piped.output)")
        #expect(!piped.output.contains("internalize ["))
        #expect(piped.output.contains("NuGetTest 0.0.1: pushing to"))

        try FileManager.default.removeItem(atPath: target.path)
        try FileManager.default.removeItem(atPath: work.path)
        let quoted = (command + ["--work-directory", work.path + "2"]).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let terminal = try run(["script", "-qec", quoted.joined(separator: " "), "/dev/null"], environment: environment)
        #expect(terminal.status == 0, "\(terminal.output)")
        #expect(terminal.output.contains("internalize [########################] 2/2  pushed 2  present 0  problems 0"))
        #expect(terminal.output.contains("\u{1B}[K"), "the bar is cleared before the summary")
        try? FileManager.default.removeItem(atPath: work.path + "2")
    }

    /// `download` on a terminal: the progress line ends at 100 % and stays; through a pipe there is none.
    @Test func downloadProgressOnlyOnATerminal() throws {
        let fake = try FakeFeed(packages: ["NuGetTest.0.0.1.nupkg"])
        let work = try TemporaryDirectory()
        defer { work.cleanup() }
        let command = [try ccmUpgradeExecutable(), "download", "NuGetTest", "--source", fake.v2, "--output-directory", work.path]
        let environment = ["HOME": work.path, "CCM_UPGRADE_FEEDS_CONFIG": ""]
        let piped = try run(command, environment: environment)
        #expect(piped.status == 0, "\(piped.output)")
        #expect(!piped.output.contains("% ("))

        let quoted = (command + ["--output-directory", work.path + "/tty"]).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let terminal = try run(["script", "-qec", quoted.joined(separator: " "), "/dev/null"], environment: environment)
        #expect(terminal.status == 0, "\(terminal.output)")
        #expect(terminal.output.contains("NuGetTest 0.0.1 100% ("), "\(terminal.output)")
    }

    @Test func badInputExitsTwo() throws {
        let work = try TemporaryDirectory()
        defer { work.cleanup() }
        let result = try run([try ccmUpgradeExecutable(), "internalize", "x@not-a-version", "--to", work.path],
                             environment: ["HOME": work.path, "CCM_UPGRADE_FEEDS_CONFIG": ""])
        #expect(result.status == 2, "\(result.output)")
        let push = try run([try ccmUpgradeExecutable(), "push", work.path + "/missing.nupkg", "--source", work.path],
                           environment: ["HOME": work.path, "CCM_UPGRADE_FEEDS_CONFIG": ""])
        #expect(push.status == 2, "\(push.output)")
    }
}

@Suite("internalize --for-ccm")
struct InternalizeForCCMTests {
    @Test func takesWhatTheMatrixSaysTheCCMVersionNeeds() throws {
        let work = try TemporaryDirectory()
        defer { work.cleanup() }
        let empty = work.path + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let result = try run([try ccmUpgradeExecutable(), "internalize", "--for-ccm", "0.14.0", "--from", empty, "--licensed-from", empty,
                              "--to", work.path + "/target", "--work-directory", work.path + "/w", "--format", "json"],
                             environment: ["HOME": work.path, "CCM_UPGRADE_FEEDS_CONFIG": ""])
        #expect(result.status == 1, "nothing can be found in an empty folder: \(result.output)")
        let json = try #require(result.output.firstIndex(of: "{"))
        let summary = try JSONDecoder().decode(InternalizeSummary.self, from: Data(result.output[json...].utf8))
        let ids = Set(summary.items.map(\.id))
        #expect(ids.isSuperset(of: ["chocolatey-management-database", "chocolatey-management-service", "chocolatey-management-web",
                                    "chocolatey-agent", "chocolatey.extension", "chocolatey"]))
        #expect(summary.items.first { $0.id == "chocolatey-management-web" }?.detail?.contains("0.14.0") == true)
        #expect(summary.items.contains { $0.id.hasPrefix("dotnet-") })
    }

    @Test func unknownCCMVersionIsBadInput() throws {
        let work = try TemporaryDirectory()
        defer { work.cleanup() }
        let result = try run([try ccmUpgradeExecutable(), "internalize", "--for-ccm", "not-a-version", "--to", work.path],
                             environment: ["HOME": work.path, "CCM_UPGRADE_FEEDS_CONFIG": ""])
        #expect(result.status == 2, "\(result.output)")
    }
}
