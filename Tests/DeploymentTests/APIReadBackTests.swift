import CurlSupport
import Foundation
@testable import Deployment
import Testing

/// Reading a plan back and following it through the endpoints Chocolatey's own clients read, against the
/// TEST FAKE CCM: target groups kept or lost, fields missing from the answers, paging, archived plans.
@Suite("CCM API: read-back and polling against the fake CCM")
struct APIReadBackTests {
    let base = APIClientTests()
    func document(groups: GroupDirectory? = nil) throws -> DeploymentPlanDocument { try base.document(groups: groups) }
    func groupIDs(_ document: DeploymentPlanDocument, _ directory: GroupDirectory) throws -> [[(id: Int, name: String)]] {
        try base.groupIDs(document, directory)
    }

    @Test("read back after creating: steps keep their groups; steps created without groups are reported, not started")
    func targetsReadBack() async throws {
        let fake = try FakeCCM()
        let client = try fake.client()
        let directory = try await client.groups()
        let document = try document()
        let groups = try groupIDs(document, directory)
        let id = try await client.create(document, groups: groups, method: .steps)
        let kept = try await client.targets(of: id, expected: [1: [3], 2: [7], 3: [7]])
        #expect(kept.canStart)
        #expect(kept.steps.map(\.groupIDs) == [[3], [7], [7]])
        let wrong = try await client.targets(of: id, expected: [1: [1], 2: [7], 3: [7]])
        #expect(wrong.changed.map(\.planOrder) == [1])
        #expect(!wrong.canStart)
        let bare = try await client.create(document, groups: document.deploymentSteps.map { _ in [] }, method: .steps)
        let check = try await client.targets(of: bare)
        #expect(!check.canStart)
        #expect(check.untargeted.map(\.planOrder) == [1, 2, 3])
        #expect(check.problems.first?.hasPrefix("step 1 'Upgrade chocolatey-agent to 4.0.0 (host ccm01)' targets no group") == true)
        // The fake, like CCM as far as any source says, does not refuse such a plan itself (ccm.md §11 (8)).
        try await client.moveToReady(bare)
    }

    @Test("Import that drops DeploymentStepGroupIds (ccm.md §11 (3)): the read-back names every step that lost its groups")
    func importDropsGroups() async throws {
        let fake = try FakeCCM(["--import-drops-groups"])
        let client = try fake.client()
        let document = try document(groups: try await client.groups())
        let id = try await client.create(document, groups: [], method: .import)
        let check = try await client.targets(of: id, expected: [1: [3], 2: [7], 3: [7]])
        #expect(!check.canStart)
        #expect(check.problems.contains { $0.contains("targets no group (created with group ids 3)") })
    }

    @Test("an edit view without deploymentStepGroups: the targets are unknown, not empty")
    func targetsUnknown() async throws {
        let fake = try FakeCCM(["--omit", "stepGroups"])
        let client = try fake.client()
        let document = try document()
        let id = try await client.create(document, groups: try groupIDs(document, try await client.groups()), method: .steps)
        let check = try await client.targets(of: id)
        #expect(check.unknown.count == 3)
        #expect(check.canStart)
        #expect(fake.requests.contains { $0.hasPrefix("GET /api/services/app/DeploymentSteps/GetDeploymentStepForEdit?Id=") })
    }

    // (omitted answer fields, what the status shows)
    static let omissions: [([String], @Sendable (PlanStatus) -> Bool)] = [
        (["plan result"], { $0.result == .unknown && $0.notes.contains { $0.contains("no 'result' for plan") } }),
        (["step result"], { $0.steps.count == 3 && $0.steps.allSatisfy { $0.result == .unknown } }),
        (["step id"], { $0.steps.allSatisfy { $0.id == nil && $0.computers == nil } && $0.text.contains("computers: unknown") }),
        (["computers"], { $0.steps.allSatisfy { $0.computers?.allSatisfy { $0.name == "unknown computer" && $0.result == .unknown } == true } }),
    ]

    @Test("a field missing from CCM's answers after the start is unknown, never a crash", arguments: omissions)
    func missingFields(_ row: ([String], @Sendable (PlanStatus) -> Bool)) async throws {
        let fake = try FakeCCM(row.0.flatMap { ["--omit", $0] })
        let client = try fake.client()
        let document = try document()
        let id = try await client.create(document, groups: try groupIDs(document, try await client.groups()), method: .steps)
        try await client.moveToReady(id)
        try await client.start(id)
        let status = try await client.status(id)
        #expect(row.1(status), "\(row.0): \(status.text)")
        // The poll goes through the endpoints ChocoCCM and chococcm read.
        let requests = fake.requests
        #expect(requests.contains { $0.hasPrefix("GET /api/services/app/DeploymentPlans/GetAllPaged?Filter=&IsArchived=false&SkipCount=0&MaxResultCount=100") })
        #expect(requests.contains { $0.hasPrefix("GET /api/services/app/DeploymentSteps/GetAllPagedByDeploymentPlanId?resultFilter=Success%2CFailed%2CUnreachable%2CInconclusive%2CReady%2CActive%2CCancelled%2CUnknown%2CDraft&deploymentPlanId=\(id)&sorting=planOrder%20asc") })
    }

    @Test("more than 10 steps: every page is read (ChocoCCM's fixed 10 truncated)")
    func paging() async throws {
        let fake = try FakeCCM()
        let client = try fake.client()
        var document = DeploymentPlanDocument(name: "many")
        for order in 1...12 {
            document.deploymentSteps.append(DeploymentStepDocument(
                name: "step \(order)", isPrivileged: false, planOrder: order, script: "upgrade|pkg\(order)||false", validExitCodes: "0",
                executionTimeoutInSeconds: 600, failOnError: true, requireSuccessOnAllComputers: false, machineContactTimeoutInMinutes: 5,
                deploymentStepGroupIds: [7], targetGroupNames: []))
        }
        let id = try await client.create(document, groups: [], method: .import)
        let status = try await client.status(id, name: "many")
        #expect(status.name == "many")
        #expect(status.state == .draft)
        #expect(status.steps.map(\.planOrder) == Array(1...12))
        #expect(try await client.targets(of: id).steps.count == 12)
    }

    @Test("an archived plan is found in GetAllPaged's archived list (IsArchived=true) and shown Archived")
    func archived() async throws {
        let fake = try FakeCCM()
        let client = try fake.client()
        let document = try document()
        let id = try await client.create(document, groups: try groupIDs(document, try await client.groups()), method: .steps)
        try await client.moveToReady(id)
        try await client.start(id)
        _ = try await client.wait(id, intervalSeconds: 0, maxPolls: 10)
        _ = try await client.call(.post, "DeploymentPlans/Archive", json: #"{"id":\#(id)}"#)
        let status = try await client.status(id)
        #expect(status.state == .archived)
        #expect(status.notes.isEmpty)
        #expect(fake.requests.contains { $0.contains("GetAllPaged?Filter=&IsArchived=true") })
    }
}
