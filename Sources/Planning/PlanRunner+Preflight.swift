import Diagnostics
import Versioning

extension PlanRunner {
    /// What the remaining steps need, resolved before step 1.
    struct Prepared: Sendable {
        /// Every secret of the steps the run executes, by reference.
        var secrets: [SecretReference: String] = [:]
        /// What would stop a real run (a dry run lists them instead of stopping).
        var problems: [String] = []
    }

    /// Resolves everything the remaining steps need before step 1, so that a run that cannot finish does not
    /// start: each host the run reaches answers (and has PowerShell, where a restart step runs), every secret
    /// resolves (prompts are asked now, not in the middle of the upgrade), every package is in the internal feed or in the plan's internalize step, no
    /// host's installed version contradicts the plan, and the choco of an interrupted run has ended.
    func prepare(_ store: JournalStore) async throws(PlanningError) -> Prepared {
        let journal = store.journal
        let pending = plan.steps.filter { !journal.isDone($0.number) }
        var prepared = Prepared()
        var problems: [String] = []

        // Hosts: each one once, before anything else (an unreachable host makes the rest moot; one reached
        // where choco cannot run still gets its other checks, so that every blocker is listed at once).
        var unreachable: Set<String> = []
        var withoutChoco: Set<String> = []
        var checked: Set<String> = []
        for step in pending {
            guard let name = step.host, let host = host(of: step), checked.insert(name.lowercased()).inserted else { continue }
            do { try await host.checkReachable() } catch {
                if case .unreachable = error { unreachable.insert(name.lowercased()) } else { withoutChoco.insert(name.lowercased()) }
                problems.append("host \(name) (\(host.location)): \(error)")
            }
        }
        // PowerShell, where a restart step runs (a licence renewal's service, website and agent restarts).
        var powershellChecked: Set<String> = []
        for step in pending where step.restart != nil {
            guard let name = step.host, !unreachable.contains(name.lowercased()), let host = host(of: step),
                  powershellChecked.insert(name.lowercased()).inserted else { continue }
            do { try await host.checkPowerShell() } catch {
                problems.append("host \(name) (\(host.location)), restart step \(step.number): \(error)")
            }
        }

        // Secrets: every reference of every step the run executes itself.
        for step in pending where host(of: step) != nil {
            for parameter in step.parameters + step.sensitiveParameters {
                guard case let .secret(reference) = parameter.value, prepared.secrets[reference] == nil else { continue }
                if configuration.dryRun, case .prompt = reference { continue }  // a dry run asks nothing
                do {
                    let value = try configuration.resolveSecret(reference)
                    Redaction.register(value)  // masked in anything printed or journalled from now on
                    prepared.secrets[reference] = value
                } catch {
                    problems.append("step \(step.number) (\(step.package) on \(step.host ?? "?")), /\(parameter.name): \(error.description)")
                }
            }
        }

        // The feed: what the internalize step brings in counts as there.
        let internalized = Set(pending.filter { $0.phase == .internalize }.flatMap(\.packages).map { "\($0.id.lowercased()) \($0.version.normalized)" })
        // A restart step installs nothing: its package names what it is for.
        for step in pending where host(of: step) != nil && step.restart == nil && !internalized.contains("\(step.package.lowercased()) \(step.version.normalized)") {
            if !(await configuration.feedHas(step.package, step.version)) {
                problems.append("step \(step.number): the internal feed \(plan.source) does not have \(step.package) \(step.version.normalized)")
            }
        }

        // An interrupted step's choco may still run on its host (here, or there after a lost connection): wait
        // for it before reading any version.
        for step in pending where journal.isUnverified(step.number) {
            guard let name = step.host, !unreachable.contains(name.lowercased()), let host = host(of: step) else { continue }
            let marker = journal.latest(step.number)?.marker
            let onHost = host.isLocal ? "" : " on \(name)"
            func running() async -> [Int32]? {
                do { return try await host.runningChoco(marker: marker) } catch {
                    // The installed version still decides; the admin is told what could not be checked.
                    configuration.log("warning: step \(step.number): cannot tell whether a choco still runs\(onHost) (\(error)); the installed version decides")
                    return nil
                }
            }
            guard let orphans = await running(), !orphans.isEmpty else { continue }
            let processes = "process\(orphans.count == 1 ? "" : "es") \(orphans.map(String.init).joined(separator: ", "))"
            if configuration.dryRun {
                problems.append("step \(step.number): the choco of an interrupted run (\(processes)\(onHost)) is still running; a real run waits for it")
                continue
            }
            configuration.log("step \(step.number): the choco of an interrupted run (\(processes)\(onHost)) is still running \(step.package); waiting for it to end (Ctrl-C stops waiting)")
            var ended = false
            while let still = await running() {
                if still.isEmpty { ended = true; break }
                do { try await Task.sleep(for: configuration.orphanPollInterval) } catch {
                    throw .cannotStart(problems: ["interrupted while waiting for the choco of an interrupted run (\(processes)\(onHost)); nothing was started"])
                }
            }
            // A check that failed while waiting was warned about; the version read next decides either way.
            if ended { configuration.log("step \(step.number): that choco ended; its result is read from the installed version") }
        }

        // The installed versions must still be the ones the plan was made from (or already the target).
        // One look per host for all of its steps' packages (a restart step installs nothing).
        var byHost: [(name: String, host: any ChocoHost, steps: [PlanStep])] = []
        for step in pending where step.restart == nil {
            guard let name = step.host, !unreachable.contains(name.lowercased()), !withoutChoco.contains(name.lowercased()),
                  let host = host(of: step) else { continue }
            if let index = byHost.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) { byHost[index].steps.append(step) } else {
                byHost.append((name, host, [step]))
            }
        }
        for (name, host, steps) in byHost {
            do {
                let installed = try await host.installedVersions(of: steps.map(\.package))
                for step in steps {
                    if let reason = stale(step, installed: installed[step.package.lowercased()]) { problems.append("step \(step.number): \(reason)") }
                }
            } catch {
                problems.append("host \(name) (\(host.location)): cannot read the installed versions: \(error)")
            }
        }

        // Hosts the run does not reach: said now, not discovered halfway.
        let byHand = pending.filter { $0.host != nil && host(of: $0) == nil }
        if let first = byHand.first, problems.isEmpty {
            let hosts = Array(Set(byHand.compactMap(\.host))).sorted()
            let names = hosts.joined(separator: ", ")
            configuration.log("note: \(names) \(hosts.count == 1 ? "is" : "are") not reached by this run (no ssh: in the inventory, not --host): it stops at step \(first.number) with the command to run there; record it with --confirm \(first.number)")
        }
        if configuration.dryRun {
            prepared.problems = problems
        } else if !problems.isEmpty {
            throw .cannotStart(problems: problems)
        }
        return prepared
    }

    /// Why `installed` contradicts the plan for `step`, or nil when it is the planned starting point or the target.
    func stale(_ step: PlanStep, installed: NuGetVersion?) -> String? {
        guard let installed, let from = step.fromVersion, installed != from, installed != step.version else { return nil }
        return "the plan is stale: \(step.package) is at \(installed.normalized) on \(step.host ?? "its host"), the plan expected \(from.normalized); make a new plan"
    }
}
