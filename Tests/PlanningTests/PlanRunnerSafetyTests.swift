import Compatibility
import FileSupport
import Foundation
@testable import Planning
import RemoteHosts
import Testing
import Versioning

/// Issue 15 §0: `run` must be safe before anything else. Each test names the defect it guards against.
@Suite("run safety")
struct PlanRunnerSafetyTests {
    static func plan() throws -> UpgradePlan { try PlanRunnerTests.plan() }

    /// A plan whose database step runs on sql01, a host this run does not reach (confirmed by the admin).
    static func twoHostPlan() throws -> UpgradePlan {
        var inventory = Fixtures.inventory(agent: "4.0.0", ext: "8.0.0", choco: "2.7.0", groups: [])
        inventory.hosts[0].roles = [.service, .web]
        inventory.hosts.insert(.init(name: "sql01", roles: [.database], packages: [
            "chocolatey-management-database": v("0.16.0"), "chocolatey": v("2.7.0"), "chocolatey.extension": v("8.0.0")]), at: 0)
        return try Fixtures.plan(inventory)
    }

    /// Was: `--dry-run --confirm 3` wrote "confirmed" and the next real run skipped the database step.
    @Test func dryRunConfirmWritesNothing() throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        let runner = sandbox.runner(try Self.twoHostPlan()) { $0.dryRun = true }
        let message = try runner.confirm(step: 1)
        #expect(message.contains("would be recorded") && message.contains("nothing was written"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.journal))
        #expect(!FileManager.default.fileExists(atPath: sandbox.journal + ".lock"))
    }

    /// `--confirm N` only for a step on a host `run` cannot reach, and only after every earlier step is done.
    @Test(arguments: [
        (2, true, "which `run` reaches (this machine)"),  // step 2 is ccm01's, the host this run executes
        (3, false, "steps 1, 2 before it have not succeeded"),  // no host reachable: all by hand, in order
        (9, true, "the plan has no step 9"),
    ])
    func confirmIsRefused(step: Int, reachesCCM01: Bool, expected: String) throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        let plan = try Self.twoHostPlan()
        let runner = sandbox.runner(plan) { if !reachesCCM01 { $0.hosts = [:] } }
        #expect { try runner.confirm(step: step) } throws: { error in
            guard case let .refused(reason) = error as? PlanningError else { return false }
            return reason.contains(expected)
        }
        #expect(!FileManager.default.fileExists(atPath: sandbox.journal))
    }

    /// Was: with a secret's variable unset, chocolatey, the extension and the database were upgraded and the
    /// run stopped at the service step: CCM half-upgraded. Now nothing starts.
    @Test func unsetSecretStopsBeforeStepOne() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        let runner = sandbox.runner(try Self.plan()) { configuration in
            configuration.resolveSecret = { reference throws(PlanningError) in try reference.resolve(environment: [:]) }
        }
        await #expect { try await runner.run() } throws: { error in
            guard case let .cannotStart(problems) = error as? PlanningError else { return false }
            return problems == ["step 4 (chocolatey-management-service on ccm01), /Password: secret 'env:CCM_PW' cannot be resolved: the environment variable CCM_PW is not set"]
        }
        #expect(sandbox.calls.isEmpty, "no step ran")
        #expect(sandbox.installedVersion("chocolatey") == v("2.4.3"))
        let journal = try RunJournal.load(path: sandbox.journal, plan: try Self.plan())
        #expect(journal.entries.isEmpty)
    }

    /// Every problem is listed at once: a host whose choco cannot be found and a package the feed lacks.
    @Test func everyPreconditionIsCheckedBeforeStepOne() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        let plan = try Self.plan()
        var configuration = PlanRunner.Configuration(hosts: ["ccm01": sandbox.host(choco: sandbox.root + "/no-such-choco")], journalPath: sandbox.journal)
        configuration.resolveSecret = { _ throws(PlanningError) in "x" }
        configuration.feedHas = { id, _ in id != "chocolatey-management-web" }
        await #expect { try await PlanRunner(plan: plan, configuration: configuration).run() } throws: { error in
            guard case let .cannotStart(problems) = error as? PlanningError else { return false }
            return problems.count == 2 && problems[0].hasPrefix("host ccm01 (this machine): \(sandbox.root)/no-such-choco was not found")
                && problems[1] == "step 5: the internal feed https://feed.example/api/v2/ does not have chocolatey-management-web 0.17.0"
        }
        #expect(sandbox.calls.isEmpty)
    }

    /// A host where choco cannot be found is still asked the rest (PowerShell for a restart step): both
    /// blockers are listed at once, not one per attempt.
    @Test func chocoAndPowerShellMissingAreBothListed() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        let inventory = Inventory(hosts: [
            .init(name: "ccm01", roles: [.database, .service, .web], packages: [
                "chocolatey-management-database": v("0.16.0"), "chocolatey-management-service": v("0.16.0"),
                "chocolatey-management-web": v("0.16.0"), "chocolatey-agent": v("4.0.0"), "chocolatey-license": v("2026.1.31.25"),
            ])
        ], groups: [])
        let plan = try LicenseRenewalPlanner.plan(inventory: inventory, package: RemoteRestartTests.licence,
                                                  feed: ["Chocolatey-License": [RemoteRestartTests.licence.version]],
                                                  source: "https://nexus.example.com/repository/choco/", generator: "test")
        var host = sandbox.host(choco: sandbox.root + "/no-such-choco")
        host.powershell = sandbox.root + "/no-such-powershell"
        var configuration = PlanRunner.Configuration(hosts: ["ccm01": host], journalPath: sandbox.journal)
        configuration.dryRun = true
        let outcome = try await PlanRunner(plan: plan, configuration: configuration).run()
        guard case let .dryRun(_, blockers) = outcome else { Issue.record("\(outcome)"); return }
        #expect(blockers.contains { $0.contains("no-such-choco was not found") } && blockers.contains { $0.contains("no-such-powershell was not found") },
                "\(blockers)")
    }

    /// A dry run reports what would stop the real run instead of pretending all is well, and prompts for nothing.
    @Test func dryRunListsBlockers() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        let outcome = try await sandbox.runner(try Self.plan()) { configuration in
            configuration.dryRun = true
            configuration.resolveSecret = { reference throws(PlanningError) in try reference.resolve(environment: [:]) }
        }.run()
        guard case let .dryRun(commands, blockers) = outcome else { Issue.record("\(outcome)"); return }
        #expect(commands.count == 9)
        #expect(blockers.count == 1 && blockers[0].contains("CCM_PW is not set"))
    }

    /// Was: a mistyped `--host` dry run printed every step commented out, exit 0.
    @Test(arguments: [("ccm1", "; did you mean 'ccm01'?"), ("web02", " (the plan's hosts: ccm01)")])
    func unknownHostIsNamed(name: String, expected: String) async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        let runner = sandbox.runner(try Self.plan()) { $0.namedHost = name; $0.dryRun = true }
        await #expect { try await runner.run() } throws: { error in
            guard let error = error as? PlanningError, case .unknownHost = error else { return false }
            return error.description.hasPrefix("--host \(name): no step of the plan runs on that host") && error.description.contains(expected)
        }
    }

    /// Was: choco's output was read to the end and only its last 15 lines shown on failure. The stand-in
    /// prints a progress line and then waits until the test has seen that line: it is released only if the
    /// line arrived while choco still ran.
    @Test func chocoOutputArrivesWhileChocoRuns() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        let lib = sandbox.lib
        let seen = OutputCollector()
        let outcome = try await sandbox.runner(try Self.plan(), environment: ["CHOCO_STANDIN_HOLD": "chocolatey-management-database"]) { configuration in
            configuration.chocoOutput = { line in
                seen.append(line)
                if line.hasPrefix("Progress: upgrading chocolatey-management-database") {
                    _ = FileManager.default.createFile(atPath: lib + "/.release-chocolatey-management-database", contents: Data())
                }
            }
        }.run()
        guard case .completed = outcome else { Issue.record("\(outcome)"); return }
        #expect(seen.text.contains("Progress: upgrading chocolatey-management-database, 50%\nreleased"))
        #expect(!seen.text.contains("never released"))
    }

    /// The known-error check sees choco's whole output, not a tail: the marker comes first, then 40 lines.
    @Test func knownErrorFoundAnywhereInTheOutput() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        let message = "Invalid column name 'Foo'." + String(repeating: "\nmore output", count: 40)
        let outcome = try await sandbox.runner(try Self.plan(), environment: ["CHOCO_STANDIN_FAIL": "chocolatey-management-web",
                                                                             "CHOCO_STANDIN_MESSAGE": message]).run()
        guard case let .failed(step, reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(step == 5 && reason.contains("known error (invalid-column-name)"))
    }

    /// Was: any name without `/` went through `/usr/bin/env`. A bare name is looked up in PATH; a Windows
    /// path is a path (on Linux one that does not exist), never a name searched for in PATH.
    @Test func chocoIsFoundThroughPath() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        let folder = URL(fileURLWithPath: RunnerSandbox.standin).deletingLastPathComponent().path
        #expect(await ExecutableReference("choco").resolved(environment: ["PATH": "/nonexistent:" + folder]) == folder + "/choco")
        #expect(await ExecutableReference("choco").resolved(environment: ["PATH": "/nonexistent"]) == nil)
        #expect(ExecutableReference(#"C:\ProgramData\chocolatey\bin\choco.exe"#) == .path(#"C:\ProgramData\chocolatey\bin\choco.exe"#))
        let windowsPath = LocalChocoHost(choco: #"C:\ProgramData\chocolatey\bin\choco.exe"#, environment: ["PATH": folder], libFolder: nil) { _ in nil }
        await #expect(throws: HostFailure.failed(#"C:\ProgramData\chocolatey\bin\choco.exe was not found or is not executable; pass --choco PATH"#)) {
            try await windowsPath.checkReachable()
        }
        var configuration = PlanRunner.Configuration(hosts: ["ccm01": LocalChocoHost(
            choco: "choco", environment: ["CHOCO_STANDIN_LOG": sandbox.log, "CHOCO_STANDIN_LIB": sandbox.lib, "PATH": folder + ":/usr/bin:/bin"],
            libFolder: sandbox.lib, installedVersion: { sandbox.installedVersion($0) })], journalPath: sandbox.journal)
        configuration.resolveSecret = { _ throws(PlanningError) in "x" }
        let outcome = try await PlanRunner(plan: try Self.plan(), configuration: configuration).run()
        guard case .completed = outcome else { Issue.record("\(outcome)"); return }
        #expect(sandbox.calls.count == 6)
    }

    /// A second run beside a live one is refused at once (the lock dies with its holder).
    @Test func concurrentRunIsRefused() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        let held = try FileLock.tryLock(path: sandbox.journal + ".lock")
        #expect(held.lock != nil)
        await #expect { try await sandbox.runner(try Self.plan()).run() } throws: { error in
            guard case let .cannotStart(problems) = error as? PlanningError else { return false }
            return problems.first?.contains("another `ccm-upgrade run` of this plan is running (process \(getpid()))") == true
        }
        #expect(sandbox.calls.isEmpty)
        held.lock?.unlock()
        let outcome = try await sandbox.runner(try Self.plan()).run()
        guard case .completed = outcome else { Issue.record("\(outcome)"); return }
    }

    /// A step left `started` (run killed) or `unknown` (connection lost): the installed version decides.
    @Test(arguments: [RunJournal.Status.started, .unknown])
    func unverifiedStepIsReadBeforeDeciding(status: RunJournal.Status) async throws {
        let plan = try Self.plan()
        // Done on the host: recorded, not run again.
        let done = try RunnerSandbox()
        defer { done.cleanup() }
        try done.installFixtureEstate()
        for (id, version) in [("chocolatey", "2.7.0"), ("chocolatey.extension", "8.0.0"), ("chocolatey-management-database", "0.17.0")] {
            try done.install(id, version)
        }
        var journal = RunJournal(planDigest: RunJournal.digest(of: plan))
        for number in 1...2 { journal.entries.append(.init(step: number, package: plan.steps[number - 1].package, version: "x", status: .succeeded)) }
        journal.entries.append(.init(step: 3, package: "chocolatey-management-database", version: "0.17.0", status: status))
        try journal.save(path: done.journal)
        let outcome = try await done.runner(plan).run()
        guard case let .completed(ran, _) = outcome else { Issue.record("\(outcome)"); return }
        #expect(ran == [3, 4, 5, 6])
        #expect(!done.calls.contains { $0.contains("chocolatey-management-database") }, "never run twice blindly")
        let after = try RunJournal.load(path: done.journal, plan: plan)
        #expect(after.latest(3)?.status == .succeeded && after.latest(3)?.message?.contains("verified after an interrupted run") == true)

        // Not done on the host: run, once.
        let notDone = try RunnerSandbox()
        defer { notDone.cleanup() }
        try notDone.installFixtureEstate()
        for (id, version) in [("chocolatey", "2.7.0"), ("chocolatey.extension", "8.0.0")] { try notDone.install(id, version) }
        try journal.save(path: notDone.journal)
        let second = try await notDone.runner(plan).run()
        guard case .completed = second else { Issue.record("\(second)"); return }
        #expect(notDone.calls.filter { $0.contains("chocolatey-management-database") }.count == 1, "never skipped unverified")
    }

    /// The journal says `started` before choco runs, with the marker that finds that choco while it runs.
    @Test func stepIsJournalledAsStartedBeforeChocoRuns() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        let plan = try Self.plan()
        let journalPath = sandbox.journal
        let lib = sandbox.lib
        let observed = OutputCollector()
        _ = try await sandbox.runner(plan, environment: ["CHOCO_STANDIN_HOLD": "chocolatey"]) { configuration in
            configuration.chocoOutput = { line in
                guard line.hasPrefix("Progress:") else { return }
                // choco is mid-step: the journal on disk must already say so, with choco's process.
                let entry = (try? RunJournal.load(path: journalPath, plan: plan))?.latest(1)
                let marker = entry?.marker ?? "no-marker"
                observed.append("\(entry?.status.rawValue ?? "none") \(OrphanedChoco.running(marker: marker).isEmpty ? "choco-not-found" : "choco-found")")
                _ = FileManager.default.createFile(atPath: lib + "/.release-chocolatey", contents: Data())
            }
        }.run()
        #expect(observed.text == "started choco-found", "the journal's marker finds the running choco")
    }
}

/// Ctrl-C (task cancellation) during a step lets choco finish that step, records it, and starts no other.
@Suite("run interrupted")
struct PlanRunnerInterruptTests {
    final class TaskBox: @unchecked Sendable {
        var task: Task<PlanRunner.Outcome, any Error>?
    }

    @Test func cancellationFinishesTheStepUnderWayAndStopsThere() async throws {
        let sandbox = try RunnerSandbox()
        defer { sandbox.cleanup() }
        try sandbox.installFixtureEstate()
        let plan = try PlanRunnerTests.plan()
        let box = TaskBox()
        let lib = sandbox.lib
        let runner = sandbox.runner(plan, environment: ["CHOCO_STANDIN_HOLD": "chocolatey-management-database"]) { configuration in
            configuration.chocoOutput = { line in
                guard line.hasPrefix("Progress:") else { return }
                box.task?.cancel()  // Ctrl-C while choco is mid-step …
                _ = FileManager.default.createFile(atPath: lib + "/.release-chocolatey-management-database", contents: Data())
            }
        }
        let task = Task { try await runner.run() }
        box.task = task
        let outcome = try await task.value
        #expect(outcome == .interrupted(nextStep: 4))
        #expect(sandbox.installedVersion("chocolatey-management-database") == v("0.17.0"), "… choco finished the step")
        #expect(try RunJournal.load(path: sandbox.journal, plan: plan).latest(3)?.status == .succeeded)
        #expect(!sandbox.calls.contains { $0.contains("chocolatey-management-service") }, "no later step started")
    }
}
