import Diagnostics
import Foundation
import Versioning

extension PlanRunner {
    /// One `choco upgrade` on the step's host: journalled as started before choco starts, verified by
    /// reading the installed version afterwards, retried once after a documented fix when allowed.
    func hostStep(_ step: PlanStep, prepared: Prepared, store: JournalStore) async throws(PlanningError) -> StepResult {
        let command = step.chocoCommand(source: plan.source)
        let name = step.host ?? "?"
        guard let host = host(of: step) else {
            if configuration.dryRun { return .dryRun("# step \(step.number) runs on host \(name), which this run does not reach: \(command.masked)") }
            return .stop(.waitingForHost(step: step.number, host: name, command: command.masked))
        }
        if configuration.dryRun {
            return .dryRun(host.isLocal ? command.masked : "# step \(step.number) on host \(name) (\(host.location)): \(command.masked)")
        }
        func stop(_ status: RunJournal.Status, _ reason: String, exitCode: Int32? = nil) throws(PlanningError) -> StepResult {
            try store.append(.init(step: step.number, package: step.package, version: step.version.normalized, status: status,
                                   exitCode: exitCode, command: command.masked, message: reason))
            return .stop(.failed(step: step.number, reason: reason))
        }

        // The version there now decides, for an interrupted step, whether it ran.
        let before: NuGetVersion?
        do { before = try await host.installedVersion(of: step.package) } catch {
            return .stop(.failed(step: step.number, reason: unreachableReason(name, host, error)))
        }
        if store.journal.isUnverified(step.number) {
            if before == step.version {
                try store.append(.init(step: step.number, package: step.package, version: step.version.normalized, status: .succeeded,
                                       command: command.masked,
                                       message: "verified after an interrupted run: \(step.package) \(step.version.normalized) is installed on \(name); not run again"))
                configuration.log("step \(step.number): \(step.package) \(step.version.normalized) is installed on \(name) (the interrupted run finished it); not run again")
                return .done
            }
            configuration.log("step \(step.number): the interrupted run did not finish it (\(step.package) is at \(before?.normalized ?? "nothing") on \(name)); running it")
        }
        if let reason = stale(step, installed: before) { return try stop(.failed, reason) }

        var secrets: [String] = []
        let arguments = try command.arguments { reference throws(PlanningError) in
            guard let value = prepared.secrets[reference] else { throw .secretUnavailable(reference: reference.description, reason: "not resolved before step 1") }
            secrets.append(value)
            return value
        }
        var attempt = 0
        while true {
            attempt += 1
            configuration.log("step \(step.number) on \(name)\(host.isLocal ? "" : " (\(host.location))"): \(command.masked)")
            // Recorded before choco starts: a run killed from here on leaves `started`, never a silent gap.
            let marker = OrphanedChoco.newMarker(step: step.number)
            try store.append(.init(step: step.number, package: step.package, version: step.version.normalized, status: .started,
                                   command: command.masked, message: "choco started on \(name)", marker: host.isLocal ? marker : nil))
            let output = OutputCollector()
            let show = configuration.chocoOutput
            let status: Int32
            // choco is not cancelled with the run (Ctrl-C): an MSI upgrade cut off halfway is worse than one
            // that finishes; the run stops after this step instead (`run`'s loop checks for cancellation).
            let stepSecrets = secrets
            let chocoRun = Task { () async -> Result<Int32, HostFailure> in
                do throws(HostFailure) {
                    return .success(try await host.runChoco(arguments, secrets: stepSecrets, marker: marker, line: { line in
                        let masked = Redaction.redactKnown(line)  // a package script may echo a secret
                        output.append(masked)
                        show(masked)
                    }))
                } catch { return .failure(error) }
            }
            let result = await withTaskCancellationHandler { await chocoRun.value } onCancel: { [log = configuration.log] in
                log("step \(step.number): letting choco finish this step, then stopping (Ctrl-C again quits at once; the next run verifies the step)")
            }
            switch result {
            case let .success(code): status = code
            case let .failure(error):
                switch error {
                case let .connectionLost(reason):
                    return try stop(.unknown, "the connection to host \(name) was lost during the step (\(reason)); whether choco finished is unknown. Run again: the next run reads the installed version on \(name) first and runs the step only if it is not done")
                case .unreachable, .failed:
                    return try stop(.failed, "host \(name) (\(host.location)) \(error); nothing was run. Later steps were not started")
                }
            }
            let after: NuGetVersion?
            do { after = try await host.installedVersion(of: step.package) } catch {
                return try stop(.unknown, "choco exited \(status) on \(name), but the installed version could not be read back (\(error)); the next run reads it first", exitCode: status)
            }
            if Self.validExitCodes.contains(status), after == step.version {
                if Self.rebootExitCodes.contains(status) { configuration.log("step \(step.number): succeeded; a reboot is pending on \(name) (exit code \(status))") }
                try store.append(.init(step: step.number, package: step.package, version: step.version.normalized, status: .succeeded,
                                       exitCode: status, command: command.masked))
                return .done
            }
            let text = output.text
            var reason = Self.validExitCodes.contains(status)
                ? "choco exited \(status) but \(step.package) is at \(after?.normalized ?? "nothing") instead of \(step.version.normalized)"
                : "choco exited \(status)"
            let known = KnownError.matching(text, package: step.package)
            for error in known { reason += "\n  known error (\(error.id)): \(error.explanation)" }
            let fixable = known.filter { !$0.filesToDelete.isEmpty }
            if attempt == 1, configuration.applyKnownFixes, !fixable.isEmpty {
                let files = Array(Set(fixable.flatMap(\.filesToDelete))).sorted()
                configuration.log("step \(step.number): applying the documented fix on \(name): deleting \(files.joined(separator: ", ")) in the lib folder")
                do { try await host.deleteFromLib(files) } catch {
                    return try stop(.failed, reason + "\n  the documented fix could not be applied: \(error)", exitCode: status)
                }
                continue
            }
            if !fixable.isEmpty && !configuration.applyKnownFixes { reason += "\n  run again with --apply-known-fixes to apply the documented fix and retry once" }
            return try stop(.failed, reason, exitCode: status)
        }
    }

    private func unreachableReason(_ name: String, _ host: any ChocoHost, _ error: HostFailure) -> String {
        "host \(name) (\(host.location)) \(error); the step was not started, nor any later one"
    }
}

/// choco's output of one step, kept whole for the known-error check (lines arrive on another thread).
final class OutputCollector: @unchecked Sendable {  // all access under `lock`
    private let lock = NSLock()
    private var lines: [String] = []
    private var size = 0
    /// More than this is dropped from the middle: markers are near the end or the start of choco's output.
    private let limit = 8 << 20

    func append(_ line: String) {
        lock.withLock {
            lines.append(line)
            size += line.utf8.count + 1
            while size > limit, lines.count > 2 { size -= lines.remove(at: lines.count / 2).utf8.count + 1 }
        }
    }

    var text: String { lock.withLock { lines.joined(separator: "\n") } }
}
