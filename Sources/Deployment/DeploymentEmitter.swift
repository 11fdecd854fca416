import Compatibility
import Diagnostics
import Foundation
import Planning

/// Turns an ``UpgradePlan`` into a CCM deployment plan (import format, ccm.md §10.6).
///
/// - By default only the agent phase (the agents on the CCM hosts and the client groups); with
///   ``DeploymentOptions/includeServer`` also the server steps, with a warning. Internalize steps never
///   become deployment steps: they run against the feed, not on computers.
/// - One deployment step per plan step, in plan order. Basic steps where no parameters are needed,
///   advanced (privileged) PowerShell where they are and for the agent's own upgrade.
/// - Target groups by name, mapped to ids through ``DeploymentOptions/groupIDs``; without ids the step's
///   `DeploymentStepGroupIds` is empty and the document's warnings say so.
public enum DeploymentEmitter {
    /// Builds the document. Throws for options out of range, steps that cannot run in a deployment
    /// (`/EnterPassword`, unsafe characters) and target groups missing from the groups file.
    public static func emit(plan: UpgradePlan, options: DeploymentOptions) throws(DeploymentError) -> DeploymentPlanDocument {
        if LicenseDeployment.handles(plan) { return try LicenseDeployment.emit(plan: plan, options: options) }
        try options.validate()
        let serverPhases: Set<PlanStep.Phase> = [.serverPrerequisites, .database, .service, .web]
        var warnings: [String] = []
        let selected = plan.steps.filter { step in
            if step.phase == .internalize { return false }
            return options.includeServer || !serverPhases.contains(step.phase)
        }
        if plan.steps.contains(where: { $0.phase == .internalize }) {
            warnings.append("the plan's internalize step is not a deployment step: run 'ccm-upgrade internalize' (or the plan's step 1) before starting the deployment")
        }
        let skippedServer = plan.steps.filter { serverPhases.contains($0.phase) }
        if options.includeServer, !skippedServer.isEmpty {
            warnings.append("--include-server: Chocolatey advises against upgrading CCM itself through a deployment; the service and web steps interrupt CCM, so their results may come back Inconclusive or Unreachable; keep a backup and watch the hosts")
        } else if !skippedServer.isEmpty {
            warnings.append("the \(skippedServer.count) server step(s) are not in the deployment: run them on the CCM hosts first ('ccm-upgrade run'), or pass --include-server")
        }
        if selected.isEmpty {
            warnings.append("the plan has no steps for a deployment (nothing in the agent phase)")
        }
        warnings += unmatchedTargets(options.targets, steps: selected)

        var steps: [DeploymentStepDocument] = []
        var variables: [StepScripts.SensitiveVariable] = []
        var ungrouped: [Int] = []
        var unresolved = false
        var ignoredAgentParameters: Set<String> = []
        for step in selected {
            if step.package.lowercased() == CCMCatalogue.standard.agentID {
                for parameter in step.parameters + step.sensitiveParameters
                where StepScripts.agentIgnoredParameters.contains(parameter.name.lowercased()) {
                    ignoredAgentParameters.insert("/" + parameter.name)
                }
            }
            let isServer = serverPhases.contains(step.phase)
            let script: String
            let privileged = StepScripts.needsAdvanced(step)
            if step.package.lowercased() == CCMCatalogue.standard.agentID {
                let built = try StepScripts.agentSelfUpgrade(step, options: options)
                (script, variables) = (built.script, variables + built.variables)
            } else if privileged {
                let built = try StepScripts.advanced(step, options: options)
                (script, variables) = (built.script, variables + built.variables)
            } else {
                script = StepScripts.basic(package: step.package, version: step.version)
            }
            let document = try stepDocument(
                name: "Upgrade \(step.package) to \(step.version.normalized) (\(step.place))", privileged: privileged, script: script,
                order: steps.count + 1, groups: targetGroups(for: step, options: options), onServer: isServer, options: options)
            if document.targetGroupNames.isEmpty { ungrouped.append(document.planOrder) }
            if options.groupIDs == nil, !document.targetGroupNames.isEmpty { unresolved = true }
            steps.append(document)
        }
        if !ignoredAgentParameters.isEmpty {
            warnings.append("agent steps do not pass \(ignoredAgentParameters.sorted().joined(separator: ", ")): the agent package cannot change its service account while the agent runs its own upgrade (docs: agent/upgrade), so no sensitive variable is needed for them; to change the account, follow the docs' scheduled uninstall and reinstall")
        }
        if selected.contains(where: StepScripts.isMajorAgentUpgrade) {
            warnings.append("a major chocolatey-agent upgrade: as the docs say (agent/upgrade), the step upgrades the 'chocolatey' package and its dependency ranges bring the agent; be on the latest chocolatey, chocolatey.extension and chocolatey-agent of the current major first, with the new majors on the clients' source")
        }
        if !variables.isEmpty, !options.sensitiveVariableTemplateConfirmed {
            let needing = steps.filter { step in variables.contains { step.script.contains(options.sensitiveVariableTemplate.replacingOccurrences(of: "NAME", with: $0.name)) } }
            throw .invalidOption(name: "sensitive variable template",
                                 problem: "step(s) \(needing.map { "\($0.planOrder) (\($0.name))" }.joined(separator: ", ")) need a CCM sensitive variable, and Chocolatey does not publish how one is written in a script: \(DeploymentOptions.defaultSensitiveVariableTemplate) is a guess. In CCM, edit an advanced step, insert a variable from the Sensitive Variables dropdown and look at the text it writes; then pass --sensitive-variable-template with that form (NAME for the name), or --confirm-sensitive-variable-template if it is \(options.sensitiveVariableTemplate)")
        }
        if !ungrouped.isEmpty {
            warnings.append("NO TARGET GROUPS for step(s) \(ungrouped.map(String.init).joined(separator: ", ")): these steps run nowhere until you add groups in CCM or pass --group CCMGROUP=SELECTOR (e.g. --group 'CCM Servers=host-agent')")
        }
        if unresolved {
            warnings.append("NO GROUP IDS: CCM group ids are per installation, so DeploymentStepGroupIds are empty; pass --groups-file (a saved Groups/GetAll answer or {\"NAME\": ID}), select the groups in CCM after import, or use 'ccm-upgrade deployment push', which resolves the names through the API")
        }
        if !variables.isEmpty {
            var seen = Set<String>()
            let list = variables.filter { seen.insert($0.name).inserted }.map { "\($0.name) (value from \($0.reference), for /\($0.parameter))" }
            warnings.append("create these CCM sensitive variables before the plan runs (Administration → Sensitive Variables): \(list.joined(separator: "; ")). Their placeholders are written as \(options.sensitiveVariableTemplate) (set or confirmed with --sensitive-variable-template / --confirm-sensitive-variable-template)")
        }
        if options.machineContactTimeoutInMinutes == 0 {
            warnings.append("machine contact timeout 0 is infinite: steps wait for offline computers indefinitely (semi-connected fleets only)")
        }
        if selected.contains(where: { $0.package.lowercased() == CCMCatalogue.standard.agentID }) {
            warnings.append("agent steps restart chocolatey-agent through a scheduled task (ScheduledTasks module: not on Windows Server 2012 R2); for a major agent upgrade Chocolatey advises upgrading the 'chocolatey' package instead")
        }
        let from = plan.from?.normalized ?? "current"
        let name = options.name ?? "ccm-upgrade \(from) -> \(plan.target.normalized)" + (options.includeServer ? "" : " (agents)")
        return DeploymentPlanDocument(
            name: name, scheduledDateTimeUtc: options.scheduledStart.map(DeploymentOptions.utcString),
            lastScheduledDateTimeUtc: options.maintenanceWindowEnd.map(DeploymentOptions.utcString), repeatPeriod: options.repeatPeriod,
            executionTimeoutInSeconds: options.executionTimeoutInSeconds, requiresApproval: options.requiresApproval,
            deploymentSteps: steps, warnings: warnings)
    }

    /// A warning for each `--group` whose selector picks no step of the deployment, with the closest
    /// selector the plan does have (a mistyped host or group name would otherwise leave steps ungrouped).
    static func unmatchedTargets(_ targets: [GroupTarget], steps: [PlanStep]) -> [String] {
        guard !steps.isEmpty else { return [] }
        let hosts = Set(steps.compactMap(\.host)).sorted().map { "host:\($0)" }
        let groups = Set(steps.compactMap { $0.phase == .clientAgents ? $0.group : nil }).sorted().map { "group:\($0)" }
        let phases = Set(steps.map(\.phase.rawValue)).sorted() + ["server", "agent-phase"]
        let known = phases + hosts + groups
        return targets.filter { target in !steps.contains { target.selector.matches($0) } }.map { target in
            let typed = target.selector.description
            // A bare word is read as an inventory group, but may be a mistyped phase: offer both kinds.
            var suggestion = Suggestion.closest(to: typed, in: known)
            if case let .inventoryGroup(name) = target.selector {
                suggestion = Suggestion.closest(to: name, in: phases + groups.map { String($0.dropFirst("group:".count)) }) ?? suggestion
            }
            return "--group \(target.groupName)=\(typed) selects no step of this deployment"
                + (suggestion.map { "; did you mean '\($0)'?" } ?? "; the plan has \(known.joined(separator: ", "))")
        }
    }

    /// One deployment step as both emitters (upgrade and licence plans) write it: the options' exit codes,
    /// timeouts and success rule, and the target groups' ids from `--groups-file` when given (left empty
    /// otherwise, for CCM or `deployment push` to fill in).
    static func stepDocument(name: String, privileged: Bool, script: String, order: Int, groups: [String], onServer: Bool,
                             options: DeploymentOptions) throws(DeploymentError) -> DeploymentStepDocument {
        var ids: [Int] = []
        if let directory = options.groupIDs {
            for group in groups { ids.append(try directory.require(group)) }
        }
        return DeploymentStepDocument(
            name: name, isPrivileged: privileged, planOrder: order, script: script,
            validExitCodes: options.validExitCodes.map(String.init).joined(separator: ", "),
            executionTimeoutInSeconds: options.executionTimeoutInSeconds, failOnError: options.failOnError,
            requireSuccessOnAllComputers: onServer ? options.serverRequireSuccess : options.agentRequireSuccess,
            machineContactTimeoutInMinutes: options.machineContactTimeoutInMinutes, deploymentStepGroupIds: ids, targetGroupNames: groups)
    }

    /// The CCM group names a step targets: every `--group` whose selector matches; without one, a
    /// client-agents step targets the CCM group named like its inventory group.
    public static func targetGroups(for step: PlanStep, options: DeploymentOptions) -> [String] {
        var names: [String] = []
        for target in options.targets where target.selector.matches(step) {
            if !names.contains(where: { $0.lowercased() == target.groupName.lowercased() }) { names.append(target.groupName) }
        }
        if names.isEmpty, step.phase == .clientAgents, let group = step.group { names.append(group) }
        return names
    }
}
