import Compatibility
@testable import Deployment
import Foundation
import Testing
import TestSupport

/// `ccm-upgrade inventory` end to end: two CCM hosts behind real sshd (TestSSHEstate, stand-in choco) and the fake
/// CCM's estate endpoints (estate.py), read by the built tool into an inventory that `plan`'s reader and
/// `matrix check` take unchanged.
@Suite(.serialized) struct InventoryCommandTests {
    static let estateJSON = """
        {"computers": [
          {"id": 11, "name": "ws-1", "groups": [7], "lastCheckInDateTime": "2099-01-01T00:00:00Z",
           "software": {"chocolatey-agent": "2.1.0", "chocolatey.extension": "6.3.1", "chocolatey": "2.4.3", "firefox": "120.0"},
           "removed": {"chocolatey-agent": "1.0.0"}, "programs": ["Mozilla Firefox"]},
          {"id": 12, "name": "ws-2", "groups": [7], "lastCheckInDateTime": "2020-01-01T00:00:00.123Z",
           "software": {"chocolatey-agent": "3.0.0", "chocolatey.extension": "7.0.0", "chocolatey": "2.4.3"}},
          {"id": 13, "name": "ws-3", "groups": [7, 3], "lastCheckInDateTime": null, "software": {}},
          {"id": 21, "name": "srv-1", "groups": [3], "lastCheckInDateTime": "2099-01-01T00:00:00",
           "software": {"chocolatey-agent": "3.0.0", "chocolatey.extension": "7.0.0", "chocolatey": "2.4.3"}}
        ],
        "pagedComputers": 2}
        """

    @Test func writesHostsFromSSHAndGroupsFromCCMThatTheReaderTakes() throws {
        let estate = try TestSSHEstate(hosts: ["ccm-db", "ccm-app"])
        try estate["ccm-db"].install("chocolatey-management-database", "0.16.0")
        try estate["ccm-db"].install("chocolatey", "2.4.3")
        try estate["ccm-app"].install("chocolatey-management-service", "0.16.0")
        try estate["ccm-app"].install("chocolatey-management-web", "0.16.0")
        try estate["ccm-app"].install("chocolatey-agent", "3.0.0")
        try estate["ccm-app"].install("7zip", "24.8.0")
        let estateFile = estate.directory + "/estate.json"
        try Self.estateJSON.write(toFile: estateFile, atomically: true, encoding: .utf8)
        let ccm = try FakeCCM(["--estate", estateFile])
        let output = estate.directory + "/inventory.yaml"
        let result = try DeploymentCLITests.run(
            ["inventory", "--host", "ccm-db=ccm-db", "--host", "ccm-app=ccm-app", "--ssh-config", estate.configFile, "--url", ccm.base,
             "--output", output],
            environment: ["CCM_USERNAME": FakeCCM.user, "CCM_PASSWORD": FakeCCM.password])
        #expect(result.status == 0, "\(result.stderr)")
        let inventory = try Inventory.load(path: output)
        #expect(inventory.hosts.map(\.name) == ["ccm-db", "ccm-app"])
        #expect(inventory.hosts[0].roles == [.database])
        #expect(inventory.hosts[1].roles == [.service, .web])
        #expect(inventory.hosts[1].packages["7zip"] == nil)  // only CCM's packages
        #expect(inventory.hosts[0].address == .ssh(destination: "ccm-db", port: nil, shell: .cmd))
        let workstations = try #require(inventory.groups.first { $0.name == "Workstations" })
        // Lowest of each package; the removed 1.0.0 agent and non-package software do not count.
        #expect(workstations.packages.mapValues(\.normalized) == ["chocolatey-agent": "2.1.0", "chocolatey.extension": "6.3.1", "chocolatey": "2.4.3"])
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.contains("  # 3 computers\n  # chocolatey: 2.4.3\n  # chocolatey-agent: 2.1.0 lowest, 3.0.0 highest"))
        #expect(text.contains("reporting none of the client packages: ws-3"))
        #expect(text.contains("not seen recently: ws-2, ws-3"))
        // The fake paged Computers/GetAll (2 per page): all four were read.
        #expect(ccm.requests.filter { $0.hasPrefix("GET /api/services/app/Computers/GetAll") }.count == 2)
        #expect(result.stderr.contains("Workstations: 3 computers"))

        // The written file is an inventory matrix check takes, and --update refreshes it in place.
        let check = try DeploymentCLITests.run(["matrix", "check", "--inventory", output, "--during-upgrade"])
        #expect([0, 1].contains(check.status), "\(check.stderr)")
        try estate["ccm-db"].install("chocolatey-management-database", "0.17.0")
        // The admin records the website's certificate (SSH cannot read it): a refresh must keep it.
        var recorded = try Inventory.load(path: output)
        let certificate = WebHTTPS(certificateThumbprint: "3EDEBDFEE63B57B0A0A12A079ED8DA791DA03BA7", certificateDnsName: "ccm-app.example.com")
        recorded.hosts[1].https = certificate
        try recorded.yamlText().write(toFile: output, atomically: true, encoding: .utf8)
        let refreshed = try DeploymentCLITests.run(
            ["inventory", "--update", output, "--ssh-config", estate.configFile, "--no-groups", "--output", output])
        #expect(refreshed.status == 0, "\(refreshed.stderr)")
        let after = try Inventory.load(path: output)
        #expect(after.hosts[0].packages["chocolatey-management-database"]?.normalized == "0.17.0")
        #expect(after.groups.map(\.name) == inventory.groups.map(\.name))
        #expect(after.hosts[1].https == certificate, "inventory --update dropped the recorded certificate")
    }

    /// Written to another folder than the file it refreshes, the inventory's relative paths still name the
    /// same parameters file and feed folder.
    @Test func pathsStayTrueWhenWrittenElsewhere() throws {
        let estate = try TestSSHEstate(hosts: ["ccm01"])
        for id in ["chocolatey-management-database", "chocolatey-management-service", "chocolatey-management-web"] {
            try estate["ccm01"].install(id, "0.16.0")
        }
        let first = estate.directory + "/first", second = estate.directory + "/second"
        for path in [first, second] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        try """
            source: ../feed
            parameters: parameters.yaml
            hosts:
              - name: ccm01
                ssh: ccm01
                roles: [database, service, web]
                packages: { chocolatey-management-database: 0.16.0, chocolatey-management-service: 0.16.0, chocolatey-management-web: 0.16.0 }
            """.write(toFile: first + "/inventory.yaml", atomically: true, encoding: .utf8)
        let result = try DeploymentCLITests.run(["inventory", "--update", first + "/inventory.yaml", "--ssh-config", estate.configFile, "--no-groups",
                                                 "--output", second + "/inventory.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        let written = try Inventory.load(path: second + "/inventory.yaml")
        #expect(written.parameters == URL(fileURLWithPath: first + "/parameters.yaml").standardizedFileURL.path)
        #expect(written.source == URL(fileURLWithPath: estate.directory + "/feed").standardizedFileURL.path)
    }

    @Test func matrixCheckLiveReadsTheHostsInsteadOfTheFile() throws {
        let estate = try TestSSHEstate(hosts: ["ccm01"])
        for id in ["chocolatey-management-database", "chocolatey-management-service", "chocolatey-management-web"] {
            try estate["ccm01"].install(id, "0.16.0")
        }
        // The file is stale: it still says the service is at 0.14.0 (mixed server versions: incompatible).
        let file = estate.directory + "/stale.yaml"
        try """
            hosts:
              - name: ccm01
                roles: [database, service, web]
                ssh: ccm01
                packages:
                  chocolatey-management-database: 0.16.0
                  chocolatey-management-service: 0.14.0
                  chocolatey-management-web: 0.16.0
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let stale = try DeploymentCLITests.run(["matrix", "check", "--inventory", file])
        #expect(stale.status == 1, "\(stale.stdout)")
        let live = try DeploymentCLITests.run(["matrix", "check", "--inventory", file, "--live", "--ssh-config", estate.configFile], environment: ["CCM_URL": ""])
        #expect(live.status == 0, "\(live.stdout)\(live.stderr)")
        #expect(FixtureServer.lines(of: estate["ccm01"].chocoLog) == ["list --local-only --limit-output"])
    }

    @Test func unreachableHostFailsNamingIt() throws {
        let estate = try TestSSHEstate(hosts: [])
        let result = try DeploymentCLITests.run(
            ["inventory", "--host", "ccm-db=refusing-host", "--ssh-config", estate.configFile, "--no-groups"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot reach ccm-db: connection refused"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 1)
    }

    @Test(arguments: [["inventory"], ["inventory", "--host", "no-equals"], ["inventory", "--host", "db=-oProxyCommand=x"],
                      ["inventory", "--host", "db=admin@db:70000"]])
    func badInputIsExitTwo(arguments: [String]) throws {
        let result = try DeploymentCLITests.run(arguments + ["--no-groups"])
        #expect(result.status == 2, "\(result.stderr)")
    }
}

/// A refresh reads packages and roles over SSH; the website's certificate binding, which it cannot read,
/// follows the web role.
@Suite("The recorded HTTPS binding across a refresh")
struct RecordedBindingTests {
    static let binding = WebHTTPS(certificateThumbprint: "3EDEBDFEE63B57B0A0A12A079ED8DA791DA03BA7")

    static func host(_ name: String, _ roles: [Inventory.Role], https: WebHTTPS? = nil) -> Inventory.Host {
        Inventory.Host(name: name, roles: roles, packages: [:], https: https)
    }

    // (what the file said, what the hosts now have (binding as kept per host), where the binding must end up: a host name, "top" or nil)
    static let rows: [(String, Inventory, [Inventory.Host], String?)] = [
        ("kept on the web host", Inventory(hosts: [host("a", [.web], https: binding)]), [host("a", [.web], https: binding)], "a"),
        ("follows the web role to another host", Inventory(hosts: [host("a", [.web], https: binding), host("b", [.database])]),
         [host("a", [.database]), host("b", [.web])], "b"),
        ("goes to the top level when no host serves the website", Inventory(hosts: [host("a", [.web], https: binding)]),
         [host("a", [.database])], "top"),
        ("comes down from the top level to the new web host", {
            var base = Inventory(hosts: [host("a", [])])
            base.https = binding
            return base
        }(), [host("a", [.web])], "a"),
    ]

    @Test(arguments: rows)
    func bindingFollowsTheWebRole(_ row: (String, Inventory, [Inventory.Host], String?)) {
        var refreshed = row.1
        refreshed.hosts = row.2
        EstateReader.keepBinding(from: row.1, in: &refreshed)
        let holders = refreshed.hosts.filter { $0.https != nil }.map(\.name) + (refreshed.https == nil ? [] : ["top"])
        #expect(holders == [row.3].compactMap { $0 }, "\(row.0)")
        #expect(refreshed.hosts.compactMap(\.https) + [refreshed.https].compactMap { $0 } == [Self.binding], "\(row.0)")
    }
}
