import Compatibility
import Foundation
@testable import Deployment
import Planning
import Testing
import Versioning

@Suite("Emitter: the import format field by field")
struct EmitterTests {
    static let groups = GroupDirectory(groups: [("Workstations", 7), ("CCM Servers", 3)], source: "groups.json")

    /// The emitted text parsed back with JSONSerialization-independent decoding.
    func parsed(_ document: DeploymentPlanDocument) throws -> JSONValue {
        try JSONValue.parse(Data(DeploymentJSON.encode(document).utf8))
    }

    @Test("plan fields: names, types and defaults of ccm.md §10.6")
    func planFields() throws {
        var options = DeploymentOptions()
        options.groupIDs = Self.groups
        let json = try parsed(try DeploymentEmitter.emit(plan: Plans.full(), options: options))
        guard case let .object(members) = json else { Issue.record("not an object"); return }
        #expect(Set(members.keys) == Set(DeploymentFields.plan))
        #expect(json["Name"] == .string("ccm-upgrade 0.16.0 -> 0.17.0 (agents)"))
        #expect(json["ScheduledDateTimeUtc"] == .null)
        #expect(json["LastScheduledDateTimeUtc"] == .null)
        #expect(json["RepeatPeriod"] == .number(0))
        #expect(json["ExecutionTimeoutInSeconds"] == .number(14400))
        #expect(json["RequiresApproval"] == .bool(false))
    }

    @Test("the text keeps CCM's field order and writes null explicitly")
    func fieldOrder() throws {
        let text = DeploymentJSON.encode(try DeploymentEmitter.emit(plan: Plans.full(), options: DeploymentOptions()))
        var last = text.startIndex
        for field in DeploymentFields.plan {
            let range = try #require(text.range(of: "\"\(field)\":", range: last..<text.endIndex))
            last = range.upperBound
        }
        #expect(text.contains("\"ScheduledDateTimeUtc\": null,"))
        let stepText = String(text[try #require(text.range(of: "\"DeploymentSteps\"")).upperBound...])
        last = stepText.startIndex
        for field in DeploymentFields.step {
            let range = try #require(stepText.range(of: "\"\(field)\":", range: last..<stepText.endIndex))
            last = range.upperBound
        }
    }

    @Test("agent phase only by default: host agent and client groups, in plan order")
    func agentPhaseOnly() throws {
        var options = DeploymentOptions()
        options.groupIDs = Self.groups
        options.targets = [try GroupTarget(parsing: "CCM Servers=host-agent")]
        let document = try DeploymentEmitter.emit(plan: Plans.full(), options: options)
        let json = try parsed(document)
        let steps = try #require(json["DeploymentSteps"]?.array)
        #expect(steps.count == 3)
        for (index, step) in steps.enumerated() {
            guard case let .object(members) = step else { Issue.record("step not an object"); continue }
            #expect(Set(members.keys) == Set(DeploymentFields.step))
            #expect(step["PlanOrder"] == .number(Double(index + 1)))
            #expect(step["ValidExitCodes"] == .string("0, 1605, 1614, 1641, 3010"))
            #expect(step["ExecutionTimeoutInSeconds"] == .number(14400))
            #expect(step["FailOnError"] == .bool(true))
            #expect(step["RequireSuccessOnAllComputers"] == .bool(false))
            #expect(step["MachineContactTimeoutInMinutes"] == .number(60))
        }
        // Host agent: advanced, CCM Servers.
        #expect(steps[0]["IsPrivileged"] == .bool(true))
        #expect(steps[0]["DeploymentStepGroupIds"] == .array([.number(3)]))
        // chocolatey.extension on Workstations: basic, group named like the inventory group.
        #expect(steps[1]["IsPrivileged"] == .bool(false))
        #expect(steps[1]["Script"] == .string("upgrade|chocolatey.extension|8.0.0|false"))
        #expect(steps[1]["DeploymentStepGroupIds"] == .array([.number(7)]))
        #expect(steps[2]["Name"] == .string("Upgrade chocolatey-agent to 4.0.0 (group Workstations)"))
        #expect(document.warnings.contains { $0.contains("server step(s) are not in the deployment") })
        #expect(document.warnings.contains { $0.contains("internalize") })
        #expect(!document.warnings.contains { $0.contains("NO TARGET GROUPS") })
    }

    @Test("the agent's own upgrade: /NoRestartService, stop on failure, scheduled-task restart, exit $LASTEXITCODE")
    func agentSelfUpgrade() throws {
        let document = try DeploymentEmitter.emit(plan: Plans.full(), options: DeploymentOptions())
        let script = document.deploymentSteps[2].script
        let lines = script.split(separator: "\n").map(String.init)
        #expect(lines.contains("choco upgrade chocolatey-agent --version=4.0.0 -y --no-progress --package-parameters=\"'/NoRestartService'\""))
        #expect(script.contains("-notcontains $LASTEXITCODE"))
        #expect(script.contains("Register-ScheduledTask -TaskName 'ccm-upgrade restart chocolatey-agent'"))
        #expect(script.contains("Restart-Service -Name chocolatey-agent -Force"))
        #expect(script.contains("New-ScheduledTaskTrigger -Once -At (Get-Date).AddMinutes(1)"))
        #expect(lines.last == "exit $LASTEXITCODE")
        #expect(lines.filter { ScriptReader.isChoco($0) }.count == 1)
    }

    @Test("--include-server: server steps with only-run-if-successful, the service advanced with a sensitive variable, and a warning")
    func includeServer() throws {
        var options = DeploymentOptions()
        options.includeServer = true
        options.sensitiveVariableTemplateConfirmed = true
        options.groupIDs = Self.groups
        options.targets = [try GroupTarget(parsing: "CCM Servers=server"), try GroupTarget(parsing: "CCM Servers=host-agent")]
        let document = try DeploymentEmitter.emit(plan: Plans.full(), options: options)
        let steps = document.deploymentSteps
        #expect(steps.map { String($0.name.split(separator: " ")[1]) } == ["chocolatey-management-database", "chocolatey-management-service",
                                                               "chocolatey-management-web", "chocolatey-agent", "chocolatey.extension", "chocolatey-agent"])
        #expect(steps[0].script == "upgrade|chocolatey-management-database|0.17.0|false")
        #expect(!steps[0].isPrivileged)
        #expect(steps[0].requireSuccessOnAllComputers && steps[1].requireSuccessOnAllComputers && steps[2].requireSuccessOnAllComputers)
        #expect(steps[1].isPrivileged)
        #expect(steps[1].script == """
            choco upgrade chocolatey-management-service --version=0.17.0 -y --no-progress --package-parameters="'/PortNumber:24021'" --package-parameters-sensitive="'/Password:{{CCM_SERVICE_PASSWORD}}'"
            exit $LASTEXITCODE
            """)
        #expect(steps[0].deploymentStepGroupIds == [3])
        #expect(document.name == "ccm-upgrade 0.16.0 -> 0.17.0")
        #expect(document.warnings.contains { $0.contains("advises against upgrading CCM itself") })
        #expect(document.warnings.contains { $0.contains("CCM_SERVICE_PASSWORD (value from env:CCM_SERVICE_PASSWORD") })
    }

    @Test("--client-source goes into advanced steps only")
    func clientSource() throws {
        var options = DeploymentOptions()
        options.clientSource = "internal"
        let document = try DeploymentEmitter.emit(plan: Plans.full(), options: options)
        #expect(document.deploymentSteps[0].script.contains("choco upgrade chocolatey-agent --version=4.0.0 --source=\"'internal'\" -y --no-progress"))
        #expect(document.deploymentSteps[1].script == "upgrade|chocolatey.extension|8.0.0|false")
        options.clientSource = "a b"
        #expect(throws: DeploymentError.self) { try DeploymentEmitter.emit(plan: Plans.full(), options: options) }
    }

    @Test("a secret among the plain parameters still becomes a sensitive variable")
    func secretInPlainParameters() throws {
        var options = DeploymentOptions()
        options.includeServer = true
        options.sensitiveVariableTemplateConfirmed = true
        let document = try DeploymentEmitter.emit(plan: Plans.full(serviceParameters: [PackageParameter("Password", .secret(.environment("SVC_PW")))],
                                                                serviceSensitive: []), options: options)
        #expect(document.deploymentSteps[1].script.hasPrefix("choco upgrade chocolatey-management-service --version=0.17.0 -y --no-progress --package-parameters-sensitive=\"'/Password:{{SVC_PW}}'\"\n"))
    }

    @Test("no secret value ever reaches the document, whatever the reference")
    func noClearText() throws {
        let sensitive = [PackageParameter("Password", .secret(.file("/run/secrets/svc"))),
                         PackageParameter("ConnectionString", .secret(.prompt("connection")))]
        var options = DeploymentOptions()
        options.includeServer = true
        options.sensitiveVariableTemplateConfirmed = true
        let document = try DeploymentEmitter.emit(plan: Plans.full(serviceSensitive: sensitive), options: options)
        let text = DeploymentJSON.encode(document)
        #expect(!text.contains("/run/secrets"))
        #expect(text.contains("/Password:{{ChocolateyManagementService_Password}}"))
        #expect(text.contains("/ConnectionString:{{ChocolateyManagementService_ConnectionString}}"))
    }

    @Test("a secret-bearing step is not emitted with the guessed placeholder syntax until it is set or confirmed")
    func sensitiveTemplateConfirmation() throws {
        var options = DeploymentOptions()
        options.includeServer = true
        let error = #expect(throws: DeploymentError.self) { try DeploymentEmitter.emit(plan: Plans.full(), options: options) }
        #expect(error?.description.contains("step(s) 2 (Upgrade chocolatey-management-service to 0.17.0 (host ccm01)) need a CCM sensitive variable") == true)
        #expect(error?.description.contains("--confirm-sensitive-variable-template") == true)
        // Without secrets nothing needs confirming.
        _ = try DeploymentEmitter.emit(plan: Plans.full(serviceSensitive: []), options: options)
        options.sensitiveVariableTemplate = "$env:NAME"
        options.sensitiveVariableTemplateConfirmed = true
        let document = try DeploymentEmitter.emit(plan: Plans.full(), options: options)
        #expect(document.deploymentSteps[1].script.contains("--package-parameters-sensitive=\"'/Password:$env:CCM_SERVICE_PASSWORD'\""))
    }

    @Test("the agent's upgrade drops /Username, /Password and /EnterPassword: no sensitive variable, a warning instead")
    func agentAccountParametersDropped() throws {
        var plan = Plans.full()
        let index = try #require(plan.steps.firstIndex { $0.phase == .hostAgent })
        plan.steps[index].parameters = [PackageParameter("Username", .text("svc-agent")), PackageParameter("EnterPassword")]
        plan.steps[index].sensitiveParameters = [PackageParameter("Password", .secret(.environment("AGENT_PW")))]
        let document = try DeploymentEmitter.emit(plan: plan, options: DeploymentOptions())
        let script = document.deploymentSteps[0].script
        #expect(script.contains("choco upgrade chocolatey-agent --version=4.0.0 -y --no-progress --package-parameters=\"'/NoRestartService'\"\n"))
        #expect(!script.contains("Username") && !script.contains("Password") && !script.contains("--package-parameters-sensitive"))
        #expect(!document.warnings.contains { $0.contains("AGENT_PW") })
        #expect(document.warnings.contains { $0.hasPrefix("agent steps do not pass /EnterPassword, /Password, /Username") })
    }

    @Test("a major agent upgrade targets the chocolatey package, as the docs say; a minor one the agent")
    func majorAgentUpgrade() throws {
        var plan = Plans.full()
        let index = try #require(plan.steps.firstIndex { $0.phase == .hostAgent })
        plan.steps[index].fromVersion = try NuGetVersion(parsing: "3.2.1")
        var options = DeploymentOptions()
        options.clientSource = "internal"
        let document = try DeploymentEmitter.emit(plan: plan, options: options)
        let lines = document.deploymentSteps[0].script.split(separator: "\n").map(String.init)
        #expect(lines.contains("choco upgrade chocolatey --source=\"'internal'\" -y --no-progress"))
        #expect(!lines.contains { $0.hasPrefix("choco upgrade chocolatey-agent") })
        #expect(lines.contains { $0.contains("Register-ScheduledTask") })
        #expect(lines.last == "exit $LASTEXITCODE")
        #expect(document.warnings.contains { $0.hasPrefix("a major chocolatey-agent upgrade") })
        // The emitted step lints clean of errors.
        #expect(DeploymentLinter.lint(document, file: "x").filter { $0.severity == .error }.isEmpty)
        plan.steps[index].fromVersion = try NuGetVersion(parsing: "4.0.0-beta")
        #expect(try DeploymentEmitter.emit(plan: plan, options: options).deploymentSteps[0].script.contains("choco upgrade chocolatey-agent --version=4.0.0"))
    }

    @Test("without groups the warnings say so loudly, and ids stay empty")
    func noGroups() throws {
        let document = try DeploymentEmitter.emit(plan: Plans.full(), options: DeploymentOptions())
        #expect(document.deploymentSteps.allSatisfy { $0.deploymentStepGroupIds.isEmpty })
        #expect(document.warnings.contains { $0.hasPrefix("NO TARGET GROUPS for step(s) 1") })
        #expect(document.warnings.contains { $0.hasPrefix("NO GROUP IDS") })
        #expect(document.deploymentSteps[1].targetGroupNames == ["Workstations"])
    }

    @Test("a target group missing from the groups file is an error naming it")
    func groupMissing() throws {
        var options = DeploymentOptions()
        options.groupIDs = GroupDirectory(groups: [("Servers", 1)], source: "groups.json")
        #expect(throws: DeploymentError.groupNotFound(name: "Workstations", known: ["Servers"], source: "groups.json")) {
            try DeploymentEmitter.emit(plan: Plans.full(), options: options)
        }
    }

    @Test("options change every default")
    func options() throws {
        var options = DeploymentOptions()
        options.name = "Agents 4.0"
        options.executionTimeoutInSeconds = 3600
        options.machineContactTimeoutInMinutes = 0
        options.validExitCodes = [0, 3010]
        options.failOnError = false
        options.agentRequireSuccess = true
        options.repeatPeriod = 2
        options.requiresApproval = true
        options.scheduledStart = Date(timeIntervalSince1970: 1_800_000_000)
        options.maintenanceWindowEnd = Date(timeIntervalSince1970: 1_800_003_600)
        let document = try DeploymentEmitter.emit(plan: Plans.full(), options: options)
        let json = try parsed(document)
        #expect(json["Name"] == .string("Agents 4.0"))
        #expect(json["ScheduledDateTimeUtc"] == .string("2027-01-15T08:00:00Z"))
        #expect(json["LastScheduledDateTimeUtc"] == .string("2027-01-15T09:00:00Z"))
        #expect(json["RepeatPeriod"] == .number(2))
        #expect(json["ExecutionTimeoutInSeconds"] == .number(3600))
        #expect(json["RequiresApproval"] == .bool(true))
        let step = try #require(json["DeploymentSteps"]?.array?.first)
        #expect(step["ValidExitCodes"] == .string("0, 3010"))
        #expect(step["ExecutionTimeoutInSeconds"] == .number(3600))
        #expect(step["FailOnError"] == .bool(false))
        #expect(step["RequireSuccessOnAllComputers"] == .bool(true))
        #expect(step["MachineContactTimeoutInMinutes"] == .number(0))
        #expect(document.warnings.contains { $0.contains("contact timeout 0 is infinite") })
    }

    static let badOptions: [(String, @Sendable (inout DeploymentOptions) -> Void)] = [
        ("execution timeout", { $0.executionTimeoutInSeconds = 0 }),
        ("contact timeout", { $0.machineContactTimeoutInMinutes = -1 }),
        ("valid exit codes", { $0.validExitCodes = [3010] }),
        ("repeat period", { $0.repeatPeriod = 12 }),
        ("maintenance window", { $0.maintenanceWindowEnd = Date() }),
        ("sensitive variable template", { $0.sensitiveVariableTemplate = "{{X}}" }),
    ]

    @Test("options out of range are refused", arguments: badOptions)
    func badOption(_ row: (String, @Sendable (inout DeploymentOptions) -> Void)) {
        var options = DeploymentOptions()
        row.1(&options)
        do {
            _ = try DeploymentEmitter.emit(plan: Plans.full(), options: options)
            Issue.record("accepted")
        } catch {
            guard case let .invalidOption(name, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(name == row.0)
        }
    }

    static let unsafeParameters: [(PackageParameter, String)] = [
        (PackageParameter("EnterPassword"), "/EnterPassword prompts on a console"),
        (PackageParameter("Username", .text("svc'x")), "contains '''"),
        (PackageParameter("Username", .text("svc$x")), "contains '$'"),
    ]

    @Test("parameters that cannot run in a deployment are refused with the step", arguments: unsafeParameters)
    func unsafe(_ row: (PackageParameter, String)) {
        var options = DeploymentOptions()
        options.includeServer = true
        do {
            _ = try DeploymentEmitter.emit(plan: Plans.full(serviceParameters: [row.0], serviceSensitive: []), options: options)
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix("plan step 3 (chocolatey-management-service)"))
            #expect(error.description.contains(row.1))
        }
    }

    @Test("JSON strings escape quotes, backslashes and control characters")
    func escaping() throws {
        #expect(DeploymentJSON.string("a\"b\\c\nd\te\u{01}/é") == #""a\"b\\c\nd\te\u0001/é""#)
        let document = DeploymentPlanDocument(name: "x\"y", deploymentSteps: [])
        #expect(try parsed(document)["Name"] == .string("x\"y"))
    }

    static let selectors: [(String, String, GroupTarget.Selector)] = [
        ("Servers=server", "Servers", .server),
        ("All Agents=agent-phase", "All Agents", .agentPhase),
        ("CCM=web", "CCM", .phase(.web)),
        ("CCM=host:ccm01", "CCM", .host("ccm01")),
        ("Laptops=group:Workstations", "Laptops", .inventoryGroup("Workstations")),
        ("Laptops=Workstations", "Laptops", .inventoryGroup("Workstations")),
    ]

    @Test("--group CCMGROUP=SELECTOR", arguments: selectors)
    func groupTarget(_ row: (String, String, GroupTarget.Selector)) throws {
        let target = try GroupTarget(parsing: row.0)
        #expect(target.groupName == row.1)
        #expect(target.selector == row.2)
    }

    static let groupFiles: [(String, [String: Int])] = [
        (#"{"Servers": 3, "Workstations": "7"}"#, ["servers": 3, "workstations": 7]),
        (#"[{"id": 3, "name": "Servers"}]"#, ["servers": 3]),
        (#"{"result": [{"id": 1, "name": "All Computers", "description": ""}], "success": true}"#, ["all computers": 1]),
    ]

    @Test("groups files in three shapes", arguments: groupFiles)
    func groupsFile(_ row: (String, [String: Int])) throws {
        let directory = try GroupDirectory.parse(Data(row.0.utf8), file: "g.json")
        for (name, id) in row.1 { #expect(directory.id(of: name.uppercased()) == id) }
    }

    @Test("a malformed groups file names the entry")
    func badGroupsFile() {
        #expect(throws: DeploymentError.invalidGroupsFile(file: "g.json", problem: "'Servers': expected a group id (a whole number), got a boolean")) {
            try GroupDirectory.parse(Data(#"{"Servers": true}"#.utf8), file: "g.json")
        }
    }

    /// Broken JSON is explained with a line and column, in words, not with the decoder's internals.
    @Test("broken JSON in a groups file or a deployment plan names the line and column")
    func brokenJSONNamesThePlace() {
        #expect(throws: DeploymentError.invalidGroupsFile(file: "g.json", problem: "not valid JSON: line 2, column 1: expected a key in double quotes")) {
            try GroupDirectory.parse(Data("{\"a\": 1,\n".utf8), file: "g.json")
        }
        let diagnostics = DeploymentLinter.lint(Data("{\"Name\": \"x\",\n  \"DeploymentSteps\": [".utf8), file: "plan.json")
        let text = diagnostics.map(\.description).joined(separator: "\n")
        #expect(text.contains("not valid JSON: line 2, column") && !text.contains("DecodingError"), "\(text)")
    }
}

@Suite("Emitter: --group selectors that select nothing")
struct UnmatchedGroupTests {
    static let rows: [(String, String?)] = [
        ("CCM Servers=host:ccm1", "did you mean 'host:ccm01'?"),
        ("Desktops=Workstation", "did you mean 'Workstations'?"),
        ("X=host-agnet", "did you mean 'host-agent'?"),
        ("CCM Servers=host-agent", nil),
        ("Desktops=group:Workstations", nil),
    ]

    @Test(arguments: rows)
    func warning(_ row: (String, String?)) throws {
        var options = DeploymentOptions()
        options.targets = [try GroupTarget(parsing: row.0)]
        let document = try DeploymentEmitter.emit(plan: Plans.full(), options: options)
        let selectsNothing = document.warnings.filter { $0.contains("selects no step") }
        if let expected = row.1 {
            #expect(selectsNothing.count == 1 && selectsNothing[0].contains(expected), "\(document.warnings)")
        } else {
            #expect(selectsNothing.isEmpty, "\(document.warnings)")
        }
    }

    @Test func unknownCCMGroupSuggestsTheClosestName() {
        let error = DeploymentError.groupNotFound(name: "Workstation", known: ["Workstations", "CCM Servers"], source: "groups.json")
        #expect(error.description.contains("did you mean 'Workstations'?"))
    }
}
