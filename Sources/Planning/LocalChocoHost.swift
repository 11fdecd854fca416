import Foundation
import RemoteHosts
import Versioning

/// This machine: choco (and a restart step's PowerShell) as a child process — RemoteHosts' `LocalHost`: an
/// argument vector, the allow-listed environment, output lines as they come — and installed versions from
/// Chocolatey's lib folder.
public struct LocalChocoHost: ChocoHost {
    public func runningChoco(marker: String?) async throws(HostFailure) -> [Int32] {
        guard let marker else { return [] }
        return OrphanedChoco.running(marker: marker)
    }

    /// The choco executable: a path, or a name looked up in `PATH` the platform's way (`ExecutableReference`).
    public var choco: String
    /// PowerShell, for restart steps (Windows PowerShell on a CCM host; a test stand-in elsewhere): a path or a
    /// name looked up in `PATH`.
    public var powershell: String
    /// Variables the step needs on top of the allow-listed environment (`ChildEnvironment`).
    public var environment: [String: String]
    /// Chocolatey's lib folder (for the documented fixes).
    public var libFolder: String?
    /// Reads the installed version of a package (the lib folder's nuspec).
    public var readInstalledVersion: @Sendable (String) -> NuGetVersion?

    public init(choco: String, powershell: String = "powershell", environment: [String: String] = [:], libFolder: String?,
                installedVersion: @escaping @Sendable (String) -> NuGetVersion?) {
        self.choco = choco
        self.powershell = powershell
        self.environment = environment
        self.libFolder = libFolder
        readInstalledVersion = installedVersion
    }

    public var location: String { "this machine" }
    public var isLocal: Bool { true }

    public func checkReachable() async throws(HostFailure) {
        try await checkExecutable(choco, option: "--choco")
    }

    public func checkPowerShell() async throws(HostFailure) {
        try await checkExecutable(powershell, option: "--powershell")
    }

    public func installedVersions(of ids: [String]) async throws(HostFailure) -> [String: NuGetVersion] {
        var versions: [String: NuGetVersion] = [:]
        for id in ids { versions[id.lowercased()] = readInstalledVersion(id) }
        return versions
    }

    public func deleteFromLib(_ relativePaths: [String]) async throws(HostFailure) {
        guard let libFolder else { throw .failed("the lib folder is unknown (pass --lib)") }
        for path in relativePaths where FileManager.default.fileExists(atPath: libFolder + "/" + path) {
            do { try FileManager.default.removeItem(atPath: libFolder + "/" + path) } catch {
                throw .failed("cannot delete \(libFolder)/\(path): \(error.localizedDescription)")
            }
        }
    }

    public func runChoco(_ arguments: [String], secrets: [String], marker: String,
                         line: @escaping @Sendable (String) -> Void) async throws(HostFailure) -> Int32 {
        try await run(choco, arguments: arguments, secrets: secrets, marker: marker, line: line)
    }

    public func runPowerShell(_ script: AllowListedPowerShell, marker: String,
                              line: @escaping @Sendable (String) -> Void) async throws(HostFailure) -> Int32 {
        try await run(powershell, arguments: script.arguments, secrets: [], marker: marker, line: line)
    }

    /// Before step 1: the program must be found the way the child would be started.
    private func checkExecutable(_ program: String, option: String) async throws(HostFailure) {
        let host = LocalHost(name: location, extraEnvironment: environment)
        let reference = ExecutableReference(program)
        guard await reference.resolved(environment: host.environment) == nil else { return }
        switch reference {
        case .name(let name): throw .failed("'\(name)' was not found in any folder of PATH (\(host.environment["PATH"] ?? "unset")); pass \(option) PATH")
        case .path(let path): throw .failed("\(path) was not found or is not executable; pass \(option) PATH")
        }
    }

    /// Runs `program` as a child with the step's environment and marker; its output goes to `line` as it comes.
    private func run(_ program: String, arguments: [String], secrets: [String], marker: String,
                     line: @escaping @Sendable (String) -> Void) async throws(HostFailure) -> Int32 {
        let host = LocalHost(name: location, extraEnvironment: environment.merging([OrphanedChoco.variable: marker]) { $1 })
        let command: RemoteCommand
        do { command = try RemoteCommand(program: program, arguments: arguments, secrets: secrets) } catch { throw .failed("\(error)") }
        do {
            return try await host.run(command) { line($0.text) }.exitCode
        } catch {
            // Killed by a signal from outside: whatever it did before is unknown.
            if error.outcomeUnknown { throw .connectionLost(error.description) }
            throw .failed(error.description)
        }
    }
}
