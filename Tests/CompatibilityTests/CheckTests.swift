import Compatibility
import Testing
import Versioning

@Suite("Checks over an estate")
struct CheckTests {
    // (database, service, web, during upgrade, expected severity of ccm.same-version or nil)
    @Test(arguments: [
        ("0.14.0", "0.14.0", "0.14.0", false, nil),
        ("0.14.0", "0.14.0", "0.14.0", true, nil),
        ("0.15.0", "0.14.0", "0.14.0", false, Finding.Severity.error),
        ("0.15.0", "0.14.0", "0.14.0", true, Finding.Severity.warning),
        ("0.15.0", "0.15.0", "0.14.0", true, Finding.Severity.warning),
        ("0.14.0.1", "0.14.0.1", "0.14.0.1", false, nil),
    ] as [(String, String, String, Bool, Finding.Severity?)])
    func serverPackagesAreOneUnit(database: String, service: String, web: String, during: Bool, expected: Finding.Severity?) throws {
        let estate = Estate(database: v(database), service: v(service), web: v(web))
        let report = try embedded().check(estate, duringUpgrade: during)
        #expect(report.findings.first { $0.rule == "ccm.same-version" }?.severity == expected)
        #expect(!report.has("ccm.upgrade-order", .error))
    }

    @Test func outOfOrderUpgradeIsAnErrorEvenDuringAnUpgrade() throws {
        let estate = Estate(database: v("0.14.0"), service: v("0.15.0"), web: v("0.14.0"))
        let report = try embedded().check(estate, duringUpgrade: true)
        let finding = try #require(report.findings.first { $0.rule == "ccm.upgrade-order" })
        #expect(finding.subject == "chocolatey-management-service")
        #expect(finding.message.contains("Invalid column name"))
        #expect(!report.isCompatible)
    }

    @Test func clientsAreCheckedAgainstEveryServerVersionDuringAnUpgrade() throws {
        let estate = Estate(database: v("0.15.0"), service: v("0.14.0"), web: v("0.14.0"), groups: [group(agent: "1.1.0", ext: "4.2.0", choco: "1.1.0")])
        let report = try embedded().check(estate, duringUpgrade: true)
        #expect(report.ccmVersions == ["0.14.0", "0.15.0"])
        let errors = report.findings.filter { $0.rule == "ccm.client-version" }
        #expect(errors.count == 3)
        #expect(errors.allSatisfy { $0.message.hasPrefix("CCM 0.15.0 (database)") })
    }

    // (CCM version, expected rule, severity)
    @Test(arguments: [
        ("0.18.0", "matrix.unknown-ccm-version", Finding.Severity.error),
        ("1.0.0", "matrix.unknown-ccm-version", .error),
        ("0.0.9", "matrix.unknown-ccm-version", .error),
        ("0.1.0-beta-20181009", "ccm.unlisted-version", .error),
        ("0.1.0-beta-20190101", "matrix.unknown-ccm-release", .warning),
        ("0.17.1", "matrix.unknown-ccm-release", .warning),
        ("0.17.0.1", "matrix.unknown-ccm-release", .warning),
        ("0.18.0-beta", "matrix.unknown-ccm-version", .error),
        ("0.17.1-beta", "matrix.unknown-ccm-release", .warning),
        ("0.10.1", "matrix.inferred-row", .note),
        ("0.11.0", "matrix.inferred-row", .note),
    ] as [(String, String, Finding.Severity)])
    func versionsTheMatrixCannotVouchForAreNeverASilentPass(_ version: String, _ rule: String, _ severity: Finding.Severity) throws {
        let report = try embedded().check(Estate(ccm: v(version), groups: [group(agent: "4.0.0", ext: "8.0.0", choco: "2.7.0")]))
        #expect(report.has(rule, severity), "\(report.findings.map { "\($0.rule) \($0.message)" })")
        if rule == "matrix.unknown-ccm-version" {
            #expect(report.findings.first { $0.rule == rule }?.message.contains("update matrix/") == true || report.findings.first { $0.rule == rule }?.message.contains("Update matrix/") == true)
            #expect(!report.isCompatible)
        }
    }

    @Test func unknownVersionsAreAnAPIErrorToo() throws {
        let matrix = try embedded()
        #expect(throws: CompatibilityError.self) { try matrix.requirements(forCCM: v("0.18.0")) }
        #expect(throws: CompatibilityError.self) { try matrix.requirements(forCCM: v("0.1.0-beta-20181009")) }
        do {
            _ = try matrix.requirements(forCCM: v("0.18.0"))
        } catch {
            #expect(error.description.contains("update matrix/"))
        }
    }

    // (agent, CCM, expected break rule or nil)
    @Test(arguments: [
        ("0.10.0", "0.1.1", "break.agent-0.10.0-needs-ccm-0.2.0"),
        ("0.10.0", "0.2.0", nil),
        ("0.10.0", "0.3.0", "break.ccm-0.3.0-needs-agent-0.11.0"),
        ("0.11.0", "0.2.1", "break.agent-0.11.0-needs-ccm-0.3.0"),
        ("0.11.0", "0.3.0", nil),
        ("0.9.0", "0.1.0", nil),
    ] as [(String, String, String?)])
    func communicationBreaks(agent: String, ccm: String, expected: String?) throws {
        let report = try embedded().check(Estate(ccm: v(ccm), groups: [group(agent: agent, ext: "2.1.0", choco: "0.10.15")]))
        let breaks = report.findings.filter { $0.rule.hasPrefix("break.") }.map(\.rule)
        #expect(breaks == (expected.map { [$0] } ?? []))
    }

    @Test func unknownClientVersions() throws {
        let report = try embedded().check(Estate(ccm: v("0.17.0"), groups: [group(agent: "5.0.0", ext: "8.2.1", choco: "2.7.0")]))
        #expect(report.findings.contains { $0.rule == "matrix.unknown-package-version" && $0.subject == "default: chocolatey-agent" && $0.severity == .error })
        #expect(report.findings.contains { $0.rule == "matrix.unknown-package-version" && $0.subject == "default: chocolatey.extension" && $0.severity == .warning })
    }

    @Test func groupsAreCheckedSeparatelyAndMissingVersionsAreNoted() throws {
        let estate = Estate(ccm: v("0.16.0"), groups: [group("servers", agent: "4.1.0", ext: "8.2.0", choco: "2.7.3"), group("laptops", agent: "2.2.2")])
        let report = try embedded().check(estate)
        let errors = report.findings.filter { $0.severity == .error }
        #expect(errors.map(\.subject) == ["laptops: chocolatey-agent"])
        #expect(report.findings.contains { $0.rule == "estate.missing-version" && $0.subject == "laptops: chocolatey.extension" })
    }

    @Test func prerequisites() throws {
        let matrix = try embedded()
        var estate = Estate(ccm: v("0.13.0"))
        estate.dotnetRuntime = v("6.0.15")
        estate.sqlServer = ServerRelease(year: 2014)
        estate.windowsServer = ServerRelease(year: 2012, isR2: true)
        estate.prerequisites = ["dotnet-8.0-aspnetruntime": v("8.0.7"), "dotnet-6.0-runtime": v("6.0.15")]
        let report = matrix.check(estate)
        #expect(report.rules(.error).sorted() == ["prerequisite.dotnet-runtime", "prerequisite.package", "prerequisite.sql-server", "prerequisite.windows-server"])
        #expect(report.has("prerequisite.not-needed", .note))

        var good = Estate(ccm: v("0.13.0"))
        good.dotnetRuntime = v("8.0.28")
        good.sqlServer = ServerRelease(year: 2016)
        good.windowsServer = ServerRelease(year: 2016)
        good.prerequisites = ["dotnet-8.0-aspnetruntime": v("8.0.8"), "dotnet-aspnetcoremodule-v2": v("18.0.24201")]
        #expect(matrix.check(good).findings.filter { $0.rule.hasPrefix("prerequisite.") }.isEmpty)

        // SQL Server before CCM 0.9.0 relies on an inferred minimum (2008).
        var old = Estate(ccm: v("0.8.0"))
        old.sqlServer = ServerRelease(year: 2005)
        #expect(matrix.check(old).findings.first { $0.rule == "prerequisite.sql-server" }?.inferred != nil)
    }

    // (aspnetruntime, aspnetcoremodule-v2, documented)
    @Test(arguments: [("10.0.9", "20.0.26140", true), ("10.0.7", "20.0.26107", true), ("10.0.9", "20.0.26107", false)])
    func dotnet10PairsMustBeDocumented(runtime: String, module: String, documented: Bool) throws {
        var estate = Estate(ccm: v("0.17.0"))
        estate.prerequisites = ["dotnet-10.0-aspnetruntime": v(runtime), "dotnet-aspnetcoremodule-v2": v(module)]
        #expect(try embedded().check(estate).has("prerequisite.pairing", .warning) == !documented)
    }

    @Test func outputIsDeterministic() throws {
        let estate = Estate(database: v("0.15.0"), service: v("0.14.0"), web: v("0.13.0"), groups: [group("b", agent: "0.9.0"), group("a", agent: "1.0.0", ext: "3.0.0")])
        let matrix = try embedded()
        let first = MatrixRendering.json(matrix.check(estate))
        #expect(first == MatrixRendering.json(matrix.check(estate)))
        #expect(MatrixRendering.text(matrix.check(estate)) == MatrixRendering.text(matrix.check(estate)))
        let findings = matrix.check(estate).findings
        #expect(findings == findings.sorted())
        #expect(findings.first?.severity == .error)
    }
}
