import Diagnostics
import FileSupport
import Foundation
import Versioning

/// This machine: choco (and a restart step's PowerShell) as a child process, installed versions from Chocolatey's lib folder.
public struct LocalChocoHost: ChocoHost {
    /// The choco executable: a path, or a name looked up in `PATH` the platform's way.
    public var choco: String
    /// PowerShell, for restart steps (Windows PowerShell on a CCM host; a test stand-in elsewhere): a path or a
    /// name looked up in `PATH`.
    public var powershell: String
    /// Variables the step needs on top of the allow-listed environment (``PlanRunner/childEnvironment(from:adding:)``).
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
        _ = try executable(choco, option: "--choco", environment: childEnvironment(marker: nil))
    }

    public func checkPowerShell() async throws(HostFailure) {
        _ = try executable(powershell, option: "--powershell", environment: childEnvironment(marker: nil))
    }

    public func installedVersions(of ids: [String]) async throws(HostFailure) -> [String: NuGetVersion] {
        var versions: [String: NuGetVersion] = [:]
        for id in ids { versions[id.lowercased()] = readInstalledVersion(id) }
        return versions
    }

    public func deleteFromLib(_ relativePaths: [String]) async throws(HostFailure) {
        guard let libFolder else { throw .failed("the lib folder is unknown (pass --lib)") }
        for path in relativePaths {
            do { try FileManager.default.removeItem(atPath: libFolder + "/" + path) } catch {
                if FileManager.default.fileExists(atPath: libFolder + "/" + path) { throw .failed("cannot delete \(libFolder)/\(path): \(error.localizedDescription)") }
            }
        }
    }

    public func runChoco(_ arguments: [String], secrets: [String], marker: String,
                         line: @escaping @Sendable (String) -> Void) async throws(HostFailure) -> Int32 {
        try await run(choco, option: "--choco", arguments: arguments, marker: marker, line: line)
    }

    public func runPowerShell(_ script: AllowListedPowerShell, marker: String,
                              line: @escaping @Sendable (String) -> Void) async throws(HostFailure) -> Int32 {
        try await run(powershell, option: "--powershell", arguments: script.arguments, marker: marker, line: line)
    }

    /// The allow-listed environment plus the step's variables and, for a step's child, its marker.
    private func childEnvironment(marker: String?) -> [String: String] {
        var adding = environment
        if let marker { adding[OrphanedChoco.variable] = marker }
        return PlanRunner.childEnvironment(from: ProcessInfo.processInfo.environment, adding: adding)
    }

    private func executable(_ program: String, option: String, environment: [String: String]) throws(HostFailure) -> String {
        guard let executable = ExecutableLookup.resolve(program, environment: environment) else {
            throw .failed("\(program) was not found (looked in PATH: \(environment["PATH"] ?? "unset")); pass \(option) PATH")
        }
        return executable
    }

    /// Runs `program` as a child with the step's environment and marker; its output (stdout and stderr) goes
    /// to `line` line by line as it comes.
    private func run(_ program: String, option: String, arguments: [String], marker: String,
                     line: @escaping @Sendable (String) -> Void) async throws(HostFailure) -> Int32 {
        let environment = childEnvironment(marker: marker)
        let executable = try executable(program, option: option, environment: environment)
        let process = Process()
        process.environment = environment
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw .failed("cannot start \(executable): \(error.localizedDescription)") }
        let reader = pipe.fileHandleForReading
        return await Blocking.run { () -> Int32 in
            var pending: [UInt8] = []
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                pending += chunk
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    var text = pending[..<newline]
                    if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
                    line(String(decoding: text, as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
            }
            if !pending.isEmpty { line(String(decoding: pending, as: UTF8.self)) }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }
}

/// Finds an executable the way the platform's shell does: a name with a path separator is used as it is;
/// a bare name is looked up in each `PATH` folder in order (on Windows with each `PATHEXT` extension,
/// `choco` → `choco.exe`; `C:\ProgramData\chocolatey\bin\choco.exe` is a path, not a name).
public enum ExecutableLookup {
    public static func resolve(_ name: String, environment: [String: String]) -> String? {
        #if os(Windows)
        let separators: Set<Character> = ["/", "\\", ":"]
        let listSeparator: Character = ";"
        let extensions = [""] + (value("PATHEXT", in: environment) ?? ".COM;.EXE;.BAT;.CMD").split(separator: ";").map(String.init)
        #else
        let separators: Set<Character> = ["/"]
        let listSeparator: Character = ":"
        let extensions = [""]
        #endif
        if name.contains(where: separators.contains) { return isExecutable(name) ? name : nil }
        guard !name.isEmpty else { return nil }
        for folder in (value("PATH", in: environment) ?? "").split(separator: listSeparator, omittingEmptySubsequences: true) {
            for suffix in extensions {
                let candidate = String(folder) + "/" + name + suffix
                if isExecutable(candidate) { return candidate }
            }
        }
        return nil
    }

    /// Windows compares variable names without case.
    private static func value(_ name: String, in environment: [String: String]) -> String? {
        environment[name] ?? environment.first { $0.key.uppercased() == name }?.value
    }

    private static func isExecutable(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }
}
