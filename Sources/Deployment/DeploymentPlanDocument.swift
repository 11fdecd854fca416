/// A CCM deployment plan in the JSON import/export format of CCM 0.11.0 and later (ccm.md §10.6): what
/// the website's Export writes and Import (UI or `POST DeploymentPlans/Import`) reads.
///
/// Only the documented fields are written, with CCM's PascalCase names, in CCM's order
/// (``DeploymentJSON/encode(_:)``). ``warnings`` and each step's ``DeploymentStepDocument/targetGroupNames``
/// travel with the document for the tool's own use and are never written.
public struct DeploymentPlanDocument: Sendable, Hashable {
    /// `Name`.
    public var name: String
    /// `ScheduledDateTimeUtc`: null, or an ISO-8601 UTC start at least 30 minutes ahead when imported.
    public var scheduledDateTimeUtc: String?
    /// `LastScheduledDateTimeUtc`: null, or the end of the maintenance window.
    public var lastScheduledDateTimeUtc: String?
    /// `RepeatPeriod`: 0 none, 1 daily, 2 weekly (ccm.md §9.3).
    public var repeatPeriod: Int
    /// `ExecutionTimeoutInSeconds`: the plan-level default (CCM's default 14400).
    public var executionTimeoutInSeconds: Int
    /// `RequiresApproval`: in every export, meaning undocumented; emitted false.
    public var requiresApproval: Bool
    /// `DeploymentSteps`, in `PlanOrder`.
    public var deploymentSteps: [DeploymentStepDocument]
    /// What the operator must know about this document (not written to the file).
    public var warnings: [String]

    public init(
        name: String, scheduledDateTimeUtc: String? = nil, lastScheduledDateTimeUtc: String? = nil, repeatPeriod: Int = 0,
        executionTimeoutInSeconds: Int = 14400, requiresApproval: Bool = false, deploymentSteps: [DeploymentStepDocument] = [],
        warnings: [String] = []
    ) {
        self.name = name
        self.scheduledDateTimeUtc = scheduledDateTimeUtc
        self.lastScheduledDateTimeUtc = lastScheduledDateTimeUtc
        self.repeatPeriod = repeatPeriod
        self.executionTimeoutInSeconds = executionTimeoutInSeconds
        self.requiresApproval = requiresApproval
        self.deploymentSteps = deploymentSteps
        self.warnings = warnings
    }
}

/// One entry of `DeploymentSteps` (ccm.md §9.1 for the options, §10.4 for `Script`).
public struct DeploymentStepDocument: Sendable, Hashable {
    /// `Name`.
    public var name: String
    /// `IsPrivileged`: true for an advanced (PowerShell) step, false for a basic one.
    public var isPrivileged: Bool
    /// `PlanOrder`: 1-based.
    public var planOrder: Int
    /// `Script`: `upgrade|<id>|<version>|false` for basic steps, PowerShell for advanced ones.
    public var script: String
    /// `ValidExitCodes`: a comma-separated string, e.g. `0, 1605, 1614, 1641, 3010`.
    public var validExitCodes: String
    /// `ExecutionTimeoutInSeconds`: 0 means infinite (not recommended).
    public var executionTimeoutInSeconds: Int
    /// `FailOnError`: "Fail overall Deployment Plan if not successful".
    public var failOnError: Bool
    /// `RequireSuccessOnAllComputers`: "Only run other Deployment Steps if successful".
    public var requireSuccessOnAllComputers: Bool
    /// `MachineContactTimeoutInMinutes`: 0 means infinite.
    public var machineContactTimeoutInMinutes: Int
    /// `DeploymentStepGroupIds`: CCM group ids (instance-specific).
    public var deploymentStepGroupIds: [Int]
    /// The CCM group names the step targets, when known (not written; `deployment push` resolves them).
    public var targetGroupNames: [String]

    public init(
        name: String, isPrivileged: Bool, planOrder: Int, script: String, validExitCodes: String = DeploymentDefaults.validExitCodesText,
        executionTimeoutInSeconds: Int = DeploymentDefaults.executionTimeoutInSeconds, failOnError: Bool = true,
        requireSuccessOnAllComputers: Bool = false, machineContactTimeoutInMinutes: Int = DeploymentDefaults.machineContactTimeoutInMinutes,
        deploymentStepGroupIds: [Int] = [], targetGroupNames: [String] = []
    ) {
        self.name = name
        self.isPrivileged = isPrivileged
        self.planOrder = planOrder
        self.script = script
        self.validExitCodes = validExitCodes
        self.executionTimeoutInSeconds = executionTimeoutInSeconds
        self.failOnError = failOnError
        self.requireSuccessOnAllComputers = requireSuccessOnAllComputers
        self.machineContactTimeoutInMinutes = machineContactTimeoutInMinutes
        self.deploymentStepGroupIds = deploymentStepGroupIds
        self.targetGroupNames = targetGroupNames
    }
}

/// The defaults ccm-upgrade emits (ccm.md §9.1, §10.8).
public enum DeploymentDefaults {
    /// CCM's default step and plan execution timeout: 4 hours.
    public static let executionTimeoutInSeconds = 14400
    /// Finite, unlike CCM's default of 0 (infinite): an offline computer fails the step after an hour
    /// instead of stalling it.
    public static let machineContactTimeoutInMinutes = 60
    /// CCM's default valid exit codes: success, not installed (1605), unknown product (1614), reboot
    /// initiated (1641), reboot required (3010).
    public static let validExitCodes = [0, 1605, 1614, 1641, 3010]
    /// As CCM writes them: joined with `", "`.
    public static let validExitCodesText = "0, 1605, 1614, 1641, 3010"
}

/// The import format's field names, in the order CCM writes them.
public enum DeploymentFields {
    public static let plan = ["Name", "ScheduledDateTimeUtc", "LastScheduledDateTimeUtc", "RepeatPeriod", "ExecutionTimeoutInSeconds",
                              "RequiresApproval", "DeploymentSteps"]
    public static let step = ["Name", "IsPrivileged", "PlanOrder", "Script", "ValidExitCodes", "ExecutionTimeoutInSeconds", "FailOnError",
                              "RequireSuccessOnAllComputers", "MachineContactTimeoutInMinutes", "DeploymentStepGroupIds"]
}
