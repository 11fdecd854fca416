import Compatibility
import Testing
import Versioning

/// The nearest lower version with the same number of parts that matter (4.0.0 → 3.999.999).
func justBelow(_ version: NuGetVersion) -> NuGetVersion {
    if version.revision > 0 { return NuGetVersion(major: version.major, minor: version.minor, patch: version.patch, revision: version.revision - 1) }
    if version.patch > 0 { return NuGetVersion(major: version.major, minor: version.minor, patch: version.patch - 1, revision: 999) }
    if version.minor > 0 { return NuGetVersion(major: version.major, minor: version.minor - 1, patch: 999) }
    return NuGetVersion(major: version.major - 1, minor: 999, patch: 999)
}

@Suite("Every matrix row")
struct RowTests {
    static let labels = (try? Matrix.embedded())?.rows.map(\.label) ?? []

    /// A group with every client exactly at the row's minimum.
    func minimalEstate(_ row: CCMRow) throws -> Estate {
        let ccm = try #require(row.ccmRange.minVersion)
        let packages = Dictionary(uniqueKeysWithValues: row.requirements.map { ($0.packageID, $0.range.minVersion!) })
        var estate = Estate(ccm: ccm, groups: [AgentGroup(name: "g", packages: packages)])
        estate.webHTTPS = WebHTTPS(certificateDnsName: "ccm.example.com") // the website's binding, needed from 0.17.0
        return estate
    }

    @Test(arguments: labels)
    func exactlyTheMinimumIsCompatible(_ label: String) throws {
        let matrix = try embedded()
        let row = try #require(matrix.rows.first { $0.label == label })
        let report = matrix.check(try minimalEstate(row))
        #expect(report.isCompatible, "\(report.findings.map(\.message))")
        #expect(report.count(.warning) == 0, "\(report.findings.map(\.message))")
        // The last version of the range resolves to the same row (4-part versions included).
        let last = try #require(row.ccmRange.maxVersion)
        let inside = NuGetVersion(major: justBelow(last).major, minor: justBelow(last).minor, patch: justBelow(last).patch, revision: 7)
        #expect(matrix.row(for: inside)?.label == label)
    }

    @Test(arguments: labels)
    func justBelowThePrereleaseAndFourPartVersionsOfEachMinimum(_ label: String) throws {
        let matrix = try embedded()
        let row = try #require(matrix.rows.first { $0.label == label })
        for requirement in row.requirements {
            let min = try #require(requirement.range.minVersion)
            let subject = "g: \(requirement.packageID)"
            let prerelease = NuGetVersion(major: min.major, minor: min.minor, patch: min.patch, releaseLabels: ["beta"])
            for (installed, compatible) in [(justBelow(min), false), (prerelease, false), (NuGetVersion(major: min.major, minor: min.minor, patch: min.patch, revision: 1), true)] {
                var estate = try minimalEstate(row)
                estate.groups[0].packages[requirement.packageID] = installed
                let failed = matrix.check(estate).findings.contains { $0.rule == "ccm.client-version" && $0.subject == subject && $0.severity == .error }
                #expect(failed == !compatible, "\(label) \(requirement.packageID) \(installed)")
            }
            if let max = requirement.range.maxVersion {
                var estate = try minimalEstate(row)
                estate.groups[0].packages[requirement.packageID] = max
                let finding = matrix.check(estate).findings.first { $0.rule == "ccm.client-version" && $0.subject == subject }
                #expect(finding?.message.contains("too new") == true, "\(label): \(max) must be rejected as too new")
            }
        }
    }

    @Test(arguments: labels)
    func inferredRowsSaySo(_ label: String) throws {
        let matrix = try embedded()
        let row = try #require(matrix.rows.first { $0.label == label })
        var estate = try minimalEstate(row)
        estate.groups[0].packages[CCMCatalogue.standard.agentID] = justBelow(row.requirement(for: CCMCatalogue.standard.agentID)!.range.minVersion!)
        let report = matrix.check(estate)
        let clientFinding = try #require(report.findings.first { $0.rule == "ccm.client-version" })
        #expect((clientFinding.inferred != nil) == row.inferred)
        #expect(report.has("matrix.inferred-row", .note) == row.inferred)
        #expect(try matrix.requirements(forCCM: row.ccmRange.minVersion!).reliesOnInference == (row.inferred || row.ccmRange.minVersion! < v("0.10.0")))
    }
}

@Suite("Every dependency rule")
struct DependencyRuleTests {
    // (package, version, dependency, minimum)
    static let rules: [(String, String, String, String)] = ((try? Matrix.embedded())?.dependencyRules ?? []).filter { !$0.erratum }.flatMap { rule in
        rule.requires.map { (rule.packageID, rule.version.normalized, $0.packageID, $0.range.minVersion?.normalized ?? "") }
    }

    /// 87 rules minus the chocolatey rows (no dependencies) and the erratum.
    @Test func thereAreRulesToTest() { #expect(Self.rules.count == 69) }

    @Test(arguments: rules)
    func minimumHoldsAndJustBelowFails(_ rule: (String, String, String, String)) throws {
        let (package, version, dependency, minimum) = rule
        let matrix = try embedded()
        func failing(_ dependencyVersion: NuGetVersion) -> Bool {
            let estate = Estate(groups: [AgentGroup(name: "g", packages: [package: v(version), dependency: dependencyVersion])])
            return matrix.check(estate).findings.contains { $0.rule == "dependency.minimum" && $0.subject == "g: \(package)" && $0.message.contains(dependency) }
        }
        #expect(!failing(v(minimum)), "\(package) \(version) with \(dependency) \(minimum)")
        #expect(failing(justBelow(v(minimum))), "\(package) \(version) with \(dependency) below \(minimum)")
        #expect(failing(NuGetVersion(major: v(minimum).major, minor: v(minimum).minor, patch: v(minimum).patch, releaseLabels: ["rc"])))
    }

    @Test func aRuleHoldsUntilTheNextOneAndErrataAreIgnored() throws {
        let matrix = try embedded()
        // Agent 4.1.0: CLE 8.0.0 from its own row, chocolatey 2.7.0 from the 4.0.0 release notes.
        #expect(matrix.dependencyRequirements(of: "chocolatey-agent", at: v("4.1.0")).map { "\($0.packageID) \($0.range.minVersion!)" } == ["chocolatey 2.7.0", "chocolatey.extension 8.0.0"])
        // Between rows: 1.1.4 uses the 1.1.3 row.
        #expect(matrix.dependencyRequirements(of: "chocolatey-agent", at: v("1.1.4")).map(\.range.minVersion) == [v("4.0.0")])
        // Older than any table row: the release-note and setup-page rules.
        #expect(matrix.dependencyRequirements(of: "chocolatey-agent", at: v("0.11.0")).map(\.range.minVersion) == [v("1.8.4")])
        #expect(matrix.dependencyRequirements(of: "chocolatey-agent", at: v("0.12.5")).map(\.range.minVersion) == [v("2.2.0")])
        // The chocolateygui.extension 3.0.0 erratum (CLE 6.0.0) is superseded by 8.0.0.
        let gui = matrix.dependencyRequirements(of: "chocolateygui.extension", at: v("3.0.0"))
        #expect(gui.first { $0.packageID == "chocolatey.extension" }?.range.minVersion == v("8.0.0"))
        #expect(gui.first { $0.packageID == "chocolateygui" }?.range.minVersion == v("3.0.0"))
        #expect(matrix.dependencyRequirements(of: "chocolatey", at: v("2.7.3")).isEmpty)
    }
}
