import Compatibility
import Deployment
import Foundation
@testable import Planning
import Testing
import Versioning

@Suite("licence renewal plan")
struct RenewalPlanTests {
    static let package = PinnedPackage(id: "chocolatey-license", version: NuGetVersion(major: 2027, minor: 1, patch: 31, revision: 25))

    static func inventory(ccm: String = "0.16.0") -> Inventory {
        let v = { (text: String) in NuGetVersion(text)! }
        return Inventory(
            hosts: [
                .init(name: "ccm01", roles: [.database, .service, .web], packages: [
                    "chocolatey-management-database": v(ccm), "chocolatey-management-service": v(ccm), "chocolatey-management-web": v(ccm),
                    "chocolatey-agent": v("4.0.0"), "chocolatey-license": v("2026.1.31.25"),
                ]),
            ],
            groups: [.init(name: "Workstations", packages: ["chocolatey-agent": v("4.0.0")])])
    }

    static func plan(ccm: String = "0.16.0") throws -> UpgradePlan {
        try LicenseRenewalPlanner.plan(inventory: inventory(ccm: ccm), package: package, feed: ["Chocolatey-License": [package.version]],
                                       source: "https://nexus.example.com/repository/choco/", generator: "test")
    }

    @Test("licence package on the host and the groups, then service, website and agent restarts, in that order")
    func steps() throws {
        let plan = try Self.plan()
        let shape = plan.steps.map { "\($0.number) \($0.phase.rawValue) \($0.place) \($0.restart?.rawValue ?? $0.package)" }
        #expect(shape == [
            "1 license host ccm01 chocolatey-license",
            "2 license group Workstations chocolatey-license",
            "3 restart host ccm01 ccm-service",
            "4 restart host ccm01 ccm-website",
            "5 restart host ccm01 chocolatey-agent",
            "6 restart group Workstations chocolatey-agent",
        ])
        #expect(plan.steps[0].fromVersion?.normalized == "2026.1.31.25")
        #expect(PlanValidator.problems(in: plan).isEmpty)
        #expect(plan.target.normalized == "0.16.0")
    }

    @Test("the package must be on the internal feed")
    func missingFromFeed() {
        #expect(throws: PlanningError.self) {
            _ = try LicenseRenewalPlanner.plan(inventory: Self.inventory(), package: Self.package, feed: [:], source: "/srv/feed", generator: "t")
        }
    }

    @Test("an inventory without a CCM server version is refused (the website restart depends on it)")
    func noServerVersion() {
        let inventory = Inventory(hosts: [.init(name: "pc1", roles: [], packages: ["chocolatey-agent": NuGetVersion("4.0.0")!])])
        do {
            _ = try LicenseRenewalPlanner.plan(inventory: inventory, package: Self.package, feed: ["chocolatey-license": [Self.package.version]],
                                               source: "/srv/feed", generator: "t")
            Issue.record("planned without a CCM version")
        } catch {
            guard case .invalidInventory = error else { Issue.record("\(error)"); return }
        }
    }

    @Test("the plan file round-trips and keeps the restart actions; a hand-edited restart is refused")
    func planFile() throws {
        let plan = try Self.plan()
        let json = try JSONEncoder().encode(plan)
        let decoded = try JSONDecoder().decode(UpgradePlan.self, from: json)
        #expect(decoded == plan)
        var edited = plan
        edited.steps[2].restart = nil
        #expect(PlanValidator.problems(in: edited).contains { $0.contains("needs 'restart'") })
        var onGroup = plan
        onGroup.steps[3].host = nil
        onGroup.steps[3].group = "Workstations"
        #expect(PlanValidator.problems(in: onGroup).contains { $0.contains("runs on the CCM host") })
        let text = String(decoding: json, as: UTF8.self)
        #expect(!text.contains("Restart-Service"), "the plan file names actions, never commands")
    }

    @Test("website restart per CCM version (docs RestartCcmWebsite.mdx)", arguments: [
        ("0.5.0", true, false), ("0.6.0", true, true), ("0.6.1", true, true), ("0.6.2", false, true), ("0.17.0", false, true),
    ])
    func website(version: String, stopsProcess: Bool, cyclesSite: Bool) {
        let script = RestartAction.website.script(ccmVersion: NuGetVersion(version)).joined(separator: "\n")
        #expect(script.contains("Stop-Process") == stopsProcess)
        #expect(script.contains("Restart-WebAppPool -Name 'ChocolateyCentralManagement'") == cyclesSite)
        #expect(RestartAction.service.script(ccmVersion: nil).last == "Restart-Service -Name 'chocolatey-central-management' -Force")
    }

    @Test("text and PowerShell renderings show the restarts")
    func renderings() throws {
        let plan = try Self.plan()
        let text = PlanRendering.text(plan)
        #expect(text.contains("restart the CCM website (ChocolateyCentralManagement)"))
        #expect(text.contains("choco upgrade chocolatey-license --version 2027.1.31.25"))
        let script = PlanRendering.powershell(plan)
        #expect(script.contains("Restart-Service -Name 'chocolatey-agent' -Force"))
        // main's per-place sections, in plan order: the restarts follow the licence in their host's or group's section.
        let sections = script.components(separatedBy: "\n# ---- ").dropFirst().map { $0.split(separator: "\n").map(String.init) }
        #expect(sections.map { $0.first ?? "" } == ["host ccm01 ----", "group Workstations ----", "host ccm01 ----", "group Workstations ----"])
        #expect(sections[0].contains { $0.hasPrefix("choco upgrade chocolatey-license ") })
        #expect(sections[2].contains("# Step 3: restart the CCM service (chocolatey-central-management)"))
        #expect(sections[2].contains("Restart-Service -Name 'chocolatey-central-management' -Force"))
        #expect(sections[3] == ["group Workstations ----", "# Step 6: restart the Chocolatey Agent (chocolatey-agent)",
                                "Restart-Service -Name 'chocolatey-agent' -Force"])
        #expect(!script.contains("Get-PlanSecret '"), "a licence plan has no secret to read")
        #expect(script.components(separatedBy: "$ErrorActionPreference = 'Stop'").count == 2, "set once, at the top")
    }

    /// The licence plan's script parses with tree-sitter-powershell (a real grammar) when it is set up
    /// (`scripts/peers/tree-sitter-setup.sh`, under .build-peers/tree-sitter).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: grammarPython)))
    func scriptParsesWithARealGrammar() throws {
        let folder = try LicenseFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var paths: [String] = []
        for version in ["0.5.0", "0.6.1", "0.17.0"] {
            let path = folder + "/licence-\(version).ps1"
            try PlanRendering.powershell(try Self.plan(ccm: version)).write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.grammarPython)
        process.arguments = [Self.checkout + "/Tests/Fixtures/ps-parse/check_parses.py"] + paths
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for path in paths { #expect(output.contains("ok \(path)\n"), "\(output)") }
    }

    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let grammarPython = (ProcessInfo.processInfo.environment["CCM_PEERS_DIR"] ?? checkout + "/.build-peers") + "/tree-sitter/venv/bin/python"

    @Test("as a deployment: basic licence steps, agent restarts by scheduled task; CCM restarts only with --include-server")
    func deployment() throws {
        let plan = try Self.plan()
        var options = DeploymentOptions()
        options.targets = [try GroupTarget(parsing: "CCM Servers=host:ccm01")]
        let document = try DeploymentEmitter.emit(plan: plan, options: options)
        #expect(document.deploymentSteps.map(\.script.count).count == 4)
        #expect(document.deploymentSteps[0].script == "upgrade|chocolatey-license|2027.1.31.25|false")
        #expect(document.deploymentSteps[0].targetGroupNames == ["CCM Servers"])
        #expect(!document.deploymentSteps[0].isPrivileged)
        #expect(document.deploymentSteps[1].targetGroupNames == ["Workstations"])
        #expect(document.deploymentSteps[2].script.contains("Register-ScheduledTask"))
        #expect(document.deploymentSteps[2].isPrivileged)
        #expect(document.warnings.contains { $0.contains("--include-server") })
        options.includeServer = true
        let full = try DeploymentEmitter.emit(plan: plan, options: options)
        #expect(full.deploymentSteps.map(\.planOrder) == [1, 2, 3, 4, 5, 6])
        #expect(full.deploymentSteps[2].script.contains("Restart-Service -Name 'chocolatey-central-management' -Force"))
        let json = DeploymentJSON.encode(full)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let steps = object?["DeploymentSteps"] as? [[String: Any]]
        #expect(steps?.count == 6)
        #expect(Set(steps?.first?.keys.map { $0 } ?? []) == Set(DeploymentFields.step))
    }
}
