import Foundation
import Testing
import TestSupport

/// Issue 12 §4: each secret is traced through every output — stdout, stderr, the files written, and what a
/// child process (choco) receives in its environment and on its command line.
@Suite("Secrets traced through every output")
struct SecretTraceTests {
    static let apiKey = "Trace-Api-Key-6c1d0e"
    static let licenseId = "Trace-Licence-9f2a41"
    static let servicePassword = "Trace-Service-Pw-77aa"
    static let databasePassword = "Trace-Db-Pw-31c9"

    /// Every file under `folder`, as text.
    static func files(under folder: String) -> [(String, String)] {
        let paths = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        return paths.compactMap { path in
            guard let data = FileManager.default.contents(atPath: folder + "/" + path) else { return nil }
            return (path, String(decoding: data, as: UTF8.self))
        }
    }

    @Test("choco gets an allow-listed environment; secrets reach it only through --package-parameters-sensitive")
    func runStep() throws {
        let folder = NSTemporaryDirectory() + "ccm-secrets-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
        try Tool.packExampleFeed(into: folder + "/feed")
        // The connection string comes from a file: reference (it used to land on choco's plain command line).
        try "Server=sql01;Database=ChocolateyManagement;User ID=ccm;Password=\(Self.databasePassword)\n"
            .write(toFile: folder + "/connection", atomically: true, encoding: .utf8)
        try """
            service: { username: CCMService, password: 'env:CCM_SERVICE_PASSWORD', connectionChanged: true, connectionString: 'file:\(folder)/connection' }
            database: { connectionChanged: true, connectionString: 'file:\(folder)/connection' }
            """.write(toFile: folder + "/parameters.yaml", atomically: true, encoding: .utf8)
        try """
            parameters: parameters.yaml
            hosts:
              - name: ccm01
                roles: [database, service, web]
                packages: { chocolatey-management-database: 0.16.0, chocolatey-management-service: 0.16.0, chocolatey-management-web: 0.16.0 }
                https: { certificate_dns_name: ccm01.example.com }
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        let plan = try Tool.run(["plan", "--to", "0.17.0", "--inventory", folder + "/inventory.yaml", "--source", folder + "/feed",
                                 "--output", folder + "/out/plan.json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        // A choco that records its environment and arguments, then does what the stand-in does.
        let wrapper = folder + "/choco"
        try ExecutableScript.write(
            """
            #!/usr/bin/env bash
            n=$(ls "\(folder)"/call-* 2>/dev/null | wc -l)
            env > "\(folder)/call-$n.env"
            printf '%s\\n' "$@" > "\(folder)/call-$n.args"
            exec "\(Tool.checkout)/Tests/Fixtures/choco-standin/choco" "$@"
            """, to: wrapper)
        let environment = ["CHOCO_STANDIN_LOG": folder + "/out/choco.log", "CHOCO_STANDIN_LIB": folder + "/lib",
                           "CCM_SERVICE_PASSWORD": Self.servicePassword, "CCM_UPGRADE_API_KEY": Self.apiKey,
                           "CCM_UPGRADE_LICENSE_ID": Self.licenseId]
        let ran = try Tool.run(["run", folder + "/out/plan.json", "--host", "ccm01", "--choco", wrapper, "--lib", folder + "/lib"],
                               environment: environment)
        #expect(ran.status == 0, "\(ran.stderr)")
        let calls = Self.files(under: folder).filter { $0.0.hasPrefix("call-") }
        #expect(calls.count >= 6, "the three server steps at least, an environment and an argument file each: \(calls.map(\.0))")
        for (name, text) in calls where name.hasSuffix(".env") {
            for secret in [Self.apiKey, Self.licenseId, Self.servicePassword, Self.databasePassword] {
                #expect(!text.contains(secret), "\(name) holds a secret")
            }
            // None of the tool's settings; the one variable of ours a choco gets is the step's random marker
            // (CCM_RUN_STEP_MARKER, how a rerun finds an orphaned choco).
            #expect(!text.contains("CCM_UPGRADE_"), "\(name): the tool's own settings are not passed on")
            #expect(text.contains("CCM_RUN_STEP_MARKER=step"), "\(name): the step's marker is there")
            #expect(text.contains("PATH=") && text.contains("CHOCO_STANDIN_LIB="), "\(name): what choco and the step need is there")
        }
        var sensitiveSeen = 0
        for (name, text) in calls where name.hasSuffix(".args") {
            for argument in text.split(separator: "\n") where argument.contains(Self.databasePassword) || argument.contains(Self.servicePassword) {
                #expect(argument.hasPrefix("--package-parameters-sensitive="), "\(name): a secret outside the sensitive parameters: \(argument)")
                sensitiveSeen += 1
            }
        }
        #expect(sensitiveSeen >= 2, "the database and service steps received their connection string")
        for (output, text) in [("stdout", plan.stdout + ran.stdout), ("stderr", plan.stderr + ran.stderr)] + Self.files(under: folder + "/out") {
            for secret in [Self.apiKey, Self.licenseId, Self.servicePassword, Self.databasePassword] {
                #expect(!text.contains(secret), "\(output) holds a secret")
            }
        }
    }

    @Test("a password inside a feed URL is masked on stdout, stderr and in the journal")
    func feedURLCredentials() throws {
        let folder = NSTemporaryDirectory() + "ccm-url-secrets-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let password = "Url-Pa55-\(UUID().uuidString.prefix(8))"
        let source = "http://feeduser:\(password)@127.0.0.1:9/api/v2/"
        let result = try Tool.run(["internalize", "chocolatey-agent@4.0.0", "--source", source, "--to", folder + "/target",
                                   "--work-directory", folder + "/work", "--retries", "0", "--format", "json"])
        #expect(result.status == 1, "the feed is unreachable: \(result.stderr)")
        #expect(result.stdout.contains("feeduser:********@127.0.0.1"), "the source is still named: \(result.stdout)")
        for (output, text) in [("stdout", result.stdout), ("stderr", result.stderr)] + Self.files(under: folder) {
            #expect(!text.contains(password), "\(output) holds the URL's password")
        }
    }
}
