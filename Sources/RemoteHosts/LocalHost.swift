import Foundation

/// This machine as a CCM host: the program runs as a child process with its arguments as an argument vector
/// (choco takes `--package-parameters-sensitive` there and nowhere else), the allow-listed environment
/// (`ChildEnvironment.windowsAndChoco` plus Chocolatey's own variables) and `extraEnvironment` over it.
public struct LocalHost: CommandHost {
    public var name: String
    public var environment: [String: String]

    public init(name: String, extraEnvironment: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.name = name
        self.environment = ChildEnvironment.minimal(
            from: environment, allowed: ChildEnvironment.windowsAndChoco, keepingChocolatey: true, adding: extraEnvironment)
    }

    public func run(_ command: RemoteCommand, onLine: @escaping @Sendable (OutputLine) -> Void) async throws(RemoteHostError) -> RemoteCommandResult {
        let child = ChildProcess(executable: ExecutableReference(command.program), arguments: command.resolvedArguments, environment: environment)
        do {
            let result = try await child.run(onLine: onLine)
            switch result.termination {
            case .exited(let code): return RemoteCommandResult(exitCode: code, lines: result.lines)
            case .signaled(let signal):
                // Killed from outside (not by us: our cancellation throws). Whatever it did before is unknown.
                throw RemoteHostError.connectionLost(host: name, detail: "\(command.program) was killed by signal \(signal)", commandStarted: true)
            }
        } catch let error as RemoteHostError {
            throw error
        } catch let error as ChildProcessError {
            switch error {
            case .interrupted: throw .interrupted(host: name)
            case .cannotStart(_, let reason): throw .commandNotStarted(host: name, detail: "cannot start '\(command.program)': \(reason)")
            }
        } catch {
            throw .commandNotStarted(host: name, detail: "\(error)")
        }
    }
}

extension HostAddress {
    /// Where to run this host's commands. `configFile` replaces the user's ssh config (`ssh -F`).
    public func commandHost(name: String, configFile: String? = nil, localEnvironment: [String: String] = [:]) -> any CommandHost {
        switch self {
        case .local:
            LocalHost(name: name, extraEnvironment: localEnvironment)
        case .ssh(let destination, let port, let shell):
            SSHSession(name: name, destination: destination, port: port, shell: shell, configFile: configFile)
        }
    }
}
