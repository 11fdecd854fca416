import Foundation
@testable import Planning
import Testing
import Versioning

/// `run` on a licence plan: the licence package through the choco stand-in, the restarts through a PowerShell
/// stand-in (a test script that records its arguments; not PowerShell).
@Suite("run: restart steps")
struct RestartRunnerTests {
    static let choco = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/choco-standin/choco").path

    /// A stand-in for powershell: logs its last argument (the script) to $1's folder; fails when told to.
    static func powershellStandIn(in folder: String, failing: Bool = false) throws -> String {
        let path = folder + "/powershell"
        try "#!/usr/bin/env bash\nprintf '%s\\n---\\n' \"${@: -1}\" >> \"\(folder)/powershell.log\"\nexit \(failing ? 5 : 0)\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    func runner(_ plan: UpgradePlan, folder: String, failing: Bool = false, dryRun: Bool = false) throws -> PlanRunner {
        let lib = folder + "/lib"
        try FileManager.default.createDirectory(atPath: lib, withIntermediateDirectories: true)
        var configuration = PlanRunner.Configuration(host: "ccm01", journalPath: folder + "/journal.json") { id in
            guard let text = try? String(contentsOfFile: "\(lib)/\(id)/\(id).nuspec", encoding: .utf8),
                  let start = text.range(of: "<version>"), let end = text.range(of: "</version>") else { return nil }
            return NuGetVersion(String(text[start.upperBound..<end.lowerBound]))
        }
        configuration.choco = Self.choco
        configuration.powershell = try Self.powershellStandIn(in: folder, failing: failing)
        configuration.chocoEnvironment = ["CHOCO_STANDIN_LOG": folder + "/choco.log", "CHOCO_STANDIN_LIB": lib]
        configuration.dryRun = dryRun
        return PlanRunner(plan: plan, configuration: configuration)
    }

    @Test("the host's steps run in order; group steps are left for the deployment")
    func runs() async throws {
        let folder = try LicenseFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plan = try RenewalPlanTests.plan()
        let outcome = try await runner(plan, folder: folder).run()
        guard case let .completed(ran, elsewhere) = outcome else { Issue.record("\(outcome)"); return }
        #expect(ran == [1, 3, 4, 5])
        #expect(elsewhere.count == 2)
        #expect(elsewhere.contains { $0.contains("group Workstations") && $0.contains("restart the Chocolatey Agent") })
        let scripts = try String(contentsOfFile: folder + "/powershell.log", encoding: .utf8)
        #expect(scripts.components(separatedBy: "---").count == 4)
        #expect(scripts.contains("Restart-Service -Name 'chocolatey-central-management' -Force"))
        #expect(scripts.contains("Restart-WebAppPool -Name 'ChocolateyCentralManagement'"))
        let journal = try String(contentsOfFile: folder + "/journal.json", encoding: .utf8)
        #expect(journal.contains("restart the CCM service"))
        // Resume: nothing runs twice.
        let again = try await runner(plan, folder: folder).run()
        guard case let .completed(ranAgain, _) = again else { Issue.record("\(again)"); return }
        #expect(ranAgain.isEmpty)
    }

    @Test("a failing restart stops the run at that step; dry run runs nothing")
    func failure() async throws {
        let folder = try LicenseFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plan = try RenewalPlanTests.plan()
        let dry = try await runner(plan, folder: folder, dryRun: true).run()
        guard case let .dryRun(commands) = dry else { Issue.record("\(dry)"); return }
        #expect(commands.contains { $0.contains("Restart-Service -Name 'chocolatey-central-management'") })
        #expect(!FileManager.default.fileExists(atPath: folder + "/powershell.log"))
        let outcome = try await runner(plan, folder: folder, failing: true).run()
        guard case let .failed(step, reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(step == 3)
        #expect(reason.contains("exited 5"))
    }
}
