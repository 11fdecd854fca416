import ArgumentParser
import Foundation

/// The `ccm-upgrade` command: parses arguments and hands the work to the libraries.
@main
struct CCMUpgrade: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccm-upgrade",
        abstract: "Upgrade Chocolatey Central Management safely: internalize packages, check compatibility, plan and run.",
        version: "0.1.0",
        subcommands: [
            InspectCommand.self,
            DownloadCommand.self,
            PushCommand.self,
            InternalizeCommand.self,
            PackCommand.self,
            MatrixCommand.self,
            PlanCommand.self,
            RunCommand.self,
            LintScriptCommand.self,
            DeploymentCommand.self,
        ]
    )

    /// Runs the command; a usage error (unknown flag, bad value) exits 2 like every other bad input, not the
    /// argument parser's 64, so scripts need to know only the documented codes.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            // A documented exit code the command chose after reporting: nothing to print. (Going through
            // `exit(withError:)` built the parser's message machinery first: measurable on short runs.)
            Foundation.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .validationFailure {
                let message = fullMessage(for: error)
                if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
                Foundation.exit(ExitCodes.badInput.rawValue)
            }
            exit(withError: error)
        }
    }
}
