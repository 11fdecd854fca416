extension PlanRunner {
    /// Records that step `number` succeeded on a host the run cannot reach (the admin ran it there).
    ///
    /// Refused for a step the run executes itself (this machine or a host it reaches over SSH: it verifies
    /// those by reading the installed version), for feed and client-group steps, and before every earlier
    /// step is done — a confirmation must not jump the safe order. A dry run checks the same and writes nothing.
    /// Returns what was (or would be) recorded, for people.
    public func confirm(step number: Int) throws(PlanningError) -> String {
        try checkNamedHost()
        guard let step = plan.steps.first(where: { $0.number == number }) else {
            throw .refused("--confirm \(number): the plan has no step \(number) (it has steps 1-\(plan.steps.count))")
        }
        guard let name = step.host else {
            throw .refused("--confirm \(number): step \(number) is a \(step.phase.rawValue) step on \(step.place); only a step on a CCM host that `run` does not reach can be confirmed")
        }
        if let host = host(of: step) {
            throw .refused("--confirm \(number): step \(number) runs on host \(name), which `run` reaches (\(host.location)) and verifies itself; run it with `ccm-upgrade run` instead of confirming it")
        }
        let journal = try RunJournal.load(path: configuration.journalPath, plan: plan)
        if journal.isDone(number) { return "step \(number) is already recorded as done" }
        // Client-group steps go out through a CCM deployment and are never journalled: in a licence plan the
        // groups' licence step comes before the host restarts, and must not hold them back.
        let open = plan.steps.filter { $0.number < number && $0.group == nil && !journal.isDone($0.number) }.map(\.number)
        guard open.isEmpty else {
            throw .refused("--confirm \(number): step\(open.count == 1 ? "" : "s") \(open.map(String.init).joined(separator: ", ")) before it \(open.count == 1 ? "has" : "have") not succeeded; the steps run in order, so step \(number) cannot have run yet")
        }
        // A restart step is journalled as the restart it is, not as the licence package's choco command.
        let what = step.restart.map(\.title) ?? "\(step.package) \(step.version.normalized)"
        let command = step.restart?.displayCommand(ccmVersion: plan.target) ?? step.chocoCommand(source: plan.source).masked
        if configuration.dryRun { return "dry run: step \(number) (\(what) on \(name)) would be recorded as done; nothing was written" }
        let lock = try RunLock.acquire(journalPath: configuration.journalPath)
        defer { lock.unlock() }
        var current = try RunJournal.load(path: configuration.journalPath, plan: plan)
        current.entries.append(.init(step: number, package: step.package, version: step.version.normalized, status: .confirmed,
                                     command: command, message: "confirmed by the admin"))
        try current.save(path: configuration.journalPath)
        return "step \(number) (\(what) on \(name)) recorded as done on its host"
    }
}
