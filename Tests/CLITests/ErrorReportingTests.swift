import Foundation
import Testing
import TestSupport

/// Every error path prints exactly one `error:` line with a documented exit code and never the usage block
/// (issue 11: one diagnostics path and one exit-code map).
@Suite("Errors: one line, documented exit code, no usage")
struct ErrorReportingTests {
    /// (arguments, exit code, a part of the error line)
    static let rows: [([String], Int32, String)] = [
        (["inspcet", "x.nupkg"], 2, "unknown command 'inspcet'; did you mean 'inspect'?"),
        (["deploy", "lint"], 2, "did you mean 'deployment'?"),
        (["frobnicate"], 2, "unknown command 'frobnicate'; commands: inspect, download"),
        (["inspect", "--no-such-flag", "x.nupkg"], 2, "(see 'ccm-upgrade inspect --help')"),
        (["matrix", "check", "--no-such-flag"], 2, "(see 'ccm-upgrade matrix check --help')"),
        (["push", "x.nupkg", "-s", "/tmp/nowhere-feed", "--api-key", "abc"], 2, "--api-key: ccm-upgrade never takes an API key on the command line"),
        (["push", "x.nupkg", "-s", "/tmp/nowhere-feed", "--api-key=abc"], 2, "--api-key-env NAME, --api-key-file PATH, $CCM_UPGRADE_API_KEY"),
        (["deployment", "status", "--id", "1", "--password", "pw"], 2, "--password: ccm-upgrade never takes a password on the command line"),
        // An unreachable feed is a failed run (1) in `plan` as in `download`, not bad input with usage (was 2).
        (["plan", "--to", "latest", "-s", "http://127.0.0.1:9/", "--database", "0.16.0", "--service", "0.16.0", "--web", "0.16.0", "--matrix", "matrix", "--retries", "0"],
         1, "cannot list"),
        (["download", "chocolatey-agent", "-s", "http://127.0.0.1:9/", "--retries", "0"], 1, "127.0.0.1:9"),
        (["plan", "--to", "latest", "--clients", "some"], 2, "--clients"),
        (["matrix", "check", "--format", "xml"], 2, "--format"),
        (["lint-script", "/nonexistent/script.ps1"], 2, "/nonexistent/script.ps1: cannot open: No such file or directory"),
        // Every number is range-checked before anything runs (`--retries Int.max` crashed with SIGILL).
        (["download", "chocolatey-agent", "-s", "http://127.0.0.1:9/", "--retries", "9223372036854775807"], 2,
         "--retries: 9223372036854775807 is out of range: expected 0 to 20 retries"),
        (["plan", "--to", "latest", "--jobs", "0"], 2, "--jobs: 0 is out of range: expected 1 to 32 transfers"),
        (["download", "chocolatey-agent", "--minimum-speed=-5"], 2, "--minimum-speed: -5 is out of range"),
        (["internalize", "chocolatey-agent", "--to", "/tmp/nowhere-feed", "--retry-budget", "100000"], 2, "--retry-budget: 100000 is out of range: expected 0 to 86400 seconds"),
        (["push", "x.nupkg", "-s", "/tmp/nowhere-feed", "--timeout", "0"], 2, "--timeout: 0 is out of range: expected 1 to 604800 seconds"),
        (["deployment", "status", "--id", "1", "--wait", "--interval", "1e300"], 2, "--interval: 1e+300 is out of range: expected 0 to 3600 seconds"),
        (["deployment", "status", "--id", "1", "--max-polls", "0"], 2, "--max-polls: 0 is out of range"),
        (["plan", "--to", "latest", "--format", "deployment", "--execution-timeout", "9223372036854775807"], 2,
         "9223372036854775807 is out of range: at most 2147483647 seconds"),
        (["plan", "--to", "latest", "--format", "deployment", "--agent-restart-delay", "0"], 2, "0 is out of range: 1 to 1440 minutes"),
        (["plan", "--to", "latest", "-s", "http://feeduser:Plan-Url-Pw@127.0.0.1:9/", "--database", "0.16.0", "--service", "0.16.0", "--web", "0.16.0"], 2,
         "--source: the source URL carries a password (user:password@)"),
    ]

    @Test(arguments: rows)
    func oneErrorLine(_ row: ([String], Int32, String)) throws {
        let result = try ToolProcess.run(row.0)
        #expect(result.status == row.1, "\(row.0): \(result.stderr)")
        let errorLines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(errorLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(row.2), "\(result.stderr)")
        #expect(!result.stderr.contains("Usage:") && !result.stderr.contains("USAGE:"), "\(result.stderr)")
        #expect(!result.stderr.contains("abc") || !row.0.contains("abc"), "a secret given on the command line is never echoed")
    }

    @Test func helpAndVersionStillWork() throws {
        let help = try ToolProcess.run(["--help"])
        #expect(help.status == 0 && help.stdout.contains("SUBCOMMANDS"))
        let bare = try ToolProcess.run([])
        #expect(bare.status == 0 && bare.stdout.contains("SUBCOMMANDS"))
        #expect(try ToolProcess.run(["--version"]).stdout.hasPrefix("0.1.0"))
        #expect(try ToolProcess.run(["inspect", "--help"]).stdout.contains("--metadata-only"))
    }

    @Test func chocoHabitsAreAccepted() throws {
        // -y (nothing is ever asked), --verbose and --debug anywhere, choco's --pre.
        let result = try ToolProcess.run(["-y", "matrix", "show", "0.16.0", "--verbose", "--debug"])
        #expect(result.status == 0, "\(result.stderr)")
        let help = try ToolProcess.run(["download", "--help"])
        #expect(help.stdout.contains("-s, --source") && help.stdout.contains("--pre"))
    }

    @Test func lintScriptReadsStandardInput() throws {
        let script = "choco upgrade chocolatey-management-service chocolatey-management-web -y\r\n"
        let result = try ToolProcess.run(["lint-script", "-"], stdin: script)
        #expect(result.status == 1)
        #expect(result.stderr.contains("-:1: error: "), "\(result.stderr)")
    }
}

@Suite("Logging levels and secrets in what is printed")
struct LoggingLevelTests {
    @Test func verboseShowsRequestsAndMasksURLCredentials() throws {
        let quiet = try ToolProcess.run(["download", "chocolatey-agent", "-s", "http://user:hunter2@127.0.0.1:9/", "--retries", "1"])
        #expect(quiet.status == 1)
        #expect(quiet.stderr.contains("retrying GET http://user:********@127.0.0.1:9/"), "\(quiet.stderr)")
        #expect(!quiet.stderr.contains("hunter2"), "\(quiet.stderr)")
        let verbose = try ToolProcess.run(["download", "chocolatey-agent", "-s", ToolProcess.checkout + "/examples/packages", "--verbose", "--output-directory", NSTemporaryDirectory()])
        _ = verbose // a folder source makes no HTTP request: nothing to show, and no failure from the flag itself
        #expect(!verbose.stderr.contains("Unknown option"), "\(verbose.stderr)")
    }
}

/// Windows text is normal input (issue 12 §6): every file the commands read works the same with a UTF-8 BOM
/// and CRLF line ends as with LF.
@Suite("Windows text in every input")
struct WindowsTextInputTests {
    static func windows(_ text: String) -> String { "\u{FEFF}" + text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n") }

    static func temporary(_ name: String, _ text: String) throws -> String {
        let folder = NSTemporaryDirectory() + "ccm-crlf-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    // (command with FILE for the input, file name, LF text, expected exit code)
    static let rows: [([String], String, String, Int32)] = [
        // The example estate is incompatible before its upgrade: exit 1 either way, with the same findings.
        (["matrix", "check", "--inventory", "FILE"], "inventory.yaml",
         (try? String(contentsOfFile: ToolProcess.checkout + "/examples/estate/inventory.yaml", encoding: .utf8)) ?? "", 1),
        (["lint-script", "FILE"], "up.ps1", "# combined\nchoco upgrade chocolatey-management-service chocolatey-management-web -y\n", 1),
        (["deployment", "lint", "FILE"], "d.json",
         "{\n\"Name\": \"x\", \"ScheduledDateTimeUtc\": null, \"LastScheduledDateTimeUtc\": null, \"RepeatPeriod\": 0,\n\"ExecutionTimeoutInSeconds\": 14400, \"RequiresApproval\": false, \"DeploymentSteps\": []\n}\n", 1), // an empty plan is one error
    ]

    @Test(arguments: rows)
    func sameResultAsLF(_ row: ([String], String, String, Int32)) throws {
        let unix = try Self.temporary(row.1, row.2)
        let windows = try Self.temporary(row.1, Self.windows(row.2))
        let a = try ToolProcess.run(row.0.map { $0 == "FILE" ? unix : $0 })
        let b = try ToolProcess.run(row.0.map { $0 == "FILE" ? windows : $0 })
        #expect(a.status == row.3, "\(a.stderr)")
        #expect(b.status == row.3, "\(b.stderr)")
        #expect(a.stdout.replacingOccurrences(of: unix, with: "F") == b.stdout.replacingOccurrences(of: windows, with: "F"))
        #expect(a.stderr.replacingOccurrences(of: unix, with: "F") == b.stderr.replacingOccurrences(of: windows, with: "F"))
    }

    @Test func apiKeyFileWithBOMIsTheKeyAlone() throws {
        // The key file read through TextFile: a BOM must not become part of the key (it would be refused).
        let key = try Self.temporary("key.txt", "\u{FEFF}abc123\r\n")
        let feed = NSTemporaryDirectory() + "ccm-crlf-feed-" + UUID().uuidString
        let result = try ToolProcess.run(["push", "/nonexistent.nupkg", "-s", feed, "--api-key-file", key])
        #expect(!result.stderr.contains("--api-key-file"), "\(result.stderr)")
    }
}
