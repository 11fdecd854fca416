/// How to reach one CCM host: this machine, or an SSH destination (a `user@host`, a host name, or a name
/// from the user's ssh config) with an optional port, and the shell the Windows OpenSSH server starts
/// (cmd.exe by default, PowerShell when the server's `DefaultShell` says so).
public enum HostAddress: Sendable, Hashable, Codable {
    public enum RemoteShell: String, Sendable, Hashable, Codable {
        case cmd
        case powershell
    }

    case local
    case ssh(destination: String, port: Int?, shell: RemoteShell)
}
