import Foundation
import Testing
import TestSupport

/// `plan --live` plans from what the hosts have (choco list over SSH, real sshd on 127.0.0.1), not from a
/// stale inventory file; `matrix check --live` shares the reader, this covers the plan's own path to it.
@Suite("plan --live reads the estate before planning")
struct PlanLiveTests {
    static let servers = ["chocolatey-management-database", "chocolatey-management-service", "chocolatey-management-web"]

    /// The example estate's inventory, reachable over SSH as `ccm01`, claiming the server packages are at `version`.
    static func inventory(in folder: String, serverVersion version: String) throws -> String {
        let path = folder + "/inventory.yaml"
        try FileManager.default.copyItem(atPath: "examples/estate/parameters.yaml", toPath: folder + "/parameters.yaml")
        let example = try String(contentsOfFile: "examples/estate/inventory.yaml", encoding: .utf8)
        var text = example.replacingOccurrences(of: "    roles: [database, service, web]\n", with: "    roles: [database, service, web]\n    ssh: ccm01\n")
        for id in servers { text = text.replacingOccurrences(of: "\(id): 0.16.0", with: "\(id): \(version)") }
        try #require(text != example)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func livePlanStartsFromTheHostsVersions() throws {
        let estate = try TestSSHEstate(hosts: ["ccm01"])
        // The host really runs 0.16.0 ...
        for id in Self.servers { try estate["ccm01"].install(id, "0.16.0") }
        for (id, version) in [("chocolatey-agent", "3.0.0"), ("chocolatey.extension", "7.0.0"), ("chocolatey", "2.4.3")] {
            try estate["ccm01"].install(id, version)
        }
        let folder = estate.directory + "/plan"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Tool.packExampleFeed(into: folder + "/feed")
        // ... while the file, written before someone upgraded by hand or forgot to, says 0.17.0: nothing to do.
        let inventory = try Self.inventory(in: folder, serverVersion: "0.17.0")
        let arguments = ["plan", "--to", "0.17.0", "--inventory", inventory, "--source", folder + "/feed"]

        let stale = try Tool.run(arguments)
        #expect(!stale.stdout.contains("upgrade chocolatey-management-database "), "the file's view: \(stale.stdout)\(stale.stderr)")

        let live = try Tool.run(arguments + ["--live", "--ssh-config", estate.configFile, "--output", folder + "/plan.json"],
                                environment: ["CCM_URL": ""])
        #expect(live.status == 0, "\(live.stdout)\(live.stderr)")
        #expect(live.stdout.contains("Upgrade plan: CCM 0.16.0 → 0.17.0"), "\(live.stdout)")
        let order = Self.servers.compactMap { live.stdout.range(of: "upgrade \($0) ")?.lowerBound }
        #expect(order.count == 3 && order == order.sorted(), "\(live.stdout)")
        // One read of the host, and nothing installed while planning.
        #expect(FixtureServer.lines(of: estate["ccm01"].chocoLog) == ["list --local-only --limit-output"])
        #expect(FileManager.default.fileExists(atPath: folder + "/plan.json"))
    }

    @Test func anUnreachableHostStopsTheLivePlanNamingIt() throws {
        let estate = try TestSSHEstate(hosts: [])
        let folder = estate.directory + "/plan"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let inventory = try Self.inventory(in: folder, serverVersion: "0.16.0")
        try String(contentsOfFile: inventory, encoding: .utf8).replacingOccurrences(of: "ssh: ccm01", with: "ssh: refusing-host")
            .write(toFile: inventory, atomically: true, encoding: .utf8)
        let result = try Tool.run(["plan", "--to", "0.17.0", "--inventory", inventory, "--source", folder, "--live",
                                   "--ssh-config", estate.configFile], environment: ["CCM_URL": ""])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("ccm01") && result.stderr.contains("connection refused"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 1, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/plan.json"))
    }
}

/// Paths inside an inventory are relative to the inventory file, wherever the command runs.
@Suite("Paths in an inventory")
struct InventoryPathTests {
    @Test func aRelativeSourceIsRelativeToTheInventory() throws {
        let folder = NSTemporaryDirectory() + "ccm-paths-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/estate", withIntermediateDirectories: true)
        try Tool.packExampleFeed(into: folder + "/feed")
        try FileManager.default.copyItem(atPath: "examples/estate/parameters.yaml", toPath: folder + "/estate/parameters.yaml")
        let example = try String(contentsOfFile: "examples/estate/inventory.yaml", encoding: .utf8)
        try ("source: ../feed\n" + example).write(toFile: folder + "/estate/inventory.yaml", atomically: true, encoding: .utf8)
        // Run from the checkout: ../feed from here is not the feed; from the inventory's folder it is.
        let plan = try Tool.run(["plan", "--to", "latest", "--inventory", folder + "/estate/inventory.yaml"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("from \(folder)/feed"), "\(plan.stdout)")
    }
}

/// `plan` and `matrix check` read one inventory format: a broken one is reported the same way by both, one
/// compiler-style line per problem, exit 2.
@Suite("Inventory errors: one shape in every command")
struct InventoryErrorShapeTests {
    @Test func planAndMatrixCheckPrintTheSameDiagnostics() throws {
        let folder = NSTemporaryDirectory() + "ccm-inv-errors-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/broken.yaml"
        try "hosts:\n  - name: a\n    roles: [web]\n    packages: {chocolatey-management-web: 1.x}\n".write(toFile: file, atomically: true, encoding: .utf8)
        let plan = try Tool.run(["plan", "--to", "latest", "--inventory", file, "--source", folder])
        let check = try Tool.run(["matrix", "check", "--inventory", file])
        #expect(plan.status == 2 && check.status == 2)
        #expect(plan.stderr == check.stderr, "plan:\n\(plan.stderr)\nmatrix check:\n\(check.stderr)")
        #expect(plan.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("\(file):") && $0.contains(": error: ") }, "\(plan.stderr)")
    }
}
