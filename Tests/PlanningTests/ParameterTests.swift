import Compatibility
import Foundation
@testable import Planning
import Testing
import Versioning

@Suite("Service parameters")
struct ParameterTests {
    static func serviceStep(_ yaml: String) throws -> PlanStep {
        let parameters = try UpgradeParameters.parse(yaml, file: "p.yaml")
        let plan = try Fixtures.plan(parameters: parameters)
        return try #require(plan.steps.first { $0.phase == .service })
    }

    // (parameters file, expected --package-parameters, expected sensitive)
    @Test(arguments: [
        ("{}", "", ""),
        ("service: { portNumber: 24020 }", "", ""),
        ("service: { portNumber: 24021 }", "/PortNumber:24021", ""),
        ("service: { username: ChocolateyLocalAdmin }", "", ""),
        ("service: { username: svc-ccm, password: 'env:CCM_PW' }", "/Username:svc-ccm", "/Password:<env:CCM_PW>"),
        ("service: { username: svc-ccm, enterPassword: true }", "/Username:svc-ccm /EnterPassword", ""),
        ("service: { certificateDnsName: ccm01.corp.example }", "", ""),
        ("service: { certificateDnsName: ccm.corp.example }", "/CertificateDnsName:ccm.corp.example", ""),
        ("service: { certificateThumbprint: ABC123 }", "/CertificateThumbprint:ABC123", ""),
        ("service: { certificateDnsName: CCM01.corp, certificateThumbprint: ABC123 }", "", ""),
        ("service: { sqlServerInstance: 'sql01\\CCM' }", "", ""),
        ("service: { connectionChanged: true, sqlServerInstance: 'sql01\\CCM', connectionString: 'file:/etc/ccm/cs' }",
         "/SqlServerInstance:sql01\\CCM", "/ConnectionString:<file:/etc/ccm/cs>"),
    ])
    func passesOnlyNonDefaults(yaml: String, plain: String, sensitive: String) throws {
        let step = try Self.serviceStep(yaml)
        #expect(step.parameters.map(\.description).joined(separator: " ") == plain)
        #expect(step.sensitiveParameters.map(\.description).joined(separator: " ") == sensitive)
    }

    @Test(arguments: [
        ("service: { password: hunter2 }", "service.password"),
        ("service: { portNumber: 99999 }", "service.portNumber"),
        ("service: { colour: blue }", "service.colour"),
        ("service: { password: 'env:X', enterPassword: true }", "service"),
        ("agent: { password: 's3cret' }", "agent.password"),
        ("web: [1, 2]", "web"),
        ("cluster: {}", "cluster"),
        ("", "document"),
        ("# only a comment, the rest cut off\n", "document"),
    ])
    func invalidParametersNameTheField(yaml: String, field: String) {
        #expect { try UpgradeParameters.parse(yaml, file: "params.yaml") } throws: { error in
            "\(error)".hasPrefix("params.yaml: parameters field '\(field)'")
        }
    }

    @Test func planNeverContainsSecretValues() throws {
        let parameters = try UpgradeParameters.parse("service: { username: svc, password: 'env:CCM_TEST_PW' }\nagent: { password: 'file:/tmp/agent-pw' }", file: "p")
        let plan = try Fixtures.plan(parameters: parameters)
        let json = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        #expect(json.contains("env:CCM_TEST_PW"))
        let secret = "correct-horse-battery-staple"
        let resolved = try plan.steps.first { $0.phase == .service }!.chocoCommand(source: plan.source).arguments { reference throws(PlanningError) in
            try reference.resolve(environment: ["CCM_TEST_PW": secret])
        }
        #expect(resolved.last == "--package-parameters-sensitive=/Password:\(secret)")
        #expect(!json.contains(secret))
        #expect(!PlanRendering.text(plan).contains(secret))
        #expect(!PlanRendering.powershell(plan).contains(secret))
    }

    @Test func secretReferencesResolve() throws {
        #expect(try SecretReference(parsing: "env:A", field: "f").resolve(environment: ["A": "x"]) == "x")
        #expect(throws: PlanningError.self) { try SecretReference(parsing: "env:A", field: "f").resolve(environment: [:]) }
        let path = NSTemporaryDirectory() + "ccm-secret-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: path, contents: Data("from-file\nignored\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try SecretReference(parsing: "file:\(path)", field: "f").resolve() == "from-file")
        #expect(try SecretReference(parsing: "prompt", field: "Password").resolve(prompt: { _ in "typed" }) == "typed")
        #expect(throws: PlanningError.self) { try SecretReference(parsing: "plain", field: "f") }
    }
}

@Suite("Inventory")
struct InventoryTests {
    // (inventory, line, field): the plan's inventory errors, with file:line from the one reader
    @Test(arguments: [
        ("hosts: [{ roles: [database] }]", 1, "hosts[0].name"),
        ("hosts: [{ name: a, roles: [databse], packages: {} }]", 1, "hosts[0].roles[0]"),
        ("hosts:\n  - { name: a, roles: [web], packages: { chocolatey-management-web: 'x.y' } }", 2, "hosts[0].packages.chocolatey-management-web"),
        ("hosts:\n  - { name: a, roles: [web], packages: {} }", 2, "hosts[0].packages.chocolatey-management-web"),
        ("hosts:\n  - { name: a, roles: [web], packages: { chocolatey-management-web: 1.0 } }\n  - { name: b, roles: [web], packages: { chocolatey-management-web: 1.0 } }", 3, "hosts[1].roles"),
        ("hosts: [{ name: a, roles: [web], packages: { chocolatey-management-web: 1.0 } }]\nclusters: []", 2, "clusters"),
        ("ccm: 0.16.0\nhosts: [{ name: a, roles: [web], packages: { chocolatey-management-web: 1.0 } }]", 1, "ccm"),
        ("- just a list", 1, "(document)"),
    ])
    func errorsNameTheField(yaml: String, line: Int, field: String) {
        #expect { try Inventory.parse(yaml, file: "inv.yaml") } throws: { error in
            "\(error)".hasPrefix("inv.yaml:\(line): error: ") && "\(error)".contains("field '\(field)'")
        }
    }

    @Test(arguments: ["hosts: []", "{}", "ccm: 0.16.0"])
    func aPlanNeedsHosts(yaml: String) throws {
        let path = NSTemporaryDirectory() + "inventory-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        #expect { try Inventory.loadForPlan(path: path) } throws: { error in
            "\(error)".hasPrefix("\(path):1: field 'hosts' is missing")
        }
    }

    @Test func jsonInventoryWorksToo() throws {
        let inventory = try Inventory.parse("""
            {"source": "/srv/feed", "hosts": [{"name": "db1", "roles": ["database"], "packages": {"chocolatey-management-database": "0.16.0"}},
             {"name": "app1", "roles": ["service", "web"], "packages": {"chocolatey-management-service": "0.16.0", "chocolatey-management-web": "0.16.0", "chocolatey-agent": "4.0.0"}}]}
            """, file: "inv.json")
        #expect(inventory.host(with: .database)?.name == "db1")
        #expect(inventory.estate.web == v("0.16.0"))
        #expect(inventory.estate.groups.map(\.name) == ["host:app1"])
    }

    // (output, expected ids and versions)
    @Test(arguments: [
        ("chocolatey|2.4.3\nchocolatey-agent|3.0.0\n", ["chocolatey": "2.4.3", "chocolatey-agent": "3.0.0"]),
        ("Chocolatey v2.4.3\nchocolatey 2.4.3\nchocolatey-management-web 0.16.0\n2 packages installed.\n", ["chocolatey": "2.4.3", "chocolatey-management-web": "0.16.0"]),
        ("Chocolatey v1.4.0\r\nchocolatey 1.4.0\r\nchocolatey.extension 5.0.8\r\n2 packages installed.\r\n", ["chocolatey": "1.4.0", "chocolatey.extension": "5.0.8"]),
    ])
    func chocoListOutput(text: String, expected: [String: String]) {
        #expect(InstalledPackages.parseChocoList(text).mapValues(\.normalized) == expected)
    }
}
