import ArgumentParser
import Compatibility
import Foundation

/// `ccm-upgrade matrix`: the CCM compatibility matrix (check, show, lint).
struct MatrixCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Check an estate against the CCM compatibility matrix, show rows, lint matrix files.",
        subcommands: [Check.self, Show.self, Lint.self]
    )
}

/// Output formats shared by the matrix subcommands.
enum MatrixOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `--matrix PATH`: use a matrix folder instead of the copy compiled into the binary.
struct MatrixSourceOptions: ParsableArguments {
    @Option(name: .customLong("matrix"), help: ArgumentHelp("Use the matrix folder at PATH (laid out like matrix/) instead of the embedded copy.", valueName: "PATH"))
    var path: String?

    /// The matrix to use; on failure prints every error to stderr and exits 2 (bad input).
    func load() throws -> Matrix {
        do {
            guard let path else { return try Matrix.embedded() }
            let matrix = try Matrix.load(directory: path)
            // Loading refuses errors; warnings still deserve to be seen when using someone's copy.
            for diagnostic in Matrix.lint(directory: path) where diagnostic.severity == .warning {
                printError(diagnostic.description)
            }
            return matrix
        } catch {
            for diagnostic in error.diagnostics { printError(diagnostic.description) }
            printError("error: the matrix\(path.map { " at \($0)" } ?? " compiled into this binary") cannot be used; run 'ccm-upgrade matrix lint\(path.map { " \($0)" } ?? "")' for details")
            throw ExitCodes.badInput
        }
    }
}

/// Writes a line to stderr (diagnostics never go to stdout, which carries results).
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Reports bad input on stderr and exits 2.
func badInput(_ message: String) -> ExitCode {
    printError("error: " + message)
    return ExitCodes.badInput
}
