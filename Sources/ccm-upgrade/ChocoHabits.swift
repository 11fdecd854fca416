import ArgumentParser

/// What Chocolatey users type out of habit, answered before or after parsing: `-y` is accepted and ignored
/// (ccm-upgrade never asks yes/no), `--verbose`/`--debug` set the log level on any command, and secret flags
/// (`--api-key`, `--password`, ...) get the reason they are refused and where secrets come from instead.
/// (`-s` for `--source` and `--pre` for `--prerelease` are declared on the options themselves.)
enum ChocoHabits {
    /// How much is logged (``Verbosity``), taken from the arguments by ``rewrite(_:)``.
    nonisolated(unsafe) static var verbosity = Verbosity.normal

    enum Verbosity: Int, Comparable {
        case normal, verbose, debug
        static func < (lhs: Verbosity, rhs: Verbosity) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Arguments with the habits removed: `-y`/`--yes`, `--verbose`, `--debug` (anywhere before `--`).
    static func rewrite(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var passthrough = false
        for argument in arguments {
            if passthrough { out.append(argument); continue }
            switch argument {
            case "--": passthrough = true; out.append(argument)
            case "-y", "--yes", "--confirm-all": continue
            case "--verbose": verbosity = max(verbosity, .verbose)
            case "--debug": verbosity = .debug
            default: out.append(argument)
            }
        }
        return out
    }

    /// Flags that would put a secret on the command line (visible in the process list and shell history).
    static let secretFlags: [String: String] = [
        "--api-key": "an API key", "--apikey": "an API key", "-k": "an API key", "--key": "an API key",
        "--password": "a password", "-p": "a password", "--license-id": "a licence id", "--licence-id": "a licence id",
    ]

    /// The answer to a parse error caused by a habit, or nil.
    static func answer(for error: any Error, arguments: [String]) -> String? {
        for argument in arguments {
            let flag = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            guard let what = secretFlags[flag] else { continue }
            return "\(flag): ccm-upgrade never takes \(what) on the command line (it would show in the process list and the "
                + "shell history); give it through a variable or a file: \(sources(for: flag))"
        }
        return nil
    }

    private static func sources(for flag: String) -> String {
        switch flag {
        case "--password", "-p":
            return "--password-from env:NAME|file:PATH|prompt for the CCM API (default $CCM_PASSWORD), or password references in the parameters file"
        case "--license-id", "--licence-id":
            return "$CCM_UPGRADE_LICENSE_ID, or a licensed source with passwordEnv/passwordFile in feeds.json"
        default:
            return "--api-key-env NAME, --api-key-file PATH, $CCM_UPGRADE_API_KEY, or apiKeyEnv/apiKeyFile in feeds.json"
        }
    }
}
