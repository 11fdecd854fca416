import Foundation
@testable import Planning
import Testing

/// `plan --format powershell` (issue 15 §0): a secret's unset variable stops the script with a clear message
/// before its host section runs anything (was: `/Password:` went empty), values are quoted so that PowerShell
/// never interprets them, and the script parses with a real PowerShell grammar.
@Suite("plan --format powershell")
struct PowerShellScriptTests {
    static func plan(_ parameters: String) throws -> UpgradePlan {
        try Fixtures.plan(parameters: UpgradeParameters.parse(parameters, file: "p"))
    }

    static let parameters = """
        service: { username: "svc$name`x\\"q", password: 'env:CCM_PW', portNumber: 24021 }
        agent: { username: agent, password: "file:/etc/it's/agent-pw" }
        web: { username: webuser, password: prompt }
        """

    @Test func secretsAreReadFirstAndCheckedForEachSection() throws {
        let script = PlanRendering.powershell(try Self.plan(Self.parameters))
        let lines = script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The one host section reads every secret before its first choco command.
        let firstChoco = try #require(lines.firstIndex { $0.hasPrefix("choco ") })
        let secretLines = lines.indices.filter { lines[$0].contains("= Get-PlanSecret ") }
        #expect(secretLines.count == 4, "three in ccm01's section, the agent's again in the group's")
        #expect(secretLines.prefix(3).allSatisfy { $0 < firstChoco })
        #expect(script.contains("$secret1 = Get-PlanSecret 'env:CCM_PW' ([Environment]::GetEnvironmentVariable('CCM_PW'))"))
        #expect(script.contains("Get-PlanSecret 'file:/etc/it''s/agent-pw' (Get-Content -LiteralPath '/etc/it''s/agent-pw' -TotalCount 1)"))
        #expect(script.contains("throw \"the secret $Reference is not set; set it and run this section again (nothing in it has run)\""))
        // Secrets are expanded from variables only; a plain value is escaped for the double-quoted string.
        #expect(script.contains("--package-parameters-sensitive \"'/Password:$($secret1)'\""))
        #expect(script.contains("/Username:svc`$name``x`\"q"), "plain values are not expanded by PowerShell")
    }

    /// Section by section: a second host's secrets are read at the top of its own section.
    @Test func eachHostSectionReadsItsOwnSecrets() throws {
        var inventory = Fixtures.inventory(agent: "4.0.0", ext: "8.0.0", choco: "2.7.0", groups: [])
        inventory.hosts[0].roles = [.service, .web]
        inventory.hosts.insert(.init(name: "sql01", roles: [.database], packages: [
            "chocolatey-management-database": v("0.16.0"), "chocolatey": v("2.7.0"), "chocolatey.extension": v("8.0.0")]), at: 0)
        let plan = try Fixtures.plan(inventory, parameters: UpgradeParameters.parse("service: { password: 'env:CCM_PW' }", file: "p"))
        let script = PlanRendering.powershell(plan)
        let sql = try #require(script.range(of: "# ---- host sql01 ----"))
        let ccm = try #require(script.range(of: "# ---- host ccm01 ----"))
        #expect(sql.lowerBound < ccm.lowerBound)
        #expect(!script[sql.upperBound..<ccm.lowerBound].contains("Get-PlanSecret '"), "sql01's section needs no secret")
        #expect(script[ccm.upperBound...].contains("$secret1 = Get-PlanSecret 'env:CCM_PW'"))
    }

    /// The script parses with tree-sitter-powershell (a real grammar) when it is set up
    /// (`scripts/peers/tree-sitter-setup.sh`, under .build-peers/tree-sitter).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: grammarPython)))
    func scriptParsesWithARealGrammar() throws {
        let folder = NSTemporaryDirectory() + "ccm-ps-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if ProcessInfo.processInfo.environment["CCM_KEEP_PS"] == nil { try? FileManager.default.removeItem(atPath: folder) } }
        var paths: [String] = []
        for (index, parameters) in [Self.parameters, "service: { password: 'env:CCM_PW' }", "{}"].enumerated() {
            let path = folder + "/plan\(index).ps1"
            try PlanRendering.powershell(try Self.plan(parameters)).write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        // A control: the checker does find a broken script.
        try "choco upgrade x --params=\"'/A:1'\n}".write(toFile: folder + "/broken.ps1", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.grammarPython)
        process.arguments = [Self.checker] + paths + [folder + "/broken.ps1"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for path in paths { #expect(output.contains("ok \(path)\n"), "\(output)") }
        #expect(output.contains("FAIL \(folder)/broken.ps1"), "the checker finds errors: \(output)")
    }

    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let grammarPython = (ProcessInfo.processInfo.environment["CCM_PEERS_DIR"] ?? checkout + "/.build-peers") + "/tree-sitter/venv/bin/python"
    static let checker = checkout + "/Tests/Fixtures/ps-parse/check_parses.py"
}
