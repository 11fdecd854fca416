import Foundation

/// A JSON request body with fields in a fixed order (CCM matches names case-insensitively; the API uses
/// camelCase, ccm.md §10.2–10.3).
enum JSONBody {
    case int(Int), bool(Bool), string(String), null, array([JSONBody]), object([(String, JSONBody)])

    var text: String {
        switch self {
        case let .int(value): return String(value)
        case let .bool(value): return String(value)
        case let .string(value): return DeploymentJSON.string(value)
        case .null: return "null"
        case let .array(items): return "[" + items.map(\.text).joined(separator: ",") + "]"
        case let .object(fields): return "{" + fields.map { DeploymentJSON.string($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }
}

/// How ``CCMClient/create(_:groups:method:)`` creates the plan.
public enum CreateMethod: String, Sendable, CaseIterable {
    /// `DeploymentPlans/CreateOrEdit`, then one `DeploymentSteps/CreateOrEdit(Privileged)` per step with
    /// its groups (CCM ≥ 0.4.0; group ids certainly attached).
    case steps
    /// `DeploymentPlans/Import` with the import JSON (CCM ≥ 0.11.0; whether it honours group ids is unverified).
    case `import`
}

extension CCMClient {
    /// `Groups/GetAll`: every group's id by name.
    public func groups() async throws(DeploymentError) -> GroupDirectory {
        let result = try await call(.get, "Groups/GetAll")
        let url = baseURL + "/api/services/app/Groups/GetAll"
        guard let items = result.array ?? result["items"]?.array else {
            throw .invalidResponse(url: url, field: "result", expected: "should be a list of groups")
        }
        do { return GroupDirectory(groups: try GroupDirectory.entries(items, where: url), source: "CCM (\(url))") } catch {
            throw .invalidResponse(url: url, field: "result[]", expected: "should hold objects with 'id' and 'name'")
        }
    }

    /// Creates the plan as a Draft and returns its id. Each step targets `groups[i]` (ids); with
    /// `.import` the ids must already be in the document.
    public func create(_ document: DeploymentPlanDocument, groups: [[(id: Int, name: String)]], method: CreateMethod) async throws(DeploymentError) -> Int {
        switch method {
        case .import:
            let result = try await call(.post, "DeploymentPlans/Import", json: DeploymentJSON.encode(document))
            if let id = result["id"]?.int ?? result.int ?? result["deploymentPlan"]?["id"]?.int { return id }
            // The answer is undocumented: find the newest plan with this name.
            let all = try await call(.get, "DeploymentPlans/GetAll")
            let ids = (all.array ?? all["items"]?.array ?? []).filter { $0["name"]?.string == document.name }.compactMap { $0["id"]?.int }
            guard let id = ids.max() else {
                throw .invalidResponse(url: baseURL + "/api/services/app/DeploymentPlans/Import", field: "result",
                                       expected: "should identify the imported plan, and no plan named '\(document.name)' exists afterwards")
            }
            return id
        case .steps:
            var fields: [(String, JSONBody)] = [("name", .string(document.name))]
            fields.append(("scheduledDateTimeUtc", document.scheduledDateTimeUtc.map { .string($0) } ?? .null))
            fields.append(("lastScheduledDateTimeUtc", document.lastScheduledDateTimeUtc.map { .string($0) } ?? .null))
            fields.append(("repeatPeriod", .int(document.repeatPeriod)))
            fields.append(("executionTimeoutInSeconds", .int(document.executionTimeoutInSeconds)))
            let url = baseURL + "/api/services/app/DeploymentPlans/CreateOrEdit"
            let result = try await call(.post, "DeploymentPlans/CreateOrEdit", json: JSONBody.object(fields).text)
            guard let planID = result["id"]?.int ?? result.int else {
                throw .invalidResponse(url: url, field: "result.id", expected: "should be the new plan's id")
            }
            for (index, step) in document.deploymentSteps.enumerated() {
                let stepGroups = index < groups.count ? groups[index] : step.deploymentStepGroupIds.map { ($0, "") }
                let body = JSONBody.object([
                    ("deploymentPlanId", .int(planID)), ("name", .string(step.name)), ("planOrder", .int(step.planOrder)),
                    ("script", .string(step.script)), ("validExitCodes", .string(step.validExitCodes)),
                    ("executionTimeoutInSeconds", .int(step.executionTimeoutInSeconds)),
                    ("machineContactTimeoutInMinutes", .int(step.machineContactTimeoutInMinutes)),
                    ("failOnError", .bool(step.failOnError)), ("requireSuccessOnAllComputers", .bool(step.requireSuccessOnAllComputers)),
                    ("isPrivileged", .bool(step.isPrivileged)),
                    ("deploymentStepGroups", .array(stepGroups.map { group in
                        .object([("groupId", .int(group.id))] + (group.name.isEmpty ? [] : [("groupName", .string(group.name))]))
                    })),
                ])
                _ = try await call(.post, step.isPrivileged ? "DeploymentSteps/CreateOrEditPrivileged" : "DeploymentSteps/CreateOrEdit", json: body.text)
            }
            return planID
        }
    }

    /// `MoveToReady`: CCM validates the plan; a Draft can then start.
    public func moveToReady(_ id: Int) async throws(DeploymentError) {
        _ = try await call(.post, "DeploymentPlans/MoveToReady", json: JSONBody.object([("id", .int(id))]).text)
    }

    /// `Start`: the plan must be Ready and every target group eligible.
    public func start(_ id: Int) async throws(DeploymentError) {
        _ = try await call(.post, "DeploymentPlans/Start", json: JSONBody.object([("id", .int(id))]).text)
    }

    /// `Cancel`: running steps finish, later ones do not start.
    public func cancel(_ id: Int) async throws(DeploymentError) {
        _ = try await call(.post, "DeploymentPlans/Cancel", json: JSONBody.object([("id", .int(id))]).text)
    }
}
