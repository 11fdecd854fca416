import Compatibility
import Planning

/// A licence-renewal plan (``LicenseRenewalPlanner``) as a CCM deployment plan: the licence package's
/// upgrade on every target as a basic step, then the restarts as advanced steps.
///
/// - The agents cannot restart themselves from a step they run, so an agent restart registers a one-shot
///   scheduled task that restarts `chocolatey-agent` a few minutes later (as the agent's self-upgrade does,
///   ccm.md §10.7 item 4).
/// - The CCM service and website restarts run on the CCM host; like every server step they are emitted only
///   with ``DeploymentOptions/includeServer`` (restarting CCM from its own deployment interrupts it).
public enum LicenseDeployment {
    /// True for plans with licence or restart steps, which ``DeploymentEmitter`` hands over to ``emit(plan:options:)``.
    public static func handles(_ plan: UpgradePlan) -> Bool {
        plan.steps.contains { $0.phase == .license || $0.phase == .restart }
    }

    public static func emit(plan: UpgradePlan, options: DeploymentOptions) throws(DeploymentError) -> DeploymentPlanDocument {
        try options.validate()
        var warnings: [String] = []
        let isServer: (PlanStep) -> Bool = { step in step.restart == .service || step.restart == .website }
        let selected = plan.steps.filter { step in
            guard step.phase == .license || step.phase == .restart else { return false }
            return options.includeServer || !isServer(step)
        }
        let serverRestarts = plan.steps.filter(isServer)
        if !serverRestarts.isEmpty, !options.includeServer {
            warnings.append("the \(serverRestarts.count) CCM service/website restart step(s) are not in the deployment: run them on the CCM host ('ccm-upgrade run'), or pass --include-server")
        } else if !serverRestarts.isEmpty {
            warnings.append("--include-server: restarting the CCM service and website from a deployment interrupts CCM itself; their results may come back Inconclusive")
        }
        if plan.steps.contains(where: { $0.phase != .license && $0.phase != .restart }) {
            warnings.append("the plan's other steps are not in this licence deployment: emit an upgrade plan separately")
        }
        var steps: [DeploymentStepDocument] = []
        var ungrouped: [Int] = []
        var unresolved = false
        for step in selected {
            let script: String
            let privileged: Bool
            let name: String
            switch step.restart {
            case nil:
                script = StepScripts.basic(package: step.package, version: step.version)
                privileged = false
                name = "Upgrade \(step.package) to \(step.version.normalized) (\(step.place))"
            case .agent?:
                script = StepScripts.scheduledAgentRestart(delayMinutes: options.agentRestartDelayMinutes)
                privileged = true
                name = "Restart chocolatey-agent for the renewed licence (\(step.place))"
            case let action?:
                // No native command runs, so $LASTEXITCODE is unset (exit 0); a failing cmdlet stops the script
                // with 1 ($ErrorActionPreference = 'Stop'). The last line is the one `deployment lint` expects.
                script = (action.script(ccmVersion: plan.target) + ["exit $LASTEXITCODE"]).joined(separator: "\n")
                privileged = true
                name = "\(action.title.prefix(1).uppercased() + action.title.dropFirst()) for the renewed licence (\(step.place))"
            }
            var names = DeploymentEmitter.targetGroups(for: step, options: options)
            if names.isEmpty, let group = step.group { names.append(group) }
            let document = try DeploymentEmitter.stepDocument(
                name: name, privileged: privileged, script: script, order: steps.count + 1, groups: names, onServer: step.host != nil,
                options: options)
            if document.targetGroupNames.isEmpty { ungrouped.append(document.planOrder) }
            if options.groupIDs == nil, !document.targetGroupNames.isEmpty { unresolved = true }
            steps.append(document)
        }
        if !ungrouped.isEmpty {
            warnings.append("NO TARGET GROUPS for step(s) \(ungrouped.map(String.init).joined(separator: ", ")): steps for a CCM host need --group CCMGROUP=host:NAME (e.g. --group 'CCM Servers=host:ccm01')")
        }
        if unresolved {
            warnings.append("NO GROUP IDS: pass --groups-file, select the groups in CCM after import, or use 'ccm-upgrade deployment push'")
        }
        if selected.contains(where: { $0.restart == .agent }) {
            warnings.append("agent restarts go through a one-shot scheduled task (ScheduledTasks module: not on Windows Server 2012 R2)")
        }
        let package = plan.steps.first?.package ?? "licence"
        let version = plan.steps.first?.version.normalized ?? ""
        return DeploymentPlanDocument(
            name: options.name ?? "ccm-upgrade licence renewal: \(package) \(version)",
            scheduledDateTimeUtc: options.scheduledStart.map(DeploymentOptions.utcString),
            lastScheduledDateTimeUtc: options.maintenanceWindowEnd.map(DeploymentOptions.utcString), repeatPeriod: options.repeatPeriod,
            executionTimeoutInSeconds: options.executionTimeoutInSeconds, requiresApproval: options.requiresApproval,
            deploymentSteps: steps, warnings: warnings)
    }
}

extension StepScripts {
    /// An advanced script that restarts `chocolatey-agent` through a one-shot scheduled task `delayMinutes`
    /// from now (the agent runs the step, so it cannot restart itself inline; ccm.md §10.7 item 4). The task
    /// removes itself after the restart.
    public static func scheduledAgentRestart(delayMinutes: Int) -> String {
        let task = restartTaskName
        let restart = "Restart-Service -Name chocolatey-agent -Force; Unregister-ScheduledTask -TaskName '\(task)' -Confirm:`$false"
        return [
            "# chocolatey-agent runs this step and cannot restart itself here: a one-shot scheduled task restarts it",
            "# in \(delayMinutes) minute(s), so that it reads the renewed licence.",
            "try {",
            "    $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument \"-NoProfile -NonInteractive -Command $([char]34)\(restart)$([char]34)\"",
            "    $trigger = New-ScheduledTaskTrigger -Once -At (Get-Date).AddMinutes(\(delayMinutes))",
            "    $principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest",
            "    Register-ScheduledTask -TaskName '\(task)' -Action $action -Trigger $trigger -Principal $principal -Force -ErrorAction Stop | Out-Null",
            "} catch {",
            "    Write-Output \"the agent restart task could not be registered ($_): restart chocolatey-agent by hand\"",
            "    exit 1",
            "}",
            "exit $LASTEXITCODE",
        ].joined(separator: "\n")
    }
}
