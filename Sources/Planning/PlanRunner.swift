import Diagnostics
import FileSupport
import Foundation
import Versioning

/// Runs a plan's steps, one at a time, in the plan's order across hosts, with a journal.
///
/// Each host step runs on its ``ChocoHost`` (this machine or a CCM host over SSH); a step on a host the run
/// has no way to reach stops the run with the exact command to run there (record it with ``confirm(step:dryRun:)``);
/// client-group steps are listed for a CCM deployment. Before step 1 everything the remaining steps need is
/// resolved (``prepare(_:)``): a run that cannot finish does not start. A step is journalled as started before
/// choco starts; afterwards the installed version is read back on its host, and anything but the planned
/// version, or an exit code outside 0/1605/1614/1641/3010, stops the run: later steps never start. A restart
/// step (``PlanRunner/restart(_:store:)``) runs its allow-listed PowerShell on the same host the same way and
/// is verified by PowerShell's exit code.
public struct PlanRunner: Sendable {
    public struct Configuration: Sendable {
        /// Where each host's steps run, by the plan's host name (compared without case). A plan host not
        /// listed is run by the admin: the run stops before its step with the command.
        public var hosts: [String: any ChocoHost]
        /// The host the admin named (`run --host`): it must be one of the plan's hosts.
        public var namedHost: String?
        public var journalPath: String
        public var dryRun = false
        public var applyKnownFixes = false
        /// Resolves secret references (all of them before step 1).
        public var resolveSecret: @Sendable (SecretReference) throws(PlanningError) -> String = { reference throws(PlanningError) in
            try reference.resolve()
        }
        /// Whether the internal feed has a package version (checked for every remaining step before step 1).
        public var feedHas: @Sendable (String, NuGetVersion) async -> Bool = { _, _ in true }
        /// Brings packages into the internal feed (the internalize step); returns nil on success or why it
        /// failed. Nil: the step only checks the feed and asks the admin to run `ccm-upgrade internalize`.
        public var internalize: (@Sendable ([PinnedPackage]) async -> String?)?
        /// Progress lines for people (stderr in the CLI).
        public var log: @Sendable (String) -> Void = { _ in }
        /// choco's output, line by line as it comes (secrets masked), for people.
        public var chocoOutput: @Sendable (String) -> Void = { _ in }
        /// A restart step's PowerShell output, line by line as it comes, for people.
        public var powershellOutput: @Sendable (String) -> Void = { _ in }
        /// How long to wait between two looks at an orphaned choco of an interrupted run.
        public var orphanPollInterval: Duration = .seconds(1)

        public init(hosts: [String: any ChocoHost], journalPath: String) {
            self.hosts = hosts
            self.journalPath = journalPath
        }
    }

    /// How a run ended.
    public enum Outcome: Sendable, Equatable {
        /// Every host step is done; client-group steps are listed for a CCM deployment.
        case completed(ran: [Int], remainingElsewhere: [String])
        /// A step runs on a host the run cannot reach: run `command` there, then confirm it.
        case waitingForHost(step: Int, host: String, command: String)
        case failed(step: Int, reason: String)
        /// Cancelled (Ctrl-C) between steps: the steps before `nextStep` are done and journalled.
        case interrupted(nextStep: Int)
        /// `--dry-run`: the commands that would run, secrets masked, and what would stop the real run before
        /// step 1 (an unset secret, an unreachable host, a missing choco).
        case dryRun(commands: [String], blockers: [String])
    }

    public static let validExitCodes: Set<Int32> = [0, 1605, 1614, 1641, 3010]
    public static let rebootExitCodes: Set<Int32> = [1641, 3010]

    public let plan: UpgradePlan
    public var configuration: Configuration

    public init(plan: UpgradePlan, configuration: Configuration) {
        self.plan = plan
        self.configuration = configuration
    }

    /// The host a step runs on, when the run can reach it.
    func host(of step: PlanStep) -> (any ChocoHost)? {
        guard let name = step.host?.lowercased() else { return nil }
        return configuration.hosts.first { $0.key.lowercased() == name }?.value
    }

    public func run() async throws(PlanningError) -> Outcome {
        let problems = PlanValidator.problems(in: plan)
        guard problems.isEmpty else { throw .invalidPlan(file: configuration.journalPath, problems: problems) }
        try checkNamedHost()
        // A dry run writes nothing, not even the lock file.
        let lock = configuration.dryRun ? nil : try RunLock.acquire(journalPath: configuration.journalPath)
        defer { lock?.unlock() }
        let store = JournalStore(try RunJournal.load(path: configuration.journalPath, plan: plan), path: configuration.journalPath)
        let prepared = try await prepare(store)
        var ran: [Int] = []
        var dryRunCommands: [String] = []
        var elsewhere: [String] = []
        for step in plan.steps where !store.journal.isDone(step.number) {
            // Ctrl-C: the step under way finished; no further step starts.
            if Task.isCancelled, !configuration.dryRun { return .interrupted(nextStep: step.number) }
            switch try await perform(step, prepared: prepared, store: store) {
            case .done: ran.append(step.number)
            case let .dryRun(line): dryRunCommands.append(line)
            case let .elsewhere(line): elsewhere.append(line)
            case let .stop(outcome): return outcome
            }
        }
        if configuration.dryRun { return .dryRun(commands: dryRunCommands + elsewhere.map { "# " + $0 }, blockers: prepared.problems) }
        return .completed(ran: ran, remainingElsewhere: elsewhere)
    }

    /// What one step came to.
    enum StepResult {
        case done
        case dryRun(String)
        /// Not run by `run` (client groups): listed at the end.
        case elsewhere(String)
        case stop(Outcome)
    }

    /// The one dispatch over step kinds; a new kind adds a case here and its own `PlanRunner+Kind.swift`.
    func perform(_ step: PlanStep, prepared: Prepared, store: JournalStore) async throws(PlanningError) -> StepResult {
        switch step.phase {
        case .internalize:
            return try await internalize(step, store: store)
        case .clientAgents:
            return .elsewhere("step \(step.number) on group \(step.group ?? "?"): \(step.chocoCommand(source: plan.source).masked)")
        // A licence step on a client group goes out like the client agents' (CCM deployment or per client).
        case .license where step.group != nil:
            return .elsewhere("step \(step.number) on group \(step.group ?? "?"): \(step.chocoCommand(source: plan.source).masked)")
        case .serverPrerequisites, .database, .service, .web, .hostAgent, .license:
            return try await hostStep(step, prepared: prepared, store: store)
        case .restart:
            return try await restart(step, store: store)
        }
    }

    /// The internalize step: the feed must hold every package; the internalize command brings them in.
    private func internalize(_ step: PlanStep, store: JournalStore) async throws(PlanningError) -> StepResult {
        var missing: [PinnedPackage] = []
        for package in step.packages where !(await configuration.feedHas(package.id, package.version)) {
            missing.append(package)
        }
        if configuration.dryRun {
            return .dryRun("# step \(step.number): internalize into \(plan.source): \(missing.isEmpty ? "nothing missing" : missing.map(\.description).joined(separator: ", "))")
        }
        if !missing.isEmpty, let internalize = configuration.internalize {
            configuration.log("step \(step.number): internalizing \(missing.map(\.description).joined(separator: ", "))")
            if let failure = await internalize(missing) {
                return .stop(.failed(step: step.number, reason: "internalize failed: \(failure)"))
            }
            missing = []
            for package in step.packages where !(await configuration.feedHas(package.id, package.version)) {
                missing.append(package)
            }
        }
        guard missing.isEmpty else {
            return .stop(.failed(step: step.number, reason: "the internal feed \(plan.source) still lacks \(missing.map(\.description).joined(separator: ", ")); run `ccm-upgrade internalize` for them, then run again"))
        }
        try store.append(.init(step: step.number, package: step.package, version: step.version.normalized, status: .succeeded,
                               message: "the internal feed has every package"))
        return .done
    }

    /// `run --host NAME` names one of the plan's hosts; a typo would otherwise run nothing and look like success.
    func checkNamedHost() throws(PlanningError) {
        guard let named = configuration.namedHost else { return }
        let planHosts = Array(Set(plan.steps.compactMap(\.host))).sorted()
        guard !planHosts.contains(where: { $0.lowercased() == named.lowercased() }) else { return }
        throw .unknownHost(name: named, planHosts: planHosts)
    }
}

/// The journal of one run: every change is saved at once, atomically.
final class JournalStore: @unchecked Sendable {  // all access under `lock`
    private let lock = NSLock()
    private var current: RunJournal
    let path: String

    init(_ journal: RunJournal, path: String) {
        current = journal
        self.path = path
    }

    var journal: RunJournal { lock.withLock { current } }

    func append(_ entry: RunJournal.Entry) throws(PlanningError) {
        let snapshot = lock.withLock { () -> RunJournal in
            current.entries.append(entry)
            return current
        }
        try snapshot.save(path: path)
    }
}
