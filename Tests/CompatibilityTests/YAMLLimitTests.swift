import Compatibility
import Foundation
import Testing

/// What a small hostile YAML file can make the tool do (issue 12 §3): every YAML goes through
/// `YAMLDocument`, which bounds alias expansion, file size and scalar length.
@Suite("YAML limits: alias bombs, huge files and scalars, too many groups")
struct YAMLLimitTests {
    /// A "billion laughs" in under 1 KB: nine levels of nine aliases of the level below (9⁹ scalars).
    static let bomb: String = {
        var lines = ["l0: &l0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]"]
        for level in 1...8 {
            lines.append("l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ") + "]")
        }
        lines.append("groups: *l8")
        return lines.joined(separator: "\n") + "\n"
    }()

    static func groups(_ count: Int) -> String {
        "ccm: 0.16.0\ngroups:\n" + (0..<count).map { "  - { name: g\($0), chocolatey-agent: 3.0.0 }" }.joined(separator: "\n") + "\n"
    }

    // (what, text, part of the one error)
    static let refused: [(String, String, String)] = [
        ("alias bomb", bomb, "aliases (*name) expand the document beyond its size"),
        ("5 MiB file", "source: x\n# " + String(repeating: "x", count: 5 << 20) + "\n", "larger than the 4 MiB allowed for a YAML file"),
        ("100 KiB scalar", "source: " + String(repeating: "y", count: 100 << 10) + "\n", "text of at most 64 KiB"),
        ("5,001 groups", groups(5_001), "at most 5000 groups"),
        // Found by scripts/fuzz.sh (parameters target): a complex key trapped inside Yams.
        ("mapping as a key", "? a: b\n: c\n", "a mapping or list used as a key"),
    ]

    @Test("refused with one clear error", arguments: refused)
    func inventoryRefuses(_ row: (String, String, String)) {
        #expect(row.1.utf8.count < 1024 || row.0 != "alias bomb", "the bomb is small")
        do {
            _ = try Inventory.parse(row.1, file: "inventory.yaml")
            Issue.record("\(row.0): accepted")
        } catch {
            #expect(error.description.contains(row.2), "\(row.0): \(error.description.prefix(300))")
            #expect(error.description.hasPrefix("inventory.yaml"), "\(row.0): names the file")
        }
    }

    @Test("aliases that stay within the text's size, and 5,000 groups, are still read")
    func modestInputIsRead() throws {
        let text = "ccm: &v 0.16.0\ngroups:\n  - { name: a, chocolatey-agent: &agent 3.0.0 }\n  - { name: b, chocolatey-agent: *agent }\n"
        let inventory = try Inventory.parse(text, file: "inventory.yaml")
        #expect(inventory.groups.map(\.name) == ["a", "b"])
        #expect(inventory.groups.allSatisfy { $0.packages["chocolatey-agent"]?.normalized == "3.0.0" })
        #expect(try Inventory.parse(Self.groups(5_000), file: "big.yaml").groups.count == 5_000)
    }

    @Test("the plain-value entry (parameters files) has the same limits")
    func plainValues() throws {
        #expect(throws: MatrixError.self) { _ = try YAMLDocument.load(Self.bomb, file: "parameters.yaml") }
        let value = try YAMLDocument.load("service: { portNumber: 24021, username: svc }", file: "p.yaml") as? [String: Any]
        #expect((value?["service"] as? [String: Any])?["portNumber"] as? Int == 24021)
    }
}
