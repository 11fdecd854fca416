import Foundation
import RemoteHosts
import Synchronization
import Testing
import TestSupport

/// `LocalHost`: the same `CommandHost` interface as SSHSession, running the stand-in choco on this machine.
@Suite struct LocalHostTests {
    @Test func runsTheProgramWithTheSecretInItsArgumentsAndNothingOfOurEnvironment() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("localhost-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/lib", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let secret = "s3cret value"
        let host = LocalHost(
            name: "ccm01",
            extraEnvironment: ["CHOCO_STANDIN_LOG": directory + "/log", "CHOCO_STANDIN_LIB": directory + "/lib", "CHOCO_STANDIN_EXPECT_SECRET": secret],
            environment: ["PATH": "/usr/bin:/bin", "CCM_UPGRADE_API_KEY": "not-for-children"])
        let command = try RemoteCommand(
            program: ToolProcess.checkout + "/Tests/Fixtures/choco-standin/choco",
            arguments: ["upgrade", "chocolatey-agent", "--version", "3.0.0", "--package-parameters-sensitive=/Password:\(secret)"], secrets: [secret])
        #expect(!command.masked.contains(secret))
        let lines = Mutex<[String]>([])
        let result = try await host.run(command) { line in lines.withLock { $0.append(line.text) } }
        #expect(result.exitCode == 0)
        #expect(lines.withLock { $0 } == ["Chocolatey upgraded 1/1 packages."])
        #expect(try String(contentsOfFile: directory + "/log", encoding: .utf8).contains("secret-received"))
        #expect(host.environment["CCM_UPGRADE_API_KEY"] == nil)
    }

    @Test func missingProgramIsNotStarted() async throws {
        let host = LocalHost(name: "ccm01", environment: ["PATH": "/usr/bin:/bin"])
        let command = try RemoteCommand(program: "no-such-choco-ccm", arguments: ["list"])
        do {
            _ = try await host.run(command) { _ in }
            Issue.record("ran")
        } catch {
            guard case .commandNotStarted(let name, let detail) = error else { Issue.record("\(error)"); return }
            #expect(name == "ccm01")
            #expect(detail.contains("not found in any folder of PATH"))
            #expect(!error.outcomeUnknown)
        }
    }
}
