import CurlSupport
import Foundation
import Internalization
import JSONOutput
import Nupkg
import Repository
import Testing
import TestSupport

/// `internalize` in Chocolatey's sense, end to end with real components: installers served by a real HTTP server
/// on 127.0.0.1, generated packages whose scripts fetch them, folder feeds, the nuget 2.8.7 client and the
/// tree-sitter PowerShell grammar.
@Suite("internalize: embedding resources", .serialized)
struct EmbeddingTests {
    @Test func everyShapeIsEmbeddedVerifiedPushedAndInstallable() async throws {
        let server = try ResourceServer()
        var run = try EmbeddingRun()
        defer { run.cleanup() }
        let packages = [GeneratedPackage.splat(server), .positional(server), .named(server), .dataFile(server)]
        for package in packages { try run.add(package) }
        let summary = await run.run(packages.map(\.id), settings: run.settings())
        #expect(summary.items.map(\.status) == [.pushed, .pushed, .pushed, .pushed], "\(summary.text)")
        #expect(!summary.hasProblems)
        for package in packages {
            let files = try extracted(run.pushed(package.id))
            defer { files.cleanup() }
            let record = try JSONOutput.decoder.decode(EmbeddingRecord.self,
                                                       from: Data(contentsOf: URL(fileURLWithPath: files.path + "/x/tools/ccm-upgrade-internalized.json")))
            #expect(record.resources.map(\.url) == package.resources.map(\.url))
            #expect(record.resources.allSatisfy { $0.checksumSource == "script" })
            for resource in record.resources {
                let name = try #require(resource.embeddedFile)
                let served = server.root.path + "/" + (resource.url.split(separator: "/").last.map(String.init) ?? "")
                #expect(FileManager.default.contentsEqual(atPath: files.path + "/x/" + name, andPath: served), "\(name)")
            }
            for script in package.scripts.keys {
                let text = try String(contentsOfFile: files.path + "/x/" + script, encoding: .utf8)
                #expect(!text.contains("http://127.0.0.1"), "\(package.id) \(script) still downloads:\n\(text)")
            }
            // Everything else as it was: silent arguments, exit codes and checksums are untouched.
            let script = try String(contentsOfFile: files.path + "/x/tools/chocolateyInstall.ps1", encoding: .utf8)
            let original = String(decoding: package.scripts["tools/chocolateyInstall.ps1"]!, as: UTF8.self)
            for fragment in ["'/S'", "@(0, 3010)", "'/qn /norestart'", "@(0, 1641)", "-Checksum $data.Checksum", "-ChecksumType 'sha1'"]
            where original.contains(fragment) { #expect(script.contains(fragment)) }
            #expect(summary.items.first { $0.id == package.id }?.embedding?.resources.count == package.resources.count)
            let info = try PackageReader.inspect(at: run.pushed(package.id))
            #expect(info.nuspec.id == package.id && info.nuspec.version.normalized == "1.0.0")
            // `inspect --resources` reads the rewritten scripts clean: the embedded files' paths, which the
            // tool wrote itself, are neither remote resources nor unresolved.
            let report = ResourceFinder.find(in: try PackageScripts.readNow(run.pushed(package.id)))
            #expect(report.resources.isEmpty && report.unresolved.isEmpty, "\(package.id): \(report.resources) \(report.unresolved)")
        }
        #expect(FileManager.default.fileExists(atPath: run.pushed("splat").replacingOccurrences(of: ".nupkg", with: "")) == false)

        // The real PowerShell grammar: rewritten regions parse clean, no more ERROR/MISSING nodes than before.
        for package in packages {
            let before = try extracted(run.source.path + "/\(package.id).1.0.0.nupkg"), after = try extracted(run.pushed(package.id))
            defer { before.cleanup(); after.cleanup() }
            guard let check = try grammarCheck(original: before.path + "/x", rewritten: after.path + "/x") else {
                Issue.record("tree-sitter-powershell is missing: run scripts/peers/tree-sitter-setup.sh")
                break
            }
            #expect(check.status == 0 && check.output.contains("checked \(Set(package.resources.map(\.urlSite.file)).count)"), "\(check.output)")
        }

        // The real nuget 2.8.7 client installs the internalized packages (all their files, installers included).
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/nuget") {
            let output = try TemporaryDirectory()
            defer { output.cleanup() }
            for package in packages {
                let result = try EmbeddingTests.runProcess(["timeout", "180", "nuget", "install", package.id, "-Version", "1.0.0", "-Source", run.target.path,
                                                            "-OutputDirectory", output.path, "-NonInteractive"], home: output.path)
                #expect(result.status == 0, "\(result.output)")
            }
            #expect(FileManager.default.contentsEqual(atPath: output.path + "/splat.1.0.0/tools/splat-x64.exe", andPath: server.root.path + "/splat-x64.exe"))
            #expect(FileManager.default.fileExists(atPath: output.path + "/splat.1.0.0/tools/splat-x64.exe.ignore"))
            #expect(FileManager.default.fileExists(atPath: output.path + "/datafile.1.0.0/tools/datafile-setup.exe"))
        } else {
            Issue.record("the nuget 2.8.7 client is missing: apt-get install -y nuget (scripts/setup.sh --test)")
        }
    }

    static func runProcess(_ arguments: [String], home: String) throws -> (status: Int32, output: String) {
        try run(arguments, directory: "/", environment: ["HOME": home, "XDG_CONFIG_HOME": home])
    }

    @Test func rerunIsByteIdenticalAndUsesTheCache() async throws {
        let server = try ResourceServer()
        var run = try EmbeddingRun()
        defer { run.cleanup() }
        try run.add(.splat(server))
        #expect(await run.run(["splat"], settings: run.settings()).items.first?.status == .pushed)
        let downloads = server.requests.filter { $0.hasPrefix("GET /files/") }.count
        #expect(downloads == 2)
        // Same work folder, another target: nothing downloaded again, the same bytes produced.
        let second = try TemporaryDirectory()
        defer { second.cleanup() }
        #expect(await run.run(["splat"], settings: run.settings(), target: second.path).items.first?.status == .pushed)
        #expect(server.requests.filter { $0.hasPrefix("GET /files/") }.count == downloads, "\(server.requests)")
        #expect(FileManager.default.contentsEqual(atPath: run.pushed("splat"), andPath: run.pushed("splat", in: second.path)))
        // A fresh work folder (downloads again) still gives the same bytes: the repack is deterministic.
        let third = try TemporaryDirectory(), freshWork = try TemporaryDirectory()
        defer { third.cleanup(); freshWork.cleanup() }
        let summary = await run.run(["splat"], settings: run.settings(work: freshWork.path), target: third.path, work: freshWork.path)
        #expect(summary.items.first?.status == .pushed)
        #expect(server.requests.filter { $0.hasPrefix("GET /files/") }.count == downloads * 2)
        #expect(FileManager.default.contentsEqual(atPath: run.pushed("splat"), andPath: run.pushed("splat", in: third.path)))
        // The target already holding these bytes: present, nothing pushed again.
        #expect(await run.run(["splat"], settings: run.settings()).items.first?.status == .alreadyPresent)
    }

    /// A fault on an installer refuses its package (and only it): nothing unverified is embedded or pushed.
    @Test(arguments: ["reset", "truncate", "wrong", "missing"])
    func faultRefusesThePackageAndPushesNothing(_ mode: String) async throws {
        let server = try ResourceServer()
        var run = try EmbeddingRun()
        defer { run.cleanup() }
        try run.add(.splat(server, id: "faulty", mode: mode))
        try run.add(.positional(server))
        let summary = await run.run(["faulty", "positional"], settings: run.settings())
        let faulty = try #require(summary.items.first { $0.id == "faulty" })
        #expect(faulty.status == .failed)
        #expect(faulty.detail?.contains("not internalized, not pushed") == true, "\(faulty.detail ?? "")")
        if mode == "wrong" { #expect(faulty.detail?.contains("mismatch") == true) }
        #expect(summary.items.first { $0.id == "positional" }?.status == .pushed)
        #expect(summary.hasProblems)
        #expect(!FileManager.default.fileExists(atPath: run.pushed("faulty")))
        #expect(!FileManager.default.fileExists(atPath: run.work.path + "/internalized/faulty.1.0.0.nupkg"))
        let cached = (try? FileManager.default.contentsOfDirectory(atPath: run.work.path + "/resources")) ?? []
        #expect(!cached.contains { $0.hasPrefix("sha256-") && !$0.hasSuffix(".partial") }, "\(cached)")
    }

    /// A connection reset once mid-body: the download resumes (Range) and the package goes through.
    @Test func resetOnceResumes() async throws {
        let server = try ResourceServer()
        var run = try EmbeddingRun()
        defer { run.cleanup() }
        try run.add(.splat(server, mode: "reset-once"))
        let summary = await run.run(["splat"], settings: run.settings())
        #expect(summary.items.first?.status == .pushed, "\(summary.text)")
        #expect(server.requests.contains { $0.hasPrefix("GET /reset-once/") && $0.hasSuffix("-") && !$0.hasSuffix(" -") }, "\(server.requests)")
    }

    @Test func licensedPackagesAreCopiedByteForByte() async throws {
        let server = try ResourceServer()
        var run = try EmbeddingRun()
        defer { run.cleanup() }
        try run.add(.splat(server, id: "licensed-demo"))
        let summary = await run.run(["licensed-demo"], settings: run.settings(neverModified: ["Licensed-Demo"]))
        #expect(summary.items.first?.status == .pushed)
        #expect(summary.items.first?.embedding?.mode == "licensed")
        #expect(FileManager.default.contentsEqual(atPath: run.pushed("licensed-demo"), andPath: run.source.path + "/licensed-demo.1.0.0.nupkg"))
        #expect(server.requests.isEmpty, "a licensed package's resources are never fetched: \(server.requests)")
        #expect(summary.text.contains("never internalized (licensed#155)"))
    }

    @Test func unresolvedDownloadRefusesUnlessNamed() async throws {
        let server = try ResourceServer()
        var run = try EmbeddingRun()
        defer { run.cleanup() }
        var package = GeneratedPackage.positional(server)
        package.unresolved = [UnresolvedResource(helper: "Install-ChocolateyPackage", call: package.resources[0].call,
                                                 reason: "the URL uses $env:TEMP, unknown before install")]
        try run.add(package)
        let refused = await run.run(["positional"], settings: run.settings())
        #expect(refused.items.first?.status == .failed)
        #expect(refused.items.first?.detail?.contains("tools/chocolateyInstall.ps1:1") == true, "\(refused.text)")
        #expect(refused.items.first?.detail?.contains("--copy-unresolved positional") == true)
        #expect(!FileManager.default.fileExists(atPath: run.pushed("positional")))
        let copied = await run.run(["positional"], settings: run.settings(copyUnresolved: ["positional"]))
        #expect(copied.items.first?.status == .pushed)
        #expect(copied.needingInternet.map(\.id) == ["positional"])
        #expect(copied.text.contains("still need the internet at install"))
        #expect(FileManager.default.contentsEqual(atPath: run.pushed("positional"), andPath: run.source.path + "/positional.1.0.0.nupkg"))
    }

    @Test func missingChecksumRefusedUnlessAllowedThenComputedOneIsWritten() async throws {
        let server = try ResourceServer()
        var run = try EmbeddingRun()
        defer { run.cleanup() }
        let bytes = server.installer("nosum.exe", size: 40_000, seed: 51)
        let url = server.url("files", "nosum.exe")
        let text = "Install-ChocolateyPackage -PackageName 'nosum' -FileType 'exe' -SilentArgs '/S' -Url '\(url)'\n"
        var package = GeneratedPackage(id: "nosum", scripts: ["tools/chocolateyInstall.ps1": Array(text.utf8)])
        package.resource(url, checksum: nil, type: nil, insertAfter: "-Url '\(url)'", style: .commandArguments)
        try run.add(package)
        let refused = await run.run(["nosum"], settings: run.settings())
        #expect(refused.items.first?.status == .failed)
        #expect(refused.items.first?.detail?.contains("--allow-missing-checksums") == true)
        #expect(server.requests.isEmpty, "refused before any download")
        let allowed = await run.run(["nosum"], settings: run.settings(allowMissingChecksums: true))
        #expect(allowed.items.first?.status == .pushed, "\(allowed.text)")
        let files = try extracted(run.pushed("nosum"))
        defer { files.cleanup() }
        let script = try String(contentsOfFile: files.path + "/x/tools/chocolateyInstall.ps1", encoding: .utf8)
        #expect(script.hasSuffix(" -Checksum '\(Generated.sha256(bytes))' -ChecksumType 'sha256'\n"), "\(script)")
        #expect(allowed.items.first?.embedding?.resources.first?.checksumSource == "computed")
    }

    /// The feed already holding the original (not internalized) package: said so, with how to replace it.
    @Test func originalOnTheTargetIsReportedNotOverwritten() async throws {
        let server = try ResourceServer()
        var run = try EmbeddingRun()
        defer { run.cleanup() }
        try run.add(.positional(server))
        try FileManager.default.copyItem(atPath: run.source.path + "/positional.1.0.0.nupkg", toPath: run.pushed("positional"))
        let summary = await run.run(["positional"], settings: run.settings())
        #expect(summary.items.first?.status == .differentContent)
        #expect(summary.items.first?.detail?.contains("holds the original package") == true, "\(summary.text)")
        #expect(summary.items.first?.detail?.contains("nuget delete positional 1.0.0") == true)
        #expect(summary.hasProblems)
        #expect(FileManager.default.contentsEqual(atPath: run.pushed("positional"), andPath: run.source.path + "/positional.1.0.0.nupkg"))
    }

    @Test func resourcesLocationFolderAndWeb() async throws {
        let server = try ResourceServer()
        var run = try EmbeddingRun()
        defer { run.cleanup() }
        try run.add(.positional(server))
        let share = try TemporaryDirectory()
        defer { share.cleanup() }
        let summary = await run.run(["positional"], settings: run.settings(placement: .location(base: "\\\\fs\\choco"), location: .folder(path: share.path)))
        #expect(summary.items.first?.status == .pushed, "\(summary.text)")
        #expect(FileManager.default.contentsEqual(atPath: share.path + "/positional/1.0.0/positional.msi", andPath: server.root.path + "/positional.msi"))
        let files = try extracted(run.pushed("positional"))
        defer { files.cleanup() }
        #expect(try String(contentsOfFile: files.path + "/x/tools/chocolateyInstall.ps1", encoding: .utf8)
            .contains("'/qn /norestart' '\\\\fs\\choco\\positional\\1.0.0\\positional.msi' -Checksum"))
        #expect(!FileManager.default.fileExists(atPath: files.path + "/x/tools/positional.msi"))

        let web = try TemporaryDirectory(), work = try TemporaryDirectory()
        defer { web.cleanup(); work.cleanup() }
        let base = "http://127.0.0.1:\(server.server.port)/upload/raw"
        let uploaded = await run.run(["positional"], settings: run.settings(placement: .location(base: base), location: .web(url: base, credentials: nil),
                                                                            work: work.path), target: web.path, work: work.path)
        #expect(uploaded.items.first?.status == .pushed, "\(uploaded.text)")
        #expect(FileManager.default.contentsEqual(atPath: server.root.path + "/uploaded/raw/positional/1.0.0/positional.msi",
                                                  andPath: server.root.path + "/positional.msi"))
    }

    /// The dependency closure is internalized the same way; a licensed dependency is copied.
    @Test func dependenciesAreInternalizedToo() async throws {
        let server = try ResourceServer()
        var run = try EmbeddingRun()
        defer { run.cleanup() }
        var top = GeneratedPackage.splat(server)
        top.dependencies = ["positional", "licensed-dep"]
        try run.add(top)
        try run.add(.positional(server))
        try run.add(.named(server))
        var licensed = GeneratedPackage.dataFile(server)
        licensed.id = "licensed-dep"
        try run.add(licensed)
        let summary = await run.run(["splat"], settings: run.settings(neverModified: ["licensed-dep"]))
        #expect(summary.items.map(\.id).sorted() == ["licensed-dep", "positional", "splat"], "\(summary.text)")
        #expect(summary.items.allSatisfy { $0.status == .pushed }, "\(summary.text)")
        #expect(summary.items.first { $0.id == "positional" }?.reason == "dependency of splat")
        #expect(summary.items.first { $0.id == "positional" }?.embedding?.mode == "embedded")
        #expect(summary.items.first { $0.id == "licensed-dep" }?.embedding?.mode == "licensed")
    }

    /// The command end to end with the real ResourceFinder (the PowerShell reader), the JSON summary included.
    @Test func commandInternalizesWithTheRealFinder() throws {
        let server = try ResourceServer()
        let feeds = try EmbeddingRun()
        defer { feeds.cleanup() }
        let packages = [GeneratedPackage.splat(server), .positional(server), .named(server), .dataFile(server)]
        for package in packages { _ = try package.write(to: feeds.source.path) }
        let result = try run([try ccmUpgradeExecutable(), "internalize"] + packages.map(\.id)
            + ["--from", feeds.source.path, "--to", feeds.target.path, "--work-directory", feeds.work.path, "--format", "json"],
                                        environment: ["HOME": feeds.work.path, "CCM_UPGRADE_FEEDS_CONFIG": ""])
        #expect(result.status == 0, "\(result.output)")
        let jsonStart = try #require(result.output.firstIndex(of: "{"))
        let summary = try JSONDecoder().decode(InternalizeSummary.self, from: Data(result.output[jsonStart...].utf8))
        for package in packages {
            let item = try #require(summary.items.first { $0.id == package.id })
            #expect(item.status == .pushed)
            #expect(item.embedding?.mode == "embedded")
            // The finder found the same downloads the generator wrote, at the same places.
            #expect(item.embedding?.resources.map(\.url) == package.resources.map(\.url), "\(package.id): \(item.embedding?.unresolved ?? [])")
            let files = try extracted(feeds.pushed(package.id))
            defer { files.cleanup() }
            // The finder may name the URL's literal or the expression the helper receives (`$data.Url`): every
            // script it edited no longer holds the URL where the helper reads it, and the helper gets the local file.
            let record = try JSONOutput.decoder.decode(EmbeddingRecord.self,
                                                       from: Data(contentsOf: URL(fileURLWithPath: files.path + "/x/tools/ccm-upgrade-internalized.json")))
            #expect(!record.scripts.isEmpty)
            for script in record.scripts {
                let text = try String(contentsOfFile: files.path + "/x/" + script.file, encoding: .utf8)
                #expect(text.contains("Join-Path $(if ($PSScriptRoot)"), "\(package.id) \(script.file):\n\(text)")
                if script.file == "tools/chocolateyInstall.ps1" { #expect(!text.contains("http://127.0.0.1"), "\(package.id):\n\(text)") }
            }
            let before = try extracted(feeds.source.path + "/\(package.id).1.0.0.nupkg")
            defer { before.cleanup() }
            if let check = try grammarCheck(original: before.path + "/x", rewritten: files.path + "/x") {
                #expect(check.status == 0, "\(check.output)")
            }
        }
    }

    /// minchoc (a real v2 server) accepts an internalized package, and nuget 2.8.7 installs it from there.
    @Test func minchocAcceptsInternalizedPackages() async throws {
        let server = try ResourceServer()
        var feeds = try EmbeddingRun()
        defer { feeds.cleanup() }
        try feeds.add(.splat(server))
        let peer = try await MinchocPeer()
        var internalizer = Internalizer(sources: ["src": FolderFeed(path: feeds.source.path)],
                                        target: V2Feed(url: peer.source, apiKey: Secret(peer.apiKey), pushURL: V2Feed.pushURL(for: peer.pushSource),
                                                       http: testClient()),
                                        workDirectory: feeds.work.path, journal: nil)
        internalizer.embedding = feeds.settings()
        let summary = await internalizer.run([PackageRequest(id: "splat", source: "src")])
        #expect(summary.items.first?.status == .pushed, "\(summary.text)")
        #expect(summary.items.first?.embedding?.mode == "embedded")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/nuget") else { return }
        let output = try TemporaryDirectory()
        defer { output.cleanup() }
        let result = try EmbeddingTests.runProcess(["timeout", "180", "nuget", "install", "splat", "-Version", "1.0.0", "-Source", peer.source,
                                                    "-OutputDirectory", output.path, "-NonInteractive"], home: output.path)
        #expect(result.status == 0, "\(result.output)")
        #expect(FileManager.default.contentsEqual(atPath: output.path + "/splat.1.0.0/tools/splat-x86.exe", andPath: server.root.path + "/splat-x86.exe"))
    }

    /// Asking to embed a licensed package is an error that says why, before anything is downloaded or pushed.
    @Test func embedNamingALicensedPackageIsRefused() throws {
        let source = try TemporaryDirectory(), target = try TemporaryDirectory(), work = try TemporaryDirectory()
        defer { source.cleanup(); target.cleanup(); work.cleanup() }
        let result = try run([try ccmUpgradeExecutable(), "internalize", "chocolatey-agent", "--embed", "--from", source.path, "--to", target.path,
                              "--work-directory", work.path], environment: ["HOME": work.path, "CCM_UPGRADE_FEEDS_CONFIG": ""])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.hasPrefix("error: chocolatey-agent: a licensed Chocolatey package is never internalized (licensed#155"), "\(result.output)")
        #expect(result.output.split(separator: "\n").count == 1)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: target.path))?.isEmpty == true)
    }
}
