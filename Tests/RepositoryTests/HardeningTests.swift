import CurlSupport
import Foundation
import Nupkg
import Repository
import Testing
import Versioning

/// Packages built for one test: ordinary ones, ones with hostile entries, ones with feed-supplied junk.
enum Built {
    /// Writes `id.version.nupkg` into `folder`; `payload` varies the bytes for the same id and version.
    @discardableResult
    static func package(_ id: String, _ version: String, in folder: String, payload: String = "payload", dependencies: [String] = [],
                        extraFiles: [(String, [UInt8])] = []) throws -> String {
        let deps = dependencies.isEmpty ? "" : "<dependencies>" + dependencies.map { "<dependency id=\"\($0)\" />" }.joined() + "</dependencies>"
        let nuspec = """
            <?xml version="1.0"?><package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd"><metadata>\
            <id>\(id)</id><version>\(version)</version><authors>tests</authors><description>d</description>\(deps)\
            </metadata></package>
            """
        var files: [PackageWriter.File] = [.init(target: "tools/payload.txt", content: .bytes(Array(String(repeating: payload + "\n", count: 50).utf8)))]
        files += extraFiles.map { .init(target: $0.0, content: .bytes($0.1)) }
        let path = folder + "/\(id).\(version).nupkg"
        try PackageWriter.write(nuspecXML: Array(nuspec.utf8), files: files, to: path)
        return path
    }

    /// A package with an entry `../../evil.txt`, written below the writer's checks by patching the name bytes
    /// (same length) after writing.
    static func zipSlip(_ id: String, in folder: String) throws -> String {
        let path = try package(id, "1.0.0", in: folder, extraFiles: [("tools/evil.txt", [1, 2, 3])])
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let needle = Array("tools/evil.txt".utf8), replacement = Array("../../evil.txt".utf8)
        try #require(needle.count == replacement.count)
        var index = 0, replaced = 0
        while index + needle.count <= bytes.count {
            if Array(bytes[index..<(index + needle.count)]) == needle {
                bytes.replaceSubrange(index..<(index + needle.count), with: replacement)
                replaced += 1
            }
            index += 1
        }
        try #require(replaced >= 2)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

@Suite("Hardening: nothing hostile is published, faults converge in one run", .serialized)
struct HardeningTests {
    func internalizer(_ source: FakeFeed, target: any PackageFeed, work: TemporaryDirectory) -> Internalizer {
        Internalizer(sources: ["src": V2Feed(url: source.v2, http: testClient())], target: target, workDirectory: work.path, journal: nil, jobs: 2)
    }

    @Test func zipSlipPackageIsNeitherInternalizedNorPushed() async throws {
        let built = try TemporaryDirectory(), target = try TemporaryDirectory(), work = try TemporaryDirectory()
        defer { built.cleanup(); target.cleanup(); work.cleanup() }
        let hostile = try Built.zipSlip("Evil.Slip", in: built.path)
        #expect(try PackageReader.entries(at: hostile).contains { $0.name == "../../evil.txt" })
        let source = try FakeFeed(files: [hostile])
        let summary = await internalizer(source, target: FolderFeed(path: target.path), work: work).run([PackageRequest(id: "Evil.Slip", source: "src")])
        let item = try #require(summary.items.first)
        #expect(item.status == .failed)
        #expect(item.detail?.contains("'..' segments") == true, "\(item.detail ?? "")")
        #expect(summary.hasProblems)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty, "the refused download was not discarded")
        // push of the same file: refused before anything is sent.
        let error = await #expect(throws: FeedError.self) { try await FolderFeed(path: target.path).push(fileAt: hostile) }
        guard case .packageRefused = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).isEmpty)
    }

    @Test func hostileDependencyIdNeverBecomesAFileName() async throws {
        let built = try TemporaryDirectory(), target = try TemporaryDirectory(), outer = try TemporaryDirectory()
        defer { built.cleanup(); target.cleanup(); outer.cleanup() }
        let work = outer.path + "/a/b/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let parent = try Built.package("Has.Bad.Dependency", "1.0.0", in: built.path, dependencies: ["../../x/pwn"])
        let source = try FakeFeed(files: [parent])
        let internalizer = Internalizer(sources: ["src": V2Feed(url: source.v2, http: testClient())], target: FolderFeed(path: target.path),
                                        workDirectory: work, journal: nil)
        let summary = await internalizer.run([PackageRequest(id: "Has.Bad.Dependency", source: "src")])
        let rows = summary.items.map { "\($0.id) \($0.status.rawValue)" }.sorted()
        #expect(rows == ["../../x/pwn failed", "Has.Bad.Dependency pushed"])
        #expect(!source.requests.contains { $0.contains("pwn") }, "the bad id was looked up: \(source.requests)")
        let everything = FileManager.default.enumerator(atPath: outer.path)?.allObjects as? [String] ?? []
        #expect(!everything.contains { $0.contains("pwn") }, "\(everything)")
        // The download API refuses such an id too.
        let remote = RemotePackage(id: "../../x/pwn", version: try NuGetVersion(parsing: "1.0"), downloadURL: source.v2 + "package/x/1.0")
        await #expect(throws: FeedError.self) { try await V2Feed(url: source.v2, http: testClient()).download(remote, toDirectory: work) }
    }

    /// Same id and version, other bytes, on a target that publishes no hash (a folder, minchoc): CONFLICT
    /// in internalize as in push.
    @Test(arguments: [false, true])
    func sameVersionWithOtherBytesIsAConflict(sourcePublishesHash: Bool) async throws {
        let built = try TemporaryDirectory(), target = try TemporaryDirectory(), work = try TemporaryDirectory(), other = try TemporaryDirectory()
        defer { built.cleanup(); target.cleanup(); work.cleanup(); other.cleanup() }
        let ours = try Built.package("Same.Version", "1.0.0", in: built.path, payload: "source bytes")
        try Built.package("Same.Version", "1.0.0", in: target.path, payload: "target bytes")
        let source = try FakeFeed(files: [ours], arguments: sourcePublishesHash ? [] : ["--no-hash"])
        let summary = await internalizer(source, target: FolderFeed(path: target.path), work: work).run([PackageRequest(id: "Same.Version", source: "src")])
        #expect(summary.items.map(\.status) == [.differentContent], "\(summary.text)")
        #expect(summary.hasProblems)
        #expect(summary.text.contains("CONFLICT"))
        let pushed = try await FolderFeed(path: target.path).push(fileAt: ours)
        guard case .differentContent = pushed.outcome else { Issue.record("push said \(pushed.outcome)"); return }
        // The identical package is present, not a conflict.
        try FileManager.default.removeItem(atPath: target.path + "/Same.Version.1.0.0.nupkg")
        try FileManager.default.copyItem(atPath: ours, toPath: target.path + "/Same.Version.1.0.0.nupkg")
        let again = await internalizer(source, target: FolderFeed(path: target.path), work: other).run([PackageRequest(id: "Same.Version", source: "src")])
        #expect(again.items.map(\.status) == [.alreadyPresent], "\(again.text)")
    }

    /// Each fault once, source without hash (minchoc-like) or with: the run converges to "pushed", and the
    /// target holds exactly the source's bytes.
    @Test(arguments: [
        ("corrupt:1:/package/", false), ("corrupt:1:/package/", true), ("wrong-bytes:1:/package/", true),
        ("truncate:1:/package/", false), ("reset-mid:1:/package/", false),
    ])
    func damagedDownloadIsRetriedWithinTheRun(_ row: (String, Bool)) async throws {
        let built = try TemporaryDirectory(), target = try TemporaryDirectory(), work = try TemporaryDirectory()
        defer { built.cleanup(); target.cleanup(); work.cleanup() }
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<(64 << 10)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let package = try Built.package("Damaged.Once", "1.0.0", in: built.path, extraFiles: [("tools/noise.bin", noise)])
        let source = try FakeFeed(files: [package], arguments: ["--fault", row.0] + (row.1 ? [] : ["--no-hash"]))
        let summary = await internalizer(source, target: FolderFeed(path: target.path), work: work).run([PackageRequest(id: "Damaged.Once", source: "src")])
        #expect(summary.items.map(\.status) == [.pushed], "\(summary.text)")
        #expect(FileManager.default.contentsEqual(atPath: target.path + "/Damaged.Once.1.0.0.nupkg", andPath: package))
        #expect(summary.withoutPublisherHash.count == (row.1 ? 0 : 1))
        if !row.1 { #expect(summary.text.contains("no publisher hash for 1 pushed (checked by CRC-32, sizes and nuspec only): Damaged.Once 1.0.0")) }
    }

    /// The target stores the package, then the connection is reset; the retried PUT finds it: pushed by this run.
    @Test func packageStoredBeforeARetryCountsAsPushed() async throws {
        let built = try TemporaryDirectory(), work = try TemporaryDirectory()
        defer { built.cleanup(); work.cleanup() }
        let package = try Built.package("Stored.Then.Reset", "1.0.0", in: built.path)
        let source = try FakeFeed(files: [package])
        let targetFeed = try FakeFeed(arguments: ["--api-key", "k", "--fault", "stored-reset:1:PUT", "--no-hash", "--duplicate-status", "400"])
        let target = V2Feed(url: targetFeed.v2, apiKey: Secret("k"), http: testClient())
        let summary = await internalizer(source, target: target, work: work).run([PackageRequest(id: "Stored.Then.Reset", source: "src")])
        #expect(summary.items.map(\.status) == [.pushed], "\(summary.text)")
        #expect(targetFeed.requests.filter { $0.hasPrefix("PUT") }.count == 2, "\(targetFeed.requests)")
        #expect(FileManager.default.contentsEqual(atPath: targetFeed.packages.path + "/Stored.Then.Reset.1.0.0.nupkg", andPath: package))
    }

    /// The same through `push` alone: it looks the package up first, so the refused retry is still "pushed".
    @Test func pushStoredBeforeARetryCountsAsPushed() async throws {
        let targetFeed = try FakeFeed(arguments: ["--api-key", "k", "--fault", "stored-reset:1:PUT", "--duplicate-status", "400"])
        let target = V2Feed(url: targetFeed.v2, apiKey: Secret("k"), http: testClient())
        let report = try await target.push(fileAt: Corpus.package("NonStrongNameB.1.0.0.0.nupkg"))
        #expect(report.outcome == .pushed(status: 400))
        #expect(targetFeed.requests.filter { $0.hasPrefix("PUT") }.count == 2, "\(targetFeed.requests)")
        #expect(try await target.push(fileAt: Corpus.package("NonStrongNameB.1.0.0.0.nupkg")).outcome == .alreadyPresent(status: 400))
    }

    /// A server that ignores Range (minchoc 0.2.0) and a leftover `.partial`, cut short or complete: the
    /// download restarts from byte 0 instead of failing with curl's "Cannot resume" or "received 0".
    @Test(arguments: ["half", "complete", "garbage"])
    func leftoverPartialWithAServerIgnoringRange(_ leftover: String) async throws {
        let name = "NonStrongNameB.1.0.0.0.nupkg"
        let fake = try FakeFeed(packages: [name], arguments: ["--ignore-range", "--no-hash"])
        let output = try TemporaryDirectory()
        defer { output.cleanup() }
        let original = try Corpus.bytes("nupkg/real/" + name)
        let destination = output.path + "/out.nupkg"
        let partial: [UInt8] = leftover == "half" ? Array(original.prefix(original.count / 2))
            : leftover == "complete" ? original : Array(repeating: 0x41, count: original.count + 10)
        try Data(partial).write(to: URL(fileURLWithPath: destination + ".partial"))
        let feed = V2Feed(url: fake.v2, http: testClient())
        let remote = try #require(try await feed.package(id: "NonStrongNameB", version: try NuGetVersion(parsing: "1.0.0.0")))
        let downloaded = try await feed.download(remote, to: destination)
        #expect(FileManager.default.contentsEqual(atPath: downloaded.path, andPath: Corpus.package(name)))
        #expect(fake.requests.contains { $0.contains("/package/") && $0.hasSuffix("-") }, "no Range was asked for: \(fake.requests)")
    }

    /// A body larger than the size the feed declared (plus margin) is cut off, not written to the end.
    @Test func downloadLargerThanDeclaredIsRefused() async throws {
        let fake = try FakeFeed(files: [LargeDownloadFaultTests.package])
        let output = try TemporaryDirectory()
        defer { output.cleanup() }
        let feed = V2Feed(url: fake.v2, http: testClient())
        var remote = try #require(try await feed.package(id: "Large.Package", version: try NuGetVersion(parsing: "1.0.0")))
        #expect(remote.packageSize ?? 0 > 9 << 20)
        remote.packageSize = 4 << 20
        let error = await #expect(throws: FeedError.self) { try await feed.download(remote, to: output.path + "/p.nupkg") }
        #expect(error?.description.contains("at most") == true, "\(String(describing: error))")
        let written = (try? FileManager.default.attributesOfItem(atPath: output.path + "/p.nupkg.partial")[.size] as? Int) ?? 0
        #expect(written <= (4 << 20) + (4 << 20) / 10 + (1 << 20))
    }

    /// The CLI: `inspect` reports the zip-slip package as an error (exit 1, one `error:` line); `push` refuses
    /// it (exit 1) and the feed receives nothing.
    @Test func inspectAndPushCommandsRefuseAZipSlipPackage() throws {
        let built = try TemporaryDirectory(), target = try TemporaryDirectory()
        defer { built.cleanup(); target.cleanup() }
        let hostile = try Built.zipSlip("Evil.Cli", in: built.path)
        let inspected = try run([try ccmUpgradeExecutable(), "inspect", hostile])
        #expect(inspected.status == 1, "\(inspected.output)")
        #expect(inspected.output.contains("refused entry '../../evil.txt'"), "\(inspected.output)")
        let pushed = try run([try ccmUpgradeExecutable(), "push", hostile, "--source", target.path],
                             environment: ["HOME": built.path, "CCM_UPGRADE_FEEDS_CONFIG": ""])
        #expect(pushed.status == 1, "\(pushed.output)")
        #expect(pushed.output.contains("refused, not published"), "\(pushed.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).isEmpty)
    }
}
