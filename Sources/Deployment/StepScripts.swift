import Compatibility
import Planning
import Versioning

/// The `Script` of each emitted step (ccm.md §10.4, §10.7).
///
/// - Basic: `upgrade|<id>|<version>|<prerelease>` (lower-case command and boolean).
/// - Advanced: one `choco` command on its own line (CCM appends its own arguments to choco lines, so no
///   `;` chains), `-y --no-progress` written out, secrets as CCM sensitive variables, and
///   `exit $LASTEXITCODE` as the last line.
public enum StepScripts {
    /// A CCM sensitive variable an advanced script refers to, and where its value comes from.
    public struct SensitiveVariable: Sendable, Hashable {
        /// The variable's name in CCM (Administration → Sensitive Variables).
        public var name: String
        /// The plan's secret reference the operator copies the value from.
        public var reference: SecretReference
        public var parameter: String
    }

    /// The name the task that restarts the agent is registered under.
    public static let restartTaskName = "ccm-upgrade restart chocolatey-agent"

    /// `upgrade|<id>|<version>|<prerelease>`.
    public static func basic(package: String, version: NuGetVersion) -> String {
        "upgrade|\(package)|\(version.normalized)|\(version.isPrerelease ? "true" : "false")"
    }

    /// Whether a step needs an advanced script: package parameters, or the agent upgrading itself.
    public static func needsAdvanced(_ step: PlanStep) -> Bool {
        !step.parameters.isEmpty || !step.sensitiveParameters.isEmpty || step.package.lowercased() == CCMCatalogue.standard.agentID
    }

    /// The single `choco upgrade` line of an advanced step.
    static func chocoLine(
        _ step: PlanStep, extraParameters: [String] = [], options: DeploymentOptions
    ) throws(DeploymentError) -> (line: String, variables: [SensitiveVariable]) {
        var line = "choco upgrade \(step.package) --version=\(step.version.normalized)"
        if step.version.isPrerelease { line += " --prerelease" }
        if let source = options.clientSource { line += " --source=\"'\(source)'\"" }
        line += " -y --no-progress"
        var plain: [String] = []
        for parameter in step.parameters {
            switch parameter.value {
            case nil:
                if parameter.name.lowercased() == "enterpassword" {
                    throw .unsupportedStep(step: step.number, package: step.package,
                                           problem: "/EnterPassword prompts on a console, which a CCM deployment step does not have; give the password as a secret reference (env:NAME or file:PATH) in the parameters file, it becomes a CCM sensitive variable")
                }
                plain.append("/\(parameter.name)")
            case let .text(text):
                try checkPlainValue(text, parameter: parameter.name, step: step)
                plain.append("/\(parameter.name):\(text)")
            case .secret:
                // A secret among plain parameters still goes through a sensitive variable (below).
                continue
            }
        }
        plain += extraParameters
        var variables: [SensitiveVariable] = []
        var sensitive: [String] = []
        for parameter in step.parameters.filter(\.isSecret) + step.sensitiveParameters {
            guard case let .secret(reference) = parameter.value else {
                if case let .text(text) = parameter.value {
                    try checkPlainValue(text, parameter: parameter.name, step: step)
                    sensitive.append("/\(parameter.name):\(text)")
                } else {
                    sensitive.append("/\(parameter.name)")
                }
                continue
            }
            let variable = SensitiveVariable(name: variableName(for: reference, package: step.package, parameter: parameter.name),
                                             reference: reference, parameter: parameter.name)
            variables.append(variable)
            sensitive.append("/\(parameter.name):" + options.sensitiveVariableTemplate.replacingOccurrences(of: "NAME", with: variable.name))
        }
        if !plain.isEmpty { line += " --package-parameters=\"'\(plain.joined(separator: " "))'\"" }
        if !sensitive.isEmpty { line += " --package-parameters-sensitive=\"'\(sensitive.joined(separator: " "))'\"" }
        return (line, variables)
    }

    /// An advanced step that upgrades one package (not the agent).
    public static func advanced(_ step: PlanStep, options: DeploymentOptions) throws(DeploymentError) -> (script: String, variables: [SensitiveVariable]) {
        let (line, variables) = try chocoLine(step, options: options)
        return ([line, "exit $LASTEXITCODE"].joined(separator: "\n"), variables)
    }

    /// Parameters the agent package cannot apply when the agent runs its own upgrade: the service account
    /// cannot change while the service runs ("The service password cannot be changed through a Chocolatey
    /// upgrade command while the service is running", D agent/upgrade.mdx), so they are not passed and no
    /// sensitive variable is needed for them.
    public static let agentIgnoredParameters: Set<String> = ["username", "password", "enterpassword"]

    /// Whether the agent step crosses a major version: the docs then upgrade the `chocolatey` package, whose
    /// dependency ranges bring the new agent (D agent/upgrade.mdx, "Major Versions").
    public static func isMajorAgentUpgrade(_ step: PlanStep) -> Bool {
        guard step.package.lowercased() == CCMCatalogue.standard.agentID, let from = step.fromVersion else { return false }
        return step.version.major > from.major
    }

    /// The agent's own upgrade (ccm.md §10.7 item 4; D agent/upgrade.mdx): upgrade without restarting the
    /// service the step runs in, stop with choco's code on failure, then register a one-shot scheduled task
    /// that restarts `chocolatey-agent` a minute later and removes itself. Needs the ScheduledTasks module
    /// (not on Windows Server 2012 R2, licensed issue #273). `/Username`, `/Password` and `/EnterPassword`
    /// are left out (``agentIgnoredParameters``). A major upgrade upgrades `chocolatey` instead, as the docs
    /// say, without a version (the dependency ranges pick the agent).
    public static func agentSelfUpgrade(_ step: PlanStep, options: DeploymentOptions) throws(DeploymentError) -> (script: String, variables: [SensitiveVariable]) {
        var kept = step
        kept.parameters.removeAll { agentIgnoredParameters.contains($0.name.lowercased()) }
        kept.sensitiveParameters.removeAll { agentIgnoredParameters.contains($0.name.lowercased()) }
        let line: String
        let variables: [SensitiveVariable]
        if isMajorAgentUpgrade(step) {
            line = "choco upgrade \(CCMCatalogue.standard.chocolateyID)" + (options.clientSource.map { " --source=\"'\($0)'\"" } ?? "") + " -y --no-progress"
            variables = []
        } else {
            let hasNoRestart = kept.parameters.contains { $0.name.lowercased() == "norestartservice" }
            (line, variables) = try chocoLine(kept, extraParameters: hasNoRestart ? [] : ["/NoRestartService"], options: options)
        }
        let codes = options.validExitCodes.map(String.init).joined(separator: ", ")
        let task = restartTaskName
        let restart = "Restart-Service -Name chocolatey-agent -Force; Unregister-ScheduledTask -TaskName '\(task)' -Confirm:`$false"
        let first = isMajorAgentUpgrade(step)
            ? ["# A major chocolatey-agent upgrade (\(step.fromVersion?.normalized ?? "") -> \(step.version.normalized)) upgrades the chocolatey package,",
               "# whose dependencies bring the agent (docs: agent/upgrade). chocolatey-agent cannot restart itself while it",
               "# runs this step: a one-shot scheduled task restarts the service in \(options.agentRestartDelayMinutes) minute(s)."]
            : ["# chocolatey-agent cannot restart itself while it runs this step: upgrade with /NoRestartService,",
               "# then let a one-shot scheduled task restart the service in \(options.agentRestartDelayMinutes) minute(s)."]
        let lines = first + [
            line,
            "if (@(\(codes)) -notcontains $LASTEXITCODE) {",
            "    Write-Output \"the chocolatey-agent upgrade failed with exit code $LASTEXITCODE\"",
            "    exit $LASTEXITCODE",
            "}",
            "try {",
            "    $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument \"-NoProfile -NonInteractive -Command $([char]34)\(restart)$([char]34)\"",
            "    $trigger = New-ScheduledTaskTrigger -Once -At (Get-Date).AddMinutes(\(options.agentRestartDelayMinutes))",
            "    $principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest",
            "    Register-ScheduledTask -TaskName '\(task)' -Action $action -Trigger $trigger -Principal $principal -Force -ErrorAction Stop | Out-Null",
            "} catch {",
            "    Write-Output \"the agent was upgraded but the restart task could not be registered ($_): restart chocolatey-agent by hand\"",
            "    exit 1",
            "}",
            "exit $LASTEXITCODE",
        ]
        return (lines.joined(separator: "\n"), variables)
    }

    /// Plain values end up inside `"'…'"` in PowerShell: quotes would end the string and `$`/backtick
    /// would be expanded, so they are refused rather than mangled.
    static func checkPlainValue(_ text: String, parameter: String, step: PlanStep) throws(DeploymentError) {
        if let bad = text.first(where: { "'\"$`\n\r".contains($0) }) {
            throw .unsupportedStep(step: step.number, package: step.package,
                                   problem: "/\(parameter) contains \(bad == "\n" || bad == "\r" ? "a line break" : "'\(bad)'"), which cannot be passed safely in a deployment script; make it a secret reference (it becomes a CCM sensitive variable) or change the value")
        }
    }

    /// `env:CCM_SERVICE_PASSWORD` → `CCM_SERVICE_PASSWORD`; other references →
    /// `ChocolateyManagementService_Password`. Letters, digits and `_` only.
    static func variableName(for reference: SecretReference, package: String, parameter: String) -> String {
        let raw: String
        if case let .environment(name) = reference {
            raw = name
        } else {
            let packagePart = package.split(whereSeparator: { $0 == "-" || $0 == "." }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            raw = packagePart + "_" + parameter
        }
        return String(raw.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }
}
