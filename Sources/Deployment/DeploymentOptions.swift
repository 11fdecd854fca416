import Foundation
import Planning

/// How ``DeploymentEmitter`` turns an ``UpgradePlan`` into a CCM deployment plan. The defaults are the safe
/// ones of ccm.md §9.1/§10.8; every value can be changed.
public struct DeploymentOptions: Sendable, Hashable {
    /// The plan name; nil for `ccm-upgrade <from> -> <target>`.
    public var name: String?
    /// Also emit the server steps (prerequisites on the server hosts, database, service, web). Chocolatey
    /// advises against upgrading CCM through its own deployments, so this is off and warns when on.
    public var includeServer = false
    /// Plan-level and per-step execution timeout in seconds (0 = infinite is refused).
    public var executionTimeoutInSeconds = DeploymentDefaults.executionTimeoutInSeconds
    /// Machine contact timeout in minutes (0 = infinite: allowed for semi-connected fleets, with a warning).
    public var machineContactTimeoutInMinutes = DeploymentDefaults.machineContactTimeoutInMinutes
    /// Exit codes counted as success.
    public var validExitCodes = DeploymentDefaults.validExitCodes
    /// `FailOnError` for every step.
    public var failOnError = true
    /// `RequireSuccessOnAllComputers` for server steps ("only run other steps if successful").
    public var serverRequireSuccess = true
    /// `RequireSuccessOnAllComputers` for agent-phase steps (CCM's default and §10.8: false).
    public var agentRequireSuccess = false
    /// Start time (UTC); nil for none. CCM wants imported starts at least 30 minutes ahead.
    public var scheduledStart: Date?
    /// End of the maintenance window (UTC); only with a start.
    public var maintenanceWindowEnd: Date?
    /// `RepeatPeriod` (0 none, 1 daily, 2 weekly).
    public var repeatPeriod = 0
    /// `RequiresApproval`.
    public var requiresApproval = false
    /// Which CCM groups each step targets.
    public var targets: [GroupTarget] = []
    /// CCM group ids by name (from a groups file); nil when unknown, which emits empty group lists.
    public var groupIDs: GroupDirectory?
    /// How a CCM sensitive variable is written into an advanced script; `NAME` is replaced by the variable
    /// name. CCM inserts it from a dropdown and the raw syntax is undocumented (ccm.md §10.4): the default
    /// ``defaultSensitiveVariableTemplate`` is a guess.
    public var sensitiveVariableTemplate = DeploymentOptions.defaultSensitiveVariableTemplate
    /// The operator set the template or confirmed the default against their CCM. Without it, no step that
    /// needs a sensitive variable is emitted (a wrong guess would pass the placeholder text as the secret).
    public var sensitiveVariableTemplateConfirmed = false
    /// Minutes until the scheduled task restarts `chocolatey-agent` after an agent self-upgrade.
    public var agentRestartDelayMinutes = 1
    /// A source name or URL as the clients know it, passed as `--source` in advanced steps (basic steps
    /// cannot pass one); nil to use the clients' configured sources.
    public var clientSource: String?

    public static let defaultSensitiveVariableTemplate = "{{NAME}}"

    public init() {}

    /// Checks ranges and combinations; throws the first problem.
    public func validate() throws(DeploymentError) {
        if executionTimeoutInSeconds == 0 {
            throw .invalidOption(name: "execution timeout", problem: "0 means infinite: an offline computer stalls the step until the plan is cancelled; give seconds, e.g. 14400")
        }
        if executionTimeoutInSeconds < 0 { throw .invalidOption(name: "execution timeout", problem: "must be a positive number of seconds") }
        if machineContactTimeoutInMinutes < 0 { throw .invalidOption(name: "contact timeout", problem: "must be 0 (infinite) or more minutes") }
        // CCM stores these as C# ints; a larger value would be refused by CCM (and by `deployment lint`).
        if executionTimeoutInSeconds > Int(Int32.max) {
            throw .invalidOption(name: "execution timeout", problem: "\(executionTimeoutInSeconds) is out of range: at most \(Int32.max) seconds")
        }
        if machineContactTimeoutInMinutes > Int(Int32.max) {
            throw .invalidOption(name: "contact timeout", problem: "\(machineContactTimeoutInMinutes) is out of range: at most \(Int32.max) minutes")
        }
        if validExitCodes.isEmpty || !validExitCodes.contains(0) {
            throw .invalidOption(name: "valid exit codes", problem: "must include 0 (success)")
        }
        if !(0...9).contains(repeatPeriod) { throw .invalidOption(name: "repeat period", problem: "must be 0 (none), 1 (daily), 2 (weekly) … 9") }
        if maintenanceWindowEnd != nil, scheduledStart == nil {
            throw .invalidOption(name: "maintenance window", problem: "a window end needs a scheduled start")
        }
        if let start = scheduledStart, let end = maintenanceWindowEnd, end <= start {
            throw .invalidOption(name: "maintenance window", problem: "the window must end after the scheduled start")
        }
        if !sensitiveVariableTemplate.contains("NAME") {
            throw .invalidOption(name: "sensitive variable template", problem: "must contain NAME, e.g. {{NAME}}")
        }
        if let clientSource, clientSource.isEmpty || clientSource.contains(where: { "'\"$`\n\r ".contains($0) }) {
            throw .invalidOption(name: "client source", problem: "'\(clientSource)' must be one source name or URL without quotes, spaces or '$'")
        }
        if !(1...1440).contains(agentRestartDelayMinutes) {
            throw .invalidOption(name: "agent restart delay", problem: "\(agentRestartDelayMinutes) is out of range: 1 to 1440 minutes")
        }
    }

    /// ISO-8601 UTC with seconds, as in CCM's exports.
    public static func utcString(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// `--group CCMGROUP=SELECTOR`: the CCM group `groupName` is a target of every plan step `selector` matches.
public struct GroupTarget: Sendable, Hashable, CustomStringConvertible {
    /// Which plan steps.
    public enum Selector: Sendable, Hashable, CustomStringConvertible {
        /// One phase (`database`, `service`, `web`, `server-prerequisites`, `host-agent`, `client-agents`).
        case phase(PlanStep.Phase)
        /// `server`: every server phase (prerequisites, database, service, web).
        case server
        /// `agent-phase`: the agents on the CCM hosts and all client groups.
        case agentPhase
        /// `host:NAME`: steps that run on that host.
        case host(String)
        /// `group:NAME` or a bare name: client-agents steps of that inventory group.
        case inventoryGroup(String)

        public var description: String {
            switch self {
            case let .phase(phase): return phase.rawValue
            case .server: return "server"
            case .agentPhase: return "agent-phase"
            case let .host(name): return "host:\(name)"
            case let .inventoryGroup(name): return "group:\(name)"
            }
        }

        /// Whether `step` is selected.
        public func matches(_ step: PlanStep) -> Bool {
            switch self {
            case let .phase(phase): return step.phase == phase
            case .server: return [.serverPrerequisites, .database, .service, .web].contains(step.phase)
            case .agentPhase: return step.phase == .hostAgent || step.phase == .clientAgents
            case let .host(name): return step.host?.lowercased() == name.lowercased()
            case let .inventoryGroup(name): return step.phase == .clientAgents && step.group?.lowercased() == name.lowercased()
            }
        }
    }

    public var groupName: String
    public var selector: Selector

    public init(groupName: String, selector: Selector) {
        self.groupName = groupName
        self.selector = selector
    }

    /// Parses `CCMGROUP=SELECTOR` (selector: a phase, `server`, `agent-phase`, `host:NAME`, `group:NAME` or
    /// an inventory group name).
    public init(parsing text: String) throws(DeploymentError) {
        guard let equals = text.lastIndex(of: "=") else {
            throw .invalidOption(name: "--group '\(text)'", problem: "expected CCMGROUP=SELECTOR, e.g. Servers=server or Workstations=agent-phase")
        }
        let name = text[..<equals].trimmingCharacters(in: .whitespaces)
        let selector = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !selector.isEmpty else {
            throw .invalidOption(name: "--group '\(text)'", problem: "both the CCM group name and the selector are needed")
        }
        groupName = name
        if let phase = PlanStep.Phase(rawValue: selector.lowercased()), phase != .internalize {
            self.selector = .phase(phase)
        } else if selector.lowercased() == "server" {
            self.selector = .server
        } else if selector.lowercased() == "agent-phase" || selector.lowercased() == "agents" {
            self.selector = .agentPhase
        } else if selector.lowercased().hasPrefix("host:") {
            self.selector = .host(String(selector.dropFirst(5)))
        } else if selector.lowercased().hasPrefix("group:") {
            self.selector = .inventoryGroup(String(selector.dropFirst(6)))
        } else {
            self.selector = .inventoryGroup(selector)
        }
    }

    public var description: String { "\(groupName)=\(selector)" }
}
