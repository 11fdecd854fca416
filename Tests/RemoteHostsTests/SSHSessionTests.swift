import Foundation
import RemoteHosts
import Synchronization
import Testing
import TestSupport

/// SSHSession against real OpenSSH servers on 127.0.0.1 (one per CCM host, `TestSSHEstate`), each session running
/// the remote-shell and choco stand-ins. Serialized: each test starts its own servers, and two cores are shared.
@Suite(.serialized) struct SSHSessionTests {
    static func session(_ estate: TestSSHEstate, _ host: String) -> SSHSession {
        SSHSession(name: host, destination: host, configFile: estate.configFile, environment: ["PATH": "/usr/bin:/bin"])
    }

    static func upgrade(_ id: String, _ version: String, secret: String? = nil) throws -> RemoteCommand {
        var arguments = ["upgrade", id, "--version", version, "-y"]
        if let secret { arguments.append("--package-parameters-sensitive=/Password:\(secret)") }
        return try RemoteCommand(program: "choco", arguments: arguments, secrets: secret.map { [$0] } ?? [])
    }

    @Test func runsChocoOnTheRightHostWithLiveOutputAndExitCode() async throws {
        let estate = try TestSSHEstate(hosts: ["ccm-db", "ccm-web"])
        let lines = Mutex<[String]>([])
        let result = try await Self.session(estate, "ccm-db").run(try Self.upgrade("chocolatey-management-database", "0.16.0")) { line in
            lines.withLock { $0.append(line.text) }
        }
        #expect(result.exitCode == 0)
        #expect(lines.withLock { $0 } == ["Chocolatey upgraded 1/1 packages."])
        #expect(FileManager.default.fileExists(atPath: estate["ccm-db"].lib + "/chocolatey-management-database/chocolatey-management-database.nuspec"))
        #expect(!FileManager.default.fileExists(atPath: estate["ccm-web"].lib + "/chocolatey-management-database"))
    }

    @Test func secretTravelsOnStandardInputNeverInSSHsArguments() async throws {
        let secret = "p@ss w\"rd 'with' $pecial \\ chars\\"
        let estate = try TestSSHEstate(hosts: ["ccm-service"])
        try estate["ccm-service"].setEnvironment(["CHOCO_STANDIN_EXPECT_SECRET": secret])
        let session = Self.session(estate, "ccm-service")
        let command = try Self.upgrade("chocolatey-management-service", "0.16.0", secret: secret)
        #expect(!session.sshArguments.joined(separator: " ").contains("p@ss"))
        #expect(!RemoteScript(command).script.contains("p@ss"))
        let result = try await session.run(command) { _ in }
        #expect(result.exitCode == 0)
        // The choco stand-in saw the whole secret in its sensitive parameters (after PowerShell's and Windows'
        // argument rules, as the remote-shell stand-in applies them), and logged only that it did.
        let log = try String(contentsOfFile: estate["ccm-service"].chocoLog, encoding: .utf8)
        #expect(log.contains("secret-received"), "\(log)")
        #expect(!log.contains("p@ss"))
    }

    @Test(arguments: [
        ["two words", "quote\"inside", "trailing\\", "trailing space\\", "", "'single'", "%PATH%", "a&b|c", "$env:X", "tab\there"]
    ])
    func argumentsArriveIntactThroughTheWindowsQuotingRules(arguments: [String]) async throws {
        let estate = try TestSSHEstate(hosts: ["ccm-web"])
        // `echo` on the remote side prints what it received, one argument per line.
        let directory = estate.directory + "/bin"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let result = try await Self.session(estate, "ccm-web").run(try RemoteCommand(program: "printf", arguments: ["%s|\\n"] + arguments)) { _ in }
        #expect(result.standardOutput == arguments.map { $0 + "|" }.joined(separator: "\n"))
    }

    @Test func programMissingOnTheHostIsNotStarted() async throws {
        let estate = try TestSSHEstate(hosts: ["ccm-db"])
        await #expect(throws: RemoteHostError.programNotFound(host: "ccm-db", program: "no-such-choco")) {
            try await Self.session(estate, "ccm-db").run(try RemoteCommand(program: "no-such-choco", arguments: ["list"])) { _ in }
        }
    }

    @Test func chocoListOverSSHInBothCLIFormats() async throws {
        for cli in ["1", "2"] {
            let estate = try TestSSHEstate(hosts: ["ccm-web"], environment: ["CHOCO_STANDIN_CLI": cli])
            try estate["ccm-web"].install("chocolatey", "2.04.3")
            try estate["ccm-web"].install("chocolatey-management-web", "0.16.0")
            let result = try await Self.session(estate, "ccm-web").run(try RemoteCommand(program: "choco", arguments: ChocoList.arguments)) { _ in }
            #expect(result.exitCode == 0)
            let list = ChocoList(parsing: result.standardOutput)
            #expect(list.packages.mapValues(\.normalized) == ["chocolatey": "2.4.3", "chocolatey-management-web": "0.16.0"], "CLI \(cli)")
        }
    }

    // MARK: Faults, each classified

    @Test func refusedConnection() async throws {
        let estate = try TestSSHEstate(hosts: [])
        let error = await Self.failure(Self.session(estate, "refusing-host"))
        guard case .connectionRefused(let host, _) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(host == "refusing-host")
        #expect(error?.outcomeUnknown == false)
    }

    @Test func unresolvableName() async throws {
        let estate = try TestSSHEstate(hosts: [])
        let error = await Self.failure(Self.session(estate, "unresolvable-host"))
        guard case .nameNotResolved = error else { Issue.record("\(String(describing: error))"); return }
    }

    @Test func changedHostKeyIsRefused() async throws {
        let estate = try TestSSHEstate(hosts: ["ccm-db", "ccm-web"])
        // known_hosts holds ccm-web's key for ccm-db's address: as if ccm-db had been replaced.
        try estate.writeClientFiles(knownHostsLines: ["[127.0.0.1]:\(estate["ccm-db"].port) \(estate["ccm-web"].hostPublicKey)"])
        let error = await Self.failure(Self.session(estate, "ccm-db"))
        guard case .hostKeyChanged = error else { Issue.record("\(String(describing: error))"); return }
        #expect(Self.sessions(estate["ccm-db"]).isEmpty)
    }

    @Test func unknownHostKeyIsRefused() async throws {
        let estate = try TestSSHEstate(hosts: ["ccm-db"])
        try estate.writeClientFiles(knownHostsLines: [])
        let error = await Self.failure(Self.session(estate, "ccm-db"))
        guard case .hostKeyUnknown = error else { Issue.record("\(String(describing: error))"); return }
    }

    @Test func authenticationFailureNeverPrompts() async throws {
        let estate = try TestSSHEstate(hosts: ["ccm-db"])
        try "".write(toFile: estate["ccm-db"].directory + "/authorized_keys", atomically: true, encoding: .utf8)
        let error = await Self.failure(Self.session(estate, "ccm-db"))
        guard case .authenticationFailed(let host, let detail) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(host == "ccm-db")
        #expect(detail.contains("publickey"))
    }

    @Test func sshdKilledDuringTheCommandLeavesTheOutcomeUnknown() async throws {
        let estate = try TestSSHEstate(hosts: ["ccm-db"])
        let server = estate["ccm-db"]
        try server.setFault("hold-after-command")
        let session = Self.session(estate, "ccm-db")
        let error = await Self.failure(session, try Self.upgrade("chocolatey-management-database", "0.16.0")) { line in
            if line.text == "stand-in: holding" { server.kill() }
        }
        guard case .connectionLost(let host, _, let started) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(host == "ccm-db")
        #expect(started)
        #expect(error?.outcomeUnknown == true)
        // After the fault: the host answers again on the same port and key.
        try server.setFault(nil)
        try server.start()
        let list = try await session.run(try RemoteCommand(program: "choco", arguments: ChocoList.arguments)) { _ in }
        #expect(ChocoList(parsing: list.standardOutput).packages["chocolatey-management-database"]?.normalized == "0.16.0")
    }

    @Test func connectionCutAfterTheCommandRanBeforeItsResult() async throws {
        let estate = try TestSSHEstate(hosts: ["ccm-service"])
        try estate["ccm-service"].setFault("cut-after-command")
        let error = await Self.failure(Self.session(estate, "ccm-service"), try Self.upgrade("chocolatey-management-service", "0.16.0"))
        guard case .connectionLost(_, _, let started) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(started)
        // It did run: the verification after the fault finds it installed.
        try estate["ccm-service"].setFault(nil)
        let list = try await Self.session(estate, "ccm-service").run(try RemoteCommand(program: "choco", arguments: ChocoList.arguments)) { _ in }
        #expect(ChocoList(parsing: list.standardOutput).packages["chocolatey-management-service"]?.normalized == "0.16.0")
    }

    @Test func interruptTerminatesSSHAndSaysTheOutcomeIsUnknown() async throws {
        let estate = try TestSSHEstate(hosts: ["ccm-db"])
        try estate["ccm-db"].setFault("hold-before-command")
        let session = Self.session(estate, "ccm-db")
        let (holding, holdingSignal) = AsyncStream<Void>.makeStream()
        let task = Task {
            try await session.run(try Self.upgrade("chocolatey-management-database", "0.16.0")) { line in
                if line.text == "stand-in: holding" { holdingSignal.yield() }
            }
        }
        for await _ in holding { break }
        task.cancel()
        await #expect(throws: RemoteHostError.interrupted(host: "ccm-db")) { try await task.value }
        estate["ccm-db"].release()
    }

    static func failure(
        _ session: SSHSession, _ command: RemoteCommand? = nil, onLine: @escaping @Sendable (OutputLine) -> Void = { _ in }
    ) async -> RemoteHostError? {
        do {
            _ = try await session.run(try command ?? RemoteCommand(program: "choco", arguments: ChocoList.arguments), onLine: onLine)
            return nil
        } catch let error as RemoteHostError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    static func sessions(_ server: TestSSHServer) -> [String] {
        FixtureServer.lines(of: server.state + "/sessions.log")
    }
}
