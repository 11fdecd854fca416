import Compatibility
import Foundation
@testable import Planning
import RemoteHosts
import Testing
import TestSupport
import Versioning

/// A licence renewal's restart steps run over SSH: against a real OpenSSH server started by the test on 127.0.0.1
/// (TestSupport's `TestSSHEstate`) running the remote-shell and choco stand-ins, with a `powershell.exe` stand-in
/// on the host's PATH (test stand-ins, not PowerShell or Chocolatey). The plan (`LicenseRenewalPlanner`): the
/// licence package on ccm01, then the service, website and agent restarts there.
@Suite("run over SSH: restart steps", .serialized)
struct RemoteRestartTests {
    static let licence = PinnedPackage(id: "chocolatey-license", version: NuGetVersion(major: 2027, minor: 1, patch: 31, revision: 25))

    final class Estate: @unchecked Sendable {
        let ssh: TestSSHEstate
        let journal: String
        let plan: UpgradePlan
        var server: TestSSHServer { ssh["ccm01"] }
        /// What the `powershell.exe` stand-in was started with: one argument a line, `---` after each call.
        var powershellLog: String { server.directory + "/powershell.log" }

        init() throws {
            ssh = try TestSSHEstate(hosts: ["ccm01"])
            journal = ssh.directory + "/plan.json.journal"
            let v = { (text: String) in NuGetVersion(text)! }
            let inventory = Inventory(hosts: [
                .init(name: "ccm01", roles: [.database, .service, .web], packages: [
                    "chocolatey-management-database": v("0.16.0"), "chocolatey-management-service": v("0.16.0"),
                    "chocolatey-management-web": v("0.16.0"), "chocolatey-agent": v("4.0.0"), "chocolatey-license": v("2026.1.31.25"),
                ])
            ], groups: [])
            plan = try LicenseRenewalPlanner.plan(inventory: inventory, package: RemoteRestartTests.licence,
                                                  feed: ["Chocolatey-License": [RemoteRestartTests.licence.version]],
                                                  source: "https://nexus.example.com/repository/choco/", generator: "test")
            try server.install("chocolatey-license", "2026.1.31.25")
        }

        /// Puts the `powershell.exe` stand-in on the host's PATH; it exits `restartExitCode` for a restart script
        /// (and 0 for anything else: the preflight's `exit 0` probe).
        func installPowerShell(restartExitCode: Int32 = 0) throws {
            // TEST STAND-IN for Windows PowerShell's powershell.exe -- NOT PowerShell: it runs nothing, it logs.
            try ExecutableScript.write("""
                #!/usr/bin/env bash
                # TEST STAND-IN for powershell.exe on a CCM host (RemoteRestartTests) -- NOT PowerShell, runs nothing.
                { printf '%s\\0' "$@"; printf '\\036'; } >> '\(powershellLog)'
                case "${@: -1}" in
                  *Restart-*) echo 'stand-in: restart requested'; exit \(restartExitCode) ;;
                esac
                exit 0

                """, to: server.programs + "/powershell.exe")
        }

        func runner(_ configure: (inout PlanRunner.Configuration) -> Void = { _ in }) -> PlanRunner {
            let host = RemoteChocoHost(SSHSession(name: "ccm01", destination: "ccm01", configFile: ssh.configFile), location: "ssh ccm01")
            var configuration = PlanRunner.Configuration(hosts: ["ccm01": host], journalPath: journal)
            configure(&configuration)
            return PlanRunner(plan: plan, configuration: configuration)
        }

        /// Each call of the `powershell.exe` stand-in: its arguments (each ends with a NUL, each call with a
        /// record separator, as an argument may hold line breaks).
        func powershellCalls() -> [[String]] {
            let text = (try? String(contentsOfFile: powershellLog, encoding: .utf8)) ?? ""
            return text.components(separatedBy: "\u{1E}").dropLast().map { call in Array(call.components(separatedBy: "\0").dropLast()) }
        }

        func chocoCalls() -> [String] {
            ((try? String(contentsOfFile: server.chocoLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
                .filter { $0.hasPrefix("upgrade ") }
        }

        func entries(_ step: Int) throws -> [RunJournal.Entry] {
            try RunJournal.load(path: journal, plan: plan).entries.filter { $0.step == step }
        }

        /// The action's script as the remote `powershell.exe` gets it: its line breaks CRLF, as the bootstrap's
        /// `$input | Out-String` rejoined the lines of the script it read on Windows (the remote-shell stand-in).
        func script(_ action: RestartAction) -> String {
            action.powershell(ccmVersion: plan.target).text.replacingOccurrences(of: "\n", with: "\r\n")
        }
    }

    static let restartOptions = ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command"]

    /// Each restart's allow-listed script reaches the remote `powershell.exe` whole (line breaks and quotes
    /// through the SSH channel, the remote script's multi-line literal and Windows' argument splitting); journalled started, then
    /// succeeded; the preflight probed powershell.exe once, before step 1.
    @Test func restartStepsRunThePowerShellOnTheHost() async throws {
        let estate = try Estate()
        try estate.installPowerShell()
        let output = OutputCollector()
        let outcome = try await estate.runner { $0.powershellOutput = { output.append($0) } }.run()
        guard case let .completed(ran, elsewhere) = outcome else { Issue.record("\(outcome)"); return }
        #expect(ran == [1, 2, 3, 4])
        #expect(elsewhere.isEmpty)
        #expect(estate.chocoCalls().count == 1 && estate.chocoCalls()[0].hasPrefix("upgrade chocolatey-license"))
        let calls = estate.powershellCalls()
        #expect(calls == [
            ["-NoProfile", "-NonInteractive", "-Command", "exit 0"],
            Self.restartOptions + [estate.script(.service)],
            Self.restartOptions + [estate.script(.website)],
            Self.restartOptions + [estate.script(.agent)],
        ])
        #expect(calls.dropFirst().first?.last?.contains("Restart-Service -Name 'chocolatey-central-management' -Force") == true)
        #expect(output.text.contains("stand-in: restart requested"), "the remote output reaches powershellOutput")
        for step in [2, 3, 4] {
            let entries = try estate.entries(step)
            #expect(entries.map(\.status) == [.started, .succeeded], "step \(step)")
            #expect(entries.last?.exitCode == 0)
            #expect(entries.first?.marker == nil, "a remote restart has no local marker")
        }
        #expect(try estate.entries(2).first?.command?.contains("Restart-Service -Name 'chocolatey-central-management' -Force") == true)
        let sessions = (try? String(contentsOfFile: estate.server.state + "/sessions.log", encoding: .utf8)) ?? ""
        #expect(sessions.contains("powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command $ErrorActionPreference = 'Stop'\r\nRestart-Service"))
    }

    /// The remote restart exits non-zero: the run stops at that step, journalled failed with the code; the
    /// later restarts never start.
    @Test(arguments: [Int32(5), 1])
    func failingRestartStopsTheRun(exitCode: Int32) async throws {
        let estate = try Estate()
        try estate.installPowerShell(restartExitCode: exitCode)
        let outcome = try await estate.runner().run()
        guard case let .failed(step, reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(step == 2)
        #expect(reason.contains("restart the CCM service") && reason.contains("powershell exited \(exitCode)"), "\(reason)")
        let entries = try estate.entries(2)
        #expect(entries.map(\.status) == [.started, .failed])
        #expect(entries.last?.exitCode == exitCode)
        #expect(try estate.entries(1).last?.status == .succeeded, "the licence step before it ran")
        #expect(try estate.entries(3).isEmpty && estate.entries(4).isEmpty, "later steps never started")
        #expect(estate.powershellCalls().filter { $0.count == 6 } == [Self.restartOptions + [estate.script(.service)]])
    }

    /// No `powershell.exe` on the host's PATH: the run does not start (the preflight names the host, the
    /// restart step and why); not even the licence step ran.
    @Test func missingPowerShellStopsTheRunBeforeStepOne() async throws {
        let estate = try Estate()
        await #expect { try await estate.runner().run() } throws: { error in
            guard case let .cannotStart(problems) = error as? PlanningError else { return false }
            return problems == ["host ccm01 (ssh ccm01), restart step 2: 'powershell.exe' was not found on ccm01 (not on the PATH of the SSH user)"]
        }
        #expect(estate.chocoCalls().isEmpty, "nothing ran")
        #expect(try estate.entries(1).isEmpty && estate.entries(2).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: estate.powershellLog))
    }
}
