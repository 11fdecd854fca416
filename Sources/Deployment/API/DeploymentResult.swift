/// CCM's numeric `result` of a deployment plan, step or computer (ccm.md §9.3; steps and computers are
/// read with the same enum, which is unverified).
public enum DeploymentResult: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case unknown = 0, draft = 1, pending = 2, ready = 3, deleted = 4, active = 5, cancelled = 6, inconclusive = 7, failed = 8,
         success = 9, unreachable = 10

    public var description: String {
        switch self {
        case .unknown: return "Unknown"
        case .draft: return "Draft"
        case .pending: return "Pending"
        case .ready: return "Ready"
        case .deleted: return "Deleted"
        case .active: return "Active"
        case .cancelled: return "Cancelled"
        case .inconclusive: return "Inconclusive"
        case .failed: return "Failed"
        case .success: return "Success"
        case .unreachable: return "Unreachable"
        }
    }

    /// Reads a number or a name (`"Failed"`), as CCM versions and clients differ.
    public init?(json: JSONValue?) {
        guard let json else { return nil }
        if let number = json.int, let value = DeploymentResult(rawValue: number) {
            self = value
        } else if let name = json.string?.lowercased(), let value = Self.allCases.first(where: { $0.description.lowercased() == name }) {
            self = value
        } else {
            return nil
        }
    }

    /// Finished: Cancelled, Inconclusive, Failed, Success, Unreachable (Inconclusive may still change
    /// with agents ≥ 1.1.0).
    public var isTerminal: Bool { rawValue >= 6 }
}

/// The UI's plan states (ccm.md §9.2): Draft, Ready, Active, Completed (with a result), Archived.
public enum PlanState: Sendable, Hashable, CustomStringConvertible {
    case draft, ready, active, completed(DeploymentResult), archived, other(DeploymentResult)

    public init(result: DeploymentResult, isArchived: Bool) {
        if isArchived { self = .archived; return }
        switch result {
        case .draft: self = .draft
        case .pending, .ready: self = .ready
        case .active: self = .active
        case .cancelled, .inconclusive, .failed, .success, .unreachable: self = .completed(result)
        case .unknown, .deleted: self = .other(result)
        }
    }

    public var description: String {
        switch self {
        case .draft: return "Draft"
        case .ready: return "Ready"
        case .active: return "Active"
        case let .completed(result): return "Completed (\(result))"
        case .archived: return "Archived"
        case let .other(result): return result.description
        }
    }
}

/// A plan's state with its steps and each step's computers. What CCM's answers did not say is `.unknown`
/// (results), nil (a step id, a step's computer list) or a line in ``notes``.
public struct PlanStatus: Sendable, Hashable {
    public struct Computer: Sendable, Hashable {
        public var name: String
        public var result: DeploymentResult
        public var exitCode: Int?
    }

    public struct Step: Sendable, Hashable {
        /// nil when CCM's step list gave none.
        public var id: Int?
        public var name: String
        public var planOrder: Int
        public var result: DeploymentResult
        /// nil when unknown (no step id, or CCM refused the list).
        public var computers: [Computer]?
    }

    public var id: Int
    public var name: String
    public var result: DeploymentResult
    public var isArchived: Bool
    public var finished: Bool
    public var steps: [Step]
    /// What could not be read, and why (missing fields, refused lists).
    public var notes: [String] = []
    /// CCM's plan list holds the plan (false: archived out of reach, deleted, another account's, or a wrong id).
    public var listed = true

    public var state: PlanState { PlanState(result: result, isArchived: isArchived) }

    /// Lines for people: the plan, then each step and its computers, then what is unknown.
    public var text: String {
        var lines = ["deployment plan \(id) '\(name)': \(state)"]
        for step in steps.sorted(by: { $0.planOrder < $1.planOrder }) {
            lines.append("  step \(step.planOrder) '\(step.name)': \(step.result)")
            guard let computers = step.computers else {
                lines.append("    computers: unknown")
                continue
            }
            for computer in computers.sorted(by: { $0.name < $1.name }) {
                lines.append("    \(computer.name): \(computer.result)\(computer.exitCode.map { " (exit code \($0))" } ?? "")")
            }
        }
        lines += notes.map { "  note: \($0)" }
        return lines.joined(separator: "\n")
    }
}
