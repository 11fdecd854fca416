import ArgumentParser
import Compatibility
import CurlSupport
import Deployment
import Diagnostics
import Foundation
import Licensing
import RemoteHosts
import Nupkg
import Planning
import Repository

/// Exit codes shared by all subcommands (documented in the README, "Exit codes (all commands)").
enum ExitCodes {
    /// Everything worked / the estate is compatible.
    static let success = ExitCode(0)
    /// The command ran but found a problem: an incompatibility, a failed package, a lint error, an unreachable
    /// feed or CCM.
    static let problemsFound = ExitCode(1)
    /// The input could not be used: bad flags, unreadable or invalid files.
    static let badInput = ExitCode(2)
    /// `run` only: the next step runs on another host.
    static let waitingForOtherHost = ExitCode(3)
}

/// An error a command raises itself (not from a library): one `error:` line and a documented exit code.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    let exitCode: ExitCode

    /// Exit 2: an unusable flag, file or value. `message` names it and says what was expected.
    static func badInput(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: ExitCodes.badInput) }
    /// Exit 1: the command ran and something failed.
    static func problem(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: ExitCodes.problemsFound) }

    var description: String { message }
}

/// The one place that turns an error into what the user sees and the exit code: every error path prints
/// exactly one `error:` line (no usage text) and exits with a documented code. Commands that reported their
/// own findings throw a bare `ExitCode`, which is passed through silently.
enum ErrorReport {
    /// Diagnostics an error carries, printed compiler-style (`FILE:LINE: error: message`), one per problem, the
    /// same way whichever command read the file (`plan` and `matrix check` read one inventory format).
    static func diagnostics(of error: any Error) -> [Diagnostic]? {
        if case let .invalidInventory(inventoryError) = error as? PlanningError { return inventoryError.diagnostics }
        return nil
    }

    /// The message and exit code for `error`; nil message for errors already reported (or reported as
    /// ``diagnostics(of:)``).
    static func outcome(of error: any Error) -> (message: String?, code: ExitCode) {
        if diagnostics(of: error) != nil { return (nil, ExitCodes.badInput) }
        switch error {
        case let code as ExitCode:
            return (nil, code)
        case let failure as CommandFailure:
            return (failure.message, failure.exitCode)
        case let error as ValidationError:
            return (error.message, ExitCodes.badInput)
        case let error as FeedError:
            // A feed that cannot be reached or refuses is a failed run (1), as `download` always said; a
            // source that cannot even be named is bad input (2).
            if case .invalidSource = error { return (error.description, ExitCodes.badInput) }
            return (error.description, ExitCodes.problemsFound)
        case let error as PlanningError:
            switch error {
            case .invalidInventory, .invalidParameters, .io, .invalidPlan, .unknownHost, .refused: return (error.description, ExitCodes.badInput)
            default: return (error.description, ExitCodes.problemsFound)
            }
        case let error as DeploymentError:
            switch error {
            case .invalidOption, .invalidGroupsFile, .groupNotFound, .invalidFile, .invalidURL, .unsupportedStep, .secretUnavailable:
                return (error.description, ExitCodes.badInput)
            default: return (error.description, ExitCodes.problemsFound)
            }
        case let error as LicenseError:
            // An expired licence or a package that cannot be written is a failed run; a bad file is bad input.
            switch error {
            case .expired, .packageFailed: return (error.description, ExitCodes.problemsFound)
            default: return (error.description, ExitCodes.badInput)
            }
        case let error as MatrixLoadError:
            return (error.description, ExitCodes.badInput)
        case let error as BundleError:
            return (error.description, ExitCodes.problemsFound)
        case let error as NupkgError:
            return (error.description, ExitCodes.problemsFound)
        case let error as HTTPError:
            return (error.description, ExitCodes.problemsFound)
        case let error as CompatibilityError:
            return (error.description, ExitCodes.problemsFound)
        case let error as RemoteHostError:
            // A host that cannot be reached is a failed run (1); a command that cannot be sent is bad input (2).
            if case .badCommand = error { return (error.description, ExitCodes.badInput) }
            return (error.description, ExitCodes.problemsFound)
        default:
            return (String(describing: error), ExitCodes.problemsFound)
        }
    }

    /// A command-line parse error from ArgumentParser: its short message (never the usage block), a
    /// did-you-mean for a mistyped subcommand, and where the help is.
    static func parseFailure(_ error: any Error, arguments: [String]) -> String {
        var message = CCMUpgrade.message(for: error)
        if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
        let subcommands = CCMUpgrade.configuration.subcommands.map { $0._commandName }
        if let first = arguments.first, !first.hasPrefix("-"), !subcommands.contains(first) {
            let suggestion = Suggestion.closest(to: first, in: subcommands)
            return "unknown command '\(first)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "; commands: " + subcommands.joined(separator: ", "))
        }
        // The deepest command the leading words name (`matrix check`, not just `matrix`).
        var helpTarget = ""
        var level: [any ParsableCommand.Type] = CCMUpgrade.configuration.subcommands
        for word in arguments.prefix(while: { !$0.hasPrefix("-") }) {
            guard let command = level.first(where: { $0._commandName == word }) else { break }
            helpTarget += " " + word
            level = command.configuration.subcommands
        }
        return message + " (see 'ccm-upgrade\(helpTarget) --help')"
    }
}
