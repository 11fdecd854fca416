import Compatibility
import Diagnostics
import Foundation
import Planning
import PowerShell

/// Checks deployment-plan files (emitted or hand-made) for the pitfalls of ccm.md §9–§10.7: chained choco
/// commands, scripts not ending in `exit $LASTEXITCODE`, infinite timeouts, server packages combined or
/// out of order, steps without target groups, an agent upgrading itself without the scheduled-task
/// restart, clear-text secrets, and format errors.
public enum DeploymentLinter {
    /// Lints the JSON text of one file. Sorted: plan first, then by step.
    public static func lint(_ data: Data, file: String, now: Date = Date()) -> [Diagnostic] {
        let (document, readProblems) = DocumentReader.read(data, file: file)
        guard let document else { return readProblems }
        return (readProblems + lint(document, file: file, now: now)).sorted()
    }

    /// Lints a document already in memory (e.g. straight from the emitter).
    public static func lint(_ document: DeploymentPlanDocument, file: String, now: Date = Date()) -> [Diagnostic] {
        var out: [Diagnostic] = []
        // Every message may quote the script (a package name, a flag, a line): secrets in it are masked here,
        // in one place, rather than at each quote.
        func add(_ step: Int?, _ severity: Diagnostic.Severity, _ rule: String, _ message: String) {
            out.append(Diagnostic.lint(file: file, step: step, severity, rule: rule, Redaction.mask(message)))
        }
        planChecks(document, now: now, add: add)
        var serverSteps: [(position: Int, order: Int, package: String, version: String?)] = []
        var agentPhasePositions: [(position: Int, order: Int)] = []
        for (index, step) in document.deploymentSteps.enumerated() {
            let position = index + 1
            stepOptionChecks(step, position: position, add: add)
            let packages: [(id: String, version: String?)]
            if step.isPrivileged {
                packages = advancedChecks(step, position: position, add: add)
            } else {
                packages = basicChecks(step, position: position, add: add)
            }
            let server = packages.filter { CCMCatalogue.standard.serverPackageIDs.contains($0.id) }
            if server.count > 1 {
                add(position, .error, LintRule.serverCombined,
                    "upgrades \(server.map(\.id).joined(separator: ", ")) in one step; use one step per server package (database, then service, then web): no dependency links them and one command for all three 'may work but may not'")
            }
            for package in server { serverSteps.append((position, step.planOrder, package.id, package.version)) }
            if !server.isEmpty {
                if !step.requireSuccessOnAllComputers || !step.failOnError {
                    add(position, .warning, LintRule.serverSafety,
                        "server step without \(step.requireSuccessOnAllComputers ? "" : "RequireSuccessOnAllComputers (\"only run other steps if successful\")")\(!step.requireSuccessOnAllComputers && !step.failOnError ? " and " : "")\(step.failOnError ? "" : "FailOnError"): a failed \(server[0].id) upgrade would let the next steps run against a half-upgraded CCM")
                }
            } else if !packages.isEmpty {
                agentPhasePositions.append((position, step.planOrder))
            }
        }
        orderChecks(serverSteps, agentPhase: agentPhasePositions, add: add)
        return out.sorted()
    }

    // MARK: Plan

    private static func planChecks(_ document: DeploymentPlanDocument, now: Date, add: (Int?, Diagnostic.Severity, String, String) -> Void) {
        if document.name.trimmingCharacters(in: .whitespaces).isEmpty { add(nil, .error, LintRule.format, "'Name' is empty") }
        if document.executionTimeoutInSeconds == 0 {
            add(nil, .error, LintRule.infiniteExecution, "plan ExecutionTimeoutInSeconds is 0 (infinite): steps created from it stall on offline computers until the plan is cancelled; use e.g. 14400")
        } else if document.executionTimeoutInSeconds < 0 {
            add(nil, .error, LintRule.format, "plan ExecutionTimeoutInSeconds must be positive")
        }
        if !(0...9).contains(document.repeatPeriod) { add(nil, .error, LintRule.format, "RepeatPeriod \(document.repeatPeriod) is not 0 (none), 1 (daily), 2 (weekly) … 9") }
        let formatter = ISO8601DateFormatter()
        let start = document.scheduledDateTimeUtc.map { ($0, formatter.date(from: $0)) }
        let end = document.lastScheduledDateTimeUtc.map { ($0, formatter.date(from: $0)) }
        if let (text, date) = start {
            if let date {
                if date < now.addingTimeInterval(30 * 60) {
                    add(nil, .warning, LintRule.schedule, "ScheduledDateTimeUtc \(text) is less than 30 minutes ahead: CCM makes you reschedule imported plans that start sooner")
                }
            } else {
                add(nil, .error, LintRule.schedule, "ScheduledDateTimeUtc '\(text)' is not an ISO-8601 UTC date-time such as 2026-12-01T22:00:00Z")
            }
        }
        if let (text, date) = end {
            if start == nil {
                add(nil, .error, LintRule.schedule, "LastScheduledDateTimeUtc (the maintenance window's end) is set without ScheduledDateTimeUtc")
            } else if date == nil {
                add(nil, .error, LintRule.schedule, "LastScheduledDateTimeUtc '\(text)' is not an ISO-8601 UTC date-time")
            } else if let startDate = start?.1, let endDate = date, endDate <= startDate {
                add(nil, .error, LintRule.schedule, "the maintenance window ends (\(text)) before the scheduled start")
            }
        }
        if document.deploymentSteps.isEmpty { add(nil, .error, LintRule.format, "DeploymentSteps is empty: the plan does nothing") }
        let orders = document.deploymentSteps.map(\.planOrder)
        if !orders.isEmpty, orders.sorted() != Array(1...orders.count) {
            add(nil, .error, LintRule.planOrder, "PlanOrder values \(orders.map(String.init).joined(separator: ", ")) are not 1…\(orders.count), each once")
        }
    }

    // MARK: Step options

    private static func stepOptionChecks(_ step: DeploymentStepDocument, position: Int, add: (Int?, Diagnostic.Severity, String, String) -> Void) {
        if step.name.trimmingCharacters(in: .whitespaces).isEmpty { add(position, .warning, LintRule.format, "'Name' is empty") }
        if step.executionTimeoutInSeconds == 0 {
            add(position, .error, LintRule.infiniteExecution, "ExecutionTimeoutInSeconds is 0 (infinite): an offline computer stalls this step and the only way out is cancelling the plan; use e.g. 14400")
        } else if step.executionTimeoutInSeconds < 0 {
            add(position, .error, LintRule.format, "ExecutionTimeoutInSeconds must be positive")
        }
        if step.machineContactTimeoutInMinutes == 0 {
            add(position, .warning, LintRule.infiniteContact, "MachineContactTimeoutInMinutes is 0 (infinite): the step waits for offline computers indefinitely; fine for semi-connected fleets, otherwise give minutes")
        } else if step.machineContactTimeoutInMinutes < 0 {
            add(position, .error, LintRule.format, "MachineContactTimeoutInMinutes must be 0 or more")
        }
        let codes = step.validExitCodes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if let bad = codes.first(where: { Int($0) == nil }) {
            add(position, .error, LintRule.exitCodes, "ValidExitCodes '\(step.validExitCodes)': '\(bad)' is not a number; write e.g. \"0, 1605, 1614, 1641, 3010\"")
        } else if !codes.contains("0") {
            add(position, .error, LintRule.exitCodes, "ValidExitCodes '\(step.validExitCodes)' lacks 0: every successful run would count as failed")
        } else if !codes.contains("3010") {
            add(position, .warning, LintRule.exitCodes, "ValidExitCodes lacks 3010 (reboot required): a successful upgrade that needs a reboot counts as failed")
        }
        if step.deploymentStepGroupIds.isEmpty {
            add(position, .warning, LintRule.noGroups, "no target groups (DeploymentStepGroupIds is empty): the step runs nowhere until groups are selected in CCM or given with 'deployment push --group'")
        }
    }

    // MARK: Scripts

    private static func basicChecks(_ step: DeploymentStepDocument, position: Int, add: (Int?, Diagnostic.Severity, String, String) -> Void) -> [(id: String, version: String?)] {
        guard let basic = ScriptAnalysis.basic(step.script) else {
            if step.script.lowercased().contains("choco ") || step.script.contains("\n") {
                add(position, .error, LintRule.privilegedMismatch, "IsPrivileged is false but the script is PowerShell; basic steps are 'command|package|version|prerelease' (set IsPrivileged true for an advanced step)")
            } else {
                add(position, .error, LintRule.basicScript, "basic script '\(step.script)' is not 'command|package|version|prerelease', e.g. upgrade|chocolatey-agent|4.1.0|false")
            }
            return []
        }
        if !["install", "upgrade", "uninstall"].contains(basic.command) {
            let hint = ["install", "upgrade", "uninstall"].contains(basic.command.lowercased()) ? " (lower case: CCM answered capitalized commands with HTTP 400)" : ""
            add(position, .error, LintRule.basicScript, "command '\(basic.command)' must be install, upgrade or uninstall\(hint)")
        }
        if basic.package.isEmpty || basic.package.contains(" ") {
            add(position, .error, LintRule.basicScript, "package name '\(basic.package)' must be one id without spaces")
        }
        if !basic.version.isEmpty, basic.version.contains(" ") || !basic.version.contains(where: \.isNumber) {
            add(position, .error, LintRule.basicScript, "version '\(basic.version)' must have no spaces and contain a digit")
        }
        if let prerelease = basic.prerelease {
            if prerelease == "True" || prerelease == "False" {
                add(position, .warning, LintRule.basicScript, "prerelease '\(prerelease)': CCM's own exports write lower-case true/false")
            } else if prerelease != "true", prerelease != "false" {
                add(position, .error, LintRule.basicScript, "prerelease '\(prerelease)' must be true or false")
            }
        }
        // Several ids in one basic step (`a,b` or `a;b`) count as several packages.
        let ids = basic.package.lowercased().split(whereSeparator: { $0 == "," || $0 == ";" }).map(String.init)
        let upgrades = basic.command.lowercased() != "uninstall"
        if upgrades, ids.contains(CCMCatalogue.standard.agentID) {
            add(position, .error, LintRule.agentRestart, "the agent cannot upgrade itself from a basic step (it runs the step and would be stopped by its own upgrade); use an advanced step that upgrades with /NoRestartService and registers a scheduled task restarting chocolatey-agent (ccm-upgrade deployment emit writes one)")
        }
        if upgrades, ids.contains("all") {
            add(position, .warning, LintRule.upgradeAll, "'upgrade all' also upgrades CCM's server packages and the agent wherever they are installed, in no controlled order; upgrade one package per step")
        }
        return upgrades ? ids.map { ($0, basic.version.isEmpty ? nil : basic.version) } : []
    }

    private static func advancedChecks(_ step: DeploymentStepDocument, position: Int, add: (Int?, Diagnostic.Severity, String, String) -> Void) -> [(id: String, version: String?)] {
        if ScriptAnalysis.basic(step.script) != nil, !step.script.contains("\n"), !step.script.contains(" ") {
            add(position, .error, LintRule.privilegedMismatch, "IsPrivileged is true but the script is a basic command ('\(step.script)'); set IsPrivileged false, or write PowerShell")
            return []
        }
        let analysis = ScriptAnalysis.advanced(step.script)
        for (line, text) in analysis.chained {
            add(position, .error, LintRule.chainedChoco, "script line \(line) chains a choco command ('\(text)'): CCM appends its arguments to choco lines, which then land after the next command; put each choco command on its own line")
        }
        let last = analysis.lastLine?.replacingOccurrences(of: " ", with: "").lowercased()
        if last != "exit$lastexitcode" {
            if let lastChoco = analysis.commands.last?.line, exitsOnFailure(step.script, after: lastChoco) {
                // Chocolatey's own agent-upgrade script checks $LASTEXITCODE, exits on failure and ends with
                // Register-ScheduledTask (D agent/upgrade.mdx; ccm-deployment-examples): failures do reach CCM.
                add(position, .warning, LintRule.exitCode, "the script exits when its last choco command fails but does not end with 'exit $LASTEXITCODE' (ends with '\(analysis.lastLine ?? "")'): success codes such as 3010 (reboot needed) are not passed on to CCM; end with 'exit $LASTEXITCODE' on its own line")
            } else {
                add(position, .error, LintRule.exitCode, "the script must end with 'exit $LASTEXITCODE' on its own line (ends with '\(analysis.lastLine ?? "")'), or CCM records choco's failure as success")
            }
        }
        var packages: [(id: String, version: String?)] = []
        for command in analysis.commands {
            let lower = command.arguments.map { $0.lowercased() }
            if ["install", "upgrade", "uninstall"].contains(command.command),
               !lower.contains(where: { ["-y", "--yes", "--confirm", "-confirm", "-yes"].contains($0) }) {
                add(position, .warning, LintRule.missingConfirm, "script line \(command.line): '\(command.command)' without -y; argument expansion may not apply to API-created scripts, so write -y --no-progress")
            }
            checkSecrets(command, position: position, add: add)
            if ["install", "upgrade"].contains(command.command) {
                for id in command.packages { packages.append((id, command.version)) }
                if command.packages.contains("all") {
                    add(position, .warning, LintRule.upgradeAll, "script line \(command.line): 'upgrade all' also upgrades CCM's server packages and the agent wherever installed; upgrade one package per step")
                }
            }
        }
        if packages.contains(where: { $0.id == CCMCatalogue.standard.agentID || $0.id == "all" }) {
            let lower = step.script.lowercased()
            let registers = lower.contains("register-scheduledtask") || (lower.contains("schtasks") && lower.contains("/create"))
            let restartsAgent = lower.split(separator: "\n").contains { line in
                !ScriptReader.isChoco(line.trimmingCharacters(in: .whitespaces)) && line.contains("chocolatey-agent")
                    && (line.contains("restart-service") || line.contains("start-service") || line.contains("net start"))
            }
            if !(registers && restartsAgent) {
                add(position, .error, LintRule.agentRestart, "the step upgrades chocolatey-agent without registering a scheduled task that restarts chocolatey-agent; the agent runs this step and cannot restart itself (Chocolatey's own client-upgrade deployment schedules the restart)")
            }
        }
        return packages
    }

    /// Whether, after the choco call on `line`, a top-level `if` whose condition reads `$LASTEXITCODE` runs
    /// `exit` or `throw` directly in its body: the script then fails when choco fails, whatever its last line.
    /// Read with the one PowerShell reader (the `PowerShell` module's parser).
    static func exitsOnFailure(_ script: String, after line: Int) -> Bool {
        let parsed = Parser.parse(script, path: "step script")
        let base = parsed.file.rawOffset(0)
        return parsed.statements.contains { statement in
            guard statement.span.line > line, case let .ifStatement(clauses, _) = statement.kind else { return false }
            return clauses.contains { clause in
                let condition = parsed.file.string(clause.condition.span.start - base, clause.condition.span.end - base)
                return condition.lowercased().contains("$lastexitcode") && clause.body.contains { body in
                    if case let .flow(keyword, _) = body.kind { return ["exit", "throw"].contains(keyword.lowercased()) }
                    return false
                }
            }
        }
    }

    private static func checkSecrets(_ command: ScriptReader.ChocoCall, position: Int, add: (Int?, Diagnostic.Severity, String, String) -> Void) {
        let text = command.text
        if text.lowercased().contains("/enterpassword") {
            add(position, .error, LintRule.enterPassword, "script line \(command.line): /EnterPassword prompts on a console, which a deployment step does not have; the step would hang until it times out. Use a CCM sensitive variable")
        }
        // /Password:VALUE, /Password=VALUE, Password=VALUE inside a connection string, --password VALUE.
        let pattern = #"(?i)(/password[:=]|;\s*password=|pwd=|--password[= ]|-p )([^ '";]*)"#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return }
        let range = NSRange(text.startIndex..., in: text)
        for match in regex.matches(in: text, range: range) {
            guard let valueRange = Range(match.range(at: 2), in: text) else { continue }
            let value = String(text[valueRange])
            if value.isEmpty || value.hasPrefix("$") || value.contains("{{") || value.hasPrefix("<") { continue }
            add(position, .error, LintRule.clearTextSecret, "script line \(command.line): a password is written in clear text; use a CCM sensitive variable (Administration → Sensitive Variables) and --package-parameters-sensitive")
        }
    }

    // MARK: Order

    private static func orderChecks(_ server: [(position: Int, order: Int, package: String, version: String?)], agentPhase: [(position: Int, order: Int)],
                                    add: (Int?, Diagnostic.Severity, String, String) -> Void) {
        let rank = Dictionary(uniqueKeysWithValues: CCMCatalogue.standard.serverPackageIDs.enumerated().map { ($1, $0) })
        let sorted = server.sorted { $0.order < $1.order }
        var highest: (rank: Int, package: String)?
        for entry in sorted {
            let current = rank[entry.package] ?? 0
            if let highest, current < highest.rank {
                add(entry.position, .error, LintRule.serverOrder, "\(entry.package) runs after \(highest.package); the order is database → service → web (out of order: 'SqlException: Invalid column name')")
            }
            if highest == nil || current > highest!.rank { highest = (current, entry.package) }
        }
        let versions = Set(server.compactMap(\.version).map { $0.lowercased() })
        if versions.count > 1 {
            add(nil, .error, LintRule.serverVersions, "the server packages are pinned to different versions (\(versions.sorted().joined(separator: ", "))); database, service and web must be the same version")
        }
        if let unpinned = server.first(where: { $0.version == nil }) {
            add(unpinned.position, .warning, LintRule.serverVersions, "\(unpinned.package) is not pinned to a version; pin all three server packages to the same version")
        }
        if !server.isEmpty {
            add(nil, .warning, LintRule.serverViaDeployment, "the plan upgrades CCM's own server packages; Chocolatey advises against upgrading CCM through a deployment, and the service/web steps may end Inconclusive or Unreachable while CCM restarts")
            if let lastServer = server.map(\.order).max(), let early = agentPhase.first(where: { $0.order < lastServer }) {
                add(early.position, .warning, LintRule.serverOrder, "a client step runs before the last server step; the documented order is database → service → web → agents")
            }
        }
    }
}
