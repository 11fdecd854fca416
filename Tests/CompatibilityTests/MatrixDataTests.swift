import Compatibility
import Foundation
import Testing
import Versioning
import Yams

/// The data in matrix/ against the reference facts (shared/reference/matrix-facts.yaml), transcribed here
/// so the check also runs on a fresh clone without the reference folder.
@Suite("Matrix data")
struct MatrixDataTests {
    // (label, ccm min, ccm max_exclusive, agent min, agent max_exclusive, extension min, chocolatey min, inferred)
    static let facts: [(String, String, String, String, String?, String, String, Bool)] = [
        ("0.17.0", "0.17.0", "0.18.0", "4.0.0", nil, "8.0.0", "2.7.0", false),
        ("0.16.0", "0.16.0", "0.17.0", "4.0.0", nil, "8.0.0", "2.7.0", false),
        ("0.15.1", "0.15.1", "0.16.0", "4.0.0", nil, "8.0.0", "2.7.0", false),
        ("0.15.0", "0.15.0", "0.15.1", "4.0.0", nil, "8.0.0", "2.7.0", false),
        ("0.14.0", "0.14.0", "0.15.0", "1.1.0", nil, "4.2.0", "1.1.0", false),
        ("0.13.2", "0.13.2", "0.14.0", "1.1.0", nil, "4.2.0", "1.1.0", false),
        ("0.13.1", "0.13.1", "0.13.2", "1.1.0", nil, "4.2.0", "1.1.0", false),
        ("0.13.0", "0.13.0", "0.13.1", "1.1.0", nil, "4.2.0", "1.1.0", false),
        ("0.12.1", "0.12.1", "0.13.0", "1.1.0", nil, "4.2.0", "1.1.0", false),
        ("0.12.0", "0.12.0", "0.12.1", "1.1.0", nil, "4.2.0", "1.1.0", false),
        ("0.11.0", "0.11.0", "0.12.0", "1.1.0", nil, "4.2.0", "1.1.0", true),
        ("0.10.1", "0.10.1", "0.11.0", "1.1.0", nil, "4.2.0", "1.1.0", true),
        ("0.10.0", "0.10.0", "0.10.1", "1.1.0", nil, "4.2.0", "1.1.0", false),
        ("0.9.0", "0.9.0", "0.10.0", "1.0.0", nil, "4.1.1", "1.1.0", false),
        ("0.8.0", "0.8.0", "0.9.0", "0.13.0", nil, "3.2.0", "0.12.0", false),
        ("0.7.0", "0.7.0", "0.8.0", "0.11.0", nil, "2.1.0", "0.10.15", false),
        ("0.6.x", "0.6.0", "0.7.0", "0.11.0", nil, "2.1.0", "0.10.15", false),
        ("0.5.x", "0.5.0", "0.6.0", "0.11.0", nil, "2.1.0", "0.10.15", false),
        ("0.4.0", "0.4.0", "0.5.0", "0.11.0", nil, "2.1.0", "0.10.15", false),
        ("0.3.x", "0.3.0", "0.4.0", "0.11.0", nil, "2.1.0", "0.10.15", false),
        ("0.2.x", "0.2.0", "0.3.0", "0.10.0", "0.11.0", "2.1.0", "0.10.15", false),
        ("0.1.1", "0.1.1", "0.2.0", "0.9.0", "0.10.0", "2.0.3", "0.10.15", false),
        ("0.1.0", "0.1.0", "0.1.1", "0.9.0", "0.10.0", "2.0.0", "0.10.12", false),
    ]

    @Test func embeddedMatrixLoadsAndLintsClean() throws {
        let diagnostics = Matrix.lint(files: Matrix.embeddedFiles, pathPrefix: "matrix/")
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description).joined(separator: "\n"))")
        let matrix = try embedded()
        #expect(matrix.origin == "embedded")
        #expect(matrix.rows.count == Self.facts.count)
    }

    @Test func embeddedCopyMatchesTheMatrixFolder() throws {
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: repositoryMatrixFolder).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(Matrix.embeddedFiles.map(\.name) == onDisk)
        for (name, embeddedText) in Matrix.embeddedFiles {
            let disk = try String(contentsOfFile: repositoryMatrixFolder + "/" + name, encoding: .utf8)
            #expect(disk == embeddedText, "\(name) differs from the embedded copy")
        }
        #expect(Matrix.lint(directory: repositoryMatrixFolder).isEmpty)
    }

    @Test(arguments: facts)
    func rowMatchesFacts(_ fact: (String, String, String, String, String?, String, String, Bool)) throws {
        let (label, min, max, agentMin, agentMax, extensionMin, chocolateyMin, inferred) = fact
        let row = try #require(try embedded().rows.first { $0.label == label })
        #expect(row.ccmRange == VersionRange(min: v(min), max: v(max)))
        #expect(row.inferred == inferred)
        #expect(row.requirement(for: "chocolatey-agent")?.range == VersionRange(min: v(agentMin), max: agentMax.map(v)))
        #expect(row.requirement(for: "chocolatey.extension")?.range == .atLeast(v(extensionMin)))
        #expect(row.requirement(for: "chocolatey")?.range == .atLeast(v(chocolateyMin)))
        // Provenance: every row names a source and a commit or date; published rows have both.
        #expect(!row.provenance.source.isEmpty)
        #expect(row.provenance.commit != nil && row.provenance.date != nil)
        if inferred { #expect(row.provenance.note != nil) } else { #expect(row.requirements.allSatisfy { $0.asPublished != nil }) }
    }

    @Test func historicalAndUnlistedRowsArePresent() throws {
        let matrix = try embedded()
        #expect(matrix.historicalRows.map(\.label) == ["0.3.0+"])
        #expect(matrix.historicalRows.first?.ccmRange == .atLeast(v("0.3.0")))
        #expect(matrix.unlistedVersions.map(\.version.originalString) == ["0.1.0-beta-20181009"])
        let row080 = try #require(matrix.rows.first { $0.label == "0.8.0" })
        #expect(row080.superseded == ["chocolatey-agent": "0.11.0+", "chocolatey.extension": "2.1.0+", "chocolatey": "0.10.15+"])
        #expect(row080.provenance.corrected?.hasPrefix("e8648f23") == true)
        #expect(matrix.rows.first { $0.label == "0.17.0" }?.provenance.onHead == true)
    }

    @Test func releasesDependenciesBreaksAndPrerequisitesAreComplete() throws {
        let matrix = try embedded()
        #expect(matrix.releases.count == 29)
        #expect(matrix.releases.last?.version == v("0.17.0"))
        // 79 table rows (history, including the erratum) + 7 release-note steps + the agent-install rule.
        #expect(matrix.dependencyRules.count == 87)
        #expect(matrix.dependencyRules.filter(\.erratum).count == 1)
        #expect(matrix.dependencyRules.filter { $0.currentTable == "v2" }.count == 5)
        #expect(matrix.dependencyRules.filter { $0.currentTable == "v1" }.count == 5)
        #expect(matrix.communicationBreaks.map(\.id).sorted() == ["agent-0.10.0-needs-ccm-0.2.0", "agent-0.11.0-needs-ccm-0.3.0", "ccm-0.3.0-needs-agent-0.11.0"])
        #expect(matrix.dotnetEras.map(\.runtime) == ["ASP.NET Core 2.x (the 0.6.0 release notes call it .NET Core 2.2)", ".NET Core 3.1", ".NET 6.0", ".NET 8.0", ".NET 10"])
        #expect(matrix.sqlServerMinimums.map(\.minimum.description) == ["2008", "2012", "2016"])
        #expect(matrix.windowsServerMinimums.map(\.minimum.description) == ["2012", "2016"])
        #expect(matrix.powershellMinimums.count == 4)
        #expect(matrix.serverUpgradeOrder == ["chocolatey-management-database", "chocolatey-management-service", "chocolatey-management-web", "chocolatey-agent"])
    }

    /// When the reference facts are next to the checkout (as in the project workspace), compare every
    /// published row and every dependency history row with them directly.
    @Test func crossCheckWithReferenceFactsWhenPresent() throws {
        let factsPath = URL(fileURLWithPath: repositoryMatrixFolder).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/reference/matrix-facts.yaml").path
        guard let text = try? String(contentsOfFile: factsPath, encoding: .utf8) else { return }
        let facts = try #require(try Yams.load(yaml: text) as? [String: Any])
        let matrix = try embedded()
        let published = try #require(facts["ccm_compatibility_matrix"] as? [[String: Any]])
        for fact in published {
            let label = try #require(fact["ccm"] as? String)
            let row = try #require(matrix.rows.first { $0.label == label }, "row \(label) missing")
            for (key, id) in [("agent", "chocolatey-agent"), ("licensed_extension", "chocolatey.extension"), ("chocolatey", "chocolatey")] {
                let cell = try #require(fact[key] as? [String: Any])
                let requirement = try #require(row.requirement(for: id))
                #expect(requirement.range.minVersion == v(try #require(cell["min"] as? String)), "\(label) \(id) min")
                #expect(requirement.asPublished == cell["as_published"] as? String, "\(label) \(id) as_published")
                #expect(requirement.range.maxVersion == (cell["max_exclusive"] as? String).map(v), "\(label) \(id) max")
            }
        }
        #expect(published.count + 2 == matrix.rows.count) // + the inferred 0.10.1 and 0.11.0
        let releases = try #require(facts["ccm_releases"] as? [[String: Any]])
        #expect(releases.compactMap { $0["version"] as? String }.map(v) == matrix.releases.map(\.version))
        #expect(releases.compactMap { $0["date"] as? String } == matrix.releases.map(\.date))
        let dependencies = try #require(facts["component_dependencies"] as? [String: Any])
        let history = try #require(dependencies["history"] as? [[String: Any]])
        for fact in history {
            let id = try #require(fact["package"] as? String), version = v(try #require(fact["version"] as? String))
            let requires = (fact["requires"] as? [String: String]) ?? [:]
            let commit = (fact["first_seen"] as? String)?.split(separator: " ").first.map(String.init)
            let rule = matrix.dependencyRules.first { $0.packageID == id && $0.version == version && $0.provenance.commit == commit }
            #expect(rule != nil, "\(id) \(version) \(commit ?? "")")
            #expect(Dictionary(uniqueKeysWithValues: (rule?.requires ?? []).map { ($0.packageID, $0.range.minVersion?.normalized ?? "") }) == requires.mapValues { v($0).normalized })
        }
    }
}
