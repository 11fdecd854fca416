import Foundation
import Testing
import TestSupport

/// `ccm-upgrade license …`, `matrix check --license`, `plan --license` end to end (the built executable), with
/// licence files made in the test. Every output — stdout, stderr, written files — is searched for the id.
@Suite("license CLI")
struct LicenseCLITests {
    struct Sandbox {
        let folder: String
        init() throws { folder = try LicenseFixture.folder() }
        func cleanup() { try? FileManager.default.removeItem(atPath: folder) }

        func licence(_ xml: String, name: String = "chocolatey.license.xml", bom: Bool = false) throws -> String {
            try LicenseFixture.write(LicenseFixture.bytes(xml, bom: bom), in: folder, name: name)
        }

        /// Runs the tool and checks that the id appears in none of its output.
        func run(_ arguments: [String]) throws -> ToolProcess.Result {
            let result = try ToolProcess.run(arguments)
            #expect(!result.stdout.contains(LicenseFixture.secretID), "the licence id on stdout of \(arguments)")
            #expect(!result.stderr.contains(LicenseFixture.secretID), "the licence id on stderr of \(arguments)")
            return result
        }

        /// No written file but the package holds the id (the package must: it carries the licence).
        func checkWrittenFiles() {
            let paths = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
            // The licence files the test wrote (*.xml) and the packages carry the id by design.
            for path in paths where !path.hasSuffix(".nupkg") && !path.hasSuffix(".xml") {
                guard let data = FileManager.default.contents(atPath: folder + "/" + path) else { continue }
                #expect(!String(decoding: data, as: UTF8.self).contains(LicenseFixture.secretID), "the licence id in \(path)")
            }
        }
    }

    static let inFuture = LicenseFixture.xml(expiration: LicenseFixture.date(daysFromNow: 200))

    @Test("check: valid (BOM, CRLF) exit 0; within 30 days a warning; expired exit 1; malformed exit 2 with one error line")
    func check() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let valid = try box.run(["license", "check", try box.licence(LicenseFixture.xml(expiration: LicenseFixture.date(daysFromNow: 200), lineEnd: "\r\n"), bom: true)])
        #expect(valid.status == 0, "\(valid.stderr)")
        #expect(valid.stdout.contains("Business licence for 25 nodes valid until"))
        let soon = try box.run(["license", "check", try box.licence(LicenseFixture.xml(expiration: LicenseFixture.date(daysFromNow: 10)), name: "soon.xml")])
        #expect(soon.status == 0)
        #expect(soon.stderr.contains("warning:") && soon.stderr.contains("expires on"))
        let expired = try box.run(["license", "check", try box.licence(LicenseFixture.xml(expiration: LicenseFixture.date(daysFromNow: -3)), name: "old.xml")])
        #expect(expired.status == 1)
        #expect(expired.stderr.contains("licence field 'expiration': the licence expired on"))
        let json = try box.run(["license", "check", "--format", "json", try box.licence(Self.inFuture, name: "j.xml")])
        #expect(json.stdout.contains("\"packageVersion\": \""))
        #expect(json.stdout.contains("\"state\": \"valid\""))
        for (xml, field) in [(LicenseFixture.xml(signature: false), "'Signature'"), (LicenseFixture.xml(root: "lic"), "'license'"),
                             (LicenseFixture.xml(type: "Gold"), "'type'"), (String(LicenseFixture.xml().prefix(100)), "malformed XML")] {
            let bad = try box.run(["license", "check", try box.licence(xml, name: "bad.xml")])
            #expect(bad.status == 2, "\(field): \(bad.stderr)")
            let errors = bad.stderr.split(separator: "\n").filter { $0.contains("error:") }
            #expect(errors.count == 1, "\(field): \(bad.stderr)")
            #expect(errors.first?.contains("bad.xml") == true && errors.first?.contains(field) == true, "\(bad.stderr)")
            #expect(!bad.stderr.contains("USAGE"), "no usage dump")
        }
        let missing = try box.run(["license", "check", box.folder + "/nope.xml"])
        #expect(missing.status == 2)
    }

    @Test("pack twice gives the same bytes; push to a folder feed: pushed, then already present; a different licence under the same version is refused")
    func packAndPush() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let file = try box.licence(Self.inFuture)
        let version = LicenseFixture.date(daysFromNow: 200).prefix(10).split(separator: "-").map { String(Int($0)!) }.joined(separator: ".") + ".25"
        #expect(try box.run(["license", "pack", file, "--output-directory", box.folder + "/a"]).status == 0)
        #expect(try box.run(["license", "pack", file, "--output-directory", box.folder + "/b"]).status == 0)
        let name = "/chocolatey-license.\(version).nupkg"
        #expect(FileManager.default.contents(atPath: box.folder + "/a" + name) == FileManager.default.contents(atPath: box.folder + "/b" + name))
        let first = try box.run(["license", "push", file, "--source", box.folder + "/feed", "--debug"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("pushed chocolatey-license \(version)"))
        #expect(!first.stdout.contains("HTTP"), "a folder answers no HTTP status: \(first.stdout)")
        let second = try box.run(["license", "push", file, "--source", box.folder + "/feed", "--format", "json", "--verbose"])
        #expect(second.status == 0)
        #expect(second.stdout.contains("\"alreadyPresent\""), "\(second.stdout)")
        let other = try box.licence(LicenseFixture.xml(type: "Architect", expiration: LicenseFixture.date(daysFromNow: 200)), name: "other.xml")
        let conflict = try box.run(["license", "push", other, "--source", box.folder + "/feed"])
        #expect(conflict.status == 1)
        #expect(conflict.stderr.contains("different bytes") && conflict.stderr.contains("--package-version"))
        let parts = version.split(separator: ".").map { Int($0)! }
        let next = "\(parts[0]).\(parts[1]).\(parts[2]).\(parts[3] + 1)"
        #expect(conflict.stderr.contains("--package-version \(next)"), "\(conflict.stderr)")
        let bumped = try box.run(["license", "push", other, "--source", box.folder + "/feed", "--package-version", next])
        #expect(bumped.status == 0, "\(bumped.stderr)")
        let publicFeed = try box.run(["license", "push", file, "--source", "https://push.chocolatey.org/"])
        #expect(publicFeed.status == 2)
        box.checkWrittenFiles()
    }

    @Test("plan: steps as JSON and as a deployment, after the push; refused before it; the id nowhere")
    func plan() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let file = try box.licence(Self.inFuture)
        let inventory = box.folder + "/inventory.yaml"
        try """
            hosts:
              - name: ccm01
                roles: [database, service, web]
                packages: { chocolatey-management-database: 0.16.0, chocolatey-management-service: 0.16.0, chocolatey-management-web: 0.16.0, chocolatey-agent: 4.0.0 }
            groups:
              - name: Workstations
                packages: { chocolatey-agent: 4.0.0 }
            """.write(toFile: inventory, atomically: true, encoding: .utf8)
        let feed = box.folder + "/feed"
        try FileManager.default.createDirectory(atPath: feed, withIntermediateDirectories: true)
        let early = try box.run(["license", "plan", file, "--inventory", inventory, "--source", feed])
        #expect(early.status == 1)
        #expect(early.stderr.contains("license push"))
        #expect(try box.run(["license", "push", file, "--source", feed]).status == 0)
        let planned = try box.run(["license", "plan", file, "--inventory", inventory, "--source", feed, "--format", "json", "--output", box.folder + "/plan.json"])
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(planned.stdout.contains("\"restart\": \"ccm-website\""))
        #expect(planned.stdout.contains("\"rule\": \"license.expiry\""))
        let deployment = try box.run(["license", "plan", file, "--inventory", inventory, "--source", feed, "--format", "deployment",
                                      "--group", "CCM Servers=host:ccm01"])
        #expect(deployment.status == 0, "\(deployment.stderr)")
        #expect(deployment.stdout.contains("\"Script\": \"upgrade|chocolatey-license|"))
        // The emitted document passes the project's own deployment lint (warnings only: no group ids here).
        try deployment.stdout.write(toFile: box.folder + "/deployment.json", atomically: true, encoding: .utf8)
        let lint = try box.run(["deployment", "lint", box.folder + "/deployment.json"])
        #expect(lint.status == 0, "\(lint.stderr)")
        // `run` on the CCM host: the licence package through the choco stand-in, the restarts through a PowerShell
        // stand-in (a test script logging the script it gets; not PowerShell); the group steps are left over.
        let powershell = box.folder + "/powershell"
        try ExecutableScript.write("#!/usr/bin/env bash\nprintf '%s\\n' \"${@: -1}\" >> \"\(box.folder)/powershell.log\"\n", to: powershell)
        let chocoStandIn = ToolProcess.checkout + "/Tests/Fixtures/choco-standin/choco"
        let dry = try ToolProcess.run(["run", box.folder + "/plan.json", "--host", "ccm01", "--choco", chocoStandIn, "--powershell", powershell,
                                       "--lib", box.folder + "/lib", "--dry-run"],
                                      environment: ["CHOCO_STANDIN_LOG": box.folder + "/choco.log", "CHOCO_STANDIN_LIB": box.folder + "/lib"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("powershell -NoProfile -NonInteractive -Command \"Restart-Service -Name 'chocolatey-central-management' -Force\""))
        #expect(!dry.stderr.contains("would not start"), "\(dry.stderr)")
        #expect(!FileManager.default.fileExists(atPath: box.folder + "/plan.json.journal") && !FileManager.default.fileExists(atPath: box.folder + "/powershell.log"))
        let ran = try ToolProcess.run(["run", box.folder + "/plan.json", "--host", "ccm01", "--choco", chocoStandIn, "--powershell", powershell,
                                       "--lib", box.folder + "/lib", "--inventory", inventory],
                                      environment: ["CHOCO_STANDIN_LOG": box.folder + "/choco.log", "CHOCO_STANDIN_LIB": box.folder + "/lib"])
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout.contains("ran steps 1, 3, 4, 5"), "\(ran.stdout)")
        #expect(!ran.stdout.contains(LicenseFixture.secretID) && !ran.stderr.contains(LicenseFixture.secretID))
        let restarts = try String(contentsOfFile: box.folder + "/powershell.log", encoding: .utf8)
        #expect(restarts.contains("Restart-Service -Name 'chocolatey-central-management' -Force"))
        #expect(restarts.contains("Restart-Service -Name 'chocolatey-agent' -Force"))
        let emitted = try box.run(["deployment", "emit", box.folder + "/plan.json", "--include-server"])
        #expect(emitted.status == 0, "\(emitted.stderr)")
        #expect(emitted.stdout.contains("Restart-WebAppPool"))
        try emitted.stdout.write(toFile: box.folder + "/full.json", atomically: true, encoding: .utf8)
        let fullLint = try box.run(["deployment", "lint", box.folder + "/full.json"])
        #expect(fullLint.status == 0, "\(fullLint.stderr)")
        box.checkWrittenFiles()
    }

    @Test("matrix check and plan show the expiry: a note, a warning within 30 days, an error when expired")
    func expiryElsewhere() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let valid = try box.run(["matrix", "check", "--ccm", "0.16.0", "--license", try box.licence(Self.inFuture)])
        #expect(valid.status == 0, "\(valid.stderr)")
        #expect((valid.stdout + valid.stderr).contains("valid until"))
        let soon = try box.run(["matrix", "check", "--ccm", "0.16.0", "--license",
                                try box.licence(LicenseFixture.xml(expiration: LicenseFixture.date(daysFromNow: 5)), name: "soon.xml")])
        #expect(soon.status == 0)
        #expect((soon.stdout + soon.stderr).contains("expires on"))
        let expired = try box.licence(LicenseFixture.xml(expiration: LicenseFixture.date(daysFromNow: -1)), name: "old.xml")
        let failing = try box.run(["matrix", "check", "--ccm", "0.16.0", "--license", expired])
        #expect(failing.status == 1)
        #expect((failing.stdout + failing.stderr).contains("EXPIRED"))
        let plan = try box.run(["plan", "--to", "0.17.0", "--service", "0.16.0", "--source", box.folder, "--license", expired])
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("expired on"))
    }
}
