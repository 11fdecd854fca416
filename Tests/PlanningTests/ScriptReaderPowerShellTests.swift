@testable import Planning
import Testing

/// ScriptReader reads PowerShell through the PowerShell module's parser: what that changes for the linters.
@Suite("ScriptReader over the PowerShell parser")
struct ScriptReaderPowerShellTests {
    @Test func stringsSpanningLinesAreOneLogicalLine() {
        let script = "$notes = @'\nchoco upgrade all -y\n'@\nchoco upgrade chocolatey-agent -y\n"
        let lines = ScriptReader.logicalLines(script, batch: false)
        #expect(lines.map(\.number) == [1, 4])
        #expect(ScriptLinter.lint(script, file: "a.ps1").isEmpty, "choco inside a here-string is text, not a command")
    }

    @Test func chainsInsideBlocksOnOneLineAreSeen() {
        let statements = ScriptReader.statements("if ($x) { choco upgrade a -y; choco upgrade b -y }", batch: false)
        #expect(statements.compactMap { ScriptReader.chocoCall($0.text, line: 1)?.packages }.flatMap { $0 } == ["a", "b"])
        #expect(statements.contains { $0.separator == .sequence })
        let diagnostics = ScriptLinter.lint(
            "if ($x) { choco upgrade chocolatey-management-database -y; choco upgrade chocolatey-management-service -y }", file: "a.ps1")
        #expect(diagnostics.map(\.rule) == ["chained-command"])
    }

    @Test func wordsOfACommandKeepTheirQuotes() {
        #expect(
            ScriptReader.tokens("choco upgrade x --params=\"'/a;b'\" -y", keepingQuotes: true) == [
                "choco", "upgrade", "x", "--params=\"'/a;b'\"", "-y"
            ])
        #expect(ScriptReader.tokens("& 'C:\\choco.exe' list", keepingQuotes: false) == ["&", "C:\\choco.exe", "list"])
        #expect(ScriptReader.tokens("$x = 1").isEmpty, "not a command")
    }
}
