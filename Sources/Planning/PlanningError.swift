import Compatibility
import Diagnostics
/// Why a plan could not be made, loaded or run. Messages name the file, the field and what was expected.
public enum PlanningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The inventory cannot be read or planned from; each diagnostic names file, line and field.
    case invalidInventory(InventoryError)
    case invalidParameters(file: String, field: String, problem: String)
    case unknownTarget(version: String, known: String)
    case impossible(reasons: [String])
    case packagesMissing(feed: String, packages: [String])
    case invalidPlan(file: String, problems: [String])
    case secretUnavailable(reference: String, reason: String)
    case io(path: String, reason: String)
    /// `run --host NAME` with a name no step of the plan runs on.
    case unknownHost(name: String, planHosts: [String])
    /// Something the remaining steps need is missing (a secret, a host, a package in the feed): nothing ran.
    case cannotStart(problems: [String])
    /// A request the run refuses (`--confirm` of a step it runs itself, or before its predecessors).
    case refused(String)

    public var description: String {
        switch self {
        // file:line: message per problem; the caller prints the severity.
        case let .invalidInventory(error):
            return error.diagnostics.map { ($0.location.map { "\($0): " } ?? "") + $0.message }.joined(separator: "\n")
        case let .invalidParameters(file, field, problem): return "\(file): parameters field '\(field)': \(problem)"
        case let .unknownTarget(version, known):
            return "CCM \(version) is unknown to this matrix (it knows \(known)); update matrix/ or pass --matrix with a newer copy"
        case let .impossible(reasons): return "the upgrade is not possible:\n" + reasons.map { "  - " + $0 }.joined(separator: "\n")
        case let .packagesMissing(feed, packages):
            return "the internal feed \(feed) lacks \(packages.joined(separator: ", ")); run internalize first or drop --no-internalize"
        case let .invalidPlan(file, problems):
            return "\(file): the plan is refused:\n" + problems.map { "  - " + $0 }.joined(separator: "\n")
        case let .secretUnavailable(reference, reason): return "secret '\(reference)' cannot be resolved: \(reason)"
        case let .io(path, reason): return "\(path): \(reason)"
        case let .unknownHost(name, planHosts):
            if planHosts.isEmpty { return "--host \(name): no step of the plan runs on a host (it has only feed and client-group steps)" }
            return "--host \(name): no step of the plan runs on that host\(Suggestion.didYouMean(name, in: planHosts)) (the plan's hosts: \(planHosts.joined(separator: ", ")))"
        case let .cannotStart(problems):
            return "the run would not finish, so no step was started:\n" + problems.map { "  - " + $0 }.joined(separator: "\n")
        case let .refused(reason): return reason
        }
    }
}
