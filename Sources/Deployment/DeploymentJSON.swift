import JSONOutput

/// Writes a ``DeploymentPlanDocument`` exactly as CCM's import format: the documented fields only, in
/// CCM's order, `null` for an absent schedule, integers and booleans as native JSON, two-space indent.
///
/// A hand-written writer rather than `JSONEncoder`: the field order and the explicit `null`s are part of
/// matching CCM's exports, and `JSONEncoder` guarantees neither.
public enum DeploymentJSON {
    /// The document as import-ready JSON text (UTF-8, ends without a newline).
    public static func encode(_ document: DeploymentPlanDocument) -> String {
        var out = "{\n"
        let planFields: [(String, String)] = [
            ("Name", string(document.name)),
            ("ScheduledDateTimeUtc", document.scheduledDateTimeUtc.map(string) ?? "null"),
            ("LastScheduledDateTimeUtc", document.lastScheduledDateTimeUtc.map(string) ?? "null"),
            ("RepeatPeriod", String(document.repeatPeriod)),
            ("ExecutionTimeoutInSeconds", String(document.executionTimeoutInSeconds)),
            ("RequiresApproval", String(document.requiresApproval)),
        ]
        for (name, value) in planFields { out += "  \(string(name)): \(value),\n" }
        if document.deploymentSteps.isEmpty {
            out += "  \"DeploymentSteps\": []\n}"
            return out
        }
        out += "  \"DeploymentSteps\": [\n"
        for (index, step) in document.deploymentSteps.enumerated() {
            let fields: [(String, String)] = [
                ("Name", string(step.name)),
                ("IsPrivileged", String(step.isPrivileged)),
                ("PlanOrder", String(step.planOrder)),
                ("Script", string(step.script)),
                ("ValidExitCodes", string(step.validExitCodes)),
                ("ExecutionTimeoutInSeconds", String(step.executionTimeoutInSeconds)),
                ("FailOnError", String(step.failOnError)),
                ("RequireSuccessOnAllComputers", String(step.requireSuccessOnAllComputers)),
                ("MachineContactTimeoutInMinutes", String(step.machineContactTimeoutInMinutes)),
                ("DeploymentStepGroupIds", "[" + step.deploymentStepGroupIds.map(String.init).joined(separator: ", ") + "]"),
            ]
            out += "    {\n"
            out += fields.map { "      \(string($0.0)): \($0.1)" }.joined(separator: ",\n")
            out += "\n    }" + (index == document.deploymentSteps.count - 1 ? "\n" : ",\n")
        }
        out += "  ]\n}"
        return out
    }

    /// A JSON string literal in the house style (``JSONOutput/quoted(_:)``).
    static func string(_ text: String) -> String { JSONOutput.quoted(text) }
}
