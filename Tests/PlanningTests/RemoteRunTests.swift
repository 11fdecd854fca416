import Foundation
@testable import Planning
import RemoteHosts
import Testing
import TestSupport
import Versioning

/// `run` over SSH (issue 15 §1–2) against real OpenSSH servers started by the tests on 127.0.0.1, one per CCM
/// host (TestSupport's `TestSSHEstate`), each running the remote-shell and choco stand-ins (test stand-ins, not
/// PowerShell or Chocolatey). The plan: the database on sql01, the service and the website on ccm01.
@Suite("run over SSH", .serialized)
struct RemoteRunTests {
    static let password = "pa55-w0rd-over-ssh"

    final class Estate: @unchecked Sendable {
        let ssh: TestSSHEstate
        let journal: String
        let plan: UpgradePlan

        init() throws {
            ssh = try TestSSHEstate(hosts: ["sql01", "ccm01"], environment: ["CHOCO_STANDIN_EXPECT_SECRET": RemoteRunTests.password])
            journal = ssh.directory + "/plan.json.journal"
            var inventory = Fixtures.inventory(agent: "4.0.0", ext: "8.0.0", choco: "2.7.0", groups: [])
            inventory.hosts[0].roles = [.service, .web]
            inventory.hosts.insert(.init(name: "sql01", roles: [.database], packages: [
                "chocolatey-management-database": v("0.16.0"), "chocolatey": v("2.7.0"), "chocolatey.extension": v("8.0.0")]), at: 0)
            plan = try Fixtures.plan(inventory, parameters: UpgradeParameters.parse("service: { username: svc, password: 'env:CCM_PW' }", file: "p"))
            try ssh["sql01"].install("chocolatey-management-database", "0.16.0")
            for id in ["chocolatey-management-service", "chocolatey-management-web"] { try ssh["ccm01"].install(id, "0.16.0") }
        }

        func host(_ name: String) -> RemoteChocoHost {
            RemoteChocoHost(SSHSession(name: name, destination: name, configFile: ssh.configFile), location: "ssh \(name)")
        }

        func runner(_ configure: (inout PlanRunner.Configuration) -> Void = { _ in }) -> PlanRunner {
            var configuration = PlanRunner.Configuration(hosts: ["sql01": host("sql01"), "ccm01": host("ccm01")], journalPath: journal)
            configuration.resolveSecret = { reference throws(PlanningError) in try reference.resolve(environment: ["CCM_PW": RemoteRunTests.password]) }
            configuration.orphanPollInterval = .milliseconds(50)
            configure(&configuration)
            return PlanRunner(plan: plan, configuration: configuration)
        }

        func calls(_ host: String) -> [String] {
            ((try? String(contentsOfFile: ssh[host].chocoLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
                .filter { $0.hasPrefix("upgrade ") }
        }

        func installed(_ host: String, _ id: String) -> String? {
            guard let text = try? String(contentsOfFile: ssh[host].lib + "/\(id)/\(id).nuspec", encoding: .utf8),
                  let start = text.range(of: "<version>"), let end = text.range(of: "</version>") else { return nil }
            return String(text[start.upperBound..<end.lowerBound])
        }

        func journalEntries() throws -> RunJournal { try RunJournal.load(path: journal, plan: plan) }

        /// Runs the plan with ccm01's connection cut after step 2's choco ran, before its result came back
        /// (the preflight's `choco list` sessions stay whole), then clears the fault and brings sshd back.
        func runCutAfterStepTwo() async throws -> PlanRunner.Outcome {
            let ccm01 = ssh["ccm01"]
            let outcome = try await runner { configuration in
                configuration.log = { line in if line.hasPrefix("step 2 on ccm01") { try? ccm01.setFault("cut-after-command") } }
            }.run()
            try ccm01.setFault(nil)
            if (try? await host("ccm01").checkReachable()) == nil { try ccm01.start() }
            return outcome
        }
    }

    /// Every host's steps run there, in the plan's order across hosts; the secret crosses on standard input
    /// and reaches choco; each step is verified with `choco list` on its host.
    @Test func runsEachHostsStepsOnThatHostInOrder() async throws {
        let estate = try Estate()
        let order = OutputCollector()
        let outcome = try await estate.runner { $0.log = { if $0.hasPrefix("step ") { order.append($0) } } }.run()
        guard case let .completed(ran, _) = outcome else { Issue.record("\(outcome)"); return }
        #expect(ran == [1, 2, 3])
        #expect(estate.calls("sql01") == ["upgrade chocolatey-management-database version=0.17.0 params=[] sensitive=[]"])
        #expect(estate.calls("ccm01") == [
            "upgrade chocolatey-management-service version=0.17.0 params=[Username ] sensitive=[Password ] secret-received",
            "upgrade chocolatey-management-web version=0.17.0 params=[] sensitive=[]",
        ])
        #expect(estate.installed("sql01", "chocolatey-management-database") == "0.17.0")
        #expect(order.text.contains("step 1 on sql01 (ssh sql01)") && order.text.contains("step 2 on ccm01 (ssh ccm01)"))
        let journal = try String(contentsOfFile: estate.journal, encoding: .utf8)
        #expect(!journal.contains(Self.password))
        let sessions = (try? String(contentsOfFile: estate.ssh["ccm01"].state + "/sessions.log", encoding: .utf8)) ?? ""
        #expect(!sessions.contains(Self.password) && !sessions.isEmpty, "the stand-in shell logs commands with secrets masked")
    }

    /// A host that cannot be reached stops the run before step 1, naming the host and why; nothing runs.
    @Test func unreachableHostStopsTheRunBeforeStepOne() async throws {
        let estate = try Estate()
        estate.ssh["ccm01"].kill()
        await #expect { try await estate.runner().run() } throws: { error in
            guard case let .cannotStart(problems) = error as? PlanningError else { return false }
            return problems.count == 1 && problems[0].hasPrefix("host ccm01 (ssh ccm01): cannot be reached: cannot reach ccm01: connection refused")
        }
        #expect(estate.calls("sql01").isEmpty, "not even sql01's step ran")
    }

    /// A changed host key is refused (never trusted), with the reason.
    @Test func changedHostKeyIsRefused() async throws {
        let estate = try Estate()
        let other = try TestSSHEstate(hosts: ["impostor"])
        try estate.ssh.writeClientFiles(knownHostsLines: [estate.ssh["sql01"].knownHostsLine,
                                                          "[127.0.0.1]:\(estate.ssh["ccm01"].port) \(other["impostor"].hostPublicKey)"])
        await #expect { try await estate.runner().run() } throws: { error in
            guard case let .cannotStart(problems) = error as? PlanningError else { return false }
            return problems.count == 1 && problems[0].contains("host ccm01") && problems[0].contains("host key has changed")
        }
        #expect(estate.calls("sql01").isEmpty)
    }

    /// Authentication fails on one host (its administrator's key was removed): never a password prompt; the
    /// run does not start, naming the host and why; with the key back, the same run completes, each step once.
    @Test func authenticationFailureStopsBeforeStepOneAndTheRerunCompletes() async throws {
        let estate = try Estate()
        let keys = estate.ssh["ccm01"].directory + "/authorized_keys"
        let saved = try String(contentsOfFile: keys, encoding: .utf8)
        try "".write(toFile: keys, atomically: true, encoding: .utf8)
        await #expect { try await estate.runner().run() } throws: { error in
            guard case let .cannotStart(problems) = error as? PlanningError else { return false }
            return problems.count == 1 && problems[0].contains("host ccm01") && problems[0].contains("publickey")
        }
        #expect(estate.calls("sql01").isEmpty && estate.calls("ccm01").isEmpty, "nothing ran")
        try saved.write(toFile: keys, atomically: true, encoding: .utf8)
        let outcome = try await estate.runner().run()
        guard case let .completed(ran, _) = outcome else { Issue.record("\(outcome)"); return }
        #expect(ran == [1, 2, 3])
        #expect(estate.calls("sql01").count == 1 && estate.calls("ccm01").count == 2)
    }

    /// The host goes away after step 1: the run stops before ccm01's step with the reason; later steps untouched;
    /// the rerun, with the host back, carries on from step 2.
    @Test func hostLostMidRunStopsBeforeItsStep() async throws {
        let estate = try Estate()
        let ccm01 = estate.ssh["ccm01"]
        let outcome = try await estate.runner { configuration in
            configuration.chocoOutput = { line in if line.contains("Chocolatey upgraded") { ccm01.kill() } }  // during step 1, on sql01
        }.run()
        guard case let .failed(step, reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(step == 2 && reason.contains("host ccm01 (ssh ccm01) cannot be reached") && reason.contains("connection refused"), "\(reason)")
        #expect(estate.calls("ccm01").isEmpty)
        #expect(try estate.journalEntries().latest(2) == nil, "step 2 was never started")
        try ccm01.start()
        let again = try await estate.runner().run()
        guard case let .completed(ran, _) = again else { Issue.record("\(again)"); return }
        #expect(ran == [2, 3])
        #expect(estate.calls("sql01").count == 1)
    }

    /// The connection is cut after choco ran but before its result came back: "unknown"; the rerun reads the
    /// version on the host (done), records it and does not run it again.
    @Test func connectionCutAfterTheStepRanIsVerifiedNotRepeated() async throws {
        let estate = try Estate()
        let outcome = try await estate.runCutAfterStepTwo()
        guard case let .failed(step, reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(step == 2 && reason.contains("whether choco finished is unknown"), "\(reason)")
        #expect(try estate.journalEntries().latest(2)?.status == .unknown)
        let again = try await estate.runner().run()
        guard case let .completed(ran, _) = again else { Issue.record("\(again)"); return }
        #expect(ran == [2, 3])
        #expect(estate.calls("ccm01").filter { $0.contains("chocolatey-management-service") }.count == 1, "never run twice blindly")
        #expect(try estate.journalEntries().latest(2)?.message?.contains("verified after an interrupted run") == true)
    }

    /// The connection is cut after choco ran, and choco still runs there (it outlived the session): the rerun
    /// sees it with `tasklist` and waits for it to end before it reads the version; the step is not run again.
    @Test func aChocoStillRunningThereIsWaitedFor() async throws {
        let estate = try Estate()
        let outcome = try await estate.runCutAfterStepTwo()
        guard case .failed(2, _) = outcome else { Issue.record("\(outcome)"); return }
        let processes = estate.ssh["ccm01"].state + "/processes"
        try "choco.exe 4242\n".write(toFile: processes, atomically: true, encoding: .utf8)
        let log = OutputCollector()
        let again = try await estate.runner { configuration in
            configuration.log = { line in
                log.append(line)
                // The orphan ends once the rerun has said it waits.
                if line.contains("is still running") { unlink(processes) }
            }
        }.run()
        guard case let .completed(ran, _) = again else { Issue.record("\(again)"); return }
        #expect(ran == [2, 3])
        #expect(log.text.contains("step 2: the choco of an interrupted run (process 4242 on ccm01) is still running"), "\(log.text)")
        #expect(log.text.contains("that choco ended"))
        #expect(estate.calls("ccm01").filter { $0.contains("chocolatey-management-service") }.count == 1, "never run beside or after it blindly")
    }

    /// sshd killed while the step's session waits before choco started: "unknown"; the rerun reads the version
    /// (not done) and runs the step — once, since it never ran.
    @Test func sshdKilledDuringTheStepRunsItAfterReading() async throws {
        let estate = try Estate()
        let ccm01 = estate.ssh["ccm01"]
        let outcome = try await estate.runner { configuration in
            configuration.log = { line in if line.hasPrefix("step 2 on ccm01") { try? ccm01.setFault("hold-before-command") } }
            configuration.chocoOutput = { line in if line.contains("stand-in: holding") { ccm01.kill() } }
        }.run()
        guard case let .failed(step, _) = outcome else { Issue.record("\(outcome)"); return }
        #expect(step == 2)
        #expect(try estate.journalEntries().latest(2)?.status == .unknown)
        try ccm01.setFault(nil)
        try ccm01.start()
        let again = try await estate.runner().run()
        guard case let .completed(ran, _) = again else { Issue.record("\(again)"); return }
        #expect(ran == [2, 3])
        #expect(estate.calls("ccm01").filter { $0.contains("chocolatey-management-service") }.count == 1, "run once: the first never reached choco")
        #expect(estate.installed("ccm01", "chocolatey-management-service") == "0.17.0")
    }

    /// While the service step's session is open (held by the stand-in shell after choco ran, before the result
    /// is sent), no process on this machine has the secret on its command line: it crossed on standard input.
    @Test func theSecretIsOnNoCommandLineOfThisMachine() async throws {
        let estate = try Estate()
        let ccm01 = estate.ssh["ccm01"]
        let seen = OutputCollector()
        let outcome = try await estate.runner { configuration in
            configuration.log = { line in if line.hasPrefix("step 2 on ccm01") { try? ccm01.setFault("hold-after-command") } }
            configuration.chocoOutput = { line in
                guard line.contains("stand-in: holding") else { return }
                var processes = 0
                var carriers: [String] = []
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int32(entry) != nil {
                    guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty else { continue }
                    processes += 1
                    let text = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
                    if text.contains(RemoteRunTests.password) { carriers.append(text) }
                    if text.hasPrefix("ssh ") || text.contains("/ssh ") { seen.append("ssh-seen") }
                }
                seen.append("checked \(processes > 0) carriers=\(carriers)")
                try? ccm01.setFault(nil)
                ccm01.release()
            }
        }.run()
        guard case .completed = outcome else { Issue.record("\(outcome)"); return }
        #expect(seen.text.contains("ssh-seen"), "the check ran while ssh was connected: \(seen.text)")
        #expect(seen.text.contains("checked true carriers=[]"), "\(seen.text)")
        #expect(estate.calls("ccm01").first?.hasSuffix("secret-received") == true, "yet choco on the host got it")
    }
}
