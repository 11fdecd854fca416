import Foundation
@testable import Planning
import Testing
import Versioning

@Suite("Plan validation and rendering")
struct ValidationAndRenderingTests {
    enum Edit: String, CaseIterable, CustomTestStringConvertible {
        case combinePackages, swapServiceAndWeb, mixServerVersions, clearTextPassword, renumber, serverPackageOnClients, futureFormat
        var testDescription: String { rawValue }
    }

    static func edited(_ edit: Edit) throws -> UpgradePlan {
        var plan = try Fixtures.plan(parameters: UpgradeParameters.parse("service: { password: 'env:PW' }", file: "p"))
        let service = plan.steps.firstIndex { $0.phase == .service }!
        let web = plan.steps.firstIndex { $0.phase == .web }!
        switch edit {
        case .combinePackages: plan.steps[service].package = "chocolatey-management-service chocolatey-management-web"
        case .swapServiceAndWeb:
            plan.steps.swapAt(service, web)
            plan.steps[service].number = service + 1
            plan.steps[web].number = web + 1
        case .mixServerVersions: plan.steps[web].version = v("0.16.0")
        case .clearTextPassword: plan.steps[service].parameters.append(PackageParameter("Password", .text("hunter2")))
        case .renumber: plan.steps[0].number = 7
        case .serverPackageOnClients: plan.steps[plan.steps.count - 1].package = "chocolatey-management-web"
        case .futureFormat: plan.formatVersion = 99
        }
        return plan
    }

    @Test(arguments: Edit.allCases)
    func handEditsAreRefused(edit: Edit) throws {
        let problems = PlanValidator.problems(in: try Self.edited(edit))
        #expect(!problems.isEmpty, "\(edit) was accepted")
    }

    /// Wrong types are said in the plan's words (step number and phase, 1-based list positions), and a plan
    /// of the older format is refused with what to do.
    @Test(arguments: [
        ("parameters", "\"x\"" , "step 4 (service), parameters[1]: expected an object with name/value"),
        ("version", "4", "step 4 (service), version: expected text"),
        ("packages", "[\"chocolatey-agent 4.0.0\"]", "step 4 (service), packages[1]: expected an object with id/version"),
    ])
    func wrongTypesAreSaidInThePlansWords(field: String, json: String, expected: String) throws {
        let path = NSTemporaryDirectory() + "plan-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var root = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(try Fixtures.plan())) as? [String: Any])
        var steps = try #require(root["steps"] as? [[String: Any]])
        try #require(steps[3]["phase"] as? String == "service")
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
        steps[3][field] = field == "parameters" ? [value] : value
        root["steps"] = steps
        try JSONSerialization.data(withJSONObject: root).write(to: URL(fileURLWithPath: path))
        #expect { try PlanValidator.load(path: path) } throws: { error in
            "\(error)".contains((path as NSString).lastPathComponent + ": " + expected)
        }
        root["formatVersion"] = 1
        try JSONSerialization.data(withJSONObject: root).write(to: URL(fileURLWithPath: path))
        #expect { try PlanValidator.load(path: path) } throws: { error in
            "\(error)".contains("plan format 1 was written by an older ccm-upgrade") && "\(error)".contains("make a new one with `ccm-upgrade plan`")
        }
    }

    @Test func loadRefusesWithEveryProblem() throws {
        let path = NSTemporaryDirectory() + "plan-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try JSONEncoder().encode(try Self.edited(.mixServerVersions)).write(to: URL(fileURLWithPath: path))
        #expect { try PlanValidator.load(path: path) } throws: { error in
            "\(error)".contains("the three server packages must end at one version")
        }
        try Data("{\"formatVersion\": 2}".utf8).write(to: URL(fileURLWithPath: path))
        #expect { try PlanValidator.load(path: path) } throws: { error in "\(error)".contains("missing field") }
        try JSONEncoder().encode(try Fixtures.plan()).write(to: URL(fileURLWithPath: path))
        #expect(try PlanValidator.load(path: path).steps.count == 9)
    }

    @Test func powershellChecksEveryCommand() throws {
        let plan = try Fixtures.plan(parameters: UpgradeParameters.parse("service: { password: 'env:CCM_PW', portNumber: 24021 }", file: "p"))
        let script = PlanRendering.powershell(plan)
        let lines = script.split(separator: "\n").map(String.init)
        let commands = lines.enumerated().filter { $0.element.hasPrefix("choco ") }
        #expect(commands.count == plan.steps.count)
        for (index, line) in commands {
            #expect(!line.contains(";"), "one command per line: \(line)")
            #expect(lines[index + 1].hasPrefix("Assert-ChocoSuccess"), "no exit-code check after: \(line)")
        }
        #expect(script.contains("$validExitCodes = @(0, 1605, 1614, 1641, 3010)"))
        #expect(script.contains("a reboot is pending"))
        #expect(script.contains("$secret1 = Get-PlanSecret 'env:CCM_PW' ([Environment]::GetEnvironmentVariable('CCM_PW'))"))
        #expect(script.contains("--package-parameters-sensitive \"'/Password:$($secret1)'\""))
        #expect(script.contains("--package-parameters \"'/PortNumber:24021'\""))
    }
}
