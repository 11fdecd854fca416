/// Why a command on a CCM host did not give a result, with the host named. `outcomeUnknown` separates the
/// failures where nothing ran (the connection never reached the command) from those where the command may have
/// run: the journal records the latter as "unknown" and the next run reads the host's installed version first.
public enum RemoteHostError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The host name does not resolve (DNS, /etc/hosts, the ssh config's `HostName`).
    case nameNotResolved(host: String, detail: String)
    /// Nothing listens on the SSH port (sshd stopped, firewall rule `OpenSSH-Server-In-TCP` missing, wrong port).
    case connectionRefused(host: String, detail: String)
    /// No answer, no route or network down while connecting.
    case unreachable(host: String, detail: String)
    /// The host key differs from the one in known_hosts: possibly another machine. Refused.
    case hostKeyChanged(host: String, detail: String)
    /// known_hosts has no key for the host, and strict checking refuses to trust one unseen.
    case hostKeyUnknown(host: String, detail: String)
    /// The server refused every key offered (and a password is never tried).
    case authenticationFailed(host: String, detail: String)
    /// The connection failed before the command (protocol or handshake error).
    case connectionFailed(host: String, detail: String)
    /// The connection broke while the command ran or before its result came back: it may or may not have run.
    case connectionLost(host: String, detail: String, commandStarted: Bool)
    /// The remote side answered but the command never started (PowerShell missing or refused the script).
    case commandNotStarted(host: String, detail: String)
    /// The program (`choco`) is not on the host's PATH.
    case programNotFound(host: String, program: String)
    /// `ssh` itself could not be started on this machine.
    case cannotStartSSH(detail: String)
    /// The run was interrupted (Ctrl-C); ssh was terminated, the command's outcome is unknown.
    case interrupted(host: String)
    /// The command cannot be sent as given.
    case badCommand(host: String, RemoteCommandError)

    /// Whether the command may have run (and so must be verified before it is run again).
    public var outcomeUnknown: Bool {
        switch self {
        case .connectionLost, .interrupted: true
        default: false
        }
    }

    public var host: String? {
        switch self {
        case .nameNotResolved(let host, _), .connectionRefused(let host, _), .unreachable(let host, _), .hostKeyChanged(let host, _),
            .hostKeyUnknown(let host, _), .authenticationFailed(let host, _), .connectionFailed(let host, _),
            .connectionLost(let host, _, _), .commandNotStarted(let host, _), .programNotFound(let host, _), .interrupted(let host),
            .badCommand(let host, _):
            host
        case .cannotStartSSH: nil
        }
    }

    public var description: String {
        switch self {
        case .nameNotResolved(let host, let detail):
            "cannot reach \(host): its name does not resolve (\(detail)); check the inventory's ssh destination and DNS"
        case .connectionRefused(let host, let detail):
            "cannot reach \(host): connection refused (\(detail)); is the sshd service running and the port open in its firewall?"
        case .unreachable(let host, let detail):
            "cannot reach \(host): \(detail)"
        case .hostKeyChanged(let host, let detail):
            "refusing \(host): its host key has changed since it was recorded in known_hosts (\(detail)); if the server was"
                + " reinstalled, verify its new key and replace the entry (ssh-keygen -R), otherwise someone may be intercepting"
        case .hostKeyUnknown(let host, let detail):
            "refusing \(host): its host key is not in known_hosts (\(detail)); verify the key and add it (ssh-keyscan, or one"
                + " interactive ssh login) before running"
        case .authenticationFailed(let host, let detail):
            "cannot log in to \(host): authentication failed (\(detail)); the key must be in the server's"
                + " administrators_authorized_keys (or the user's authorized_keys) and loaded in your ssh-agent or named by IdentityFile"
        case .connectionFailed(let host, let detail):
            "cannot connect to \(host): \(detail)"
        case .connectionLost(let host, let detail, let started):
            "the connection to \(host) was lost \(started ? "while the command ran" : "before its result came back") (\(detail)):"
                + " whether it ran is unknown"
        case .commandNotStarted(let host, let detail):
            "the command did not start on \(host): \(detail)"
        case .programNotFound(let host, let program):
            "'\(program)' was not found on \(host) (not on the PATH of the SSH user)"
        case .cannotStartSSH(let detail):
            "cannot start ssh: \(detail)"
        case .interrupted(let host):
            "interrupted: the command on \(host) was cut off; whether it ran is unknown"
        case .badCommand(let host, let error):
            "cannot send the command to \(host): \(error)"
        }
    }
}
