import ArgumentParser
import Diagnostics
import FileSupport
import Foundation
import Planning

/// `ccm-upgrade lint-script FILE...`
struct LintScriptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint-script",
        abstract: "Check your own PowerShell or batch upgrade scripts for combined, out-of-order or chained CCM upgrades.",
        discussion: """
            Errors: more than one CCM server package in one choco upgrade/install; server packages out of order \
            (database → service → web); choco chained with ';' or '&' (breaks inside CCM deployments); \
            'choco upgrade all'; licensed packages with --internalize.
            Diagnostics go to stderr as file:line: error: message. Exit codes: 0 clean; 1 errors found; 2 a file cannot be read.
            """
    )

    @Argument(help: "Scripts to check (.ps1, .psm1, .bat, .cmd); - reads standard input (checked as PowerShell).")
    var files: [String]

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() async throws {
        var diagnostics: [Diagnostic] = []
        var unreadable = false
        for file in files {
            // Scripts are often UTF-8 with a BOM and CRLF, sometimes UTF-16 from Windows PowerShell 5.
            let text: String
            do { text = try TextFile.read(atPath: file) } catch {
                Console.error(error.description)
                unreadable = true
                continue
            }
            diagnostics += ScriptLinter.lint(text, file: file)
        }
        if unreadable {
            DiagnosticPrinter.shared.report(diagnostics)
            throw ExitCodes.badInput
        }
        try LintReport.finish(diagnostics, subject: "\(files.count) file(s)", format: format)
    }
}
