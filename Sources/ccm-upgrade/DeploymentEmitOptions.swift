import ArgumentParser
import Deployment
import Foundation

/// The options that shape an emitted CCM deployment: shared by `deployment emit`, `deployment push` and
/// `plan --format deployment` (`@OptionGroup var deployment: DeploymentEmitOptions`, then
/// `try deployment.options()`).
struct DeploymentEmitOptions: ParsableArguments {
    @Option(name: .customLong("deployment-name"), help: "The deployment plan's name (default: 'ccm-upgrade FROM -> TO').")
    var deploymentName: String?

    @Flag(help: "Also put the server steps (database, service, web) in the deployment. Chocolatey advises against it.")
    var includeServer = false

    @Option(name: .customLong("group"), help: ArgumentHelp(
        "CCMGROUP=SELECTOR: target the CCM group with the steps SELECTOR matches: a phase (host-agent, client-agents, database, service, web, server-prerequisites), server, agent-phase, host:NAME, group:NAME or an inventory group name. Repeatable. Client groups default to the CCM group of the same name.",
        valueName: "CCMGROUP=SELECTOR"))
    var groups: [String] = []

    @Option(help: ArgumentHelp("CCM group ids: a saved Groups/GetAll answer, [{\"id\":…,\"name\":…}] or {\"NAME\": ID}.", valueName: "FILE"))
    var groupsFile: String?

    @Option(help: "Execution timeout per step and plan, in seconds (0 = infinite is refused).")
    var executionTimeout = DeploymentDefaults.executionTimeoutInSeconds

    @Option(help: "Machine contact timeout per step, in minutes (0 = infinite, for semi-connected fleets).")
    var contactTimeout = DeploymentDefaults.machineContactTimeoutInMinutes

    @Option(help: "Exit codes counted as success, comma-separated.")
    var validExitCodes = DeploymentDefaults.validExitCodesText

    @Flag(inversion: .prefixedNo, help: "Fail the whole plan when a step fails (FailOnError).")
    var failOnError = true

    @Flag(inversion: .prefixedNo, help: "Server steps: only run the next steps if this one succeeded on all computers.")
    var serverRequireSuccess = true

    @Flag(help: "Agent steps: only run the next steps if this one succeeded on all computers.")
    var agentRequireSuccess = false

    @Option(help: ArgumentHelp("Start time, ISO-8601 UTC (e.g. 2026-12-01T22:00:00Z); CCM wants it 30+ minutes ahead.", valueName: "TIME"))
    var schedule: String?

    @Option(help: ArgumentHelp("End of the maintenance window, ISO-8601 UTC (needs --schedule).", valueName: "TIME"))
    var windowEnd: String?

    @Option(help: "Repeat period: 0 none, 1 daily, 2 weekly.")
    var repeatPeriod = 0

    @Flag(help: "Set RequiresApproval (its meaning is undocumented).")
    var requiresApproval = false

    @Option(help: ArgumentHelp("How a CCM sensitive variable appears in advanced scripts, as your CCM writes it when you insert one; NAME is replaced by the variable name (default, a guess: \(DeploymentOptions.defaultSensitiveVariableTemplate)). Setting it confirms it.", valueName: "TEMPLATE"))
    var sensitiveVariableTemplate: String?

    @Flag(help: "Confirm that the default sensitive-variable template is how your CCM writes a variable (needed before a step with a secret is emitted).")
    var confirmSensitiveVariableTemplate = false

    @Option(help: "Minutes until the scheduled task restarts chocolatey-agent after its upgrade.")
    var agentRestartDelay = 1

    @Option(help: ArgumentHelp("Pass --source with this source name or URL (as the clients know it) in advanced steps; basic steps always use the clients' configured sources.", valueName: "SOURCE"))
    var clientSource: String?

    /// The numbers and fixed-form values, checked when the flags are parsed: a bad one is refused before a
    /// plan is made (files such as --groups-file are read later, by ``options()``).
    func validate() throws {
        var probe = DeploymentOptions()
        probe.executionTimeoutInSeconds = executionTimeout
        probe.machineContactTimeoutInMinutes = contactTimeout
        probe.repeatPeriod = repeatPeriod
        probe.agentRestartDelayMinutes = agentRestartDelay
        probe.sensitiveVariableTemplate = sensitiveVariableTemplate ?? DeploymentOptions.defaultSensitiveVariableTemplate
        probe.clientSource = clientSource
        do { try probe.validate() } catch { throw ValidationError(error.description) }
    }

    /// The library options, validated; a bad value is a `ValidationError` naming the flag.
    func options() throws -> DeploymentOptions {
        var options = DeploymentOptions()
        options.name = deploymentName
        options.includeServer = includeServer
        options.executionTimeoutInSeconds = executionTimeout
        options.machineContactTimeoutInMinutes = contactTimeout
        var codes: [Int] = []
        for part in validExitCodes.split(separator: ",") {
            guard let code = Int(part.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--valid-exit-codes: '\(part)' is not a number")
            }
            codes.append(code)
        }
        options.validExitCodes = codes
        options.failOnError = failOnError
        options.serverRequireSuccess = serverRequireSuccess
        options.agentRequireSuccess = agentRequireSuccess
        options.scheduledStart = try schedule.map { try Self.date($0, flag: "--schedule") }
        options.maintenanceWindowEnd = try windowEnd.map { try Self.date($0, flag: "--window-end") }
        options.repeatPeriod = repeatPeriod
        options.requiresApproval = requiresApproval
        options.sensitiveVariableTemplate = sensitiveVariableTemplate ?? DeploymentOptions.defaultSensitiveVariableTemplate
        options.sensitiveVariableTemplateConfirmed = sensitiveVariableTemplate != nil || confirmSensitiveVariableTemplate
        options.agentRestartDelayMinutes = agentRestartDelay
        options.clientSource = clientSource
        do {
            options.targets = try groups.map { text throws(DeploymentError) in try GroupTarget(parsing: text) }
            if let groupsFile { options.groupIDs = try GroupDirectory.load(path: groupsFile) }
            try options.validate()
        } catch {
            throw ValidationError(error.description)
        }
        return options
    }

    static func date(_ text: String, flag: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        guard let date = formatter.date(from: text) else {
            throw ValidationError("\(flag): '\(text)' is not an ISO-8601 UTC time such as 2026-12-01T22:00:00Z")
        }
        return date
    }
}
