import Foundation
import RemoteHosts
import Synchronization
import TestSupport
import Testing

@Suite struct ExecutableReferenceTests {
    @Test(arguments: [
        ("choco", ExecutableReference.Platform.posix, ExecutableReference.name("choco")),
        ("choco.exe", .posix, .name("choco.exe")),
        ("/usr/local/bin/choco", .posix, .path("/usr/local/bin/choco")),
        ("./choco", .posix, .path("./choco")),
        (#"C:\ProgramData\chocolatey\bin\choco.exe"#, .posix, .path(#"C:\ProgramData\chocolatey\bin\choco.exe"#)),
        (#"\\server\share\choco.exe"#, .posix, .path(#"\\server\share\choco.exe"#)),
        (#"a\b"#, .posix, .name(#"a\b"#)),  // a legal Linux file name, not a Windows path
        ("choco", .windows, .name("choco")),
        (#"C:\ProgramData\chocolatey\bin\choco.exe"#, .windows, .path(#"C:\ProgramData\chocolatey\bin\choco.exe"#)),
        ("C:choco", .windows, .path("C:choco")),  // drive-relative
        (#"bin\choco"#, .windows, .path(#"bin\choco"#)),
        ("bin/choco", .windows, .path("bin/choco")),
    ])
    func classification(text: String, platform: ExecutableReference.Platform, expected: ExecutableReference) {
        #expect(ExecutableReference(text, platform: platform) == expected)
    }
}

@Suite struct LineAssemblerTests {
    @Test(arguments: [
        (["a\nb\n"], ["a", "b"], nil as String?),
        (["a\r\nb\r\n"], ["a", "b"], nil),
        (["a\r", "\nb"], ["a"], "b"),  // CRLF split across two reads is one line ending
        (["50%\r60%\r70%\n"], ["50%", "60%", "70%"], nil),  // progress redrawn in place
        (["no newline"], [], "no newline"),
        (["\n\n"], ["", ""], nil),
        (["caf\u{E9}\n"], ["café"], nil),
    ])
    func lines(chunks: [String], expected: [String], rest: String?) {
        var assembler = LineAssembler()
        var lines: [String] = []
        for chunk in chunks { lines += assembler.append(Array(chunk.utf8)) }
        #expect(lines == expected)
        #expect(assembler.finish() == rest)
    }

    @Test func invalidUTF8IsReplacedNotDropped() {
        var assembler = LineAssembler()
        #expect(assembler.append([0x61, 0xFF, 0x62, 0x0A]) == ["a\u{FFFD}b"])
    }

    @Test func endlessLineIsCutAtTheLimit() {
        var assembler = LineAssembler(maximumLength: 4)
        #expect(assembler.append(Array("abcdefghij".utf8)) == ["abcd", "efgh"])
        #expect(assembler.finish() == "ij")
    }
}

@Suite struct ChildProcessTests {
    static let basicEnvironment = ["PATH": "/usr/bin:/bin"]

    @Test func argumentsReachTheChildVerbatimWithoutAShell() async throws {
        let arguments = ["%s|\\n", "two words", "$HOME", "a;b", "`id`", "\"quoted\"", "'single'", "*", ""]
        let child = ChildProcess(executable: .path("/usr/bin/printf"), arguments: arguments, environment: Self.basicEnvironment)
        let result = try await child.run()
        #expect(result.termination == .exited(0))
        #expect(result.standardOutput == "two words|\n$HOME|\na;b|\n`id`|\n\"quoted\"|\n'single'|\n*|\n|")
    }

    @Test func standardInputBytesReachTheChild() async throws {
        let secret = "s3cr3t with spaces & 'quotes'\n"
        let child = ChildProcess(executable: .name("cat"), arguments: [], environment: Self.basicEnvironment, standardInput: Array(secret.utf8))
        let result = try await child.run()
        #expect(result.standardOutput == "s3cr3t with spaces & 'quotes'")
    }

    @Test func noStandardInputMeansEndOfFile() async throws {
        let child = ChildProcess(executable: .name("wc"), arguments: ["-c"], environment: Self.basicEnvironment)
        let result = try await child.run()
        #expect(result.standardOutput.trimmingCharacters(in: .whitespaces) == "0")
    }

    @Test func theChildSeesOnlyTheGivenEnvironment() async throws {
        setenv("CCM_UPGRADE_TEST_LEAK", "must-not-reach-the-child", 1)
        defer { unsetenv("CCM_UPGRADE_TEST_LEAK") }
        let child = ChildProcess(executable: .path("/usr/bin/env"), arguments: [], environment: ["PATH": "/usr/bin:/bin", "ONLY": "this"])
        let result = try await child.run()
        #expect(Set(result.standardOutput.split(separator: "\n").map(String.init)) == ["PATH=/usr/bin:/bin", "ONLY=this"])
    }

    @Test func minimalEnvironmentKeepsTheAllowListAndDropsSecrets() {
        let environment = [
            "PATH": "/bin", "Path": "C:\\Windows", "ChocolateyInstall": "C:\\ProgramData\\chocolatey", "CCM_UPGRADE_API_KEY": "k",
            "SSH_AUTH_SOCK": "/tmp/agent",
        ]
        let forChoco = ChildEnvironment.minimal(from: environment, allowed: ChildEnvironment.windowsAndChoco, keepingChocolatey: true)
        #expect(Set(forChoco.keys) == ["PATH", "Path", "ChocolateyInstall"])
        let forSSH = ChildEnvironment.minimal(from: environment, allowed: ChildEnvironment.sshClient, adding: ["LC_ALL": "C"])
        #expect(Set(forSSH.keys) == ["PATH", "Path", "SSH_AUTH_SOCK", "LC_ALL"])
    }

    @Test(arguments: [("exit 0", Termination.exited(0)), ("exit 3", .exited(3)), ("exit 3010", .exited(3010 % 256)), ("kill -9 $$", .signaled(9))])
    func terminationIsReported(script: String, expected: Termination) async throws {
        let result = try await ChildProcess(executable: .name("sh"), arguments: ["-c", script], environment: Self.basicEnvironment).run()
        #expect(result.termination == expected)
    }

    @Test func bothStreamsAreKeptAndLabelled() async throws {
        let script = "echo out1; echo err1 >&2; echo out2"
        let result = try await ChildProcess(executable: .name("sh"), arguments: ["-c", script], environment: Self.basicEnvironment).run()
        #expect(result.standardOutput == "out1\nout2")
        #expect(result.standardError == "err1")
        #expect(result.lines.count == 3)
    }

    /// The child prints a line, then waits until the test has seen it (a file the callback creates): the
    /// callback must be called while the child runs, not after it ended.
    @Test func linesArriveWhileTheChildRuns() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("child-live-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let seen = directory + "/seen"
        let script = "echo first; while [ ! -e \"$1\" ]; do sleep 0.05; done; echo second"
        let received = Mutex<[String]>([])
        let child = ChildProcess(executable: .name("sh"), arguments: ["-c", script, "sh", seen], environment: Self.basicEnvironment)
        let result = try await child.run { line in
            received.withLock { $0.append(line.text) }
            if line.text == "first" { _ = FileManager.default.createFile(atPath: seen, contents: nil) }
        }
        #expect(received.withLock { $0 } == ["first", "second"])
        #expect(result.standardOutput == "first\nsecond")
    }

    @Test func cancellingTheTaskTerminatesTheChildAndWhatItStarted() async throws {
        let pids = Mutex<[Int32]>([])
        let (ready, readySignal) = AsyncStream<Void>.makeStream()
        let task = Task {
            // The grandchild (sleep) is in the child's process group, so the teardown reaches it too.
            let child = ChildProcess(
                executable: .name("sh"), arguments: ["-c", "sleep 600 & echo $$; echo $!; echo ready; wait"],
                environment: Self.basicEnvironment, terminationGrace: .seconds(30))
            return try await child.run { line in
                if let pid = Int32(line.text) { pids.withLock { $0.append(pid) } }
                if line.text == "ready" { readySignal.yield() }
            }
        }
        // As Ctrl-C does (Interrupt.swift): the command's task is cancelled.
        for await _ in ready { break }
        task.cancel()
        await #expect(throws: ChildProcessError.interrupted(executable: "sh")) { try await task.value }
        let started = pids.withLock { $0 }
        #expect(started.count == 2)
        for pid in started {
            // Reaped (child) or reparented and killed (grandchild): either way no longer running.
            #expect(Self.isGone(pid), "process \(pid) still runs")
        }
    }

    @Test func nameIsLookedUpInTheChildsPath() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("child-path-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ExecutableScript.write("#!/bin/sh\necho found-me \"$@\"\n", to: directory + "/fakechoco")
        let result = try await ChildProcess(executable: .name("fakechoco"), arguments: ["list"], environment: ["PATH": directory + ":/bin"]).run()
        #expect(result.standardOutput == "found-me list")
    }

    @Test func unknownNameIsACannotStartError() async throws {
        let child = ChildProcess(executable: .name("no-such-program-ccm"), arguments: [], environment: ["PATH": "/usr/bin"])
        await #expect(throws: ChildProcessError.cannotStart(executable: "no-such-program-ccm", reason: "'no-such-program-ccm' was not found in any folder of PATH")) {
            try await child.run()
        }
    }

    @Test func windowsPathOnLinuxSaysSo() async throws {
        let path = #"C:\ProgramData\chocolatey\bin\choco.exe"#
        let child = ChildProcess(executable: ExecutableReference(path), arguments: ["list"], environment: Self.basicEnvironment)
        do {
            _ = try await child.run()
            Issue.record("a Windows path ran on Linux")
        } catch {
            #expect(error.description.contains("Windows path"), "\(error)")
        }
    }

    static func isGone(_ pid: Int32) -> Bool {
        // A zombie whose parent is init is reaped soon; /proc/PID/stat state Z counts as gone.
        for _ in 0..<200 {
            if kill(pid, 0) != 0 { return true }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), stat.contains(") Z ") { return true }
            usleep(50_000)
        }
        return false
    }
}
