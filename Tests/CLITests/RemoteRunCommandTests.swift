import Foundation
import Testing
import TestSupport

/// `ccm-upgrade run` end to end over SSH: the inventory says how to reach each CCM host (`ssh:`), real OpenSSH
/// servers on 127.0.0.1 stand for them (TestSupport's `TestSSHEstate`, with the remote-shell and choco stand-ins —
/// test stand-ins, not PowerShell or Chocolatey), and `--ssh-config` points at the test's ssh config.
@Suite("run over SSH (command line)", .serialized)
struct RemoteRunCommandTests {
    static let password = "s3rvice-over-ssh"

    static func makeEstate(in folder: String) throws -> TestSSHEstate {
        let estate = try TestSSHEstate(hosts: ["sql01", "ccm01"], environment: ["CHOCO_STANDIN_EXPECT_SECRET": password])
        try estate["sql01"].install("chocolatey-management-database", "0.16.0")
        for (id, version) in [("chocolatey-management-service", "0.16.0"), ("chocolatey-management-web", "0.16.0"),
                              ("chocolatey-agent", "4.0.0"), ("chocolatey.extension", "8.0.0"), ("chocolatey", "2.7.0")] {
            try estate["ccm01"].install(id, version)
        }
        try estate["sql01"].install("chocolatey.extension", "8.0.0")
        try estate["sql01"].install("chocolatey", "2.7.0")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
            parameters: params.yaml
            hosts:
              - name: sql01
                ssh: sql01
                roles: [database]
                packages: { chocolatey-management-database: 0.16.0, chocolatey.extension: 8.0.0, chocolatey: 2.7.0 }
              - name: ccm01
                ssh: ccm01
                roles: [service, web]
                https: { certificate_thumbprint: 3EDEBDFEE63B57B0A0A12A079ED8DA791DA03BA7, certificate_dns_name: ccm01.example.com }
                packages:
                  chocolatey-management-service: 0.16.0
                  chocolatey-management-web: 0.16.0
                  chocolatey-agent: 4.0.0
                  chocolatey.extension: 8.0.0
                  chocolatey: 2.7.0
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        try "service: { username: svc, password: 'env:CCM_SERVICE_PASSWORD' }\n".write(toFile: folder + "/params.yaml", atomically: true, encoding: .utf8)
        try Tool.packExampleFeed(into: folder + "/feed")
        let plan = try Tool.run(["plan", "--to", "0.17.0", "--inventory", folder + "/inventory.yaml", "--source", folder + "/feed",
                                 "--output", folder + "/plan.json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        return estate
    }

    static func upgrades(_ server: TestSSHServer) -> [String] {
        ((try? String(contentsOfFile: server.chocoLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).filter { $0.hasPrefix("upgrade ") }
    }

    @Test func runsEveryHostsStepsOverSSHFromOneCommand() throws {
        let folder = NSTemporaryDirectory() + "ccm-remote-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let estate = try Self.makeEstate(in: folder)
        let arguments = ["run", folder + "/plan.json", "--inventory", folder + "/inventory.yaml", "--ssh-config", estate.configFile]
        let dry = try Tool.run(arguments + ["--dry-run"], environment: ["CCM_SERVICE_PASSWORD": Self.password])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("# step 1 on host sql01 (ssh sql01): choco upgrade chocolatey-management-database --version 0.17.0"), "\(dry.stdout)")
        #expect(Self.upgrades(estate["sql01"]).isEmpty, "a dry run runs nothing")

        let ran = try Tool.run(arguments, environment: ["CCM_SERVICE_PASSWORD": Self.password])
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout.contains("ran steps 1, 2, 3"), "\(ran.stdout)")
        #expect(Self.upgrades(estate["sql01"]) == ["upgrade chocolatey-management-database version=0.17.0 params=[] sensitive=[]"])
        #expect(Self.upgrades(estate["ccm01"]) == [
            "upgrade chocolatey-management-service version=0.17.0 params=[Username ] sensitive=[Password ] secret-received",
            "upgrade chocolatey-management-web version=0.17.0 params=[] sensitive=[]",
        ])
        #expect(ran.stderr.contains("  choco: Chocolatey upgraded 1/1 packages."), "choco's output is shown live")
        let journal = try String(contentsOfFile: folder + "/plan.json.journal", encoding: .utf8)
        #expect(!journal.contains(Self.password) && !ran.stderr.contains(Self.password) && !ran.stdout.contains(Self.password))
        let again = try Tool.run(arguments, environment: ["CCM_SERVICE_PASSWORD": Self.password])
        #expect(again.stdout.contains("nothing left to run"), "\(again.stdout)")
    }

    @Test func anUnreachableHostStopsTheRunBeforeItStarts() throws {
        let folder = NSTemporaryDirectory() + "ccm-remote-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let estate = try Self.makeEstate(in: folder)
        estate["ccm01"].kill()
        let ran = try Tool.run(["run", folder + "/plan.json", "--inventory", folder + "/inventory.yaml", "--ssh-config", estate.configFile],
                               environment: ["CCM_SERVICE_PASSWORD": Self.password])
        #expect(ran.status == 1)
        #expect(ran.stderr.contains("host ccm01 (ssh ccm01): cannot be reached: cannot reach ccm01: connection refused"), "\(ran.stderr)")
        #expect(Self.upgrades(estate["sql01"]).isEmpty, "sql01's step did not run either")
    }
}
