/// One finding of ``DeploymentLinter``: where (file, step), how bad, which rule, and what to do.
public struct LintDiagnostic: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case error, warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .error && rhs == .warning }
    }

    public var file: String
    /// The step's 1-based position in `DeploymentSteps`; nil for the plan itself.
    public var step: Int?
    public var severity: Severity
    /// A stable rule id, e.g. `script.chained-choco`.
    public var rule: String
    public var message: String

    public init(file: String, step: Int?, _ severity: Severity, rule: String, _ message: String) {
        self.file = file
        self.step = step
        self.severity = severity
        self.rule = rule
        self.message = message
    }

    /// `FILE:step N: error: MESSAGE [rule]` (or `FILE: …` for the plan).
    public var description: String {
        "\(file)\(step.map { ":step \($0)" } ?? ""): \(severity.rawValue): \(message) [\(rule)]"
    }

    /// By file, then plan before steps, step order, severity, rule.
    public static func < (lhs: LintDiagnostic, rhs: LintDiagnostic) -> Bool {
        (lhs.file, lhs.step ?? 0, lhs.severity == .error ? 0 : 1, lhs.rule, lhs.message)
            < (rhs.file, rhs.step ?? 0, rhs.severity == .error ? 0 : 1, rhs.rule, rhs.message)
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
