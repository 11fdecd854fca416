import ArgumentParser
import Diagnostics
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
            BundleCommand.self,
            PackCommand.self,
            ChecksumCommand.self,
            MatrixCommand.self,
            PlanCommand.self,
            RunCommand.self,
            InventoryCommand.self,
            LintScriptCommand.self,
            DeploymentCommand.self,
            LicenseCommand.self,
        ]
    )

    /// Parses, runs, and maps every error to one `error:` line and a documented exit code (``ErrorReport``):
    /// a usage error exits 2 like every other bad input (not the argument parser's 64) and never prints the
    /// usage block; help and `--version` are printed as usual.
    static func main() async {
        let arguments = ChocoHabits.rewrite(Array(CommandLine.arguments.dropFirst()))
        let command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) } // --help, --version
            if let habit = ChocoHabits.answer(for: error, arguments: arguments) {
                DiagnosticPrinter.shared.error(habit)
            } else {
                DiagnosticPrinter.shared.error(ErrorReport.parseFailure(error, arguments: arguments))
            }
            Foundation.exit(ExitCodes.badInput.rawValue)
        }
        do {
            if let asyncCommand = command as? AsyncParsableCommand {
                let box = CommandBox(command: asyncCommand)
                try await Interrupt.cancellingOnSignal { try await box.run() }
            } else {
                var command = command
                try command.run()
            }
        } catch {
            // Help and version requests raised while running (the root command without a subcommand).
            if !(error is ExitCode), exitCode(for: error) == .success { exit(withError: error) }
            let outcome = ErrorReport.outcome(of: error)
            DiagnosticPrinter.shared.finish()
            for diagnostic in ErrorReport.diagnostics(of: error) ?? [] { DiagnosticPrinter.shared.log(diagnostic.description) }
            if let message = outcome.message { DiagnosticPrinter.shared.error(message) }
            // `Foundation.exit` directly: going through `exit(withError:)` built the parser's message
            // machinery first, measurable on short runs.
            Foundation.exit(outcome.code.rawValue)
        }
    }
}

/// Hands the parsed command to the task that runs it (only that task touches it afterwards).
private final class CommandBox: @unchecked Sendable {
    var command: any AsyncParsableCommand
    init(command: any AsyncParsableCommand) { self.command = command }
    func run() async throws { try await command.run() }
}
