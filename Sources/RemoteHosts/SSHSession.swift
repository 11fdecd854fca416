import Foundation
import Synchronization

/// Runs commands on one CCM host through the system's OpenSSH client, so that the user's ssh config, agent and
/// known_hosts apply as they do at the terminal (jump hosts, `IdentityFile`, certificates, `HostName` aliases).
///
/// Always `BatchMode=yes` (never a password or passphrase prompt in the middle of a run) and
/// `StrictHostKeyChecking=yes` (an unknown or changed host key is refused, never trusted on first use); the command
/// travels as `RemoteScript` describes: a fixed `-EncodedCommand` line, the script and secrets on standard input.
public struct SSHSession: CommandHost {
    /// The host's name in the inventory, used in every message.
    public var name: String
    /// `user@host`, a host name, or a `Host` alias of the ssh config.
    public var destination: String
    public var port: Int?
    /// The Windows OpenSSH server's default shell. The command line works under both; cmd.exe limits its length.
    public var shell: HostAddress.RemoteShell
    /// The OpenSSH client to run (`ssh`, found in PATH).
    public var ssh: ExecutableReference
    /// An ssh config file instead of the user's (`-F`); the tests use their own.
    public var configFile: String?
    /// Seconds to wait for the TCP connection.
    public var connectTimeout: Int
    /// ssh's environment (its agent socket and home, see `ChildEnvironment.sshClient`).
    public var environment: [String: String]

    public init(
        name: String, destination: String, port: Int? = nil, shell: HostAddress.RemoteShell = .cmd, ssh: ExecutableReference = .name("ssh"),
        configFile: String? = nil, connectTimeout: Int = 15,
        environment: [String: String] = ChildEnvironment.minimal(from: ProcessInfo.processInfo.environment, allowed: ChildEnvironment.sshClient)
    ) {
        self.name = name
        self.destination = destination
        self.port = port
        self.shell = shell
        self.ssh = ssh
        self.configFile = configFile
        self.connectTimeout = connectTimeout
        self.environment = environment
    }

    /// cmd.exe's limit on a command line (Microsoft KB 830473).
    public static let cmdLineLimit = 8191

    /// `ssh`'s arguments: options, `--`, the destination, the one command string. Nothing here is secret.
    public var sshArguments: [String] {
        var arguments: [String] = []
        if let configFile { arguments += ["-F", configFile] }
        arguments += [
            "-T",  // no terminal: the output is read, not displayed by a remote console
            "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=yes",
            "-o", "ConnectTimeout=\(connectTimeout)",
            // A silent MSI upgrade can take many minutes; the server answers these while it runs, and a dead
            // connection is noticed in about a minute instead of at TCP's timeout.
            "-o", "ServerAliveInterval=15",
            "-o", "ServerAliveCountMax=4",
            "-o", "LogLevel=ERROR",
            "-o", "ForwardAgent=no",
            "-o", "ForwardX11=no",
            "-o", "ClearAllForwardings=yes",
        ]
        if let port { arguments += ["-p", String(port)] }
        arguments += ["--", destination, RemoteScript.commandLine]
        return arguments
    }

    public func run(_ command: RemoteCommand, onLine: @escaping @Sendable (OutputLine) -> Void) async throws(RemoteHostError) -> RemoteCommandResult {
        try validate()
        let script = RemoteScript(command)
        let markers = Mutex<(started: Bool, notFound: Bool, exitCode: Int32?)>((false, false, nil))
        let child = ChildProcess(executable: ssh, arguments: sshArguments, environment: environment, standardInput: script.standardInput)
        let result: ChildProcessResult
        do {
            result = try await child.run { line in
                if line.stream == .standardOutput, let marker = script.marker(in: line.text) {
                    markers.withLock { state in
                        switch marker {
                        case .started: state.started = true
                        case .notFound: state.notFound = true
                        case .exited(let code): state.exitCode = code
                        }
                    }
                    return
                }
                if line.stream == .standardError {
                    for text in CLIXML.readableLines(line.text) { onLine(OutputLine(.standardError, text)) }
                    return
                }
                onLine(line)
            }
        } catch {
            switch error {
            case .interrupted: throw .interrupted(host: name)
            case .cannotStart(_, let reason): throw .cannotStartSSH(detail: reason)
            }
        }
        let seen = markers.withLock { $0 }
        let lines = result.lines.flatMap { line -> [OutputLine] in
            if line.stream == .standardError { return CLIXML.readableLines(line.text).map { OutputLine(.standardError, $0) } }
            return script.marker(in: line.text) == nil ? [line] : []
        }
        if let exitCode = seen.exitCode { return RemoteCommandResult(exitCode: exitCode, lines: lines) }
        if seen.notFound { throw .programNotFound(host: name, program: command.program) }
        throw Self.classify(host: name, termination: result.termination, standardError: result.standardError, started: seen.started)
    }

    private func validate() throws(RemoteHostError) {
        // A destination starting with '-' would be read as an option by ssh (the '--' guards too); spaces and
        // control characters are never part of a host name or alias.
        if destination.isEmpty || destination.hasPrefix("-") || destination.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } ?? false }) {
            throw .badCommand(host: name, .unsupportedCharacter(in: "the ssh destination '\(destination)'", character: "a leading '-', a space or a control character"))
        }
        if let port, !(1...65535).contains(port) {
            throw .badCommand(host: name, .unsupportedCharacter(in: "the ssh port \(port)", character: "a number outside 1-65535"))
        }
        if shell == .cmd, RemoteScript.commandLine.count + 40 > Self.cmdLineLimit {
            throw .badCommand(host: name, .commandLineTooLong(length: RemoteScript.commandLine.count, limit: Self.cmdLineLimit))
        }
    }

    /// Why ssh ended without the command's exit marker, from ssh's own messages (OpenSSH's wording, the same in
    /// Win32-OpenSSH's client).
    public static func classify(host: String, termination: Termination, standardError: String, started: Bool) -> RemoteHostError {
        let lines = standardError.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        func line(containing needles: [String]) -> String? {
            lines.first { line in needles.contains { line.localizedCaseInsensitiveContains($0) } }
        }
        func detail(_ text: String) -> String {
            var text = text
            if text.hasPrefix("ssh: ") { text.removeFirst(5) }
            return text
        }
        guard termination == .exited(255) else {
            // ssh itself succeeded in connecting: the remote shell or PowerShell failed before the script's first line.
            let reason = lines.suffix(3).joined(separator: " / ")
            if started { return .connectionLost(host: host, detail: "the command ended without reporting its exit code (\(termination))", commandStarted: true) }
            return .commandNotStarted(host: host, detail: reason.isEmpty ? "the remote shell ended with \(termination) before the command began" : reason)
        }
        if let text = line(containing: ["Could not resolve hostname", "Name or service not known", "nodename nor servname", "No such host is known"]) {
            return .nameNotResolved(host: host, detail: detail(text))
        }
        if let text = line(containing: ["Connection refused"]), !started {
            return .connectionRefused(host: host, detail: detail(text))
        }
        if let text = line(containing: ["REMOTE HOST IDENTIFICATION HAS CHANGED", "has changed and you have requested strict checking"]) {
            return .hostKeyChanged(host: host, detail: detail(lines.first { $0.contains("has changed and you have requested") } ?? text))
        }
        if let text = line(containing: ["host key is known for", "Host key verification failed"]) {
            return .hostKeyUnknown(host: host, detail: detail(lines.first { $0.contains("host key is known for") } ?? text))
        }
        if let text = line(containing: ["Permission denied (", "Too many authentication failures", "no more authentication methods"]) {
            return .authenticationFailed(host: host, detail: detail(text))
        }
        if !started, let text = line(containing: ["Connection timed out", "Operation timed out", "No route to host", "Network is unreachable"]) {
            return .unreachable(host: host, detail: detail(text))
        }
        if !started, let text = line(containing: ["kex_exchange_identification", "banner exchange", "Unable to negotiate", "no matching"]) {
            return .connectionFailed(host: host, detail: detail(text))
        }
        // Anything else after the connection was up ("Connection to X closed by remote host", "client_loop: send
        // disconnect: Broken pipe", "Timeout, server X not responding", a reset), or a 255 with no message: the
        // command may have run.
        let text = line(containing: ["closed by remote host", "Broken pipe", "not responding", "Connection reset", "Connection closed"])
        return .connectionLost(host: host, detail: detail(text ?? lines.last ?? "ssh exited 255 without a message"), commandStarted: started)
    }
}

/// What a command on a host ended with.
public struct RemoteCommandResult: Sendable {
    /// The program's own exit code (Windows' full 32 bits, not ssh's 8).
    public var exitCode: Int32
    /// Its output lines, both streams in arrival order, without the marker lines.
    public var lines: [OutputLine]

    public init(exitCode: Int32, lines: [OutputLine]) {
        self.exitCode = exitCode
        self.lines = lines
    }

    /// Both streams as one text (for the known-error check and `choco list` parsing).
    public var output: String { lines.map(\.text).joined(separator: "\n") }
    public var standardOutput: String { lines.filter { $0.stream == .standardOutput }.map(\.text).joined(separator: "\n") }
}

/// Where a step's command runs: this machine (`LocalHost`) or a CCM host over SSH (`SSHSession`).
public protocol CommandHost: Sendable {
    /// The host's name in the inventory.
    var name: String { get }
    /// Runs `command` to its end; every output line goes to `onLine` while it runs.
    func run(_ command: RemoteCommand, onLine: @escaping @Sendable (OutputLine) -> Void) async throws(RemoteHostError) -> RemoteCommandResult
}
