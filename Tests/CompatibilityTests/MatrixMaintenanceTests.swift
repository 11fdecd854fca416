import Compatibility
import Testing
import Versioning

/// Keeping the matrix current (issue 14 §7): adding a release is a one-file change, the feed being ahead of
/// the matrix is reported, and the provenance of the oldest rows and of the Windows Server 2019 slip.
struct MatrixMaintenanceTests {
    /// The 0.18.0 row as docs/adding-a-ccm-release.md shows it (values as in the 0.17.0 row; a stand-in).
    static let row0180 = """
        rows:
          - ccm: "0.18.0"
            ccm_range: { min: "0.18.0", max_exclusive: "0.19.0" }
            requires:
              chocolatey-agent: { min: "4.0.0", as_published: "4.0.0+" }
              chocolatey.extension: { min: "8.0.0", as_published: "8.0.0+" }
              chocolatey: { min: "2.7.0", as_published: "2.7.0+" }
            provenance: { source: chocolatey/docs, file: src/content/docs/en-us/central-management/index.mdx, commit: 0000000a, date: "2026-09-01", on_head: true }

        """

    @Test func addingARowIsAOneFileChangeThatLintsClean() throws {
        let changed = files(replacing: "ccm-compatibility.yaml") { replacingFirst($0, "rows:\n", Self.row0180) }
        #expect(Matrix.lint(files: changed, pathPrefix: "matrix/").map(\.description) == [])
        let matrix = try Matrix.load(files: changed, origin: "test", pathPrefix: "matrix/")
        #expect(matrix.isKnownRelease(v("0.18.0")) && !matrix.isKnownRelease(v("0.18.1")))
        var estate = Estate(ccm: v("0.18.0"), groups: [group(agent: "4.1.0", ext: "8.2.0", choco: "2.7.3")])
        estate.webHTTPS = WebHTTPS(certificateDnsName: "ccm.example.com")
        let report = matrix.check(estate)
        #expect(report.isCompatible, "\(report.findings.map(\.rule))")
        #expect(!report.findings.contains { $0.rule.hasPrefix("matrix.") })
        // The new era-less release inherits the open .NET 10 era and the HTTPS rule.
        #expect(try matrix.requirements(forCCM: v("0.18.0")).dotnet?.runtime == ".NET 10")
        #expect(matrix.httpsRule(for: v("0.18.0")) != nil)
        let shown = MatrixRendering.text(try matrix.requirements(forCCM: v("0.18.0")))
        #expect(shown.contains("released: yes (its own published row") && shown.contains("website:        HTTPS only"), "\(shown)")
        // A patch release without its own row or release entry is still a warning, never a silent pass.
        #expect(matrix.check(Estate(ccm: v("0.18.1"))).has("matrix.unknown-ccm-release", .warning))
    }

    @Test func anInferredRowIsNotARelease() throws {
        #expect(try embedded().rows.contains { $0.inferred && $0.label == "0.11.0" })
        // 0.11.0 is a release because ccm-releases.yaml lists it, not because of its inferred row.
        let withoutRelease = files(replacing: "ccm-releases.yaml") { text in
            text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("version: \"0.11.0\"") }.joined(separator: "\n")
        }
        let matrix = try Matrix.load(files: withoutRelease, origin: "test", pathPrefix: "matrix/")
        #expect(!matrix.isKnownRelease(v("0.11.0")))
    }

    // (feed versions of the three server packages, versions reported as newer than the matrix)
    @Test(arguments: [
        (["0.16.0", "0.17.0"], [String]()),
        (["0.17.0", "0.18.0"], ["0.18.0"]),
        (["0.18.0", "0.19.2", "0.17.1"], ["0.19.2", "0.18.0"]),
        (["0.18.0-beta"], []),
    ])
    func theFeedAheadOfTheMatrix(_ versions: [String], _ expected: [String]) throws {
        let feed = Dictionary(uniqueKeysWithValues: CCMCatalogue.standard.serverPackageIDs.map { ($0.uppercased(), versions.map(v)) })
        #expect(try embedded().versionsNewerThanRows(in: feed).map(\.normalized) == expected)
        #expect(try embedded().versionsNewerThanRows(in: feed, includePrerelease: true).count == expected.count + versions.filter { $0.contains("-") }.count)
    }

    @Test func theOldestRowsCiteTheInitialImportOfTheDocs() throws {
        let matrix = try embedded()
        for label in ["0.1.0", "0.1.1", "0.2.x"] {
            let row = try #require(matrix.rows.first { $0.label == label })
            #expect(row.provenance.summary.contains("9d8e4851"), "\(label): \(row.provenance.summary)")
            #expect(row.provenance.history?.contains("Initial import of docs") == true)
        }
        let historical = try #require(matrix.historicalRows.first { $0.label == "0.3.0+" })
        #expect(historical.provenance.summary.contains("9d8e4851"))
    }

    @Test func theWindowsServer2019SlipIsRecordedLikeTheSQLServerOne() throws {
        let matrix = try embedded()
        let windows = try #require(matrix.windowsServerMinimums.first { $0.minimum == ServerRelease.windowsServer("2016") })
        let note = try #require(windows.provenance.note)
        #expect(note.contains("2019") && note.contains("122f776a 2023-04-18") && note.contains("3c113bb4 2023-11-22"))
        let sql = try #require(matrix.sqlServerMinimums.first { $0.minimum == ServerRelease.sqlServer("2012") })
        #expect(sql.provenance.note?.contains("122f776a 2023-04-18") == true)
    }
}
