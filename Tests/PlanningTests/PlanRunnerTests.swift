import Foundation
@testable import Planning
import Testing
import Versioning

/// Drives `PlanRunner` with the stand-in choco in Tests/Fixtures/choco-standin (a test stand-in, not Chocolatey).
struct RunnerSandbox {
    let root: String
    var lib: String { root + "/lib" }
    var log: String { root + "/choco.log" }
    var journal: String { root + "/plan.json.journal" }
    static let standin = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/choco-standin/choco").path

    init() throws {
        root = NSTemporaryDirectory() + "ccm-run-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/lib", withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: root) }

    /// Installs `id` at `version` in the lib folder, as an earlier install would have.
    func install(_ id: String, _ version: String) throws {
        try FileManager.default.createDirectory(atPath: "\(lib)/\(id)", withIntermediateDirectories: true)
        try "<package><metadata><id>\(id)</id><version>\(version)</version></metadata></package>"
            .write(toFile: "\(lib)/\(id)/\(id).nuspec", atomically: true, encoding: .utf8)
    }

    func installedVersion(_ id: String) -> NuGetVersion? {
        guard let text = try? String(contentsOfFile: "\(lib)/\(id)/\(id).nuspec", encoding: .utf8),
              let start = text.range(of: "<version>"), let end = text.range(of: "</version>") else { return nil }
        return NuGetVersion(String(text[start.upperBound..<end.lowerBound]))
    }

    var calls: [String] { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

    func host(environment: [String: String] = [:], choco: String = RunnerSandbox.standin) -> LocalChocoHost {
        let sandbox = self
        return LocalChocoHost(choco: choco, environment: ["CHOCO_STANDIN_LOG": log, "CHOCO_STANDIN_LIB": lib].merging(environment, uniquingKeysWith: { $1 }),
                              libFolder: lib, installedVersion: { sandbox.installedVersion($0) })
    }

    func runner(_ plan: UpgradePlan, host: String = "ccm01", environment: [String: String] = [:],
                configure: (inout PlanRunner.Configuration) -> Void = { _ in }) -> PlanRunner {
        var configuration = PlanRunner.Configuration(hosts: [host: self.host(environment: environment)], journalPath: journal)
        configuration.resolveSecret = { reference throws(PlanningError) in try reference.resolve(environment: ["CCM_PW": "pa55-w0rd-value"]) }
        configure(&configuration)
        return PlanRunner(plan: plan, configuration: configuration)
    }

    /// The installs the fixture estate has before the upgrade.
    func installFixtureEstate() throws {
        for (id, version) in [("chocolatey-management-database", "0.16.0"), ("chocolatey-management-service", "0.16.0"),
                              ("chocolatey-management-web", "0.16.0"), ("chocolatey-agent", "3.0.0"), ("chocolatey.extension", "6.3.1"),
                              ("chocolatey", "2.4.3")] { try install(id, version) }
    }
}

@Suite("run")
struct PlanRunnerTests {
    static func plan() throws -> UpgradePlan {
        try Fixtures.plan(parameters: UpgradeParameters.parse("service: { username: svc, password: 'env:CCM_PW' }", file: "p"))
    }

    @Test func runsInOrderOnePackagePerCall() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        let outcome = try await sandbox.runner(try Self.plan(), environment: ["CHOCO_STANDIN_EXPECT_SECRET": "pa55-w0rd-value"]).run()
        guard case let .completed(ran, elsewhere) = outcome else { Issue.record("\(outcome)"); return }
        #expect(ran == [1, 2, 3, 4, 5, 6])
        #expect(elsewhere.count == 3, "client-group steps are listed, not run")
        #expect(sandbox.calls == [
            "upgrade chocolatey version=2.7.0 params=[] sensitive=[]",
            "upgrade chocolatey.extension version=8.0.0 params=[] sensitive=[]",
            "upgrade chocolatey-management-database version=0.17.0 params=[] sensitive=[]",
            "upgrade chocolatey-management-service version=0.17.0 params=[Username ] sensitive=[Password ] secret-received",
            "upgrade chocolatey-management-web version=0.17.0 params=[] sensitive=[]",
            "upgrade chocolatey-agent version=4.0.0 params=[] sensitive=[]",
        ])
        let journal = try String(contentsOfFile: sandbox.journal, encoding: .utf8)
        #expect(!journal.contains("pa55-w0rd-value"), "the journal holds no secret")
        #expect(journal.contains("<env:CCM_PW>"))
    }

    @Test func failureStopsLaterStepsAndResumeSkipsFinishedOnes() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        let plan = try Self.plan()
        let first = try await sandbox.runner(plan, environment: ["CHOCO_STANDIN_FAIL": "chocolatey-management-service"]).run()
        guard case let .failed(step, reason) = first else { Issue.record("\(first)"); return }
        #expect(step == 4)
        #expect(reason.contains("choco exited 1"))
        #expect(!sandbox.calls.contains { $0.contains("chocolatey-management-web") }, "the web step never started")
        #expect(sandbox.installedVersion("chocolatey-management-web") == v("0.16.0"))
        let second = try await sandbox.runner(plan, environment: ["CHOCO_STANDIN_FAIL": ""]).run()
        guard case let .completed(ran, _) = second else { Issue.record("\(second)"); return }
        #expect(ran == [4, 5, 6], "resumes at the failed step, never repeats 1-3")
        #expect(sandbox.calls.filter { $0.contains("chocolatey-management-database") }.count == 1)
    }

    @Test func wrongInstalledVersionIsAFailure() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        let outcome = try await sandbox.runner(try Self.plan(), environment: ["CHOCO_STANDIN_WRONG_VERSION": "chocolatey-management-database", "CHOCO_STANDIN_FAIL": ""]).run()
        guard case let .failed(step, reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(step == 3)
        #expect(reason.contains("is at 0.0.1 instead of 0.17.0"))
    }

    @Test func stalePlanIsRefused() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        try sandbox.install("chocolatey-management-database", "0.16.5")
        // Found before step 1: nothing runs, not even the chocolatey step that comes first.
        await #expect { try await sandbox.runner(try Self.plan(), environment: ["CHOCO_STANDIN_FAIL": ""]).run() } throws: { error in
            guard case let .cannotStart(problems) = error as? PlanningError else { return false }
            return problems.contains { $0.hasPrefix("step 3: the plan is stale: chocolatey-management-database is at 0.16.5") }
        }
        #expect(sandbox.calls.isEmpty)
    }

    @Test func knownErrorIsExplainedAndFixedOnRequest() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        let settings = sandbox.lib + "/chocolatey-management-database/tools/app"
        try FileManager.default.createDirectory(atPath: settings, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: settings + "/appsettings.json", contents: Data("{}".utf8))
        let plan = try Self.plan()
        let environment = ["CHOCO_STANDIN_PADDING": "1", "CHOCO_STANDIN_FAIL": ""]
        let first = try await sandbox.runner(plan, environment: environment).run()
        guard case let .failed(_, reason) = first else { Issue.record("\(first)"); return }
        #expect(reason.contains("appsettings-padding") && reason.contains("--apply-known-fixes"))
        let second = try await sandbox.runner(plan, environment: environment) { $0.applyKnownFixes = true }.run()
        guard case .completed = second else { Issue.record("\(second)"); return }
        #expect(!FileManager.default.fileExists(atPath: settings + "/appsettings.json"))
    }

    @Test func otherHostsStepsWaitForConfirmation() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        var inventory = Fixtures.inventory(agent: "4.0.0", ext: "8.0.0", choco: "2.7.0", groups: [])
        inventory.hosts[0].roles = [.service, .web]
        inventory.hosts.insert(.init(name: "sql01", roles: [.database], packages: [
            "chocolatey-management-database": v("0.16.0"), "chocolatey": v("2.7.0"), "chocolatey.extension": v("8.0.0")]), at: 0)
        let plan = try Fixtures.plan(inventory)
        for (id, version) in [("chocolatey-management-service", "0.16.0"), ("chocolatey-management-web", "0.16.0")] { try sandbox.install(id, version) }
        let logged = OutputCollector()
        let first = try await sandbox.runner(plan, environment: ["CHOCO_STANDIN_FAIL": ""]) { $0.log = { logged.append($0) } }.run()
        guard case let .waitingForHost(step, host, command) = first else { Issue.record("\(first)"); return }
        #expect(logged.text.contains("note: sql01 is not reached by this run"), "said before step 1: \(logged.text)")
        #expect(host == "sql01" && command.hasPrefix("choco upgrade chocolatey-management-database --version 0.17.0"))
        #expect(sandbox.calls.isEmpty, "nothing ran before the database step elsewhere finished")
        #expect(try sandbox.runner(plan).confirm(step: step).contains("recorded as done"))
        let second = try await sandbox.runner(plan, environment: ["CHOCO_STANDIN_FAIL": ""]).run()
        guard case let .completed(ran, _) = second else { Issue.record("\(second)"); return }
        #expect(ran == [2, 3])
    }

    @Test func dryRunRunsNothingAndMasksSecrets() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        let outcome = try await sandbox.runner(try Self.plan()) { $0.dryRun = true }.run()
        guard case let .dryRun(commands, blockers) = outcome else { Issue.record("\(outcome)"); return }
        #expect(blockers.isEmpty)
        #expect(commands.count == 9)
        #expect(commands.contains { $0.contains("--package-parameters-sensitive=/Password:<env:CCM_PW>") })
        #expect(!commands.joined().contains("pa55-w0rd-value"))
        #expect(sandbox.calls.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: sandbox.journal))
        #expect(!FileManager.default.fileExists(atPath: sandbox.journal + ".lock"), "a dry run writes nothing, not even the lock")
    }

    @Test func journalOfAnotherPlanIsRefused() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        try RunJournal(planDigest: "sha256:other").save(path: sandbox.journal)
        await #expect(throws: PlanningError.self) { try await sandbox.runner(try Self.plan()).run() }
    }
}
