import Foundation
import Testing
import TestSupport

/// `run` killed with `kill -9` while the stand-in choco (Tests/Fixtures/choco-standin, not Chocolatey) is
/// mid-step: the next run neither repeats the step blindly nor skips it (issue 15 §0).
@Suite("run killed mid-step")
struct RunInterruptionTests {
    /// A plan for the example estate (one host, ccm01) over a folder feed of the example packages.
    static func makePlan(in folder: String) throws {
        try Tool.packExampleFeed(into: folder + "/feed")
        let plan = try Tool.run(["plan", "--to", "latest", "--inventory", "examples/estate/inventory.yaml", "--source", folder + "/feed",
                                 "--output", folder + "/plan.json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        try FileManager.default.createDirectory(atPath: folder + "/lib", withIntermediateDirectories: true)
    }

    /// The tool started in the background, its output in files (so it can be killed and read).
    final class Background {
        let process = Process()
        let stderrPath: String

        init(_ arguments: [String], environment: [String: String], folder: String, name: String) throws {
            stderrPath = folder + "/\(name).stderr"
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
            _ = FileManager.default.createFile(atPath: folder + "/\(name).stdout", contents: nil)
            process.executableURL = URL(fileURLWithPath: ToolProcess.executable)
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: Tool.checkout)
            process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CCM_") }.merging(environment) { $1 }
            process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
            process.standardOutput = FileHandle(forWritingAtPath: folder + "/\(name).stdout")
            process.standardError = FileHandle(forWritingAtPath: stderrPath)
            try process.run()
        }

        var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
    }

    /// Waits (bounded, so a broken build fails instead of hanging) until `condition` holds.
    static func waitUntil(_ what: String, _ condition: () -> Bool) -> Bool {
        for _ in 0..<1200 {
            if condition() { return true }
            usleep(100_000)
        }
        Issue.record("gave up waiting until \(what)")
        return false
    }

    static func environment(_ folder: String, hold: String, at position: String) -> [String: String] {
        ["CHOCO_STANDIN_LOG": folder + "/choco.log", "CHOCO_STANDIN_LIB": folder + "/lib", "CHOCO_STANDIN_HOLD": hold,
         "CHOCO_STANDIN_HOLD_AT": position, "CCM_SERVICE_PASSWORD": "s3rvice-secret", "CCM_AGENT_PASSWORD": "ag3nt-secret"]
    }

    static func arguments(_ folder: String) -> [String] {
        ["run", folder + "/plan.json", "--host", "ccm01", "--choco", Tool.checkout + "/Tests/Fixtures/choco-standin/choco", "--lib", folder + "/lib"]
    }

    static func upgrades(of id: String, in folder: String) -> Int {
        ((try? String(contentsOfFile: folder + "/choco.log", encoding: .utf8)) ?? "").split(separator: "\n")
            .filter { $0.hasPrefix("upgrade \(id) ") }.count
    }

    /// kill -9 while choco is mid-step and keeps running: the next run waits for that choco, then reads the
    /// installed version — done, so it is recorded and not run again — and carries on with the next step.
    @Test func rerunWaitsForTheOrphanedChocoAndDoesNotRepeatTheStep() throws {
        let folder = NSTemporaryDirectory() + "ccm-kill-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.makePlan(in: folder)
        let database = "chocolatey-management-database"
        let environment = Self.environment(folder, hold: database, at: "after")
        let first = try Background(Self.arguments(folder), environment: environment, folder: folder, name: "first")
        guard Self.waitUntil("choco is mid-step", { FileManager.default.fileExists(atPath: folder + "/lib/.held-\(database)") }) else { return }
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        #expect(first.process.terminationReason == .uncaughtSignal)
        let journal = try String(contentsOfFile: folder + "/plan.json.journal", encoding: .utf8)
        #expect(journal.contains("\"status\": \"started\""), "the step was journalled before choco started")
        #expect(journal.contains("\"marker\": \"step3-"))

        let second = try Background(Self.arguments(folder), environment: environment, folder: folder, name: "second")
        guard Self.waitUntil("the rerun waits for the orphaned choco", { second.stderr.contains("is still running") }) else {
            second.process.terminate()
            return
        }
        #expect(second.process.isRunning, "it waits instead of starting a second choco")
        _ = FileManager.default.createFile(atPath: folder + "/lib/.release-\(database)", contents: Data())
        second.process.waitUntilExit()
        #expect(second.process.terminationStatus == 0, "\(second.stderr)")
        #expect(Self.upgrades(of: database, in: folder) == 1, "the database step ran once")
        #expect(Self.upgrades(of: "chocolatey-management-web", in: folder) == 1, "later steps ran")
        #expect(second.stderr.contains("the interrupted run finished it"), "\(second.stderr)")
    }

    /// kill -9 of the tool and its choco (a reboot) before choco installed anything: the next run reads the
    /// installed version — not done — and runs the step (once more, knowingly).
    @Test func rerunAfterTheChocoDiedTooRunsTheUnfinishedStep() throws {
        let folder = NSTemporaryDirectory() + "ccm-kill-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.makePlan(in: folder)
        let database = "chocolatey-management-database"
        var environment = Self.environment(folder, hold: database, at: "before")
        let first = try Background(Self.arguments(folder), environment: environment, folder: folder, name: "first")
        guard Self.waitUntil("choco is mid-step", { FileManager.default.fileExists(atPath: folder + "/lib/.held-\(database)") }) else { return }
        let orphan = Int32((try String(contentsOfFile: folder + "/lib/.held-\(database)", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        #expect(orphan > 0)
        kill(orphan, SIGKILL)  // the rerun sees it gone (or a zombie nobody reaps, which counts as gone)

        environment["CHOCO_STANDIN_HOLD"] = ""
        let second = try Tool.run(Self.arguments(folder), environment: environment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("the interrupted run did not finish it"), "\(second.stderr)")
        #expect(Self.upgrades(of: database, in: folder) == 2, "run again after reading that it was not done")
        #expect(second.stdout.contains("ran steps 3, 4, 5, 6"), "\(second.stdout)")
    }
}
