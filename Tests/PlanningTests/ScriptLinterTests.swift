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
