import ArgumentParser
import Compatibility
import Diagnostics

extension MatrixCommand {
    /// `matrix lint [PATH]`: validates matrix files; `file:line: error: …` on stderr.
    struct Lint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Validate matrix files: schema, overlapping or missing CCM ranges, minimums going backwards, unknown packages.",
            discussion: "Without PATH the copy compiled into this binary is checked. Exit codes: 0 no errors; 1 errors found (or warnings with --strict); 2 PATH cannot be read."
        )

        @Argument(help: ArgumentHelp("The matrix folder to check (e.g. matrix/).", valueName: "PATH"))
        var path: String?

        @Flag(help: "Treat warnings as errors for the exit code.")
        var strict = false

        func run() async throws {
            let diagnostics: [Diagnostic]
            if let path {
                diagnostics = Matrix.lint(directory: path)
                // A folder that cannot be read at all is bad input, not a lint finding.
                // (Matrix.lint reports exactly one diagnostic, on the folder itself, when it cannot read it.)
                if diagnostics.count == 1, diagnostics[0].file == path, diagnostics[0].line == nil, diagnostics[0].severity == .error {
                    throw CommandFailure.badInput(diagnostics[0].message + ": " + path)
                }
            } else {
                diagnostics = Matrix.lint(files: Matrix.embeddedFiles, pathPrefix: "matrix/")
            }
            try LintReport.finish(diagnostics, subject: path ?? "embedded matrix", strict: strict)
        }
    }
}
