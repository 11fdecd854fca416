import Foundation
import Testing

/// The air-gap workflow end to end through the command line: plan on the connected side (upstream feeds are
/// local folders named in a feeds config), bundle the plan, verify, push inside with `internalize --from`, plan
/// again against the internal feed; and a damaged bundle refused with the file named and nothing pushed.
@Suite("bundle command")
struct BundleCommandTests {
    /// A fresh folder with an empty `internal` feed, the example packages as `upstream`, and a feeds config
    /// (`feeds.json`) naming `upstream` as both the community and the licensed repository.
    static func connectedSide() throws -> (folder: String, config: String) {
        let folder = NSTemporaryDirectory() + "ccm-bundle-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/internal", withIntermediateDirectories: true)
        try Tool.packExampleFeed(into: folder + "/upstream")
        let config = folder + "/feeds.json"
        try Data("{\"sources\": {\"community\": {\"url\": \"\(folder)/upstream\"}, \"licensed\": {\"url\": \"\(folder)/upstream\"}}}".utf8)
            .write(to: URL(fileURLWithPath: config))
        return (folder, config)
    }

    @Test func airGapWorkflowEndToEnd() throws {
        let (folder, config) = try Self.connectedSide()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let inventory = ["--inventory", "examples/estate/inventory.yaml"]

        // Connected side: the plan needs an internalize step (the internal feed is empty), and the bundle carries it.
        let plan = try Tool.run(["plan", "--to", "latest"] + inventory + ["--source", folder + "/internal", "--upstream", "--config", config,
                                 "--output", folder + "/plan.json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("Step 1 [internalize]"))
        let bundle = folder + "/upgrade.bundle.tar"
        // --copy: the example packages' scripts name real Microsoft URLs, unreachable from a test (embedding into
        // bundles is tested in RepositoryTests' BundleEmbeddingTests against a local resource server).
        let created = try Tool.run(["bundle", "create", "--plan", folder + "/plan.json", "--config", config, "-o", bundle,
                                    "--work-directory", folder + "/work", "--copy"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("9 pushed"))
        let verified = try Tool.run(["bundle", "verify", bundle, "--format", "json"])
        #expect(verified.status == 0, "\(verified.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: Data(verified.stdout.utf8)) as? [String: Any]
        #expect((manifest?["packages"] as? [[String: Any]])?.count == 9)
        #expect((manifest?["plan"] as? [String: Any])?["path"] as? String == "plan.json")
        #expect((manifest?["tool"] as? String)?.hasPrefix("ccm-upgrade ") == true)

        // A view of the feed from the bundle alone: the plan needs no internalize step.
        let fromBundle = try Tool.run(["plan", "--to", "latest"] + inventory + ["--source", folder + "/internal", "--bundle", bundle])
        #expect(fromBundle.status == 0, "\(fromBundle.stderr)")
        #expect(fromBundle.stdout.contains("Upgrade plan: CCM 0.16.0 → 0.17.0") && !fromBundle.stdout.contains("[internalize]"))

        // Inside the air gap: push, idempotently; then the internal feed plans without an internalize step.
        let pushed = try Tool.run(["internalize", "--from", bundle, "--to", folder + "/internal", "--work-directory", folder + "/inside"])
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(pushed.stdout.contains("9 pushed, 0 already present"))
        let again = try Tool.run(["bundle", "push", bundle, "--to", folder + "/internal", "--work-directory", folder + "/inside"])
        #expect(again.status == 0 && again.stdout.contains("0 pushed, 9 already present"), "\(again.stdout)")
        let inside = try Tool.run(["plan", "--to", "latest"] + inventory + ["--source", folder + "/internal"])
        #expect(inside.status == 0 && !inside.stdout.contains("[internalize]"), "\(inside.stdout)")
    }

    /// The `run:` lines of a plan's internalize step are commands that work as printed (with the feeds config
    /// the plan was made with), and the .NET prerequisites are asked for only with server steps.
    @Test func thePrintedInternalizeCommandsWork() throws {
        let (folder, config) = try Self.connectedSide()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let inventory = ["--inventory", "examples/estate/inventory.yaml"]
        let plan = try Tool.run(["plan", "--to", "latest"] + inventory + ["--source", folder + "/internal", "--upstream", "--config", config])
        #expect(plan.status == 0, "\(plan.stderr)")
        let commands = plan.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("    run: ccm-upgrade internalize ") }
            .map { $0.replacingOccurrences(of: "    run: ccm-upgrade ", with: "").replacingOccurrences(of: " (the run command does this)", with: "") }
        #expect(commands.count == 2, "community and licensed: \(plan.stdout)")
        for (index, command) in commands.enumerated() {
            // --copy: the example packages' scripts name real Microsoft URLs, unreachable from a test.
            let ran = try Tool.run(command.split(separator: " ").map(String.init) + ["--config", config, "--work-directory", folder + "/w\(index)", "--copy"])
            #expect(ran.status == 0, "\(command): \(ran.stderr)")
        }
        let again = try Tool.run(["plan", "--to", "latest"] + inventory + ["--source", folder + "/internal"])
        #expect(again.status == 0 && !again.stdout.contains("[internalize]"), "\(again.stdout)\(again.stderr)")

        // The servers already at the target: no .NET prerequisites to bring in.
        let current = try Tool.run(["plan", "--to", "0.16.0"] + inventory + ["--source", folder + "/upstream"])
        #expect(current.status == 0, "\(current.stderr)")
        #expect(!current.stdout.contains("[internalize]") && !current.stdout.contains("dotnet-8.0"), "\(current.stdout)")
    }

    /// One internal mirror for both roles (`--source X --licensed-from X`): CCM's licensed packages are still
    /// copied byte for byte (by id), and the community prerequisites are still internalized, not taken for licensed.
    @Test func oneMirrorForBothRolesStillInternalizesThePrerequisites() throws {
        let folder = NSTemporaryDirectory() + "ccm-bundle-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Tool.packExampleFeed(into: folder + "/mirror")
        let created = try Tool.run(["bundle", "create", "--for-ccm", "0.17.0", "--source", folder + "/mirror", "--licensed-from", folder + "/mirror",
                                    "-o", folder + "/b.tar", "--work-directory", folder + "/work", "--format", "json"])
        #expect(created.status == 0, "\(created.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any]
        let modes = Dictionary(uniqueKeysWithValues: ((summary?["items"] as? [[String: Any]]) ?? []).compactMap { item -> (String, String)? in
            guard let id = item["id"] as? String, let mode = (item["embedding"] as? [String: Any])?["mode"] as? String else { return nil }
            return (id, mode)
        })
        #expect(modes["chocolatey-management-service"] == "licensed" && modes["chocolatey-agent"] == "licensed", "\(modes)")
        #expect(modes["dotnet-10.0-runtime"] == "nothingToEmbed" && modes["dotnet-aspnetcoremodule-v2"] == "nothingToEmbed", "\(modes)")
    }

    @Test func damagedBundleExitsOneNamingTheFileAndPushesNothing() throws {
        let folder = NSTemporaryDirectory() + "ccm-bundle-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/internal", withIntermediateDirectories: true)
        try Tool.packExampleFeed(into: folder + "/upstream")
        let bundle = folder + "/b.tar"
        let created = try Tool.run(["bundle", "create", "chocolatey@2.7.0", "chocolatey-agent@4.0.0", "--ignore-dependencies",
                                    "--source", folder + "/upstream", "-o", bundle, "--work-directory", folder + "/work", "--copy"])
        #expect(created.status == 0, "\(created.stderr)")
        // Cut the bundle inside its last package.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: bundle))
        try bytes.prefix(bytes.count - 2600).write(to: URL(fileURLWithPath: bundle))
        let verify = try Tool.run(["bundle", "verify", bundle])
        #expect(verify.status == 1)
        #expect(verify.stderr.hasPrefix("error: \(bundle): packages/chocolatey-agent.4.0.0.nupkg: "), "\(verify.stderr)")
        let push = try Tool.run(["internalize", "--from", bundle, "--to", folder + "/internal", "--work-directory", folder + "/inside"])
        #expect(push.status == 1)
        #expect(push.stderr.contains("packages/chocolatey-agent.4.0.0.nupkg") && push.stderr.contains("nothing was pushed"), "\(push.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/internal").isEmpty)
        let missing = try Tool.run(["bundle", "verify", folder + "/absent.tar"])
        #expect(missing.status == 2 && missing.stderr == "error: \(folder)/absent.tar: no such file\n")
    }
}
