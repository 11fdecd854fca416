import Diagnostics
/// Why a deployment could not be emitted, read or driven through CCM's API. Messages name the file, the
/// step, the field and what was expected, and say what to do.
public enum DeploymentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A plan step cannot become a deployment step as asked.
    case unsupportedStep(step: Int, package: String, problem: String)
    /// An option is out of range or contradicts another.
    case invalidOption(name: String, problem: String)
    /// The groups file is unreadable or malformed.
    case invalidGroupsFile(file: String, problem: String)
    /// A target group name has no id in the groups file or in CCM.
    case groupNotFound(name: String, known: [String], source: String)
    /// A file could not be read or parsed.
    case invalidFile(file: String, problem: String)
    /// The CCM URL is unusable (not https, or malformed).
    case invalidURL(url: String, problem: String)
    /// The network or TLS failed before CCM answered.
    case transport(url: String, message: String)
    /// The task was cancelled (Ctrl-C) while a request to CCM ran; the transfer was aborted.
    case cancelled(url: String)
    /// `POST /Account/Login` did not start a session.
    case loginFailed(url: String, status: Int, message: String)
    /// CCM refused the session even after logging in again.
    case unauthorized(url: String, status: Int)
    /// CCM answered an API call with an error.
    case apiError(url: String, status: Int, message: String)
    /// CCM's answer was not what the documented wire format says.
    case invalidResponse(url: String, field: String, expected: String)
    /// A secret (username or password) could not be resolved.
    case secretUnavailable(what: String, reason: String)
    /// Waiting for the plan ended before it finished.
    case waitExhausted(planID: Int, polls: Int, lastState: String)

    public var description: String {
        switch self {
        case let .unsupportedStep(step, package, problem): return "plan step \(step) (\(package)): \(problem)"
        case let .invalidOption(name, problem): return "\(name): \(problem)"
        case let .invalidGroupsFile(file, problem): return "\(file): groups file: \(problem)"
        case let .groupNotFound(name, known, source):
            let list = known.isEmpty ? "none" : known.sorted().joined(separator: ", ")
            let suggestion = Suggestion.closest(to: name, in: known).map { "did you mean '\($0)'? " } ?? ""
            return "CCM group '\(name)' is not in \(source) (known: \(list)); \(suggestion)create it in CCM (Groups) or fix the name"
        case let .invalidFile(file, problem): return "\(file): \(problem)"
        case let .invalidURL(url, problem): return "\(url): \(problem)"
        case let .transport(url, message): return "\(url): \(message)"
        case let .cancelled(url): return "\(url): cancelled"
        case let .loginFailed(url, status, message):
            return "\(url): login failed (HTTP \(status)): \(message); check the username and password sources (CCM_USERNAME, CCM_PASSWORD), and that two-factor login is off for this account"
        case let .unauthorized(url, status):
            return "\(url): HTTP \(status) even after logging in again; the account may lack the permission (Create New Deployment Plan / Create New Privileged Deployment Plan) or another login ended the session"
        case let .apiError(url, status, message): return "\(url): CCM answered HTTP \(status): \(message)"
        case let .invalidResponse(url, field, expected): return "\(url): unexpected answer: '\(field)' \(expected)"
        case let .secretUnavailable(what, reason): return "the CCM \(what) cannot be read: \(reason)"
        case let .waitExhausted(planID, polls, lastState):
            return "deployment plan \(planID) is still \(lastState) after \(polls) polls; run 'ccm-upgrade deployment status --id \(planID) --wait' again later"
        }
    }
}
