import Foundation
import Testing
import TestSupport

/// The built tool (see TestSupport) and the corpus the tests read.
enum Tool {
    static let checkout = ToolProcess.checkout
    static let corpus = ProcessInfo.processInfo.environment["CCM_UPGRADE_CORPUS"] ?? (checkout as NSString).deletingLastPathComponent + "/shared/corpus"

    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> ToolProcess.Result {
        try ToolProcess.run(arguments, environment: environment, stdin: stdin)
    }

    /// Packs the example stand-in packages into `folder`: the CCM server packages at 0.16.0 and 0.17.0, the
    /// client packages and the .NET prerequisites of 0.17.0 — the feed of the example estate's upgrade.
    static func packExampleFeed(into folder: String) throws {
        for version in ["0.16.0", "0.17.0"] {
            for id in ["chocolatey-management-database", "chocolatey-management-service", "chocolatey-management-web"] {
                _ = try run(["pack", "examples/packages/\(id)/\(version)/\(id).nuspec", "--output-directory", folder])
            }
        }
        for path in ["chocolatey/2.7.0/chocolatey", "chocolatey.extension/8.0.0/chocolatey.extension", "chocolatey-agent/4.0.0/chocolatey-agent",
                     "dotnet-10.0-runtime/10.0.9/dotnet-10.0-runtime", "dotnet-10.0-aspnetruntime/10.0.9/dotnet-10.0-aspnetruntime",
                     "dotnet-aspnetcoremodule-v2/20.0.26140/dotnet-aspnetcoremodule-v2"] {
            _ = try run(["pack", "examples/packages/\(path).nuspec", "--output-directory", folder])
        }
    }
}

@Suite("ccm-upgrade command line")
struct CLITests {
    @Test func inspectReportsGoodPackagesAndFailsOnBadOnes() throws {
        let good = Tool.corpus + "/nupkg/real/NuGetTest.0.0.1.nupkg"
        let bad = Tool.corpus + "/nupkg/malformed/pynuget-no_nuspec.nupkg"
        let result = try Tool.run(["inspect", good, bad, "--format", "json"])
        #expect(result.status == 1)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let packages = json?["packages"] as? [[String: Any]]
        #expect(packages?.count == 1)
        #expect(packages?.first?["id"] as? String == "NuGetTest")
        #expect((json?["errors"] as? [[String: Any]])?.count == 1)
        #expect(result.stderr.contains("error: \(bad): no .nuspec manifest"))
    }

    @Test func inspectJSONOfTheWholeCorpusParses() throws {
        let result = try Tool.run(["inspect", Tool.corpus + "/nupkg", "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let packages = try #require(json?["packages"] as? [[String: Any]])
        #expect(packages.count >= 79)
        #expect(packages.allSatisfy { ($0["sha512Hex"] as? String)?.count == 128 && $0["files"] is [[String: Any]] })
        #expect((json?["errors"] as? [[String: Any]])?.count == 5)
        // Packages are read largest first, but reported in path order (byte order of the names).
        let paths = packages.compactMap { $0["path"] as? String }
        #expect(paths == paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        let errorPaths = (json?["errors"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(errorPaths == errorPaths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    @Test func inspectExitCodes() throws {
        #expect(try Tool.run(["inspect", Tool.corpus + "/nupkg/real"]).status == 0)
        #expect(try Tool.run(["inspect", "/nonexistent/x.nupkg"]).status == 2)
        #expect(try Tool.run(["inspect", "--no-such-flag", "x.nupkg"]).status == 2, "usage errors are bad input (2), not 64")
        #expect(try Tool.run(["matrix", "check", "--format", "xml"]).status == 2)
        #expect(try Tool.run(["--help"]).status == 0)
    }

    @Test func packThenInspectTheExampleFeed() throws {
        let out = NSTemporaryDirectory() + "ccm-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: out) }
        let nuspec = "examples/packages/chocolatey-agent/4.0.0/chocolatey-agent.nuspec"
        let packed = try Tool.run(["pack", nuspec, "--output-directory", out])
        #expect(packed.status == 0, "\(packed.stderr)")
        let inspected = try Tool.run(["inspect", out])
        #expect(inspected.stdout.hasPrefix("chocolatey-agent 4.0.0"))
        #expect(inspected.stdout.contains("tools/chocolateyInstall.ps1"))
    }

    @Test func planAndDryRunTheExampleEstate() throws {
        let folder = NSTemporaryDirectory() + "ccm-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Tool.packExampleFeed(into: folder + "/feed")
        let plan = try Tool.run(["plan", "--to", "latest", "--inventory", "examples/estate/inventory.yaml", "--source", folder + "/feed",
                                 "--output", folder + "/plan.json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("Upgrade plan: CCM 0.16.0 → 0.17.0"))
        let order = ["chocolatey-management-database", "chocolatey-management-service", "chocolatey-management-web"]
            .compactMap { plan.stdout.range(of: "upgrade \($0) ")?.lowerBound }
        #expect(order.count == 3 && order == order.sorted())
        let dry = try Tool.run(["run", folder + "/plan.json", "--host", "ccm01", "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        // A mistyped host runs nothing and says so, with the plan's closest host.
        let typo = try Tool.run(["run", folder + "/plan.json", "--host", "ccm1", "--dry-run"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("--host ccm1: no step of") && typo.stderr.contains("did you mean 'ccm01'?"), "\(typo.stderr)")
        #expect(dry.stdout.contains("--package-parameters-sensitive=/Password:<env:CCM_SERVICE_PASSWORD>"))
        // A dry run lists what would stop the real run (here: the secrets are not set, choco is not installed).
        #expect(dry.stderr.contains("warning: a real run would not start: step 4 (chocolatey-management-service on ccm01), /Password: secret 'env:CCM_SERVICE_PASSWORD' cannot be resolved"), "\(dry.stderr)")
        // `--dry-run --confirm` writes nothing; --confirm of a step this run executes itself is refused.
        let dryConfirm = try Tool.run(["run", folder + "/plan.json", "--host", "ccm01", "--dry-run", "--confirm", "3"])
        #expect(dryConfirm.status == 2 && dryConfirm.stderr.contains("which `run` reaches (this machine)"), "\(dryConfirm.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/plan.json.journal"))
        // A real (stand-in) run of the same plan: every step for ccm01, in order, then resume finds nothing left.
        let standin = Tool.checkout + "/Tests/Fixtures/choco-standin/choco"
        let environment = ["CHOCO_STANDIN_LOG": folder + "/choco.log", "CHOCO_STANDIN_LIB": folder + "/lib",
                           "CCM_SERVICE_PASSWORD": "s3rvice-secret", "CCM_AGENT_PASSWORD": "ag3nt-secret"]
        let arguments = ["run", folder + "/plan.json", "--host", "ccm01", "--choco", standin, "--lib", folder + "/lib",
                         "--inventory", "examples/estate/inventory.yaml"]
        let ran = try Tool.run(arguments, environment: environment)
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout.contains("ran steps 1, 2, 3, 4, 5, 6"))
        let journal = try String(contentsOfFile: folder + "/plan.json.journal", encoding: .utf8)
        #expect(!journal.contains("s3rvice-secret") && !ran.stderr.contains("s3rvice-secret") && !ran.stdout.contains("s3rvice-secret"))
        let again = try Tool.run(arguments, environment: environment)
        #expect(again.stdout.contains("nothing left to run"))
        let deployment = try Tool.run(["plan", "--to", "latest", "--inventory", "examples/estate/inventory.yaml", "--source", folder + "/feed",
                                       "--format", "deployment", "--group", "Workstations=client-agents"])
        #expect(deployment.status == 0, "\(deployment.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(deployment.stdout.utf8)) as? [String: Any]
        let deploymentSteps = try #require(document?["DeploymentSteps"] as? [[String: Any]])
        #expect(deploymentSteps.count == 4, "the agent phase only: the host agent and the Workstations group's three steps")
        #expect(deploymentSteps.contains { $0["Script"] as? String == "upgrade|chocolatey|2.7.0|false" })
        #expect(deployment.stderr.contains("server step(s) are not in the deployment"))
        let unknown = try Tool.run(["plan", "--to", "9.9.9", "--inventory", "examples/estate/inventory.yaml", "--source", folder + "/feed"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown to this matrix"))
        let badInventory = try Tool.run(["plan", "--to", "0.17.0", "--inventory", "/nonexistent.yaml", "--source", folder + "/feed"])
        #expect(badInventory.status == 2)
    }

    @Test func matrixCheckReadsThePlanInventory() throws {
        let result = try Tool.run(["matrix", "check", "--inventory", "examples/estate/inventory.yaml", "--format", "json"])
        #expect(result.status == 1, "the example estate's clients are below CCM 0.16.0's minimums")
        #expect(result.stdout.contains("Workstations") && result.stdout.contains("host:ccm01"))
    }

    @Test func matrixCommandsExitCodes() throws {
        let compatible = try Tool.run(["matrix", "check", "--ccm", "0.17.0", "--agent", "4.0.0", "--extension", "8.0.0", "--chocolatey", "2.7.0",
                                       "--web-certificate", "ccm.example.com"])
        #expect(compatible.status == 0, "\(compatible.stdout)")
        // CCM 0.17.0's website works only over SSL: without a recorded certificate the estate is refused.
        let noCertificate = try Tool.run(["matrix", "check", "--ccm", "0.17.0", "--agent", "4.0.0", "--extension", "8.0.0", "--chocolatey", "2.7.0"])
        #expect(noCertificate.status == 1 && noCertificate.stdout.contains("error[prerequisite.https]"), "\(noCertificate.stdout)")
        let tooOld = try Tool.run(["matrix", "check", "--ccm", "0.17.0", "--agent", "3.9.9", "--format", "json"])
        #expect(tooOld.status == 1)
        #expect(try JSONSerialization.jsonObject(with: Data(tooOld.stdout.utf8)) is [String: Any])
        let unknown = try Tool.run(["matrix", "check", "--ccm", "0.18.0"])
        #expect(unknown.status == 1)
        #expect(unknown.stdout.contains("unknown to this matrix"))
        let mixed = try Tool.run(["matrix", "check", "--database", "0.17.0", "--service", "0.16.0", "--web", "0.16.0", "--during-upgrade"])
        #expect(mixed.stdout.contains("warning"))
        #expect(try Tool.run(["matrix", "check", "--ccm", "not-a-version"]).status == 2)
        let show = try Tool.run(["matrix", "show", "0.10.1"])
        #expect(show.status == 0)
        #expect(show.stdout.lowercased().contains("inferred"))
        #expect(try Tool.run(["matrix", "lint", "matrix"]).status == 0)
        #expect(try Tool.run(["matrix", "lint"]).status == 0, "the embedded copy lints clean")
    }

    @Test func lintScriptExitCodes() throws {
        let folder = NSTemporaryDirectory() + "ccm-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "choco upgrade chocolatey-management-database chocolatey-management-service -y\n".write(toFile: folder + "/bad.ps1", atomically: true, encoding: .utf8)
        try "choco upgrade chocolatey-management-database -y\n".write(toFile: folder + "/good.ps1", atomically: true, encoding: .utf8)
        let bad = try Tool.run(["lint-script", folder + "/bad.ps1"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("\(folder)/bad.ps1:1: error:"))
        #expect(try Tool.run(["lint-script", folder + "/good.ps1"]).status == 0)
        #expect(try Tool.run(["lint-script", folder + "/missing.ps1"]).status == 2)
    }

    /// The plan's internalize step, run by `run`: the missing packages come from the licensed and community
    /// feeds (folders here, named in a feeds config) into the internal feed, then the steps run.
    @Test func runInternalizesWhatTheFeedLacks() throws {
        let folder = NSTemporaryDirectory() + "ccm-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func pack(_ path: String, into feed: String) throws {
            let result = try Tool.run(["pack", "examples/packages/\(path).nuspec", "--output-directory", folder + "/" + feed])
            #expect(result.status == 0, "\(result.stderr)")
        }
        for id in ["chocolatey-management-database", "chocolatey-management-service", "chocolatey-management-web"] {
            try pack("\(id)/0.16.0/\(id)", into: "internal")
            try pack("\(id)/0.17.0/\(id)", into: "licensed")
        }
        for path in ["chocolatey/2.7.0/chocolatey", "chocolatey.extension/8.0.0/chocolatey.extension", "chocolatey-agent/4.0.0/chocolatey-agent"] {
            try pack(path, into: "licensed")
        }
        for path in ["dotnet-10.0-runtime/10.0.9/dotnet-10.0-runtime", "dotnet-10.0-aspnetruntime/10.0.9/dotnet-10.0-aspnetruntime",
                     "dotnet-aspnetcoremodule-v2/20.0.26140/dotnet-aspnetcoremodule-v2"] {
            try pack(path, into: "community")
        }
        let config = """
            {"sources": {"licensed": {"url": "\(folder)/licensed"}, "community": {"url": "\(folder)/community"},
                         "internal": {"url": "\(folder)/internal"}}}
            """
        try config.write(toFile: folder + "/feeds.json", atomically: true, encoding: .utf8)
        let internalOnly = try Tool.run(["plan", "--to", "latest", "--inventory", "examples/estate/inventory.yaml", "--source", "internal",
                                         "--config", folder + "/feeds.json"])
        // Without --upstream only the internal feed counts, and it lacks what any target needs.
        #expect(internalOnly.status == 1)
        #expect(internalOnly.stderr.contains("the feed has no chocolatey-management-database 0.17.0"), "\(internalOnly.stderr)")
        let plan = try Tool.run(["plan", "--to", "latest", "--upstream", "--inventory", "examples/estate/inventory.yaml", "--source", "internal",
                                 "--config", folder + "/feeds.json", "--output", folder + "/plan.json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("Step 1 [internalize]"))
        let environment = ["CHOCO_STANDIN_LOG": folder + "/choco.log", "CHOCO_STANDIN_LIB": folder + "/lib",
                           "CCM_SERVICE_PASSWORD": "x", "CCM_AGENT_PASSWORD": "y"]
        let ran = try Tool.run(["run", folder + "/plan.json", "--host", "ccm01", "--choco", Tool.checkout + "/Tests/Fixtures/choco-standin/choco",
                                "--lib", folder + "/lib", "--config", folder + "/feeds.json"], environment: environment)
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout.contains("ran steps 1, 2, 3, 4, 5, 6, 7"))
        let internalFeed = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/internal")) ?? []
        #expect(internalFeed.contains("chocolatey-management-web.0.17.0.nupkg"))
        #expect(internalFeed.contains("dotnet-10.0-runtime.10.0.9.nupkg"))
        // Byte for byte: the internal copy of a licensed package is the licensed feed's file.
        #expect(FileManager.default.contents(atPath: folder + "/internal/chocolatey-agent.4.0.0.nupkg")
                == FileManager.default.contents(atPath: folder + "/licensed/chocolatey-agent.4.0.0.nupkg"))
    }
}

/// libcurl is opened on first use: commands without network work without it, and a network command
/// without a loadable libcurl fails with an error that says what to install.
@Suite("libcurl loaded on demand")
struct CurlLoadingTests {
    /// A folder whose `libcurl.so.4` and `libcurl.so` are not libraries, searched first through LD_LIBRARY_PATH.
    private func brokenLibraryFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "ccm-broken-curl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in ["libcurl.so.4", "libcurl.so"] {
            #expect(FileManager.default.createFile(atPath: folder + "/" + name, contents: Data("not an ELF file".utf8)))
        }
        return folder
    }

    @Test func inspectNeverLoadsLibcurl() throws {
        let folder = try brokenLibraryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try Tool.run(["inspect", Tool.corpus + "/nupkg/real/NuGetTest.0.0.1.nupkg"], environment: ["LD_LIBRARY_PATH": folder])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("NuGetTest 0.0.1"))
    }

    @Test func aDownloadWithoutLibcurlSaysWhatToInstall() throws {
        let folder = try brokenLibraryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try Tool.run(["download", "NuGetTest", "--source", "http://127.0.0.1:9/feed/", "--output-directory", folder + "/out"],
                                  environment: ["LD_LIBRARY_PATH": folder, "HOME": folder, "CCM_UPGRADE_FEEDS_CONFIG": ""])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("libcurl could not be loaded"), "\(result.stderr)")
        #expect(result.stderr.contains("apt-get install libcurl4"), "\(result.stderr)")
    }
}
