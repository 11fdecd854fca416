import Foundation
@testable import Planning
import TestSupport
import Testing
import Versioning

/// `run` on a licence plan: the licence package through the choco stand-in, the restarts through a PowerShell
/// stand-in (a test script that records its arguments; not PowerShell), both on the step's `LocalChocoHost`.
@Suite("run: restart steps")
struct RestartRunnerTests {
    static let choco = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/choco-standin/choco").path

    /// A stand-in for powershell: logs its last argument (the script) and its step marker to the folder's
    /// powershell.log; exits 5 when told to.
    static func powershellStandIn(in folder: String, failing: Bool = false) throws -> String {
        let path = folder + "/powershell"
        try ExecutableScript.write(
            "#!/usr/bin/env bash\nprintf '%s\\nmarker=%s\\n---\\n' \"${@: -1}\" \"$\(OrphanedChoco.variable)\" >> \"\(folder)/powershell.log\"\necho restarted\nexit \(failing ? 5 : 0)\n",
            to: path)
        return path
    }

    static func runner(_ plan: UpgradePlan, folder: String, failing: Bool = false, dryRun: Bool = false, powershell: String? = nil,
                       hosts: [String]? = nil) throws -> PlanRunner {
        let lib = folder + "/lib"
        try FileManager.default.createDirectory(atPath: lib, withIntermediateDirectories: true)
        let host = LocalChocoHost(choco: choco, powershell: try powershell ?? powershellStandIn(in: folder, failing: failing),
                                  environment: ["CHOCO_STANDIN_LOG": folder + "/choco.log", "CHOCO_STANDIN_LIB": lib], libFolder: lib) { id in
            guard let text = try? String(contentsOfFile: "\(lib)/\(id)/\(id).nuspec", encoding: .utf8),
                  let start = text.range(of: "<version>"), let end = text.range(of: "</version>") else { return nil }
            return NuGetVersion(String(text[start.upperBound..<end.lowerBound]))
        }
        var configuration = PlanRunner.Configuration(hosts: Dictionary(uniqueKeysWithValues: (hosts ?? ["ccm01"]).map { ($0, host as any ChocoHost) }),
                                                     journalPath: folder + "/journal.json")
        configuration.dryRun = dryRun
        return PlanRunner(plan: plan, configuration: configuration)
    }

    static func journal(_ folder: String) throws -> RunJournal {
        try JSONDecoder().decode(RunJournal.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/journal.json")))
    }

    @Test("the host's steps run in order, restarts journalled as started then succeeded; group steps are left for the deployment")
    func runs() async throws {
        let folder = try LicenseFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plan = try RenewalPlanTests.plan()
        let outcome = try await Self.runner(plan, folder: folder).run()
        guard case let .completed(ran, elsewhere) = outcome else { Issue.record("\(outcome)"); return }
        #expect(ran == [1, 3, 4, 5])
        #expect(elsewhere.count == 2)
        #expect(elsewhere.contains { $0.contains("group Workstations") && $0.contains("restart the Chocolatey Agent") })
        let scripts = try String(contentsOfFile: folder + "/powershell.log", encoding: .utf8)
        #expect(scripts.components(separatedBy: "---").count == 4)
        #expect(scripts.contains("Restart-Service -Name 'chocolatey-central-management' -Force"))
        #expect(scripts.contains("Restart-WebAppPool -Name 'ChocolateyCentralManagement'"))
        #expect(scripts.contains("marker=step3-"), "a local PowerShell gets the step's marker, as choco does")
        let journal = try Self.journal(folder)
        let restartEntries = journal.entries.filter { $0.step == 3 }
        #expect(restartEntries.map(\.status) == [.started, .succeeded])
        #expect(restartEntries.allSatisfy { $0.command?.contains("Restart-Service -Name 'chocolatey-central-management'") == true })
        #expect(restartEntries.first?.marker?.hasPrefix("step3-") == true)
        #expect(restartEntries.last?.exitCode == 0)
        // Resume: nothing runs twice.
        let again = try await Self.runner(plan, folder: folder).run()
        guard case let .completed(ranAgain, _) = again else { Issue.record("\(again)"); return }
        #expect(ranAgain.isEmpty)
        #expect(try String(contentsOfFile: folder + "/powershell.log", encoding: .utf8) == scripts)
    }

    @Test("a failing restart stops the run at that step and is journalled failed; a dry run runs nothing")
    func failure() async throws {
        let folder = try LicenseFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plan = try RenewalPlanTests.plan()
        let dry = try await Self.runner(plan, folder: folder, dryRun: true).run()
        guard case let .dryRun(commands, blockers) = dry else { Issue.record("\(dry)"); return }
        #expect(blockers.isEmpty)
        #expect(commands.contains { $0.contains("Restart-Service -Name 'chocolatey-central-management'") })
        #expect(commands.contains { $0.contains("group Workstations") && $0.contains("restart the Chocolatey Agent") })
        #expect(!FileManager.default.fileExists(atPath: folder + "/powershell.log"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/journal.json"))
        let outcome = try await Self.runner(plan, folder: folder, failing: true).run()
        guard case let .failed(step, reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(step == 3)
        #expect(reason.contains("exited 5"))
        #expect(try Self.journal(folder).latest(3).map { ($0.status, $0.exitCode) } ?? (.succeeded, nil) == (.failed, 5))
        let scripts = try String(contentsOfFile: folder + "/powershell.log", encoding: .utf8)
        #expect(scripts.components(separatedBy: "---").count == 2, "steps 4 and 5 never started")
    }

    @Test("a restart an interrupted run left started is run again (a restart is verified only by its exit code)")
    func interruptedRestart() async throws {
        let folder = try LicenseFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plan = try RenewalPlanTests.plan()
        _ = try await Self.runner(plan, folder: folder).run()
        var journal = try Self.journal(folder)
        journal.entries.append(.init(step: 4, package: "chocolatey-license", version: plan.steps[3].version.normalized, status: .started,
                                     message: "powershell started on ccm01"))
        try journal.save(path: folder + "/journal.json")
        try FileManager.default.removeItem(atPath: folder + "/powershell.log")
        let outcome = try await Self.runner(plan, folder: folder).run()
        guard case let .completed(ran, _) = outcome else { Issue.record("\(outcome)"); return }
        #expect(ran == [4])
        let scripts = try String(contentsOfFile: folder + "/powershell.log", encoding: .utf8)
        #expect(scripts.contains("Restart-WebAppPool") && !scripts.contains("chocolatey-central-management"))
        #expect(try Self.journal(folder).latest(4)?.status == .succeeded)
    }

    @Test("no PowerShell on a host with a restart step: the run does not start (nothing runs)")
    func noPowerShell() async throws {
        let folder = try LicenseFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plan = try RenewalPlanTests.plan()
        do {
            _ = try await Self.runner(plan, folder: folder, powershell: folder + "/no-such-powershell").run()
            Issue.record("the run started without PowerShell")
        } catch let PlanningError.cannotStart(problems) {
            #expect(problems.contains { $0.contains("restart step 3") && $0.contains("--powershell") })
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/choco.log"), "step 1 never started")
        let dry = try await Self.runner(plan, folder: folder, dryRun: true, powershell: folder + "/no-such-powershell").run()
        guard case let .dryRun(_, blockers) = dry else { Issue.record("\(dry)"); return }
        #expect(blockers.contains { $0.contains("no-such-powershell") })
    }

    @Test("a restart on a host run does not reach waits with its PowerShell; --confirm journals the restart, not a choco command")
    func confirmRestart() async throws {
        let folder = try LicenseFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plan = try RenewalPlanTests.plan()
        let unreached = try Self.runner(plan, folder: folder, hosts: [])
        let outcome = try await unreached.run()
        guard case let .waitingForHost(step, host, command) = outcome else { Issue.record("\(outcome)"); return }
        #expect(step == 1 && host == "ccm01" && command.hasPrefix("choco upgrade chocolatey-license"))
        _ = try unreached.confirm(step: 1)
        // The group step 2 is never journalled (a deployment runs it): it does not hold back step 3.
        let waiting = try await unreached.run()
        guard case let .waitingForHost(3, _, restartCommand) = waiting else { Issue.record("\(waiting)"); return }
        #expect(restartCommand.contains("Restart-Service -Name 'chocolatey-central-management'"))
        let message = try unreached.confirm(step: 3)
        #expect(message.contains("restart the CCM service") && !message.contains("chocolatey-license"))
        let entry = try Self.journal(folder).latest(3)
        #expect(entry?.status == .confirmed)
        #expect(entry?.command == restartCommand)
        #expect(entry?.command?.hasPrefix("powershell ") == true)
    }
}
