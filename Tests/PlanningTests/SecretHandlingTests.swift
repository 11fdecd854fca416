import Diagnostics
import Foundation
@testable import Planning
import RemoteHosts
import Testing

/// Issue 12 §4 inside Planning: what choco inherits, and which list a secret travels in.
@Suite("Secrets: child environment, sensitive parameters, parameters files")
struct SecretHandlingTests {
    @Test("choco inherits the allow-list and Chocolatey's own variables, never the tool's settings or a secret value")
    func childEnvironment() {
        let secret = "Child-Env-Secret-\(UUID().uuidString.prefix(6))"
        Redaction.register(secret)
        let environment = [
            "PATH": "/usr/bin", "SystemRoot": "C:\\Windows", "ChocolateyInstall": "C:\\ProgramData\\chocolatey",
            "CCM_UPGRADE_API_KEY": "k-123456", "CCM_UPGRADE_LICENSE_ID": "lic-123456", "CCM_SERVICE_PASSWORD": "pw-123456",
            "AWS_SECRET_ACCESS_KEY": "aws-123456", "CHOCO_SNEAKY": secret, "TEMP": secret,
        ]
        let child = LocalHost(name: "this machine", extraEnvironment: ["STEP_NEEDS": "this"], environment: environment).environment
        #expect(child == ["PATH": "/usr/bin", "SystemRoot": "C:\\Windows", "ChocolateyInstall": "C:\\ProgramData\\chocolatey",
                          "STEP_NEEDS": "this"])
    }

    @Test("a secret reference listed among the plain parameters goes to --package-parameters-sensitive, and the plan is refused")
    func secretInPlainParameters() throws {
        var plan = try Fixtures.plan(parameters: UpgradeParameters.parse("database: { connectionChanged: true, sqlServerInstance: 'sql01' }", file: "p"))
        let index = try #require(plan.steps.firstIndex { $0.phase == .database })
        plan.steps[index].parameters.append(PackageParameter("ConnectionString", .secret(.file("/etc/ccm/connection"))))
        let command = plan.steps[index].chocoCommand(source: plan.source)
        let arguments = try command.arguments { _ throws(PlanningError) in "Server=sql01;Password=Plain-Line-Secret" }
        let carriers = arguments.filter { $0.contains("Plain-Line-Secret") }
        #expect(carriers.count == 1 && carriers[0].hasPrefix("--package-parameters-sensitive="), "\(arguments)")
        #expect(arguments.contains("--package-parameters=/SqlServerInstance:sql01"), "\(arguments)")
        #expect(PlanValidator.problems(in: plan).contains { $0.contains("/ConnectionString is a secret reference in 'parameters'") })
    }

    @Test("a plan whose source URL carries a password is refused: it would reach choco's command line")
    func sourceWithPassword() throws {
        var plan = try Fixtures.plan()
        #expect(PlanValidator.problems(in: plan).isEmpty)
        plan.source = "https://feeduser:Source-Pw-1@feed.example/api/v2/"
        #expect(PlanValidator.problems(in: plan).contains { $0.hasPrefix("the source URL carries a password") })
        plan.source = "https://feeduser@feed.example/api/v2/"
        #expect(PlanValidator.problems(in: plan).isEmpty, "a user name alone is no secret")
    }

    @Test("an alias bomb in a parameters file is refused at once")
    func parametersAliasBomb() {
        var lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
        for level in 1...8 { lines.append("l\(level): &l\(level) [" + Array(repeating: level == 1 ? "*a" : "*l\(level - 1)", count: 9).joined(separator: ", ") + "]") }
        lines.append("service: { username: *l8 }")
        #expect { try UpgradeParameters.parse(lines.joined(separator: "\n"), file: "params.yaml") } throws: { error in
            "\(error)".hasPrefix("params.yaml: parameters field 'document'") && "\(error)".contains("aliases (*name) expand the document")
        }
    }
}

@Suite("Parameters file: a complex YAML key is refused, not a crash")
struct ParametersComplexKeyTests {
    @Test func mappingKeyIsRefused() {
        #expect(throws: PlanningError.self) { try UpgradeParameters.parse("? a: b\n: c\n", file: "parameters.yaml") }
    }
}
