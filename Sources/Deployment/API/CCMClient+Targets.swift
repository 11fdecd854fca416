/// What a plan's steps target in CCM, read back after creating it: whether `Import` honours
/// `DeploymentStepGroupIds` is unverified (ccm.md §11 (3)), and Chocolatey's own exports carry none, so a
/// plan is checked before it is moved to Ready or started.
public struct TargetCheck: Sendable, Hashable {
    /// A step whose targets CCM reported.
    public struct Step: Sendable, Hashable {
        public var planOrder: Int
        public var name: String
        /// Group ids CCM holds for the step; nil when its answer did not say.
        public var groupIDs: [Int]?
    }

    public var steps: [Step]
    /// Per plan order, the group ids the step was created with (nil: nothing to compare against).
    public var expected: [Int: [Int]]?

    /// Steps CCM says target nothing: the plan would run nowhere for them.
    public var untargeted: [Step] { steps.filter { $0.groupIDs?.isEmpty == true } }

    /// Steps whose groups differ from the ones sent (none lost when nothing was expected).
    public var changed: [Step] {
        guard let expected else { return [] }
        return steps.filter { step in
            guard let held = step.groupIDs, let sent = expected[step.planOrder] else { return false }
            return Set(held) != Set(sent) && !held.isEmpty
        }
    }

    /// Steps whose targets could not be read.
    public var unknown: [Step] { steps.filter { $0.groupIDs == nil } }

    /// Nothing to refuse: every step CCM describes targets something, as sent. Unknown steps do not block
    /// (a warning says so): the tool cannot tell, and CCM's own MoveToReady validates the plan.
    public var canStart: Bool { !steps.isEmpty && untargeted.isEmpty && changed.isEmpty }

    /// One line per problem, for the error or warning the command prints.
    public var problems: [String] {
        var lines: [String] = []
        if steps.isEmpty { lines.append("CCM lists no steps for the plan") }
        for step in untargeted {
            let sent = expected?[step.planOrder].map { $0.isEmpty ? "" : " (created with group ids \($0.map(String.init).joined(separator: ", ")))" } ?? ""
            lines.append("step \(step.planOrder) '\(step.name)' targets no group\(sent)")
        }
        for step in changed {
            lines.append("step \(step.planOrder) '\(step.name)' targets group ids \(step.groupIDs!.map(String.init).joined(separator: ", ")), not the \(expected![step.planOrder]!.map(String.init).joined(separator: ", ")) it was created with")
        }
        return lines
    }
}

extension CCMClient {
    /// Reads the plan back with `GetDeploymentPlanForEdit` (`result.deploymentPlan.deploymentSteps[]`, as
    /// ChocoCCM reads it [M1 Get-CCMDeployment]) and each step's `deploymentStepGroups[].groupId`.
    ///
    /// That the edit view carries `deploymentStepGroups` in the shape clients send to `CreateOrEdit` [M1
    /// New-CCMDeploymentStep] is an assumption: when a step lacks it, `GetDeploymentStepForEdit` [M1
    /// Get-CCMDeploymentStep] is asked, and if that says nothing either the step's targets are unknown.
    ///
    /// - Parameter expected: per plan order, the group ids each step was created with.
    public func targets(of id: Int, expected: [Int: [Int]]? = nil) async throws(DeploymentError) -> TargetCheck {
        let edit = try await call(.get, "DeploymentPlans/GetDeploymentPlanForEdit?Id=\(id)")
        let plan = edit["deploymentPlan"] ?? edit
        var steps: [TargetCheck.Step] = []
        for (index, raw) in (plan["deploymentSteps"]?.array ?? []).enumerated() {
            let step = raw["deploymentStep"] ?? raw
            var groups = Self.groupIDs(step)
            if groups == nil, let stepID = step["id"]?.int {
                let single = try? await call(.get, "DeploymentSteps/GetDeploymentStepForEdit?Id=\(stepID)")
                groups = single.flatMap { Self.groupIDs($0["deploymentStep"] ?? $0) }
            }
            steps.append(TargetCheck.Step(planOrder: step["planOrder"]?.int ?? index + 1, name: step["name"]?.string ?? "", groupIDs: groups))
        }
        return TargetCheck(steps: steps.sorted { $0.planOrder < $1.planOrder }, expected: expected)
    }

    /// `deploymentStepGroups[].groupId` (or `DeploymentStepGroupIds`, the import format's name); nil when
    /// neither is there.
    static func groupIDs(_ step: JSONValue) -> [Int]? {
        if let entries = step["deploymentStepGroups"]?.array {
            return entries.compactMap { $0["groupId"]?.int ?? $0.int }
        }
        return step["deploymentStepGroupIds"]?.array?.compactMap(\.int)
    }
}
