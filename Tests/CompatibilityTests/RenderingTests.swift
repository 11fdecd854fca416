import Compatibility
import Foundation
import Testing
import Versioning

@Suite("Rendering")
struct RenderingTests {
    @Test func checkTextNamesRuleSourceAndMatrixLine() throws {
        let matrix = try embedded()
        let report = matrix.check(Estate(ccm: v("0.14.0"), groups: [group(agent: "1.0.0", ext: "4.2.0", choco: "1.1.0")]))
        let lines = MatrixRendering.text(report).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let row = try #require(matrix.rows.first { $0.label == "0.14.0" })
        #expect(lines == [
            "matrix: embedded",
            "CCM: 0.14.0",
            "",
            "error[ccm.client-version] default: chocolatey-agent: CCM 0.14.0 (row '0.14.0') needs chocolatey-agent >= 1.1.0 (published '1.1.0+'); group 'default' has 1.0.0: upgrade chocolatey-agent to at least 1.1.0",
            "  source: chocolatey/docs src/content/docs/en-us/central-management/index.mdx @ dfa41dca (2025-09-09)",
            "  matrix: matrix/ccm-compatibility.yaml:\(row.location.line)",
            "",
            "result: incompatible (1 error(s), 0 warning(s), 0 note(s))",
            "",
        ])
        #expect(line(of: #"- ccm: "0.14.0""#, in: text(of: "ccm-compatibility.yaml")) == row.location.line)
    }

    @Test func checkJSONIsSortedAndComplete() throws {
        let report = try embedded().check(Estate(ccm: v("0.11.0"), groups: [group(agent: "1.0.0", ext: "4.2.0", choco: "1.1.0")]))
        let json = MatrixRendering.json(report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["compatible"] as? Bool == false)
        #expect(object["errors"] as? Int == 1)
        #expect(object["notes"] as? Int == 1)
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.first?["rule"] as? String == "ccm.client-version")
        #expect((findings.first?["inferred"] as? String)?.contains("inferred row '0.11.0'") == true)
        // Keys are sorted, so the text is stable for diffs.
        #expect(json.range(of: "\"ccmVersions\"")!.lowerBound < json.range(of: "\"compatible\"")!.lowerBound)
    }

    @Test func showListsEveryRowWithProvenance() throws {
        let matrix = try embedded()
        let text = MatrixRendering.text(allRowsOf: matrix)
        for row in matrix.rows {
            #expect(text.contains("\n" + row.label + (row.inferred ? "*" : "")), "\(row.label)")
        }
        #expect(text.contains("0.3.0+"))
        #expect(text.contains("no row: 0.1.0-beta-20181009"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(MatrixRendering.json(allRowsOf: matrix).utf8)) as? [String: Any])
        #expect((json["rows"] as? [Any])?.count == matrix.rows.count)

        let one = MatrixRendering.text(try matrix.requirements(forCCM: v("0.8.0")))
        #expect(one.contains("row: '0.8.0'"))
        #expect(one.contains("corrected: e8648f23"))
        #expect(one.contains("first published for chocolatey-agent: 0.11.0+, later corrected"))
        #expect(one.contains("SQL Server:     2008 or later (inferred)"))
        let inferred = MatrixRendering.text(try matrix.requirements(forCCM: v("0.10.1")))
        #expect(inferred.contains("(INFERRED: never published)"))
    }
}
