import Foundation
import RemoteHosts
import Versioning

/// A CCM host over SSH (RemoteHosts' `SSHSession`: the user's ssh config and agent, BatchMode, strict host keys,
/// the command's secrets on standard input). choco runs there, and the installed versions are read there with
/// `choco list` (Chocolatey CLI 1.x and 2.x, `ChocoList`).
public struct RemoteChocoHost: ChocoHost {
    public let host: any CommandHost
    /// `choco`, or its path on the host.
    public var choco: String
    public let location: String
    public var isLocal: Bool { false }

    /// `host` is the host's `SSHSession` (or any `CommandHost`); `location` names it for people (`ssh admin@sql01`).
    public init(_ host: any CommandHost, location: String, choco: String = "choco") {
        self.host = host
        self.choco = choco
        self.location = location
    }

    public func checkReachable() async throws(HostFailure) {
        _ = try await installedPackages()
    }

    public func installedVersions(of ids: [String]) async throws(HostFailure) -> [String: NuGetVersion] {
        let listed = try await installedPackages().packages
        var versions: [String: NuGetVersion] = [:]
        for id in ids { versions[id.lowercased()] = listed[id.lowercased()] }
        return versions
    }

    /// `choco list --local-only --limit-output` there.
    func installedPackages() async throws(HostFailure) -> ChocoList {
        let result = try await run(ChocoList.arguments, secrets: []) { _ in }
        guard result.exitCode == 0 else {
            throw Self.exited("choco \(ChocoList.arguments.joined(separator: " "))", result)
        }
        return ChocoList(parsing: result.standardOutput)
    }

    public func runChoco(_ arguments: [String], secrets: [String], marker: String,
                         line: @escaping @Sendable (String) -> Void) async throws(HostFailure) -> Int32 {
        // No marker: a remote choco ends with its session (Windows OpenSSH's job object, remote-hosts.md §1.1),
        // so after a lost connection the installed version alone decides.
        try await run(arguments, secrets: secrets, line: line).exitCode
    }

    /// `tasklist` there, for `choco.exe`. Windows OpenSSH ends a session's processes with the session (a job
    /// object, remote-hosts.md §1.1, inferred from its source), so this normally finds none; it is the check
    /// that a choco which outlived a lost connection is not run beside.
    public func runningChoco(marker: String?) async throws(HostFailure) -> [Int32] {
        let result = try await run(program: "tasklist", TaskList.arguments(image: "choco.exe"), secrets: []) { _ in }
        guard result.exitCode == 0 else {
            throw Self.exited("tasklist", result)
        }
        return TaskList.processIDs(in: result.standardOutput, image: "choco.exe")
    }

    /// `powershell.exe` is found on the SSH user's PATH and starts (it runs `exit 0`): the restart step runs it
    /// as a program there (`Get-Command`, like choco), so a host reached through another shell or with a trimmed
    /// PATH is refused before step 1 instead of failing at the restart.
    public func checkPowerShell() async throws(HostFailure) {
        let probe = ["-NoProfile", "-NonInteractive", "-Command", "exit 0"]
        let result = try await run(program: "powershell.exe", probe, secrets: []) { _ in }
        guard result.exitCode == 0 else {
            throw Self.exited("powershell.exe \(probe.joined(separator: " "))", result)
        }
    }

    /// The restart step's script, run by `powershell.exe` there (non-interactive, no profile); its exit code
    /// is the step's verification. A lost connection is `.connectionLost` (the run journals `unknown`).
    public func runPowerShell(_ script: AllowListedPowerShell, marker: String,
                              line: @escaping @Sendable (String) -> Void) async throws(HostFailure) -> Int32 {
        try await run(program: "powershell.exe", script.arguments, secrets: [], line: line).exitCode
    }

    public func deleteFromLib(_ relativePaths: [String]) async throws(HostFailure) {
        throw .failed("the documented fix is applied by hand on a remote host: on \(location) delete \(relativePaths.joined(separator: ", ")) under Chocolatey's lib folder, then run again")
    }

    /// A command that ran there but failed: what it was, its exit code and its last output lines.
    private static func exited(_ command: String, _ result: RemoteCommandResult) -> HostFailure {
        .failed("`\(command)` exited \(result.exitCode): \(result.output.split(whereSeparator: \.isNewline).suffix(3).joined(separator: " / "))")
    }

    private func run(program: String? = nil, _ arguments: [String], secrets: [String],
                     line: @escaping @Sendable (String) -> Void) async throws(HostFailure) -> RemoteCommandResult {
        let command: RemoteCommand
        do { command = try RemoteCommand(program: program ?? choco, arguments: arguments, secrets: secrets) } catch {
            throw .failed("\(error)")
        }
        do {
            return try await host.run(command) { output in line(output.text) }
        } catch {
            if error.outcomeUnknown { throw .connectionLost(error.description) }
            if case .programNotFound = error { throw .failed(error.description) }
            throw .unreachable(error.description)
        }
    }
}
