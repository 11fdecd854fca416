import Compatibility
@testable import Planning
import Testing
import Versioning

/// The plan's share of issue 14 §3 and §7: HTTPS from CCM 0.17.0, and `--to latest` with a feed that is
/// ahead of the matrix.
struct PlannerSetupTests {
    @Test func aPlanTo0170WithoutACertificateIsRefusedWithTheRemedy() throws {
        let error = try #require(throws: PlanningError.self) { try Fixtures.plan(Fixtures.inventory(https: nil)) }
        guard case let .impossible(reasons) = error else { Issue.record("expected impossible, got \(error)"); return }
        let reason = try #require(reasons.first { $0.contains("[prerequisite.https]") })
        #expect(reason.contains("works only over SSL") && reason.contains("https: { certificate_thumbprint"), "\(reason)")
    }

    // (recorded binding, what the web step's note names). The web package documents no certificate
    // parameter (ccm.md §4.3), so none is passed: the note names the binding to keep.
    @Test(arguments: [
        (WebHTTPS(certificateThumbprint: "3EDEBDFEE63B57B0A0A12A079ED8DA791DA03BA7"), "thumbprint 3EDEBDFEE63B57B0A0A12A079ED8DA791DA03BA7"),
        (WebHTTPS(certificateDnsName: "ccm.example.com"), "certificate ccm.example.com"),
        (WebHTTPS(certificateThumbprint: "3EDEBDFEE63B57B0A0A12A079ED8DA791DA03BA7", certificateDnsName: "ccm.example.com", port: 8443),
         "thumbprint 3EDEBDFEE63B57B0A0A12A079ED8DA791DA03BA7, ccm.example.com"),
    ])
    func theWebStepTo0170NamesTheCertificate(_ https: WebHTTPS, _ named: String) throws {
        let plan = try Fixtures.plan(Fixtures.inventory(https: https))
        let web = try #require(plan.steps.first { $0.package == ServerRole.web.packageID })
        #expect(!web.parameters.contains { $0.name.hasPrefix("Certificate") }, "no undocumented web parameter")
        #expect(web.notes.contains { $0.contains("only over SSL") && $0.contains("port \(https.port)") && $0.contains(named) }, "\(web.notes)")
        // The service keeps its own (documented) certificate rules.
        let service = try #require(plan.steps.first { $0.package == ServerRole.service.packageID })
        #expect(!service.parameters.contains { $0.name.hasPrefix("Certificate") })
    }

    @Test func aPlanBefore0170PassesNoCertificateAndNeedsNone() throws {
        let feed: [String: [NuGetVersion]] = [
            "chocolatey-management-database": [v("0.16.0")], "chocolatey-management-service": [v("0.16.0")], "chocolatey-management-web": [v("0.16.0")],
            "chocolatey-agent": [v("4.0.0")], "chocolatey.extension": [v("8.0.0")], "chocolatey": [v("2.7.0")],
            "dotnet-8.0-runtime": [v("8.0.28")], "dotnet-8.0-aspnetruntime": [v("8.0.28")], "dotnet-aspnetcoremodule-v2": [v("18.0.26139")],
        ]
        let plan = try Fixtures.plan(Fixtures.inventory(server: "0.15.1", https: nil), target: .version(v("0.16.0")), feed: feed)
        let web = try #require(plan.steps.first { $0.package == ServerRole.web.packageID })
        #expect(!web.parameters.contains { $0.name.hasPrefix("Certificate") })
    }

    @Test func latestSaysSoWhenTheFeedHoldsACCMTheMatrixDoesNotKnow() throws {
        var feed = Fixtures.fullFeed
        for id in CCMCatalogue.standard.serverPackageIDs { feed[id, default: []].append(v("0.18.0")) }
        let plan = try Fixtures.plan(target: .latest, feed: feed)
        #expect(plan.target == v("0.17.0"))
        let warning = try #require(plan.preflight.first { $0.rule == "matrix.newer-ccm-in-feed" })
        #expect(warning.severity == .warning)
        #expect(warning.message.contains("CCM 0.18.0") && warning.message.contains("stops at 0.17.0") && warning.message.contains("adding-a-ccm-release"))
        // Only one of the three server packages at 0.18.0 is enough to say so; a feed without any says nothing.
        var partial = Fixtures.fullFeed
        partial["chocolatey-management-web", default: []].append(v("0.18.1"))
        #expect(try Fixtures.plan(target: .latest, feed: partial).preflight.contains { $0.rule == "matrix.newer-ccm-in-feed" && $0.message.contains("0.18.1") })
        #expect(try !Fixtures.plan(target: .latest).preflight.contains { $0.rule == "matrix.newer-ccm-in-feed" })
        // A prerelease counts only with --pre.
        var beta = Fixtures.fullFeed
        beta["chocolatey-management-web", default: []].append(v("0.18.0-beta1"))
        #expect(try !Fixtures.plan(target: .latest, feed: beta).preflight.contains { $0.rule == "matrix.newer-ccm-in-feed" })
    }

    @Test func withTheRowAddedTheSameFeedPlansTo0180() throws {
        let matrix = try Matrix.load(files: MatrixWith0180.files, origin: "test", pathPrefix: "matrix/")
        var feed = Fixtures.fullFeed
        for id in CCMCatalogue.standard.serverPackageIDs { feed[id, default: []].append(v("0.18.0")) }
        let plan = try Planner(matrix: matrix).plan(inventory: Fixtures.inventory(), parameters: UpgradeParameters(), target: .latest, feed: feed,
                                                    options: Planner.Options(source: "https://feed.example/api/v2/"))
        #expect(plan.target == v("0.18.0"))
        #expect(!plan.preflight.contains { $0.rule == "matrix.newer-ccm-in-feed" || $0.rule == "matrix.unknown-ccm-release" })
    }
}

/// The embedded matrix plus a 0.18.0 row: the one-file change docs/adding-a-ccm-release.md describes
/// (values as in the 0.17.0 row; a test stand-in, not published data).
enum MatrixWith0180 {
    static let row = """
        rows:
          - ccm: "0.18.0"
            ccm_range: { min: "0.18.0", max_exclusive: "0.19.0" }
            requires:
              chocolatey-agent: { min: "4.0.0", as_published: "4.0.0+" }
              chocolatey.extension: { min: "8.0.0", as_published: "8.0.0+" }
              chocolatey: { min: "2.7.0", as_published: "2.7.0+" }
            provenance: { source: chocolatey/docs, file: src/content/docs/en-us/central-management/index.mdx, commit: 0000000a, date: "2026-09-01", on_head: true }

        """

    static var files: [(name: String, text: String)] {
        Matrix.embeddedFiles.map { file in
            guard file.name == "ccm-compatibility.yaml", let range = file.text.range(of: "rows:\n") else { return file }
            return (file.name, file.text.replacingCharacters(in: range, with: row))
        }
    }
}

/// The database package's .NET runtime on its own host (issue 14 §3).
struct DatabaseHostRuntimeTests {
    static func inventory(database: String, runtime: String) -> Inventory {
        var inventory = Fixtures.inventory()
        inventory.hosts[0].roles = [.service, .web]
        inventory.hosts[0].packages["chocolatey-management-database"] = nil
        inventory.hosts.insert(.init(name: "sql01", roles: [.database], packages: [
            "chocolatey-management-database": v(database), "dotnet-10.0-runtime": v(runtime),
        ]), at: 0)
        return inventory
    }

    @Test func theDatabaseStepBringsTheRuntimeAlong() throws {
        // The database step upgrades the package, and choco its runtime dependency from the internal feed.
        let plan = try Fixtures.plan(Self.inventory(database: "0.16.0", runtime: "10.0.5"))
        #expect(plan.steps.contains { $0.host == "sql01" && $0.package == ServerRole.database.packageID })
        let after = Planner(matrix: Fixtures.matrix).estate(Self.inventory(database: "0.16.0", runtime: "10.0.5"), after: plan.steps)
        #expect(after.hosts[0].packages["dotnet-10.0-runtime"] == v("10.0.9"))
    }

    @Test func aDatabaseHostAlreadyOnTheTargetWithAnOldRuntimeIsRefused() throws {
        let error = try #require(throws: PlanningError.self) { try Fixtures.plan(Self.inventory(database: "0.17.0", runtime: "10.0.5")) }
        guard case let .impossible(reasons) = error else { Issue.record("\(error)"); return }
        #expect(reasons.contains { $0.contains("dotnet-10.0-runtime") && $0.contains("installed 10.0.5") }, "\(reasons)")
    }
}
