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
        switch format {
        case .text:
            DiagnosticPrinter.shared.report(diagnostics)
            Console.out("\(files.count) file(s) checked, \(diagnostics.filter { $0.severity == .error }.count) error(s)")
        case .json:
            Console.out(try Console.json(diagnostics))
        }
        if unreadable { throw ExitCodes.badInput }
        if diagnostics.contains(where: { $0.severity == .error }) { throw ExitCodes.problemsFound }
    }
}
