import Diagnostics

extension Diagnostic {
    /// A finding of ``DeploymentLinter``: `file:step N` (or the plan itself when `step` is nil).
    static func lint(file: String, step: Int?, _ severity: Severity, rule: String, _ message: String) -> Diagnostic {
        Diagnostic(severity, rule: rule, at: Location(file: file, step: step), message)
    }
}

/// Every rule the linter applies, with its id (for `--format json` consumers and the docs).
public enum LintRule {
    public static let format = "format"
    public static let unknownField = "format.unknown-field"
    public static let planOrder = "format.plan-order"
    public static let schedule = "plan.schedule"
    public static let basicScript = "script.basic-format"
    public static let privilegedMismatch = "script.privileged-mismatch"
    public static let chainedChoco = "script.chained-choco"
    public static let exitCode = "script.exit-lastexitcode"
    public static let missingConfirm = "script.missing-y"
    public static let enterPassword = "script.enter-password"
    public static let clearTextSecret = "script.clear-text-secret"
    public static let infiniteExecution = "timeout.infinite-execution"
    public static let infiniteContact = "timeout.infinite-contact"
    public static let exitCodes = "exit-codes"
    public static let noGroups = "groups.none"
    public static let serverCombined = "server.combined"
    public static let serverOrder = "server.order"
    public static let serverVersions = "server.versions"
    public static let serverSafety = "server.only-if-successful"
    public static let serverViaDeployment = "server.via-deployment"
    public static let agentRestart = "agent.self-upgrade-restart"
    public static let upgradeAll = "script.upgrade-all"
}
