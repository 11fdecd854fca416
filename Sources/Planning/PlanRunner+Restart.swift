import Foundation

extension PlanRunner {
    /// What a `restart` step did in ``run()``.
    enum RestartResult {
        /// Ran here and succeeded (journaled).
        case ran
        /// Nothing to do here now: listed as a dry-run command or for the client groups.
        case deferred
        /// The run stops: the step runs on another host, or failed.
        case stop(Outcome)
    }

    /// Runs an allow-listed restart (``RestartAction``) on this host: the PowerShell comes from the action and
    /// the plan's CCM version, never from the plan file. A step on another host waits for it like any
    /// server step; one on a client group is listed with the agent steps (a deployment restarts agents).
    func runRestart(
        _ step: PlanStep, host: String, journal: inout RunJournal, dryRunCommands: inout [String], elsewhere: inout [String]
    ) throws(PlanningError) -> RestartResult {
        guard let action = step.restart else {
            // The validator refuses such plans; never guess a command.
            return .stop(.failed(step: step.number, reason: "step \(step.number) is a restart step without an action"))
        }
        let display = action.displayCommand(ccmVersion: plan.target)
        if let group = step.group {
            elsewhere.append("step \(step.number) on group \(group): \(action.title)")
            return .deferred
        }
        guard step.host?.lowercased() == host else {
            if configuration.dryRun {
                dryRunCommands.append("# step \(step.number) runs on host \(step.host ?? "?"): \(display)")
                return .deferred
            }
            return .stop(.waitingForHost(step: step.number, host: step.host ?? "?", command: display))
        }
        if configuration.dryRun {
            dryRunCommands.append(display)
            return .deferred
        }
        configuration.log("step \(step.number): \(action.title)")
        let (status, output) = Self.runProcess(configuration.powershell, action.powershellArguments(ccmVersion: plan.target), environment: [:])
        let succeeded = status == 0
        if !succeeded {
            for line in output.split(whereSeparator: \.isNewline).suffix(15) { configuration.log("  powershell: \(line)") }
        }
        let message = succeeded ? action.title : "\(action.title) failed: powershell exited \(status)"
        journal.entries.append(.init(step: step.number, package: step.package, version: step.version.normalized,
                                     status: succeeded ? .succeeded : .failed, exitCode: status, command: display,
                                     message: message, at: RunJournal.timestamp()))
        try journal.save(path: configuration.journalPath)
        return succeeded ? .ran : .stop(.failed(step: step.number, reason: message))
    }
}
