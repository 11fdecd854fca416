@testable import Planning
import Testing

@Suite("lint-script")
struct ScriptLinterTests {
    // (script, file name, expected "line:rule" diagnostics)
    @Test(arguments: [
        ("choco upgrade chocolatey-management-database chocolatey-management-service chocolatey-management-web -y", "a.ps1",
         ["1:combined-server-packages"]),
        ("choco upgrade chocolatey-management-database -y\nchoco upgrade chocolatey-management-web -y\nchoco upgrade chocolatey-management-service -y", "a.ps1",
         ["3:server-order"]),
        ("choco upgrade chocolatey-management-database -y; choco upgrade chocolatey-management-service -y", "a.ps1", ["1:chained-command"]),
        ("choco upgrade chocolatey-management-database -y && choco upgrade chocolatey-management-service -y", "a.ps1", ["1:chained-command"]),
        ("choco upgrade chocolatey-management-database -y & choco upgrade chocolatey-management-service -y", "a.cmd", ["1:chained-command"]),
        ("cup chocolatey-management-service,chocolatey-management-web -y", "a.ps1", ["1:combined-server-packages"]),
        ("choco upgrade all -y", "a.ps1", ["1:upgrade-all"]),
        ("choco download chocolatey-agent --internalize --source licensed", "a.ps1", ["1:internalize-licensed"]),
        ("choco upgrade chocolatey-management-database `\n  chocolatey-management-service -y", "a.ps1", ["1:combined-server-packages"]),
        ("choco upgrade chocolatey-management-database ^\n  chocolatey-management-service -y", "a.bat", ["1:combined-server-packages"]),
    ])
    func catchesEachMistake(script: String, file: String, expected: [String]) {
        let diagnostics = ScriptLinter.lint(script, file: file)
        #expect(diagnostics.map { "\($0.line ?? 0):\($0.rule ?? "")" } == expected)
        #expect(diagnostics.allSatisfy { $0.description.hasPrefix("\(file):\($0.line ?? 0): error: ") })
    }

    @Test(arguments: [
        "choco upgrade chocolatey-management-database -y --source='c:\\packages;d:\\more'\nchoco upgrade chocolatey-management-service -y\nchoco upgrade chocolatey-management-web -y",
        "# choco upgrade chocolatey-management-web chocolatey-management-database -y\nchoco upgrade chocolatey-agent -y",
        "<#\nchoco upgrade chocolatey-management-web chocolatey-management-database\n#>\nWrite-Host 'done'",
        "choco upgrade chocolatey-management-service --version 0.17.0 --package-parameters=\"'/PortNumber:24021'\" -y",
        "$x = 1; Write-Host $x",
        "choco upgrade chocolatey-management-database --source chocolatey-management-web -y",
        "REM choco upgrade all\nchoco upgrade chocolatey-agent -y",
    ])
    func acceptsSafeScripts(script: String) {
        let file = script.hasPrefix("REM") ? "ok.cmd" : "ok.ps1"
        #expect(ScriptLinter.lint(script, file: file).isEmpty, "\(ScriptLinter.lint(script, file: file))")
    }

    @Test func thePowerShellThePlannerWritesIsClean() throws {
        let plan = try Fixtures.plan(parameters: UpgradeParameters.parse("service: { password: 'env:CCM_PW', portNumber: 24021 }", file: "p"))
        #expect(ScriptLinter.lint(PlanRendering.powershell(plan), file: "plan.ps1").isEmpty)
    }
}

@Suite("lint-script: Windows text")
struct ScriptLinterWindowsTextTests {
    // The same script with LF, CRLF, and CRLF after a UTF-8 BOM: the same findings on the same lines.
    @Test(arguments: ["\n", "\r\n", "\u{FEFF}\r\n"])
    func lineEndings(_ newline: String) {
        let bom = newline.hasPrefix("\u{FEFF}") ? "\u{FEFF}" : ""
        let separator = bom.isEmpty ? newline : String(newline.dropFirst())
        let script = bom + ["# upgrade", "choco upgrade chocolatey-management-service chocolatey-management-web -y", "exit 0"]
            .joined(separator: separator) + separator
        let diagnostics = ScriptLinter.lint(script, file: "up.ps1")
        #expect(diagnostics.map { "\($0.line ?? 0):\($0.rule ?? "")" } == ["2:combined-server-packages"], "\(diagnostics)")
    }
}

/// The one script reader both linters use.
@Suite("ScriptReader")
struct ScriptReaderTests {
    // (statement, command, packages, version)
    static let calls: [(String, String, [String], String?)] = [
        ("choco upgrade chocolatey-agent --version 4.0.0 -y", "upgrade", ["chocolatey-agent"], "4.0.0"),
        ("& 'C:\\ProgramData\\chocolatey\\bin\\choco.exe' install a,b -y --version=1.2", "install", ["a", "b"], "1.2"),
        ("cup all -y", "upgrade", ["all"], nil),
        ("cinst 'x' --source \"https://feed/ a\" -y", "install", ["x"], nil),
        ("choco update y -s local z", "upgrade", ["y", "z"], nil),
        ("choco.exe upgrade q --params \"'/Password:x'\"", "upgrade", ["q"], nil),
    ]

    @Test(arguments: calls)
    func chocoCalls(_ row: (String, String, [String], String?)) throws {
        let call = try #require(ScriptReader.chocoCall(row.0, line: 3))
        #expect(call.command == row.1 && call.packages == row.2 && call.version == row.3 && call.line == 3, "\(call)")
    }

    @Test func notChoco() {
        #expect(ScriptReader.chocoCall("Restart-Service chocolatey-agent", line: 1) == nil)
        #expect(ScriptReader.chocoCall("chocolatey-agent upgrade x", line: 1) == nil)
    }

    // (line, batch, separators)
    static let splits: [(String, Bool, [ScriptReader.Separator?])] = [
        ("choco upgrade a -y; choco upgrade b -y", false, [.sequence, nil]),
        ("choco upgrade a -y && choco upgrade b -y", false, [.conditional, nil]),
        ("choco list -r | Out-File x", false, [.pipe, nil]),
        ("choco upgrade a -y & choco upgrade b -y", true, [.sequence, nil]),
        ("& choco upgrade a -y", false, [nil]),
        ("choco upgrade a --params \"'/a;b|c&&d'\"", false, [nil]),
    ]

    @Test(arguments: splits)
    func statements(_ row: (String, Bool, [ScriptReader.Separator?])) {
        #expect(ScriptReader.statements(row.0, batch: row.1).map(\.separator) == row.2)
    }

    @Test func logicalLinesJoinContinuationsAndDropComments() {
        let script = "<# header\n still #>\nchoco upgrade x `\r\n  --version 1.0 -y  # trailing\r\n\r\nrem not a comment in PowerShell\n"
        let lines = ScriptReader.logicalLines(script, batch: false)
        #expect(lines.map(\.number) == [3, 6])
        #expect(lines.first?.text == "choco upgrade x  --version 1.0 -y")
        #expect(ScriptReader.logicalLines("rem note\r\n:: note\r\ncup x ^\r\n -y\r\n", batch: true).map(\.text) == ["cup x  -y"])
    }
}
