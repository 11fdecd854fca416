import Diagnostics
import Foundation
import Versioning

/// Runs a plan's steps for this host through `choco`, one at a time, in order, with a journal.
///
/// A step on another host stops the run with the exact command to run there (record it with `confirm`);
/// client-group steps are listed for a CCM deployment or per-client runs. After each step the installed
/// version is read back; anything but the planned version, or an exit code outside 0/1605/1614/1641/3010,
/// stops the run: later steps never start. Running again resumes at the failed step.
public struct PlanRunner {
    public struct Configuration {
        public var host: String
        /// The choco executable (real choco on Windows; the tests' stand-in elsewhere).
        public var choco: String = "choco"
        /// PowerShell, for `restart` steps (Windows PowerShell on the CCM hosts; a test stand-in elsewhere).
        public var powershell: String = "powershell"
        public var journalPath: String
        public var dryRun = false
        public var applyKnownFixes = false
        /// The Chocolatey lib folder, for known-error fixes.
        public var libFolder: String?
        /// The installed version of a package on this host (reads the lib folder); nil when not installed.
        public var installedVersion: (String) -> NuGetVersion?
        /// Resolves secret references when a step runs.
        public var resolveSecret: (SecretReference) throws(PlanningError) -> String = { reference throws(PlanningError) in try reference.resolve() }
        /// Whether the internal feed has a package version (checked before each step runs).
        public var feedHas: (String, NuGetVersion) async -> Bool = { _, _ in true }
        /// Brings packages into the internal feed (the internalize step); returns nil on success or why it
        /// failed. Nil: the step only checks the feed and asks the admin to run `ccm-upgrade internalize`.
        public var internalize: (([PinnedPackage]) async -> String?)?
        /// Environment variables the step needs, added to the allow-listed part of this process's
        /// environment (see ``PlanRunner/childEnvironment(from:adding:)``).
        public var chocoEnvironment: [String: String] = [:]
        /// Progress lines for people (stderr in the CLI).
        public var log: (String) -> Void = { _ in }

        public init(host: String, journalPath: String, installedVersion: @escaping (String) -> NuGetVersion?) {
            self.host = host
            self.journalPath = journalPath
            self.installedVersion = installedVersion
        }
    }

    /// How a run ended.
    public enum Outcome: Sendable, Equatable {
        /// Every step for this host and every server step elsewhere is done.
        case completed(ran: [Int], remainingElsewhere: [String])
        /// A step runs on another host: run `command` there, then confirm it.
        case waitingForHost(step: Int, host: String, command: String)
        case failed(step: Int, reason: String)
        /// `--dry-run`: the commands that would run, secrets masked.
        case dryRun(commands: [String])
    }

    public static let validExitCodes: Set<Int32> = [0, 1605, 1614, 1641, 3010]
    public static let rebootExitCodes: Set<Int32> = [1641, 3010]

    public let plan: UpgradePlan
    public var configuration: Configuration

    public init(plan: UpgradePlan, configuration: Configuration) {
        self.plan = plan
        self.configuration = configuration
    }

    /// Records that step `number` (on another host) succeeded there.
    public func confirm(step number: Int) throws(PlanningError) {
        guard let step = plan.steps.first(where: { $0.number == number }) else {
            throw .invalidPlan(file: configuration.journalPath, problems: ["the plan has no step \(number)"])
        }
        var journal = try RunJournal.load(path: configuration.journalPath, plan: plan)
        journal.entries.append(.init(step: number, package: step.package, version: step.version.normalized, status: .confirmed,
                                     exitCode: nil, command: step.chocoCommand(source: plan.source).masked,
                                     message: "confirmed by the admin", at: RunJournal.timestamp()))
        try journal.save(path: configuration.journalPath)
    }

    public func run() async throws(PlanningError) -> Outcome {
        let problems = PlanValidator.problems(in: plan)
        guard problems.isEmpty else { throw .invalidPlan(file: configuration.journalPath, problems: problems) }
        var journal = try RunJournal.load(path: configuration.journalPath, plan: plan)
        let host = configuration.host.lowercased()
        var ran: [Int] = []
        var dryRunCommands: [String] = []
        var elsewhere: [String] = []
        for step in plan.steps where !journal.isDone(step.number) {
            let command = step.chocoCommand(source: plan.source)
            switch step.phase {
            case .internalize:
                // The feed must now hold every package; the internalize command brings them in.
                var missing: [PinnedPackage] = []
                for package in step.packages where !(await configuration.feedHas(package.id, package.version)) {
                    missing.append(package)
                }
                if configuration.dryRun {
                    dryRunCommands.append("# step \(step.number): internalize into \(plan.source): \(missing.isEmpty ? "nothing missing" : missing.map(\.description).joined(separator: ", "))")
                    continue
                }
                if !missing.isEmpty, let internalize = configuration.internalize {
                    configuration.log("step \(step.number): internalizing \(missing.map(\.description).joined(separator: ", "))")
                    if let failure = await internalize(missing) {
                        return .failed(step: step.number, reason: "internalize failed: \(failure)")
                    }
                    missing = []
                    for package in step.packages where !(await configuration.feedHas(package.id, package.version)) {
                        missing.append(package)
                    }
                }
                guard missing.isEmpty else {
                    return .failed(step: step.number, reason: "the internal feed \(plan.source) still lacks \(missing.map(\.description).joined(separator: ", ")); run `ccm-upgrade internalize` for them, then run again")
                }
                journal.entries.append(.init(step: step.number, package: step.package, version: step.version.normalized, status: .succeeded,
                                             exitCode: nil, command: nil, message: "the internal feed has every package", at: RunJournal.timestamp()))
                try journal.save(path: configuration.journalPath)
                ran.append(step.number)
            case .restart:
                switch try runRestart(step, host: host, journal: &journal, dryRunCommands: &dryRunCommands, elsewhere: &elsewhere) {
                case .ran: ran.append(step.number)
                case .deferred: continue
                case let .stop(outcome): return outcome
                }
            // A licence step on a client group goes out like the client agents' (CCM deployment or per client).
            case let phase where phase == .clientAgents || (phase == .license && step.group != nil):
                elsewhere.append("step \(step.number) on group \(step.group ?? "?"): \(command.masked)")
            default:
                guard step.host?.lowercased() == host else {
                    if configuration.dryRun {
                        dryRunCommands.append("# step \(step.number) runs on host \(step.host ?? "?"): \(command.masked)")
                        continue
                    }
                    return .waitingForHost(step: step.number, host: step.host ?? "?", command: command.masked)
                }
                if configuration.dryRun {
                    dryRunCommands.append(command.masked)
                    continue
                }
                if let failure = try await execute(step, command: command, journal: &journal) {
                    return .failed(step: step.number, reason: failure)
                }
                ran.append(step.number)
            }
        }
        if configuration.dryRun { return .dryRun(commands: dryRunCommands + elsewhere.map { "# " + $0 }) }
        return .completed(ran: ran, remainingElsewhere: elsewhere)
    }

    /// Runs one step (retrying once after a documented fix when allowed); nil on success, else why it failed.
    private func execute(_ step: PlanStep, command: ChocoCommand, journal: inout RunJournal) async throws(PlanningError) -> String? {
        guard await configuration.feedHas(step.package, step.version) else {
            return record(step, command: command, status: .failed, exitCode: nil,
                          message: "the internal feed \(plan.source) does not have \(step.package) \(step.version.normalized)", journal: &journal)
        }
        if let installed = configuration.installedVersion(step.package), let from = step.fromVersion, installed != from, installed != step.version {
            return record(step, command: command, status: .failed, exitCode: nil,
                          message: "the plan is stale: \(step.package) is at \(installed.normalized) here, the plan expected \(from.normalized); make a new plan",
                          journal: &journal)
        }
        var secrets: [String] = []
        let resolve = configuration.resolveSecret
        let arguments = try command.arguments { reference throws(PlanningError) in
            let value = try resolve(reference)
            secrets.append(value)
            Redaction.register(value) // masked in anything printed from now on
            return value
        }
        var attempt = 0
        while true {
            attempt += 1
            configuration.log("step \(step.number): \(command.masked)")
            var (status, output) = Self.runProcess(configuration.choco, arguments, environment: configuration.chocoEnvironment)
            // choco's own output is shown to the admin; a secret it might echo is masked first.
            for secret in secrets where !secret.isEmpty { output = output.replacingOccurrences(of: secret, with: "********") }
            let installed = configuration.installedVersion(step.package)
            if Self.validExitCodes.contains(status), installed == step.version {
                if Self.rebootExitCodes.contains(status) { configuration.log("step \(step.number): succeeded; a reboot is pending (exit code \(status))") }
                _ = record(step, command: command, status: .succeeded, exitCode: status, message: nil, journal: &journal)
                return nil
            }
            let tail = output.split(whereSeparator: \.isNewline).suffix(15)
            for line in tail { configuration.log("  choco: \(line)") }
            var reason = Self.validExitCodes.contains(status)
                ? "choco exited \(status) but \(step.package) is at \(installed?.normalized ?? "nothing") instead of \(step.version.normalized)"
                : "choco exited \(status)"
            let known = KnownError.matching(output)
            for error in known { reason += "\n  known error (\(error.id)): \(error.explanation)" }
            let fixable = known.filter { !$0.filesToDelete.isEmpty }
            if attempt == 1, configuration.applyKnownFixes, !fixable.isEmpty, let lib = configuration.libFolder {
                for file in Set(fixable.flatMap(\.filesToDelete)) {
                    configuration.log("step \(step.number): applying the documented fix: deleting \(lib)/\(file)")
                    try? FileManager.default.removeItem(atPath: lib + "/" + file)
                }
                continue
            }
            if !fixable.isEmpty && !configuration.applyKnownFixes { reason += "\n  run again with --apply-known-fixes to apply the documented fix and retry once" }
            return record(step, command: command, status: .failed, exitCode: status, message: reason, journal: &journal)
        }
    }

    private func record(_ step: PlanStep, command: ChocoCommand, status: RunJournal.Status, exitCode: Int32?, message: String?,
                        journal: inout RunJournal) -> String? {
        journal.entries.append(.init(step: step.number, package: step.package, version: step.version.normalized, status: status,
                                     exitCode: exitCode, command: command.masked, message: message, at: RunJournal.timestamp()))
        do { try journal.save(path: configuration.journalPath) } catch { return "\(message ?? "") (and the journal could not be written: \(error))" }
        return status == .failed ? (message ?? "failed") : nil
    }

    /// Variables a child process gets from this process's environment (names compared case-insensitively,
    /// as Windows does): what Windows, PowerShell and choco need to run, nothing else. The tool's own
    /// settings (`CCM_UPGRADE_*`: API key, licence id, passwords) are not on the list, so a package script
    /// run by choco cannot read them.
    public static let inheritedVariables: Set<String> = [
        "PATH", "PATHEXT", "SYSTEMROOT", "WINDIR", "SYSTEMDRIVE", "COMSPEC", "TEMP", "TMP", "TMPDIR", "HOME", "USERPROFILE",
        "APPDATA", "LOCALAPPDATA", "PROGRAMDATA", "ALLUSERSPROFILE", "PROGRAMFILES", "PROGRAMFILES(X86)", "PROGRAMW6432",
        "COMMONPROGRAMFILES", "COMMONPROGRAMFILES(X86)", "COMMONPROGRAMW6432", "COMPUTERNAME", "USERNAME", "USERDOMAIN",
        "OS", "PROCESSOR_ARCHITECTURE", "NUMBER_OF_PROCESSORS", "PSMODULEPATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "USER",
        "LOGNAME", "SHELL", "TERM",
    ]

    /// The environment for a child process: the allow-listed variables of `environment` plus Chocolatey's
    /// own (names starting with `choco`, such as `ChocolateyInstall`), then `adding` (what the step needs)
    /// over them. A variable whose value holds a registered secret is dropped whatever its name.
    public static func childEnvironment(from environment: [String: String], adding: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in environment {
            let upper = name.uppercased()
            guard inheritedVariables.contains(upper) || upper.hasPrefix("CHOCO") else { continue }
            guard Redaction.redactKnown(value) == value else { continue }
            result[name] = value
        }
        return result.merging(adding, uniquingKeysWith: { $1 })
    }

    /// Runs choco; returns its exit status and combined output (which is echoed to the log as it is read).
    static func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]) -> (Int32, String) {
        let process = Process()
        process.environment = childEnvironment(from: ProcessInfo.processInfo.environment, adding: environment)
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (127, "cannot start \(executable): \(error.localizedDescription)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
