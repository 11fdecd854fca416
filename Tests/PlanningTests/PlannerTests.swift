import Compatibility
import Foundation
@testable import Planning
import Testing
import Versioning

func v(_ text: String) -> NuGetVersion { NuGetVersion(text)! }

enum Fixtures {
    static let matrix: Matrix = try! Matrix.embedded()

    static func inventory(server: String = "0.16.0", agent: String = "3.0.0", ext: String = "6.3.1", choco: String = "2.4.3",
                          groups: [Inventory.Group]? = nil, https: WebHTTPS? = WebHTTPS(certificateDnsName: "ccm01.example.com")) -> Inventory {
        Inventory(source: "https://feed.example/api/v2/", hosts: [
            .init(name: "ccm01", roles: [.database, .service, .web], packages: [
                "chocolatey-management-database": v(server), "chocolatey-management-service": v(server),
                "chocolatey-management-web": v(server), "chocolatey-agent": v(agent), "chocolatey.extension": v(ext), "chocolatey": v(choco),
            ], https: https),
        ], groups: groups ?? [.init(name: "Workstations", packages: ["chocolatey-agent": v("3.0.0"), "chocolatey.extension": v("6.3.1"), "chocolatey": v("2.4.3")])])
    }

    /// A feed holding every package a 0.17.0 plan needs.
    static let fullFeed: [String: [NuGetVersion]] = [
        "chocolatey-management-database": [v("0.16.0"), v("0.17.0")],
        "chocolatey-management-service": [v("0.16.0"), v("0.17.0")],
        "chocolatey-management-web": [v("0.16.0"), v("0.17.0")],
        "chocolatey-agent": [v("3.0.0"), v("4.0.0")],
        "chocolatey.extension": [v("6.3.1"), v("8.0.0")],
        "chocolatey": [v("2.4.3"), v("2.7.0")],
        "dotnet-10.0-runtime": [v("10.0.9")], "dotnet-10.0-aspnetruntime": [v("10.0.9")], "dotnet-aspnetcoremodule-v2": [v("20.0.26140")],
    ]

    static func plan(_ inventory: Inventory = inventory(), parameters: UpgradeParameters = UpgradeParameters(),
                     target: Planner.Target = .version(v("0.17.0")), feed: [String: [NuGetVersion]] = fullFeed,
                     configure: (inout Planner.Options) -> Void = { _ in }) throws(PlanningError) -> UpgradePlan {
        var options = Planner.Options(source: "https://feed.example/api/v2/")
        configure(&options)
        return try Planner(matrix: matrix).plan(inventory: inventory, parameters: parameters, target: target, feed: feed, options: options)
    }
}

@Suite("Planner")
struct PlannerTests {
    @Test func ordersStepsOnePackageEach() throws {
        let plan = try Fixtures.plan()
        #expect(plan.target == v("0.17.0"))
        #expect(plan.from == v("0.16.0"))
        #expect(plan.steps.map(\.phase) == [.serverPrerequisites, .serverPrerequisites, .database, .service, .web, .hostAgent,
                                            .clientAgents, .clientAgents, .clientAgents])
        #expect(plan.steps.map(\.package) == ["chocolatey", "chocolatey.extension", "chocolatey-management-database",
                                              "chocolatey-management-service", "chocolatey-management-web", "chocolatey-agent",
                                              "chocolatey", "chocolatey.extension", "chocolatey-agent"])
        #expect(plan.steps.map(\.number) == Array(1...9))
        #expect(plan.steps.filter { [.database, .service, .web].contains($0.phase) }.allSatisfy { $0.version == v("0.17.0") })
        #expect(PlanValidator.problems(in: plan).isEmpty)
        for step in plan.steps {
            let arguments = try step.chocoCommand(source: plan.source).arguments { reference throws(PlanningError) in "<\(reference)>" }
            #expect(Array(arguments.prefix(8)) == ["upgrade", step.package, "--version", step.version.normalized, "--source", plan.source, "-y", "--no-progress"])
        }
    }

    @Test func majorUpgradesAreFlagged() throws {
        let plan = try Fixtures.plan()
        let agent = try #require(plan.steps.first { $0.phase == .hostAgent })
        #expect(agent.notes.contains { $0.contains("major upgrade (3.x → 4.x)") })
        let extensionStep = try #require(plan.steps.first { $0.package == "chocolatey.extension" })
        #expect(extensionStep.notes.contains { $0.contains("major upgrade (6.x → 8.x)") })
    }

    @Test func alreadyAtTargetHasNoSteps() throws {
        let plan = try Fixtures.plan(Fixtures.inventory(server: "0.17.0", agent: "4.0.0", ext: "8.0.0", choco: "2.7.0", groups: []))
        #expect(plan.steps.isEmpty)
        #expect(PlanRendering.text(plan).contains("Nothing to do"))
    }

    @Test func resumesHalfDoneUpgrade() throws {
        var inventory = Fixtures.inventory(agent: "4.0.0", ext: "8.0.0", choco: "2.7.0", groups: [])
        inventory.hosts[0].packages["chocolatey-management-database"] = v("0.17.0")
        let plan = try Fixtures.plan(inventory)
        #expect(plan.steps.map(\.package) == ["chocolatey-management-service", "chocolatey-management-web"])
    }

    @Test func latestPicksNewestReachable() throws {
        let plan = try Fixtures.plan(target: .latest)
        #expect(plan.target == v("0.17.0"))
        var feed = Fixtures.fullFeed
        feed["chocolatey-management-web"] = [v("0.16.0")]
        let older = try Fixtures.plan(Fixtures.inventory(server: "0.15.1", agent: "4.0.0", ext: "8.0.0", choco: "2.7.0", groups: []),
                                      target: .latest, feed: feed)
        #expect(older.target == v("0.16.0"), "0.17.0 lacks its web package, so 0.16.0 is the newest reachable")
    }

    @Test func unknownTargetIsAClearError() {
        #expect(throws: PlanningError.self) { try Fixtures.plan(target: .version(v("0.99.0"))) }
        do { _ = try Fixtures.plan(target: .version(v("0.99.0"))) } catch {
            #expect(error.description.contains("unknown to this matrix"))
        }
    }

    @Test func downgradeIsRefused() {
        #expect { try Fixtures.plan(Fixtures.inventory(server: "0.17.0"), target: .version(v("0.16.0"))) } throws: { error in
            "\(error)".contains("does not downgrade")
        }
    }

    @Test func missingPackagesBecomeAnInternalizeStep() throws {
        var feed = Fixtures.fullFeed
        feed["chocolatey-management-service"] = [v("0.16.0")]
        feed["chocolatey-agent"] = []
        let plan = try Fixtures.plan(feed: feed)
        #expect(plan.steps.first?.phase == .internalize)
        #expect(plan.steps.first?.packages == [
            PinnedPackage(id: "chocolatey-management-service", version: v("0.17.0")), PinnedPackage(id: "chocolatey-agent", version: v("4.0.0")),
        ])
        #expect(PlanValidator.problems(in: plan).isEmpty)
        #expect { try Fixtures.plan(feed: feed) { $0.allowInternalize = false } } throws: { error in
            "\(error)".contains("lacks chocolatey-management-service 0.17.0, chocolatey-agent 4.0.0")
        }
    }

    @Test func clientPolicyLatestUpgradesEverythingOlder() throws {
        var feed = Fixtures.fullFeed
        feed["chocolatey-agent"] = [v("4.0.0"), v("4.1.0")]
        let inventory = Fixtures.inventory(server: "0.17.0", agent: "4.0.0", ext: "8.0.0", choco: "2.7.0", groups: [])
        #expect(try Fixtures.plan(inventory, feed: feed).steps.isEmpty)
        let latest = try Fixtures.plan(inventory, feed: feed) { $0.clientPolicy = .latest }
        #expect(latest.steps.map { "\($0.package) \($0.version)" } == ["chocolatey-agent 4.1.0"])
    }

    @Test func fingerprintsChangeWithTheEstate() throws {
        let first = try Fixtures.plan()
        let second = try Fixtures.plan(Fixtures.inventory(agent: "3.0.1"))
        #expect(first.estateFingerprint != second.estateFingerprint)
        #expect(first.feedFingerprint == second.feedFingerprint)
    }
}

@Suite("Staleness")
struct StalenessTests {
    @Test func changedEstateOrFeedMakesThePlanStale() throws {
        let plan = try Fixtures.plan()
        #expect(plan.staleness(inventory: Fixtures.inventory(), feed: Fixtures.fullFeed) == nil)
        #expect(plan.staleness(inventory: Fixtures.inventory(agent: "3.0.1"), feed: nil)?.contains("estate changed") == true)
        var feed = Fixtures.fullFeed
        feed["chocolatey-agent"] = [v("3.0.0"), v("4.0.0"), v("4.1.0")]
        #expect(plan.staleness(inventory: nil, feed: feed)?.contains("internal feed changed") == true)
        feed = Fixtures.fullFeed
        feed["unrelated-package"] = [v("1.0.0")]
        #expect(plan.staleness(inventory: nil, feed: feed) == nil, "packages the plan does not touch do not matter")
    }
}

@Suite("Preflight on a plan file")
struct PreflightAgainTests {
    @Test func aPlanThatLeavesAGroupBehindFailsThePreflight() throws {
        let plan = try Fixtures.plan()
        let planner = Planner(matrix: Fixtures.matrix)
        #expect(planner.preflightErrors(inventory: Fixtures.inventory(), steps: plan.steps).isEmpty)
        // Hand-remove the Workstations agent step: the estate after the plan would break the matrix.
        let trimmed = plan.steps.filter { !($0.group == "Workstations" && $0.package == "chocolatey-agent") }
        let errors = planner.preflightErrors(inventory: Fixtures.inventory(), steps: trimmed)
        #expect(errors.contains { $0.subject.contains("Workstations") })
    }
}
