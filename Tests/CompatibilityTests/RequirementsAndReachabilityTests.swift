import Compatibility
import Testing
import Versioning

@Suite("Requirements for a target CCM version")
struct RequirementsTests {
    // (CCM, agent range, extension min, chocolatey min, runtime, SQL min, Windows min)
    @Test(arguments: [
        ("0.17.0", ">= 4.0.0", "8.0.0", "2.7.0", ".NET 10", "2016", "2016"),
        ("0.13.0", ">= 1.1.0", "4.2.0", "1.1.0", ".NET 8.0", "2016", "2016"),
        ("0.12.1", ">= 1.1.0", "4.2.0", "1.1.0", ".NET 6.0", "2012", "2016"),
        ("0.9.0", ">= 1.0.0", "4.1.1", "1.1.0", ".NET 6.0", "2012", "2012"),
        ("0.6.2", ">= 0.11.0", "2.1.0", "0.10.15", ".NET Core 3.1", "2008", "2012"),
        ("0.2.0", ">= 0.10.0 and < 0.11.0", "2.1.0", "0.10.15", "ASP.NET Core 2.x (the 0.6.0 release notes call it .NET Core 2.2)", "2008", "2012"),
        ("0.1.1", ">= 0.9.0 and < 0.10.0", "2.0.3", "0.10.15", "ASP.NET Core 2.x (the 0.6.0 release notes call it .NET Core 2.2)", "2008", "2012"),
    ])
    func minimums(ccm: String, agent: String, ext: String, choco: String, runtime: String, sql: String, windows: String) throws {
        let requirements = try embedded().requirements(forCCM: v(ccm))
        #expect(requirements.client("chocolatey-agent")?.range.prettyDescription == agent)
        #expect(requirements.client("chocolatey.extension")?.range.minVersion == v(ext))
        #expect(requirements.client("chocolatey")?.range.minVersion == v(choco))
        #expect(requirements.dotnet?.runtime == runtime)
        #expect(requirements.sqlServer?.minimum.description == sql)
        #expect(requirements.windowsServer?.minimum.description == windows)
        #expect(requirements.powershell.count == 2)
    }

    @Test func breaksNarrowTheRowAndEraPackagesStartWhereTheyShould() throws {
        let matrix = try embedded()
        // CCM 0.3.x: the row says agent 0.11.0+, the break says the same; CCM 0.2.x allows 0.10.x only.
        #expect(try matrix.requirements(forCCM: v("0.3.1")).communicationBreaks.map(\.id) == ["ccm-0.3.0-needs-agent-0.11.0"])
        #expect(try matrix.requirements(forCCM: v("0.1.0")).communicationBreaks.map(\.id).sorted() == ["agent-0.10.0-needs-ccm-0.2.0", "agent-0.11.0-needs-ccm-0.3.0"])
        // dotnetcore-sdk applies to the database from 0.6.2 only.
        #expect(try !matrix.requirements(forCCM: v("0.6.1")).prerequisites.contains { $0.id == "dotnetcore-sdk" })
        #expect(try matrix.requirements(forCCM: v("0.6.2")).prerequisites.contains { $0.id == "dotnetcore-sdk" })
        let net10 = try matrix.requirements(forCCM: v("0.17.0"))
        #expect(net10.prerequisites.map(\.id) == ["dotnet-10.0-runtime", "dotnet-10.0-aspnetruntime", "dotnet-aspnetcoremodule-v2"])
        #expect(net10.prerequisites.first?.recommended == v("10.0.9"))
        #expect(net10.release?.date == "2026-07-08")
        #expect(!net10.reliesOnInference)
    }
}

@Suite("Newest reachable target")
struct ReachabilityTests {
    static let net8: [String: [NuGetVersion]] = [
        "dotnet-8.0-runtime": [v("8.0.8"), v("8.0.28")], "dotnet-8.0-aspnetruntime": [v("8.0.28")], "dotnet-aspnetcoremodule-v2": [v("18.0.26139")],
    ]
    static let net10: [String: [NuGetVersion]] = [
        "dotnet-10.0-runtime": [v("10.0.9")], "dotnet-10.0-aspnetruntime": [v("10.0.7"), v("10.0.9")], "dotnet-aspnetcoremodule-v2": [v("20.0.26107"), v("20.0.26140")],
    ]

    func feed(ccm: [String], extra: [String: [NuGetVersion]] = [:]) -> [String: [NuGetVersion]] {
        var feed: [String: [NuGetVersion]] = [
            "chocolatey-management-database": ccm.map(v), "Chocolatey-Management-Service": ccm.map(v), "chocolatey-management-web": ccm.map(v),
            "chocolatey-agent": [v("1.1.5"), v("2.3.0"), v("4.0.0"), v("4.1.0"), v("5.0.0-beta")],
            "chocolatey.extension": [v("5.0.8"), v("6.3.1"), v("8.2.0")],
            "chocolatey": [v("1.4.6"), v("2.4.3"), v("2.7.3")],
        ]
        feed.merge(extra) { $0 + $1 }
        return feed
    }

    @Test func newestVersionWithEverythingInTheFeed() throws {
        let estate = Estate(ccm: v("0.14.0"), groups: [group("servers", agent: "4.0.0", ext: "8.2.0", choco: "2.7.3"), group("old", agent: "1.1.5", ext: "5.0.8", choco: "1.4.6")])
        let result = try embedded().newestReachableTarget(available: feed(ccm: ["0.14.0", "0.16.0", "0.17.0"], extra: Self.net8), estate: estate)
        let target = try #require(result.target)
        #expect(target.ccm == v("0.16.0"))
        // 0.17.0 needs .NET 10 packages the feed lacks.
        #expect(result.unreachable.map(\.ccm) == [v("0.17.0")])
        #expect(result.unreachable.first?.reasons.contains { $0.contains("dotnet-10.0-runtime") } == true)
        let selected = Dictionary(uniqueKeysWithValues: target.packages.map { ($0.packageID, $0.selected.normalized) })
        #expect(selected["chocolatey-agent"] == "4.1.0") // the prerelease is not chosen
        #expect(selected["chocolatey.extension"] == "8.2.0")
        #expect(selected["chocolatey"] == "2.7.3")
        #expect(selected["dotnet-8.0-aspnetruntime"] == "8.0.28")
        let agent = try #require(target.packages.first { $0.packageID == "chocolatey-agent" })
        #expect(agent.installed.filter(\.needsChange).map(\.place) == ["old"])
        #expect(target.packages.prefix(3).map(\.packageID) == CCMCatalogue.standard.serverPackageIDs)
        #expect(target.packages.filter { $0.role == .client }.map(\.packageID) == ["chocolatey", "chocolatey.extension", "chocolatey-agent"])
        #expect(target.mustUpgrade.map(\.packageID).contains("chocolatey-management-web"))
    }

    @Test func documentedPairsArePreferredAndUnknownVersionsReported() throws {
        let result = try embedded().newestReachableTarget(available: feed(ccm: ["0.17.0", "0.18.0"], extra: Self.net10))
        let target = try #require(result.target)
        #expect(target.ccm == v("0.17.0"))
        let selected = Dictionary(uniqueKeysWithValues: target.packages.map { ($0.packageID, $0.selected.normalized) })
        #expect(selected["dotnet-10.0-aspnetruntime"] == "10.0.9")
        #expect(selected["dotnet-aspnetcoremodule-v2"] == "20.0.26140")
        // 0.18.0 is in the feed but unknown to the matrix: reported, never chosen.
        #expect(result.unreachable.first?.ccm == v("0.18.0"))
        #expect(result.unreachable.first?.reasons.first?.contains("unknown to this matrix") == true)
    }

    @Test func clientsAreChosenSoTheirDependenciesHold() throws {
        // The feed has agent 4.1.0 but no chocolatey.extension 8.x: for CCM 0.14.0 the newest agent whose
        // dependencies the feed can meet is 2.3.0 (needs CLE 6.0.0).
        var available = feed(ccm: ["0.14.0"], extra: Self.net8)
        available["chocolatey.extension"] = [v("5.0.8"), v("6.3.1")]
        let target = try #require(try embedded().newestReachableTarget(available: available).target)
        let selected = Dictionary(uniqueKeysWithValues: target.packages.map { ($0.packageID, $0.selected.normalized) })
        #expect(selected["chocolatey-agent"] == "2.3.0")
        #expect(selected["chocolatey.extension"] == "6.3.1")
        #expect(target.packages.first { $0.packageID == "chocolatey.extension" }?.required.minVersion == v("6.0.0"))
    }

    @Test func aTargetBelowTheCurrentVersionIsFlaggedAsADowngrade() throws {
        let estate = Estate(ccm: v("0.15.0"), groups: [group(agent: "4.1.0", ext: "8.2.0", choco: "2.7.3")])
        let target = try #require(try embedded().newestReachableTarget(available: feed(ccm: ["0.14.0"], extra: Self.net8), estate: estate).target)
        #expect(target.ccm == v("0.14.0"))
        #expect(target.packages.filter { $0.role == .server }.allSatisfy { $0.wouldDowngrade.count == 1 })
        // Clients newer than needed stay as they are: neither an upgrade nor a downgrade.
        #expect(target.packages.filter { $0.role == .client }.allSatisfy { !$0.mustUpgrade && $0.wouldDowngrade.isEmpty })
    }

    @Test func nothingReachable() throws {
        let result = try embedded().newestReachableTarget(available: ["chocolatey-management-database": [v("0.14.0")]], includePrerequisites: false)
        #expect(result.target == nil)
        #expect(result.unreachable.count == 28) // every release but the unlisted beta
    }
}
