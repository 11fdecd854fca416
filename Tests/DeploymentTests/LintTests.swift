import Diagnostics
import Foundation
@testable import Deployment
import Planning
import Testing

@Suite("Lint: every pitfall, and emitted plans lint clean")
struct LintTests {
    static let groups = GroupDirectory(groups: [("Workstations", 7), ("CCM Servers", 3)], source: "groups.json")

    func lint(_ text: String) -> [Diagnostic] { DeploymentLinter.lint(Data(text.utf8), file: "plan.json") }

    /// A plan whose steps are given as JSON objects without the boilerplate; `fields` override per step.
    func document(_ steps: [[String: String]], plan: [String: String] = [:]) -> String {
        let defaults: [(String, String)] = [
            ("Name", #""s""#), ("IsPrivileged", "false"), ("PlanOrder", "1"), ("Script", #""upgrade|chocolatey.extension|8.0.0|false""#),
            ("ValidExitCodes", #""0, 1605, 1614, 1641, 3010""#), ("ExecutionTimeoutInSeconds", "14400"), ("FailOnError", "true"),
            ("RequireSuccessOnAllComputers", "true"), ("MachineContactTimeoutInMinutes", "60"), ("DeploymentStepGroupIds", "[7]"),
        ]
        let stepTexts = steps.enumerated().map { index, overrides in
            "{" + defaults.map { name, value in
                let chosen = overrides[name] ?? (name == "PlanOrder" ? String(index + 1) : value)
                return "\"\(name)\": \(chosen)"
            }.joined(separator: ", ") + "}"
        }
        let planDefaults: [(String, String)] = [("Name", #""p""#), ("ScheduledDateTimeUtc", "null"), ("LastScheduledDateTimeUtc", "null"),
                                                ("RepeatPeriod", "0"), ("ExecutionTimeoutInSeconds", "14400"), ("RequiresApproval", "false")]
        let extra = plan.keys.filter { key in !planDefaults.contains { $0.0 == key } }.sorted().map { "\"\($0)\": \(plan[$0]!), " }.joined()
        return "{" + extra + planDefaults.map { "\"\($0.0)\": \(plan[$0.0] ?? $0.1)" }.joined(separator: ", ")
            + ", \"DeploymentSteps\": [" + stepTexts.joined(separator: ", ") + "]}"
    }

    func script(_ lines: String) -> String { DeploymentJSON.string(lines) }

    @Test("emit → lint: the default agent deployment has no diagnostics at all")
    func roundTripClean() throws {
        var options = DeploymentOptions()
        options.groupIDs = Self.groups
        options.targets = [try GroupTarget(parsing: "CCM Servers=host-agent")]
        let text = DeploymentJSON.encode(try DeploymentEmitter.emit(plan: Plans.full(), options: options))
        #expect(lint(text) == [])
    }

    @Test("emit → lint with --include-server: no errors, only the advisory")
    func roundTripServer() throws {
        var options = DeploymentOptions()
        options.includeServer = true
        options.sensitiveVariableTemplateConfirmed = true
        options.groupIDs = Self.groups
        options.targets = [try GroupTarget(parsing: "CCM Servers=server"), try GroupTarget(parsing: "CCM Servers=host-agent")]
        let text = DeploymentJSON.encode(try DeploymentEmitter.emit(plan: Plans.full(), options: options))
        let diagnostics = lint(text)
        #expect(diagnostics.map(\.rule) == [LintRule.serverViaDeployment])
        #expect(diagnostics.allSatisfy { $0.severity == .warning })
    }

    @Test("emit without groups → lint warns per step")
    func roundTripNoGroups() throws {
        let text = DeploymentJSON.encode(try DeploymentEmitter.emit(plan: Plans.full(), options: DeploymentOptions()))
        let diagnostics = lint(text)
        #expect(diagnostics.map(\.rule) == [LintRule.noGroups, LintRule.noGroups, LintRule.noGroups])
        #expect(diagnostics[0].description.hasPrefix("plan.json:step 1: warning: no target groups"))
    }

    /// (what, step overrides, plan overrides, expected rule, expected severity, expected step).
    static let pitfalls: [(String, [[String: String]], [String: String], String, Diagnostic.Severity, Int?)] = [
        ("; chain", [["IsPrivileged": "true", "Script": #""choco upgrade chocolatey.extension -y; exit $LASTEXITCODE""#]], [:], LintRule.chainedChoco, .error, 1),
        ("&& chain", [["IsPrivileged": "true", "Script": #""choco upgrade a -y && choco upgrade b -y\nexit $LASTEXITCODE""#]], [:], LintRule.chainedChoco, .error, 1),
        ("no exit", [["IsPrivileged": "true", "Script": #""choco upgrade chocolatey.extension -y --no-progress""#]], [:], LintRule.exitCode, .error, 1),
        ("exit 0", [["IsPrivileged": "true", "Script": #""choco upgrade chocolatey.extension -y\nexit 0""#]], [:], LintRule.exitCode, .error, 1),
        ("exits on failure, no final exit", [["IsPrivileged": "true", "Script": #""choco upgrade chocolatey.extension -y\nif ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }\nWrite-Output done""#]], [:], LintRule.exitCode, .warning, 1),
        ("step timeout 0", [["ExecutionTimeoutInSeconds": "0"]], [:], LintRule.infiniteExecution, .error, 1),
        ("plan timeout 0", [[:]], ["ExecutionTimeoutInSeconds": "0"], LintRule.infiniteExecution, .error, nil),
        ("contact timeout 0", [["MachineContactTimeoutInMinutes": "0"]], [:], LintRule.infiniteContact, .warning, 1),
        ("combined server", [["IsPrivileged": "true", "Script": #""choco upgrade chocolatey-management-database chocolatey-management-service chocolatey-management-web -y\nexit $LASTEXITCODE""#]], [:], LintRule.serverCombined, .error, 1),
        ("combined server, basic", [["Script": #""upgrade|chocolatey-management-service,chocolatey-management-web|0.17.0|false""#]], [:], LintRule.serverCombined, .error, 1),
        ("server out of order", [["Script": #""upgrade|chocolatey-management-service|0.17.0|false""#], ["Script": #""upgrade|chocolatey-management-database|0.17.0|false""#]], [:], LintRule.serverOrder, .error, 2),
        ("server versions", [["Script": #""upgrade|chocolatey-management-database|0.17.0|false""#], ["Script": #""upgrade|chocolatey-management-web|0.16.0|false""#]], [:], LintRule.serverVersions, .error, nil),
        ("server not only-if-successful", [["Script": #""upgrade|chocolatey-management-database|0.17.0|false""#, "RequireSuccessOnAllComputers": "false"]], [:], LintRule.serverSafety, .warning, 1),
        ("no groups", [["DeploymentStepGroupIds": "[]"]], [:], LintRule.noGroups, .warning, 1),
        ("basic agent", [["Script": #""upgrade|chocolatey-agent|4.0.0|false""#]], [:], LintRule.agentRestart, .error, 1),
        ("advanced agent, no task", [["IsPrivileged": "true", "Script": #""choco upgrade chocolatey-agent -y\nexit $LASTEXITCODE""#]], [:], LintRule.agentRestart, .error, 1),
        ("clear-text password", [["IsPrivileged": "true", "Script": #""choco upgrade chocolatey-management-service -y --package-parameters-sensitive=\"'/Password:hunter2'\"\nexit $LASTEXITCODE""#]], [:], LintRule.clearTextSecret, .error, 1),
        ("EnterPassword", [["IsPrivileged": "true", "Script": #""choco upgrade chocolatey-management-service -y --package-parameters=\"'/EnterPassword'\"\nexit $LASTEXITCODE""#]], [:], LintRule.enterPassword, .error, 1),
        ("missing -y", [["IsPrivileged": "true", "Script": #""choco upgrade chocolatey.extension --no-progress\nexit $LASTEXITCODE""#]], [:], LintRule.missingConfirm, .warning, 1),
        ("capitalized command", [["Script": #""Upgrade|chocolatey.extension|8.0.0|false""#]], [:], LintRule.basicScript, .error, 1),
        ("capitalized False", [["Script": #""upgrade|chocolatey.extension|8.0.0|False""#]], [:], LintRule.basicScript, .warning, 1),
        ("version without digit", [["Script": #""upgrade|chocolatey.extension|latest|false""#]], [:], LintRule.basicScript, .error, 1),
        ("PowerShell in a basic step", [["Script": #""choco upgrade x -y\nexit $LASTEXITCODE""#]], [:], LintRule.privilegedMismatch, .error, 1),
        ("basic in an advanced step", [["IsPrivileged": "true", "Script": #""upgrade|x|1.0.0|false""#]], [:], LintRule.privilegedMismatch, .error, 1),
        ("exit codes without 0", [["ValidExitCodes": #""1605, 3010""#]], [:], LintRule.exitCodes, .error, 1),
        ("exit codes not numbers", [["ValidExitCodes": #""0; 3010""#]], [:], LintRule.exitCodes, .error, 1),
        ("upgrade all", [["Script": #""upgrade|all||false""#]], [:], LintRule.upgradeAll, .warning, 1),
        ("plan order duplicate", [["PlanOrder": "1"], ["PlanOrder": "1"]], [:], LintRule.planOrder, .error, nil),
        ("window without start", [[:]], ["LastScheduledDateTimeUtc": #""2030-01-01T00:00:00Z""#], LintRule.schedule, .error, nil),
        ("start in the past", [[:]], ["ScheduledDateTimeUtc": #""2020-01-01T00:00:00Z""#], LintRule.schedule, .warning, nil),
        ("string id", [["DeploymentStepGroupIds": #"["7"]"#]], [:], LintRule.format, .error, 1),
        ("string timeout", [["ExecutionTimeoutInSeconds": #""14400""#]], [:], LintRule.format, .error, 1),
        ("missing field", [["FailOnError": "null"]], [:], LintRule.format, .error, 1),
        ("unknown field", [[:]], ["Colour": #""red""#], LintRule.unknownField, .warning, nil),
    ]

    @Test("each pitfall is caught, with file:step and severity", arguments: pitfalls)
    func pitfall(_ row: (String, [[String: String]], [String: String], String, Diagnostic.Severity, Int?)) {
        let diagnostics = lint(document(row.1, plan: row.2))
        let hit = diagnostics.first { $0.rule == row.3 }
        #expect(hit != nil, "\(row.0): \(diagnostics.map(\.description))")
        #expect(hit?.severity == row.4, "\(row.0)")
        #expect(hit?.step == row.5, "\(row.0)")
        #expect(hit?.file == "plan.json")
        // A clear-text password in the script is never quoted back (issue 12 §4).
        #expect(!diagnostics.map(\.description).joined().contains("hunter2"), "\(row.0)")
    }

    @Test("a chained line that holds a password is quoted with the password masked")
    func chainedLineIsMasked() {
        let text = document([["IsPrivileged": "true", "Script": #""choco upgrade x -y --params \"'/Password:hunter2'\"; choco upgrade y -y\nexit $LASTEXITCODE""#]])
        let chained = lint(text).filter { $0.rule == LintRule.chainedChoco }
        #expect(chained.count == 1 && chained[0].message.contains("/Password:********"), "\(chained)")
        #expect(!lint(text).map(\.description).joined().contains("hunter2"))
    }

    @Test("a well-made hand-written plan has no diagnostics")
    func cleanHandMade() {
        let text = document([["Script": #""upgrade|chocolatey.extension|8.0.0|false""#],
                             ["IsPrivileged": "true", "Script": ##""# comment\nchoco upgrade chocolatey -y --no-progress\nexit $LASTEXITCODE""##]])
        #expect(lint(text) == [])
    }

    @Test("Windows line endings in scripts are read like \\n")
    func crlf() {
        let text = document([["IsPrivileged": "true", "Script": script("choco upgrade chocolatey -y --no-progress\r\nexit $LASTEXITCODE\r\n")]])
        #expect(lint(text) == [])
    }

    @Test("sensitive-variable and $env references are not clear text")
    func references() {
        for value in ["{{SvcPassword}}", "$env:SVC_PASSWORD", "$password"] {
            let text = document([["IsPrivileged": "true", "Script": script("choco upgrade chocolatey-management-service -y --package-parameters-sensitive=\"'/Password:\(value)'\"\nexit $LASTEXITCODE")]])
            #expect(lint(text).filter { $0.rule == LintRule.clearTextSecret } == [], "\(value)")
        }
    }

    @Test("not JSON, not an object: one plan-level error")
    func notJSON() {
        #expect(lint("{").map(\.rule) == [LintRule.format])
        #expect(lint("[]").first?.description.hasPrefix("plan.json: error: expected a JSON object") == true)
    }

    @Test("statement splitting respects quotes and pipes")
    func statements() {
        #expect(ScriptReader.statements("choco upgrade x --params=\"'/a;b'\"", batch: false).count == 1)
        #expect(ScriptReader.statements("choco list -r | Out-File x", batch: false).map(\.separator) == [.pipe, nil])
        #expect(ScriptReader.isChoco("& 'C:\\ProgramData\\chocolatey\\bin\\choco.exe' upgrade x"))
        #expect(!ScriptReader.isChoco("Restart-Service chocolatey-agent"))
    }
}
