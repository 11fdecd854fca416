import Diagnostics
import Compatibility
import Foundation
import Testing
import Versioning

/// Broken matrix files, built from the real ones with one change each: the error must name the file, the
/// line and the field, and say what was expected.
@Suite("Malformed matrix files")
struct MalformedMatrixTests {
    static let compatibility = "ccm-compatibility.yaml"

    /// Lints `files` and returns the errors.
    func errors(_ files: [(name: String, text: String)]) -> [Diagnostic] {
        Matrix.lint(files: files, pathPrefix: "m/").filter { $0.severity == .error }
    }

    // (file, text to replace, replacement, needle marking the expected line in the new text, expected message fragment)
    @Test(arguments: [
        (compatibility, #"agent: { min: "4.0.0", as_published: "4.0.0+" }"#, #"agent: { min: "4.0.0", as_published: "4.0.0+" "#,
         #"chocolatey.extension: { min: "8.0.0", as_published: "8.0.0+" }"#, "YAML syntax error"),
        (compatibility, #"chocolatey-agent: { min: "4.0.0", as_published: "4.0.0+" }"#, #"chocolatey-agent: { min: "four", as_published: "4.0.0+" }"#,
         #"min: "four""#, "field 'rows[0].requires.chocolatey-agent.min': expected a NuGet version"),
        (compatibility, #"chocolatey-agent: { min: "4.0.0", as_published: "4.0.0+" }"#, #"chocolatey-agnet: { min: "4.0.0", as_published: "4.0.0+" }"#,
         "chocolatey-agnet", "unknown package id 'chocolatey-agnet'"),
        (compatibility, #"ccm_range: { min: "0.17.0", max_exclusive: "0.18.0" }"#, #"ccm_rnage: { min: "0.17.0", max_exclusive: "0.18.0" }"#,
         "ccm_rnage", "unknown field 'rows[0].ccm_rnage'"),
        (compatibility, #"ccm_range: { min: "0.16.0", max_exclusive: "0.17.0" }"#, #"ccm_range: { min: "0.16.0", max_exclusive: "0.17.1" }"#,
         #"ccm: "0.17.0""#, "overlaps row '0.16.0'"),
        (compatibility, #"ccm_range: { min: "0.16.0", max_exclusive: "0.17.0" }"#, #"ccm_range: { min: "0.16.0", max_exclusive: "0.16.5" }"#,
         #"ccm: "0.17.0""#, "gap in CCM rows"),
        (compatibility, #"ccm_range: { min: "0.17.0", max_exclusive: "0.18.0" }"#, #"ccm_range: { min: "0.17.0" }"#,
         #"ccm: "0.17.0""#, "the newest row must end"),
        (compatibility, #"chocolatey: { min: "2.7.0", as_published: "2.7.0+" }"#, #"chocolatey: { min: "1.0.0", as_published: "1.0.0+" }"#,
         #"ccm: "0.17.0""#, "minimum goes backwards: chocolatey >= 1.0.0 for CCM 0.17.0, but >= 2.7.0"),
        (compatibility, #"    provenance: { source: chocolatey/docs, file: src/content/docs/en-us/central-management/index.mdx, commit: 91ac49b1, date: "2026-06-23", on_head: true }"#, "",
         #"ccm: "0.17.0""#, "field 'rows[0].provenance' is missing"),
        (compatibility, #"date: "2026-06-23", on_head: true"#, #"date: "23/06/2026", on_head: true"#,
         "23/06/2026", "expected a date YYYY-MM-DD"),
        (compatibility, "schema_version: 1", "schema_version: 2", "schema_version", "expected 1"),
        ("product-dependencies.yaml", #"{ package: chocolatey-agent, version: "4.1.0", requires: { chocolatey.extension: "8.0.0" }"#,
         #"{ package: chocolatey-agent, version: "4.1.0", requires: { chocolatey.extension: "7.0.0" }"#,
         #"version: "4.1.0", requires: { chocolatey.extension: "7.0.0" }"#, "minimum goes backwards"),
        ("product-dependencies.yaml", #"{ package: chocolateygui, version: "3.2.0""#, #"{ package: chocolatey-gui, version: "3.2.0""#,
         "chocolatey-gui", "unknown package id 'chocolatey-gui'"),
        ("prerequisites.yaml", #"  - ccm_range: { min: "0.13.0" }"#, #"  - ccm_range: { min: "0.14.0" }"#,
         #"  - ccm_range: { min: "0.14.0" }"#, "gap in SQL Server minimums"),
        ("prerequisites.yaml", #"minimum: "2016""#, #"minimum: "2010""#, #"  - ccm_range: { min: "0.13.0" }"#, "minimum goes backwards: SQL Server"),
        ("prerequisites.yaml", #"minimum: "2016""#, #"minimum: "sixteen""#, "sixteen", "expected a SQL Server release"),
        ("ccm-releases.yaml", #"{ version: "0.16.0", date: "2026-05-13""#, #"{ version: "0.18.1", date: "2026-05-13""#,
         "0.18.1", "release 0.18.1 is in no row"),
        ("communication-breaks.yaml", "requires: { package: ccm, min: \"0.2.0\" }", "requires: { package: chocolatey-agent, min: \"0.2.0\" }",
         "id: agent-0.10.0-needs-ccm-0.2.0", "a break must relate two different packages"),
        ("packages.yaml", "{ id: chocolatey, role: client", "{ id: chocolatey, role: prerequisite", "{ id: chocolatey, role: prerequisite",
         "'chocolatey' is the cli component, so its role must be client"),
        ("packages.yaml", "role: client, component: agent,", "role: client, component: agnet,", "component: agnet",
         "field 'packages[3].component': expected one of database, service, web, agent, extension, cli"),
        ("packages.yaml", "role: client, component: agent,", "role: client,", "  - { id: chocolatey-management-database", "a package with component: agent"),
        ("packages.yaml", "role: client, component: agent,", "role: client, component: web,", "{ id: chocolatey-agent,", "component web is also 'chocolatey-management-web'"),
        ("packages.yaml", "{ id: chocolateygui, role: client, source: community", "{ id: chocolateygui, role: client, source: community, never_modify: true",
         "{ id: chocolateygui,", "only licensed packages are kept byte for byte"),
        ("packages.yaml", "{ id: dotnet4.6.1, role: prerequisite, source: community", "{ id: dotnet4.6.1, role: prerequisite, source: chocolatey.org",
         "source: chocolatey.org", "field 'packages[10].source': expected one of licensed, community"),
        ("packages.yaml", "{ id: dotnet4.6.1, role: prerequisite, source: community", "{ id: dotnet4.6.1, role: prerequisite",
         "{ id: dotnet4.6.1,", "field 'packages[10].source' is missing"),
        ("packages.yaml", "server_upgrade_order: [chocolatey-management-database, chocolatey-management-service,",
         "server_upgrade_order: [chocolatey-management-service, chocolatey-management-database,", "server_upgrade_order:",
         "must list the database, service and web packages in that order"),
    ] as [(String, String, String, String, String)])
    func reportsFileLineAndField(file: String, target: String, replacement: String, needle: String, fragment: String) throws {
        var changed = ""
        let found = errors(files(replacing: file) { text in
            changed = replacingFirst(text, target, replacement)
            return changed
        })
        let expectedLine = line(of: needle, in: changed)
        let match = found.first { $0.message.contains(fragment) }
        #expect(match != nil, "no '\(fragment)' in:\n\(found.map(\.description).joined(separator: "\n"))")
        guard let match else { return }
        #expect(match.file == "m/" + file)
        #expect(match.line == expectedLine, "\(match.description)")
        #expect(match.description.hasPrefix("m/\(file)"))
        #expect(match.description.contains(": error: "))
        // A matrix with errors is refused for checks, with the same diagnostics.
        #expect(throws: MatrixLoadError.self) { try Matrix.load(files: files(replacing: file) { _ in changed }, origin: "t", pathPrefix: "m/") }
    }

    @Test func missingAndExtraFiles() {
        var set = Matrix.embeddedFiles.filter { $0.name != "prerequisites.yaml" }
        set.append(("notes.yaml", "x: 1\n"))
        let diagnostics = Matrix.lint(files: set, pathPrefix: "m/")
        #expect(diagnostics.contains { $0.severity == .error && $0 == MatrixError.missingFile(file: "m/prerequisites.yaml", expected: "the .NET, SQL Server, Windows Server and PowerShell prerequisites").diagnostic(.error) })
        #expect(diagnostics.contains { $0.severity == .warning && $0.file == "m/notes.yaml" })
    }

    @Test func aFolderOnDiskWithLineNumbers() throws {
        let broken = files(replacing: Self.compatibility) { replacingFirst($0, #"min: "1.0.0", as_published: "1.0.0+""#, #"min: "1.0.0", as_published: "1.0.0+", maximum: "2""#) }
        let folder = try temporaryMatrixFolder(broken)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let diagnostics = Matrix.lint(directory: folder)
        let expected = line(of: #"maximum: "2""#, in: broken.first { $0.name == Self.compatibility }!.text)
        #expect(diagnostics.map(\.description) == ["\(folder)/\(Self.compatibility):\(expected): error: unknown field 'rows[13].requires.chocolatey-agent.maximum'; allowed here: min, max_exclusive, as_published"])
        #expect(throws: MatrixLoadError.self) { try Matrix.load(directory: folder) }
    }

    @Test func aGoodFolderOnDiskLoadsAndAnswersFromItsOwnData() throws {
        // A newer copy: an 0.18.0 row, as an admin would add before the tool is rebuilt.
        let newer = files(replacing: Self.compatibility) { text in
            replacingFirst(text, "rows:\n", """
                rows:
                  - ccm: "0.18.0"
                    ccm_range: { min: "0.18.0", max_exclusive: "0.19.0" }
                    requires:
                      chocolatey-agent: { min: "4.1.0", as_published: "4.1.0+" }
                      chocolatey.extension: { min: "8.2.0", as_published: "8.2.0+" }
                      chocolatey: { min: "2.7.0", as_published: "2.7.0+" }
                    provenance: { source: chocolatey/docs, commit: abcdef01, date: "2026-09-01" }

                """)
        }
        let folder = try temporaryMatrixFolder(newer)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let matrix = try Matrix.load(directory: folder)
        #expect(matrix.origin == folder)
        var estate = Estate(ccm: v("0.18.0"), groups: [group(agent: "4.0.0", ext: "8.2.0", choco: "2.7.0")])
        estate.webHTTPS = WebHTTPS(certificateDnsName: "ccm.example.com")
        let report = matrix.check(estate)
        #expect(report.rules(.error) == ["ccm.client-version"])
        // The row alone makes 0.18.0 a known release (docs/adding-a-ccm-release.md): one file changed, no warning.
        #expect(!report.has("matrix.unknown-ccm-release", .warning))
        #expect(!Matrix.lint(directory: folder).contains { $0.message.contains("covers no release") })
    }

    @Test func unreadableFolder() {
        let diagnostics = Matrix.lint(directory: "/nonexistent/matrix")
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.message.contains("no such folder") == true)
    }
}
