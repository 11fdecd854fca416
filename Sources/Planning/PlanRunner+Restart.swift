import Diagnostics
import Foundation

extension PlanRunner {
    /// One allow-listed restart (``RestartAction``) on the step's host, through the same ``ChocoHost`` as the
    /// choco steps (this machine, or a CCM host over SSH): the PowerShell comes from the action and the plan's
    /// CCM version, never from the plan file. Journalled as started before PowerShell starts; the verification
    /// is PowerShell's exit code (0: done) — a restart leaves nothing to read back, unlike an installed
    /// version. A restart of an interrupted run (started, or unknown after a lost connection) is simply run
    /// again: restarting a service or the website twice is harmless. A restart on a client group is listed
    /// with the client steps (a CCM deployment restarts the agents).
    func restart(_ step: PlanStep, store: JournalStore) async throws(PlanningError) -> StepResult {
        guard let action = step.restart else {
            // The validator refuses such plans; never guess a command.
            return .stop(.failed(step: step.number, reason: "step \(step.number) is a restart step without an action"))
        }
        let display = action.displayCommand(ccmVersion: plan.target)
        if let group = step.group { return .elsewhere("step \(step.number) on group \(group): \(action.title)") }
        let name = step.host ?? "?"
        guard let host = host(of: step) else {
            if configuration.dryRun { return .dryRun("# step \(step.number) runs on host \(name), which this run does not reach: \(display)") }
            return .stop(.waitingForHost(step: step.number, host: name, command: display))
        }
        if configuration.dryRun {
            return .dryRun(host.isLocal ? display : "# step \(step.number) on host \(name) (\(host.location)): \(display)")
        }
        func record(_ status: RunJournal.Status, _ message: String, exitCode: Int32? = nil, marker: String? = nil) throws(PlanningError) {
            try store.append(.init(step: step.number, package: step.package, version: step.version.normalized, status: status,
                                   exitCode: exitCode, command: display, message: message, marker: marker))
        }
        if store.journal.isUnverified(step.number) {
            configuration.log("step \(step.number): the interrupted run may or may not have restarted it on \(name); restarting again")
        }
        configuration.log("step \(step.number) on \(name)\(host.isLocal ? "" : " (\(host.location))"): \(action.title)")
        // Recorded before PowerShell starts: a run killed from here on leaves `started`, never a silent gap.
        let marker = OrphanedChoco.newMarker(step: step.number)
        try record(.started, "powershell started on \(name)", marker: host.isLocal ? marker : nil)
        let show = configuration.powershellOutput
        let script = action.powershell(ccmVersion: plan.target)
        // Not cancelled with the run (Ctrl-C), like choco: a website stopped and not started again is worse
        // than a restart that finishes; the run stops after this step instead.
        let powershellRun = Task { () async -> Result<Int32, HostFailure> in
            do throws(HostFailure) {
                return .success(try await host.runPowerShell(script, marker: marker, line: { line in
                    show(Redaction.redactKnown(line))
                }))
            } catch { return .failure(error) }
        }
        let result = await withTaskCancellationHandler { await powershellRun.value } onCancel: { [log = configuration.log] in
            log("step \(step.number): letting the restart finish, then stopping")
        }
        switch result {
        case .success(0):
            try record(.succeeded, action.title, exitCode: 0)
            return .done
        case let .success(status):
            let reason = "\(action.title) failed on \(name): powershell exited \(status) (its output is above)"
            try record(.failed, reason, exitCode: status)
            return .stop(.failed(step: step.number, reason: reason))
        case let .failure(.connectionLost(reason)):
            let message = "the connection to host \(name) was lost during the restart (\(reason)); whether it finished is unknown. Run again: the next run restarts it again"
            try record(.unknown, message)
            return .stop(.failed(step: step.number, reason: message))
        case let .failure(error):
            let message = "host \(name) (\(host.location)) \(error); the restart was not run. Later steps were not started"
            try record(.failed, message)
            return .stop(.failed(step: step.number, reason: message))
        }
    }
}
