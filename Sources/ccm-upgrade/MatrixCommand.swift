import ArgumentParser
import Compatibility
import Diagnostics
import Foundation

/// `ccm-upgrade matrix`: the CCM compatibility matrix (check, show, lint).
struct MatrixCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Check an estate against the CCM compatibility matrix, show rows, lint matrix files.",
        subcommands: [Check.self, Show.self, Lint.self]
    )
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
                DiagnosticPrinter.shared.log(diagnostic.description)
            }
            return matrix
        } catch {
            for diagnostic in error.diagnostics { DiagnosticPrinter.shared.log(diagnostic.description) }
            throw CommandFailure.badInput("the matrix\(path.map { " at \($0)" } ?? " compiled into this binary") cannot be used; run 'ccm-upgrade matrix lint\(path.map { " \($0)" } ?? "")' for details")
        }
    }
}
