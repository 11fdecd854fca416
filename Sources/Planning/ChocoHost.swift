import Versioning

/// Where a plan's host steps run: this machine (``LocalChocoHost``) or a CCM host over SSH
/// (``RemoteChocoHost``). `PlanRunner` knows nothing else about a host: choco steps run through `runChoco`,
/// restart steps through `runPowerShell`.
public protocol ChocoHost: Sendable {
    /// For messages: `this machine`, `ssh admin@sql01`.
    var location: String { get }
    /// True when choco runs on this machine: an orphaned choco of an interrupted run can be waited for.
    var isLocal: Bool { get }
    /// Checks that the host can be reached and choco answers there; throws why not.
    func checkReachable() async throws(HostFailure)
    /// Runs `choco <arguments>` there; `line` gets each output line as it comes. `secrets` are the values
    /// among the arguments: an implementation keeps them out of every command line it controls (over SSH they
    /// travel on standard input). A local choco gets `marker` in its environment (``OrphanedChoco``).
    func runChoco(_ arguments: [String], secrets: [String], marker: String,
                  line: @escaping @Sendable (String) -> Void) async throws(HostFailure) -> Int32
    /// The installed versions of `ids` there (as Chocolatey reports them), by lower-cased id; an id that is
    /// not installed is absent. One look at the host for all of them (one `choco list` over SSH).
    func installedVersions(of ids: [String]) async throws(HostFailure) -> [String: NuGetVersion]
    /// Choco processes of an interrupted run still running there, which a new choco must not run beside: on
    /// this machine those carrying the step's `marker` (``OrphanedChoco``); over SSH every `choco.exe` (a
    /// remote process's environment cannot be read, and any choco running there is one to wait for).
    func runningChoco(marker: String?) async throws(HostFailure) -> [Int32]
    /// Deletes files below Chocolatey's lib folder there (the documented fix of a known error).
    func deleteFromLib(_ relativePaths: [String]) async throws(HostFailure)
    /// Checks that PowerShell can be started there (asked before step 1 when a restart step is pending);
    /// throws why not.
    func checkPowerShell() async throws(HostFailure)
    /// Runs an allow-listed PowerShell script there (a restart step's, ``RestartAction``: built by the tool,
    /// never read from a plan file) non-interactively and returns PowerShell's exit code, the step's only
    /// verification (0: done). `line` gets each output line as it comes; a local PowerShell gets `marker` in
    /// its environment, as choco does (``OrphanedChoco``). Over SSH: `.connectionLost` when the connection ends
    /// while the script runs (the run journals the step as unknown and runs the restart again next time).
    func runPowerShell(_ script: AllowListedPowerShell, marker: String,
                       line: @escaping @Sendable (String) -> Void) async throws(HostFailure) -> Int32
}

extension ChocoHost {
    /// The installed version of `id` there, nil when it is not installed.
    public func installedVersion(of id: String) async throws(HostFailure) -> NuGetVersion? {
        try await installedVersions(of: [id])[id.lowercased()]
    }
}

/// Why a host could not do what the run asked.
public enum HostFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing ran: the host could not be reached or refused us (DNS, refused, host key changed, authentication).
    case unreachable(String)
    /// The connection ended while a command ran: whether it finished is unknown.
    case connectionLost(String)
    /// The host was reached but the command could not be run (choco not found, lib folder unreadable).
    case failed(String)

    public var description: String {
        switch self {
        case let .unreachable(reason): return "cannot be reached: \(reason)"
        case let .connectionLost(reason): return "the connection was lost: \(reason)"
        case let .failed(reason): return reason
        }
    }
}
