import Diagnostics

/// How every lint command (`matrix lint`, `lint-script`, `deployment lint`) reports: diagnostics on stderr
/// through the printer (or one JSON list on stdout with `--format json`), a summary line
/// `SUBJECT: E error(s), W warning(s)` on stdout, and exit 1 when there are errors (or warnings with `--strict`).
enum LintReport {
    static func finish(_ diagnostics: [Diagnostic], subject: String, format: OutputFormat = .text, strict: Bool = false) throws {
        let errors = diagnostics.count(.error)
        let warnings = diagnostics.count(.warning)
        switch format {
        case .text:
            DiagnosticPrinter.shared.report(diagnostics)
            Console.out("\(subject): \(errors) error(s), \(warnings) warning(s)")
        case .json:
            Console.out(try Console.json(diagnostics))
        }
        if errors > 0 || (strict && warnings > 0) { throw ExitCodes.problemsFound }
    }
}
