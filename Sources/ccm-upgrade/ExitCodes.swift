import ArgumentParser

/// Exit codes shared by all subcommands (documented in the README).
enum ExitCodes {
    /// Everything worked / the estate is compatible.
    static let success = ExitCode(0)
    /// The command ran but found a problem: an incompatibility, a failed package, a lint error.
    static let problemsFound = ExitCode(1)
    /// The input could not be used: bad flags, unreadable or invalid files.
    static let badInput = ExitCode(2)
}
