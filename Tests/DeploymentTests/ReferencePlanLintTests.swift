import Diagnostics
import Foundation
@testable import Deployment
import Testing

/// Plans shaped like Chocolatey's own exported examples (chocolatey/ccm-deployment-examples, ccm.md §10.6) and
/// the docs' agent-upgrade script (docs agent/upgrade.mdx): written here with the same structure, not copied.
/// Lint may warn about them but must not refuse them.
@Suite("Lint: Chocolatey's reference plans are not refused")
struct ReferencePlanLintTests {
    /// An export-shaped plan: no target groups (the examples are exported without them), contact timeout 0.
    static func plan(_ name: String, schedule: String? = nil, repeatPeriod: Int = 0, steps: [(privileged: Bool, script: String)]) -> String {
        let stepTexts = steps.enumerated().map { index, step in
            """
            {"Name": "step \(index + 1)", "IsPrivileged": \(step.privileged), "PlanOrder": \(index + 1), "Script": \(DeploymentJSON.string(step.script)),
             "ValidExitCodes": "0, 1605, 1614, 1641, 3010", "ExecutionTimeoutInSeconds": 14400, "FailOnError": true,
             "RequireSuccessOnAllComputers": false, "MachineContactTimeoutInMinutes": 0, "DeploymentStepGroupIds": []}
            """
        }
        return """
            {"Name": "\(name)", "ScheduledDateTimeUtc": \(schedule.map { "\"\($0)\"" } ?? "null"), "LastScheduledDateTimeUtc": null,
             "RepeatPeriod": \(repeatPeriod), "ExecutionTimeoutInSeconds": 14400, "RequiresApproval": false,
             "DeploymentSteps": [\(stepTexts.joined(separator: ", "))]}
            """
    }

    /// The docs' agent upgrade: checks $LASTEXITCODE and exits on failure, registers the restart task (here
    /// with a splatted hashtable, as the exported example does) and ends there, without `exit $LASTEXITCODE`.
    static let agentUpgrade = """
        $delayInMinutes = 2
        # Use your internal source name or URL here.
        choco upgrade chocolatey-agent --source="'internal'"

        if ($LASTEXITCODE -ne 0) {
            Write-Error 'upgrade failed'
            exit $LASTEXITCODE
        }
        $task = @{
            TaskName = "restart the agent"
            Trigger = New-ScheduledTaskTrigger -Once -At (Get-Date).AddMinutes($delayInMinutes)
            Action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument "-WindowStyle Hidden -Command Restart-Service chocolatey-agent"
            Principal = New-ScheduledTaskPrincipal -GroupId Administrators -RunLevel Highest
        }
        Register-ScheduledTask @task -Verbose:$false
        """

    // (what, plan text)
    static let references: [(String, String)] = [
        ("client upgrade: agent script of the docs, then chocolatey", plan("client upgrade", steps: [
            (true, agentUpgrade), (true, "choco upgrade chocolatey --source=\"'internal'\"\nexit $LASTEXITCODE"),
        ])),
        ("several packages, basic steps without a version", plan("packages", steps: [
            (false, "upgrade|firefox||false"), (false, "upgrade|7zip||false"), (false, "upgrade|vscode||false"),
        ])),
        ("a package with parameters", plan("with parameters", steps: [
            (true, "choco install python312 --package-parameters=\"'/InstallDir:C:\\tools\\python'\"\nexit $LASTEXITCODE"),
        ])),
        ("a daily licence upgrade scheduled in the past", plan("licence", schedule: "2023-01-01T00:00:00Z", repeatPeriod: 1, steps: [
            (false, "upgrade|chocolatey.license||false"),
        ])),
    ]

    @Test("no errors, only warnings", arguments: references)
    func notRefused(_ row: (String, String)) {
        let diagnostics = DeploymentLinter.lint(Data(row.1.utf8), file: "example.json")
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(row.0): \(diagnostics.map(\.description))")
        #expect(diagnostics.contains { $0.rule == LintRule.noGroups && $0.severity == .warning }, "\(row.0)")
    }

    @Test("the docs' agent script: a missing final exit is a warning that names why, the restart task is recognised",
          arguments: [agentUpgrade, agentUpgrade.replacingOccurrences(of: "\n", with: "\r\n"), "\u{FEFF}" + agentUpgrade])
    func agentScript(_ script: String) {
        let diagnostics = DeploymentLinter.lint(Data(Self.plan("a", steps: [(true, script)]).utf8), file: "a.json")
        let exit = diagnostics.first { $0.rule == LintRule.exitCode }
        #expect(exit?.severity == .warning, "\(diagnostics.map(\.description))")
        #expect(exit?.message.contains("exits when its last choco command fails") == true)
        #expect(!diagnostics.contains { $0.rule == LintRule.agentRestart })
    }

    // (what, script): what still breaks stays an error.
    static let stillErrors: [(String, String)] = [
        ("no check and no final exit", "choco upgrade firefox -y\nWrite-Output done"),
        ("a check that does not exit", "choco upgrade firefox -y\nif ($LASTEXITCODE -ne 0) {\n    Write-Output 'failed'\n}\nWrite-Output done"),
        ("the check before the last choco call", "choco upgrade a -y\nif ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }\nchoco upgrade b -y\nWrite-Output done"),
        ("an exit after the check's block", "choco upgrade a -y\nif ($LASTEXITCODE -ne 0) {\n    Write-Output 'failed'\n}\nexit 0"),
    ]

    @Test("a script that can report choco's failure as success is still an error", arguments: stillErrors)
    func stillAnError(_ row: (String, String)) {
        let diagnostics = DeploymentLinter.lint(Data(Self.plan("e", steps: [(true, row.1)]).utf8), file: "e.json")
        #expect(diagnostics.first { $0.rule == LintRule.exitCode }?.severity == .error, "\(row.0): \(diagnostics.map(\.description))")
    }
}
