import Foundation
import Planning

/// What a step's script does, as far as the linter needs to know: its choco commands and their packages.
struct ScriptAnalysis {
    /// A parsed basic script `command|package|version|prerelease` (or the older `command|package`).
    struct Basic {
        var command: String
        var package: String
        var version: String
        var prerelease: String?
    }

    var commands: [ScriptReader.ChocoCall] = []
    /// (line number, problem) for lines that chain a choco command with others.
    var chained: [(line: Int, text: String)] = []
    /// The last line that is not blank or a comment.
    var lastLine: String?

    /// Packages upgraded or installed by the script, lower-cased, in order.
    var packages: [String] { commands.filter { ["upgrade", "install"].contains($0.command) }.flatMap(\.packages) }

    static func basic(_ script: String) -> Basic? {
        let fields = script.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4 || fields.count == 2 else { return nil }
        return Basic(command: fields[0], package: fields[1], version: fields.count == 4 ? fields[2] : "",
                     prerelease: fields.count == 4 ? fields[3] : nil)
    }

    /// Analyses a PowerShell script through the one script reader (``ScriptReader``): here any statement
    /// beside a choco call, a pipe included, is a chain, because CCM appends its arguments to the line.
    static func advanced(_ script: String) -> ScriptAnalysis {
        var analysis = ScriptAnalysis()
        for line in ScriptReader.logicalLines(script, batch: false) {
            analysis.lastLine = line.text
            let statements = ScriptReader.statements(line.text, batch: false)
            let calls = statements.compactMap { ScriptReader.chocoCall($0.text, line: line.number) }
            guard !calls.isEmpty else { continue }
            if statements.count > 1 { analysis.chained.append((line.number, line.text)) }
            analysis.commands += calls
        }
        return analysis
    }
}
