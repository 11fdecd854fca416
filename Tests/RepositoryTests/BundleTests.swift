import CurlSupport
import Foundation
import Internalization
import Nupkg
import Repository
import Testing
import Versioning

/// Bundles: create (through the Internalizer into a staging folder) → verify → push, and every way a bundle can
/// be damaged refused before the first push, naming the file.
@Suite("Bundles")
struct BundleTests {
    static let packages = ["NuGetTest.0.0.1.nupkg", "PackageWithFolder.1.0.nupkg"]

    /// A source folder with the two corpus packages, a staging folder, and the creator over them.
    struct Fixture {
        let directory: TemporaryDirectory
        var source: String { directory.path + "/source" }
        var work: String { directory.path + "/work" }
        var bundle: String { directory.path + "/upgrade.bundle.tar" }
        var target: String { directory.path + "/internal" }

        let ids: [String]

        init(packages: [String] = BundleTests.packages, ids: [String] = ["NuGetTest", "PackageWithFolder"]) throws {
            self.ids = ids
            directory = try TemporaryDirectory()
            for folder in [source, work + "/staging", work + "/downloads", target] {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            for package in packages { try FileManager.default.copyItem(atPath: Corpus.package(package), toPath: source + "/" + package) }
        }

        func creator() throws -> BundleCreator {
            let staging = FolderFeed(path: work + "/staging")
            let journal = try Journal(path: work + "/internalize-journal.json", target: staging.name)
            let internalizer = Internalizer(sources: ["src": FolderFeed(path: source)], target: staging, workDirectory: work + "/downloads",
                                            journal: journal)
            return BundleCreator(internalizer: internalizer, stagingFolder: work + "/staging", tool: "ccm-upgrade test", matrix: "test matrix")
        }

        func create(plan: [UInt8]? = Array("{\"plan\":true}\n".utf8)) async throws -> BundleCreation {
            // Whole seconds: the manifest stores ISO 8601 dates.
            try await creator().create(ids.map { PackageRequest(id: $0, source: "src") }, plan: plan, to: bundle, now: Date(timeIntervalSince1970: 1_800_000_000))
        }

        func targetFiles() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []).sorted() }
    }

    static func sha512sum(_ path: String) throws -> String {
        let result = try run(["sha512sum", path])
        return String(result.output.prefix(128))
    }

    @Test func createVerifyPushIntoAFolderFeedIdempotently() async throws {
        let fixture = try Fixture()
        defer { fixture.directory.cleanup() }
        let creation = try await fixture.create()
        let manifest = try #require(creation.manifest)
        #expect(manifest.packages.map { "\($0.id) \($0.version)" } == ["NuGetTest 0.0.1", "PackageWithFolder 1.0.0"])
        #expect(manifest.plan?.path == "plan.json")
        #expect(manifest.tool == "ccm-upgrade test" && manifest.matrix == "test matrix")
        for (package, file) in zip(manifest.packages, Self.packages) {
            #expect(package.source == "src")
            #expect(package.file.sha512 == (try Self.sha512sum(Corpus.package(file))), "the manifest's SHA-512 is the file's")
            #expect(package.embedded.isEmpty, "corpus packages carry no internalization record")
        }
        let verified = try await BundleReader.verify(fixture.bundle)
        #expect(verified.manifest == manifest)

        let importer = BundleImporter(target: FolderFeed(path: fixture.target), workDirectory: fixture.work + "/import")
        let first = try await importer.run(fixture.bundle).summary
        #expect(first.items.map(\.status) == [.pushed, .pushed])
        #expect(fixture.targetFiles() == ["NuGetTest.0.0.1.nupkg", "PackageWithFolder.1.0.0.nupkg"])
        #expect(FileManager.default.contentsEqual(atPath: fixture.target + "/NuGetTest.0.0.1.nupkg", andPath: Corpus.package(Self.packages[0])))
        let second = try await importer.run(fixture.bundle).summary
        #expect(second.items.map(\.status) == [.alreadyPresent, .alreadyPresent])
    }

    /// The entries of a good bundle, to build damaged ones from.
    static func entries(of bundle: String) throws -> [(name: String, bytes: [UInt8])] {
        let reader = try TarReader(path: bundle)
        var entries: [(name: String, bytes: [UInt8])] = []
        while let entry = try reader.next() { entries.append((entry.name, try reader.readAll(limit: 1 << 30))) }
        return entries
    }

    static func write(_ entries: [(name: String, bytes: [UInt8])], to path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        let writer = try TarWriter(path: path)
        for entry in entries { try writer.add(name: entry.name, bytes: entry.bytes) }
        try writer.close()
    }

    enum Damage: String, CaseIterable, Sendable {
        case tamperedPackage, truncatedInsidePackage, truncatedAtEntryBoundary, missingFile, extraFile, tamperedManifestHash,
             manifestNotFirst, packageSwapped, notATar
    }

    /// Damages the good bundle at `path`; returns the file the refusal must name.
    static func damage(_ damage: Damage, _ path: String) throws -> String {
        var entries = try Self.entries(of: path)
        let package = "packages/PackageWithFolder.1.0.0.nupkg"
        switch damage {
        case .tamperedPackage:
            // The same size, one byte changed inside the package: only the hash can tell.
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            let content = entries.first { $0.name == package }!.bytes
            let start = try #require(Self.find(Array(content.prefix(64)), in: bytes))
            bytes[start + content.count / 2] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return package
        case .truncatedInsidePackage:
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            let content = entries.last!.bytes
            let start = try #require(Self.find(Array(content.prefix(64)), in: bytes))
            try Data(bytes[0..<(start + content.count / 2)]).write(to: URL(fileURLWithPath: path))
            return entries.last!.name
        case .truncatedAtEntryBoundary:
            entries.removeLast()
            try Self.write(entries, to: path)
            // Cut the end-of-archive blocks too: the archive just stops after a complete entry.
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            let content = entries.last!.bytes
            let start = try #require(Self.find(Array(content.prefix(64)), in: bytes))
            try Data(bytes[0..<(start + (content.count + 511) / 512 * 512)]).write(to: URL(fileURLWithPath: path))
            return "plan.json"
        case .missingFile:
            entries.removeAll { $0.name == package }
            try Self.write(entries, to: path)
            return package
        case .extraFile:
            entries.append(("packages/Extra.1.0.0.nupkg", try Corpus.bytes("nupkg/real/NuGetTest.0.0.1.nupkg")))
            try Self.write(entries, to: path)
            return "packages/Extra.1.0.0.nupkg"
        case .tamperedManifestHash:
            // A manifest edited to match a changed package would need the new hash; a wrong hash is refused.
            var text = String(decoding: entries[0].bytes, as: UTF8.self)
            let hash = try Self.sha512sum(Corpus.package("PackageWithFolder.1.0.nupkg"))
            text = text.replacingOccurrences(of: hash, with: String(repeating: "0", count: 128))
            entries[0].bytes = Array(text.utf8)
            try Self.write(entries, to: path)
            return package
        case .manifestNotFirst:
            entries.append(entries.removeFirst())
            try Self.write(entries, to: path)
            return "ccm-upgrade-bundle.json"
        case .packageSwapped:
            // Right size and hash in the manifest for what is there, but another package's bytes under the name.
            let other = try Corpus.bytes("nupkg/real/NuGetTest.0.0.1.nupkg")
            var text = String(decoding: entries[0].bytes, as: UTF8.self)
            let index = entries.firstIndex { $0.name == package }!
            let oldHash = try Self.sha512sum(Corpus.package("PackageWithFolder.1.0.nupkg"))
            let otherHash = try Self.sha512sum(Corpus.package("NuGetTest.0.0.1.nupkg"))
            text = text.replacingOccurrences(of: oldHash, with: otherHash)
                .replacingOccurrences(of: "\"size\": \(entries[index].bytes.count)", with: "\"size\": \(other.count)")
            entries[0].bytes = Array(text.utf8)
            entries[index].bytes = other
            try Self.write(entries, to: path)
            return package
        case .notATar:
            try Data("not a bundle at all\n".utf8).write(to: URL(fileURLWithPath: path))
            return "(archive)"
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] && Array(haystack[start..<(start + needle.count)]) == needle {
            return start
        }
        return nil
    }

    @Test(arguments: Damage.allCases)
    func damagedBundleIsRefusedBeforeAnyPush(damage: Damage) async throws {
        let fixture = try Fixture()
        defer { fixture.directory.cleanup() }
        _ = try #require(try await fixture.create().manifest)
        let named = try Self.damage(damage, fixture.bundle)
        let importer = BundleImporter(target: FolderFeed(path: fixture.target), workDirectory: fixture.work + "/import")
        do {
            _ = try await importer.run(fixture.bundle)
            Issue.record("a bundle with \(damage) was accepted")
        } catch {
            guard case let .rejected(bundle, file, _) = error else {
                Issue.record("expected a refusal, got \(error)")
                return
            }
            #expect(bundle == fixture.bundle)
            #expect(file == named || (damage == .truncatedAtEntryBoundary && file == "(archive)"), "\(error)")
            #expect(error.description.contains("nothing was pushed"))
        }
        #expect(fixture.targetFiles().isEmpty, "nothing may be pushed from a damaged bundle")
        await #expect(throws: BundleError.self) { _ = try await BundleReader.verify(fixture.bundle) }
    }

    /// A create that stops (here: a package its source lacks) writes no bundle; once the package is there, the
    /// rerun resumes from the journal (the staged package is not fetched again) and writes the bundle.
    @Test func interruptedCreateResumesAndWritesAtomically() async throws {
        let fixture = try Fixture(packages: [Self.packages[0]])
        defer { fixture.directory.cleanup() }
        let first = try await fixture.create()
        #expect(first.manifest == nil)
        #expect(first.summary.items.first { $0.id == "PackageWithFolder" }?.status == .failed)
        #expect(!FileManager.default.fileExists(atPath: fixture.bundle), "no bundle from a failed create")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).filter { $0.contains(".tmp") }.isEmpty)

        try FileManager.default.copyItem(atPath: Corpus.package(Self.packages[1]), toPath: fixture.source + "/" + Self.packages[1])
        let second = try await fixture.create()
        let manifest = try #require(second.manifest)
        #expect(manifest.packages.count == 2)
        let resumed = try #require(second.summary.items.first { $0.id == "NuGetTest" })
        #expect(resumed.fromJournal && !resumed.downloaded, "the package staged by the interrupted run is reused")
        #expect(second.summary.items.first { $0.id == "PackageWithFolder" }?.downloaded == true)
        _ = try await BundleReader.verify(fixture.bundle)
    }

    /// What internalizing embedded, as the package's record says, is listed in the manifest.
    @Test func manifestListsWhatWasEmbedded() async throws {
        let fixture = try Fixture(packages: [], ids: ["Embedded.Example"])
        defer { fixture.directory.cleanup() }
        let sourceTree = fixture.directory.path + "/tree"
        try FileManager.default.createDirectory(atPath: sourceTree + "/tools", withIntermediateDirectories: true)
        try Data("""
            <?xml version="1.0" encoding="utf-8"?>
            <package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd">
              <metadata><id>Embedded.Example</id><version>1.2.3</version><authors>a</authors><description>d</description></metadata>
            </package>
            """.utf8).write(to: URL(fileURLWithPath: sourceTree + "/Embedded.Example.nuspec"))
        // In EmbeddingRecord's format (bundle create reads it with that type).
        let record = """
            {"format": 1, "id": "Embedded.Example", "version": "1.2.3", "placement": "embedded", "scripts": [], "removedEntries": [],
             "resources": [{"url": "https://download.example.com/setup.exe", "replacement": "tools/setup.exe", "embeddedFile": "tools/setup.exe",
                            "architecture": "\(RemoteResource.Architecture.x64.rawValue)", "helper": "Install-ChocolateyPackage", "call": "tools/chocolateyInstall.ps1:3",
                            "checksum": "abc", "checksumType": "sha256", "checksumSource": "script", "sha512": "00", "size": 7}]}
            """
        try Data(record.utf8).write(to: URL(fileURLWithPath: sourceTree + "/" + EmbeddingRecord.path))
        try Data("payload".utf8).write(to: URL(fileURLWithPath: sourceTree + "/tools/setup.exe"))
        _ = try PackageBuilder.pack(nuspecPath: sourceTree + "/Embedded.Example.nuspec", outputDirectory: fixture.source)
        let manifest = try #require(try await fixture.create().manifest)
        let embedded = try #require(manifest.packages.first?.embedded.first)
        #expect(embedded.url == "https://download.example.com/setup.exe")
        #expect(embedded.replacement == "tools/setup.exe" && embedded.checksum == "abc" && embedded.checksumType == "sha256" && embedded.size == 7)
    }

    @Test func bundleAsAFeedListsItsPackages() async throws {
        let fixture = try Fixture()
        defer { fixture.directory.cleanup() }
        _ = try #require(try await fixture.create().manifest)
        let feed = try BundleFeed(path: fixture.bundle)
        #expect(try await feed.versions(of: "nugettest").map(\.version.normalized) == ["0.0.1"])
        #expect(try await feed.versions(of: "absent").isEmpty)
        #expect(try await feed.package(id: "PackageWithFolder", version: NuGetVersion(parsing: "1.0")) != nil)
    }

    @Test(arguments: [
        ("{", "not a bundle manifest: invalid JSON"),
        ("{\"format\": 2, \"tool\": \"x\", \"created\": \"2026-01-01T00:00:00Z\", \"packages\": []}", "manifest format 2"),
        ("{\"format\": 1, \"tool\": \"x\", \"created\": \"2026-01-01T00:00:00Z\", \"packages\": [{\"id\": \"a\", \"version\": \"1.0.0\", \"source\": \"s\", \"embedded\": [], \"file\": {\"path\": \"../../etc/passwd.nupkg\", \"size\": 1, \"sha512\": \"\"}}]}",
         "expected packages/<name>.nupkg"),
        ("{\"format\": 1, \"tool\": \"x\", \"created\": \"2026-01-01T00:00:00Z\", \"packages\": [{\"id\": \"a\", \"version\": \"1.0.0\", \"source\": \"s\", \"embedded\": [], \"file\": {\"path\": \"packages/../x.nupkg\", \"size\": 1, \"sha512\": \"\"}}]}",
         "not a plain relative path"),
        ("{\"format\": 1, \"tool\": \"x\", \"created\": \"2026-01-01T00:00:00Z\"}", "missing 'packages'"),
    ])
    func hostileManifestsAreRefused(text: String, message: String) {
        #expect(throws: BundleError.self) { _ = try BundleManifest.decode(Array(text.utf8), bundle: "b.tar") }
        do { _ = try BundleManifest.decode(Array(text.utf8), bundle: "b.tar") } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }
}

/// Bundles pushed into the real minchoc server.
@Suite("Bundles into minchoc", .serialized)
struct BundlePeerTests {
    @Test func bundlePushesIntoMinchocIdempotently() async throws {
        // Packages minchoc 0.2.0 accepts (it answers 500 to NuGetTest's metadata).
        let fixture = try BundleTests.Fixture(packages: ["NonStrongNameA.1.0.0.0.nupkg", "NonStrongNameB.1.0.0.0.nupkg"],
                                              ids: ["NonStrongNameA", "NonStrongNameB"])
        defer { fixture.directory.cleanup() }
        _ = try #require(try await fixture.create().manifest)
        let peer = try await MinchocPeer()
        let feed = V2Feed(url: peer.source, apiKey: Secret(peer.apiKey), pushURL: V2Feed.pushURL(for: peer.pushSource), http: testClient())
        let importer = BundleImporter(target: feed, workDirectory: fixture.work + "/import")
        let first = try await importer.run(fixture.bundle).summary
        #expect(first.items.map(\.status) == [.pushed, .pushed], "\(first.items.map { $0.detail ?? "" })")
        let second = try await importer.run(fixture.bundle).summary
        #expect(second.items.map(\.status) == [.alreadyPresent, .alreadyPresent], "\(second.text)")
        #expect(try await feed.versions(of: "NonStrongNameA").map(\.version.normalized) == ["1.0.0"])
    }
}

/// A bundle of a package whose installers were really embedded (EMBED's generated package and resource server):
/// the manifest lists them, and the bundle verifies and pushes as any other.
@Suite("Bundles of embedded packages", .serialized)
struct BundleEmbeddingTests {
    @Test func manifestListsTheResourcesEmbeddingRecorded() async throws {
        let server = try ResourceServer()
        var run = try EmbeddingRun()
        defer { run.cleanup() }
        let package = GeneratedPackage.splat(server)
        try run.add(package)
        let staging = run.work.path + "/staging"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        var internalizer = Internalizer(sources: ["src": FolderFeed(path: run.source.path)], target: FolderFeed(path: staging),
                                        workDirectory: run.work.path, journal: nil)
        internalizer.embedding = run.settings()
        let creator = BundleCreator(internalizer: internalizer, stagingFolder: staging, tool: "ccm-upgrade test", matrix: nil)
        let bundle = run.work.path + "/embedded.bundle.tar"
        let creation = try await creator.create([PackageRequest(id: package.id, source: "src")], plan: nil, to: bundle)
        let manifest = try #require(creation.manifest, "\(creation.summary.text)")
        let embedded = try #require(manifest.packages.first?.embedded)
        #expect(embedded.map(\.url) == package.resources.map(\.url))
        #expect(embedded.allSatisfy { $0.sha512?.count == 128 && ($0.size ?? 0) > 0 })
        let importer = BundleImporter(target: FolderFeed(path: run.target.path), workDirectory: run.work.path + "/import")
        let summary = try await importer.run(bundle).summary
        #expect(summary.items.map(\.status) == [.pushed])
        #expect(FileManager.default.contentsEqual(atPath: run.pushed(package.id), andPath: staging + "/\(package.id).1.0.0.nupkg"))
    }
}
